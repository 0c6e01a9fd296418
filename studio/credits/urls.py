from django.urls import path

from studio.credits import views

urlpatterns = [
    path("team/credits/", views.credits_overview, name="credits"),
    path("team/credits/ledger/", views.credits_ledger, name="credits_ledger"),
]
