"""URL map of the whole studio."""

from django.contrib import admin
from django.urls import include, path

from studio.api.api import api
from studio.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("studio.teams.urls")),
    path("", include("studio.credits.urls")),
    path("", include("studio.api.urls")),
    path("", include("studio.core.urls")),
]
