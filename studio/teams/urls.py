from django.urls import path

from studio.teams import views

urlpatterns = [
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/switch/", views.team_switch, name="team_switch"),
    path("team/", views.team_settings, name="team_settings"),
]
