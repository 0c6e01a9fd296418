"""Team URLs: the /team/ pages of the current team, team creation and switching, and invitation links."""

from django.urls import path

from studio.teams import views

urlpatterns = [
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/switch/", views.team_switch, name="team_switch"),
    path("team/", views.team_settings, name="team_settings"),
    path("team/rename/", views.team_rename, name="team_rename"),
    path("team/leave/", views.team_leave, name="team_leave"),
    path("team/transfer/", views.ownership_transfer, name="ownership_transfer"),
    path("team/delete/", views.team_delete, name="team_delete"),
    path("team/invitations/", views.invitation_create, name="invitation_create"),
    path("team/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("team/members/<int:member_id>/role/", views.member_role, name="member_role"),
    path("team/members/<int:member_id>/remove/", views.member_remove, name="member_remove"),
    path("team/models/", views.team_models, name="team_models"),
    path("team/models/video/", views.team_video_models, name="team_video_models"),
    path("team/keys/", views.provider_keys, name="provider_keys"),
    path("team/keys/set/", views.provider_key_set, name="provider_key_set"),
    path("team/keys/remove/", views.provider_key_remove, name="provider_key_remove"),
    path("team/keys/test/", views.provider_key_test, name="provider_key_test"),
    path("team/audit/", views.audit_log, name="audit_log"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
