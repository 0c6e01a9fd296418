from django.urls import include, path

from studio.core import views

urlpatterns = [
    path("studio/", include("studio.generation.urls")),
    path("library/", include("library.urls")),
    path("influencers/", views.section_not_built, {"section": "influencers"}, name="influencers"),
    path("slides/", views.section_not_built, {"section": "slides"}, name="slides"),
    path("video/", views.section_not_built, {"section": "video"}, name="video"),
    path("schedule/", views.section_not_built, {"section": "schedule"}, name="schedule"),
]
