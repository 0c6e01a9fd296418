"""Video URLs, mounted at /video/."""

from django.urls import path

from studio.video import views

urlpatterns = [
    path("", views.sequence_list, name="video"),
    path("<int:sequence_id>/", views.sequence_detail, name="video_sequence"),
    path("<int:sequence_id>/cost/", views.sequence_cost, name="video_sequence_cost"),
    path("<int:sequence_id>/start/", views.sequence_start, name="video_start"),
    path("<int:sequence_id>/add/", views.shot_add, name="video_shot_add"),
    path("shot/<int:shot_id>/", views.shot_edit, name="video_shot_edit"),
    path("shot/<int:shot_id>/card/", views.shot_card, name="video_shot_card"),
    path("shot/<int:shot_id>/move/", views.shot_move, name="video_shot_move"),
    path("shot/<int:shot_id>/delete/", views.shot_delete, name="video_shot_delete"),
    path("shot/<int:shot_id>/retry/", views.shot_retry, name="video_shot_retry"),
    path("shot/<int:shot_id>/cancel/", views.shot_cancel, name="video_shot_cancel"),
    path("callback/<uuid:shot_uuid>/<str:token>/", views.provider_callback, name="video_callback"),
]
