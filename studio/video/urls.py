"""Video URLs, mounted at /video/."""

from django.urls import path

from studio.core import views as core_views

urlpatterns = [
    path("", core_views.section_not_built, {"section": "video"}, name="video"),
]
