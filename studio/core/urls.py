"""The core's own pages: home, the health check, and the honest placeholders of sections not built yet."""

from django.urls import path

from studio.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("help/", views.help_page, name="help"),
]
