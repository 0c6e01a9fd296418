"""Scheduling URLs, mounted at /schedule/: the posts' pages here, the channels' pages in channel_urls."""

from django.urls import include, path

from studio.core import views as core_views

urlpatterns = [
    path("", core_views.section_not_built, {"section": "schedule"}, name="schedule"),
    path("channels/", include("scheduling.channel_urls")),
]
