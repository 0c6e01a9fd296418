from django.urls import path

from studio.core import views

urlpatterns = [
    path("studio/", views.section_not_built, {"section": "studio"}, name="studio"),
    path("library/", views.section_not_built, {"section": "library"}, name="library"),
    path("influencers/", views.section_not_built, {"section": "influencers"}, name="influencers"),
    path("slides/", views.section_not_built, {"section": "slides"}, name="slides"),
    path("video/", views.section_not_built, {"section": "video"}, name="video"),
    path("schedule/", views.section_not_built, {"section": "schedule"}, name="schedule"),
]
