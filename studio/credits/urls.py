"""Credits URLs: the current team's overview with prices and spending, its ledger, and requests for credits."""

from django.urls import path

from studio.credits import views

urlpatterns = [
    path("team/credits/", views.credits_overview, name="credits"),
    path("team/credits/ledger/", views.credits_ledger, name="credits_ledger"),
    path("credits/requests/", views.credit_requests, name="credit_requests"),
    path("credits/requests/<int:request_id>/grant/", views.credit_request_grant, name="credit_request_grant"),
    path("credits/requests/<int:request_id>/decline/", views.credit_request_decline, name="credit_request_decline"),
    path("credits/requests/<int:request_id>/withdraw/", views.credit_request_withdraw, name="credit_request_withdraw"),
]
