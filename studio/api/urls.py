"""API token pages of the current team (the JSON API itself is mounted at /api/v1/ from studio/urls.py)."""

from django.urls import path

from studio.api import views

urlpatterns = [
    path("team/api-tokens/", views.api_tokens, name="api_tokens"),
    path("team/api-tokens/<int:api_token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
