"""URL map of the whole studio: every app's URLs are mounted here, and no app includes another's."""

from django.contrib import admin
from django.urls import include, path

from studio.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("studio/", include("studio.generation.urls")),
    path("library/", include("library.urls")),
    path("influencers/", include("influencers.urls")),
    path("slides/", include("slides.urls")),
    path("video/", include("studio.video.urls")),
    path("schedule/", include("scheduling.urls")),
    path("", include("studio.teams.urls")),
    path("", include("studio.credits.urls")),
    path("", include("studio.api.urls")),
    path("", include("studio.core.urls")),
]
