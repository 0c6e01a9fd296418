"""Scheduling URLs, mounted at /schedule/: the posts' pages here, the channels' pages in channel_urls."""

from django.urls import include, path

from scheduling import ical, views

urlpatterns = [
    path("", views.calendar, name="schedule"),
    path("posts/new/", views.post_new, name="schedule_post_new"),
    path("posts/check/", views.composer_check, name="schedule_composer_check"),
    path("posts/picker/", views.picker, name="schedule_picker"),
    path("posts/<int:post_id>/", views.post_detail, name="schedule_post"),
    path("posts/<int:post_id>/edit/", views.post_edit, name="schedule_post_edit"),
    path("posts/<int:post_id>/submit/", views.post_submit, name="schedule_post_submit"),
    path("posts/<int:post_id>/approve/", views.post_approve, name="schedule_post_approve"),
    path("posts/<int:post_id>/return/", views.post_return, name="schedule_post_return"),
    path("posts/<int:post_id>/move/", views.post_move, name="schedule_post_move"),
    path("posts/<int:post_id>/cancel/", views.post_cancel, name="schedule_post_cancel"),
    path("posts/<int:post_id>/retry/", views.post_retry, name="schedule_post_retry"),
    path("posts/<int:post_id>/resolve/", views.post_resolve, name="schedule_post_resolve"),
    path("posts/<int:post_id>/comment-again/", views.post_comment_again, name="schedule_post_comment_again"),
    path("posts/<int:post_id>/comment-resolve/", views.post_comment_resolve, name="schedule_post_comment_resolve"),
    path("settings/", views.schedule_settings, name="schedule_settings"),
    path("settings/ical/rotate/", views.ical_rotate, name="schedule_ical_rotate"),
    path("ical/<str:token>.ics", ical.ical_feed, name="schedule_ical"),
    path("channels/", include("scheduling.channel_urls")),
]
