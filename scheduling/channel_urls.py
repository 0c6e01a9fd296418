"""The channels' pages, mounted at /schedule/channels/, and the signed public media links the platforms fetch."""

from django.urls import path

from scheduling import channel_views, media_links

urlpatterns = [
    path("", channel_views.channel_list, name="scheduling_channels"),
    path("connect/", channel_views.channel_connect, name="scheduling_channel_connect"),
    path("oauth/start/", channel_views.channel_oauth_start, name="scheduling_channel_oauth_start"),
    path("oauth/callback/", channel_views.channel_oauth_callback, name="scheduling_channel_oauth_callback"),
    path("<int:channel_id>/refresh/", channel_views.channel_refresh, name="scheduling_channel_refresh"),
    path("<int:channel_id>/disconnect/", channel_views.channel_disconnect, name="scheduling_channel_disconnect"),
    path("bundle/<int:target_id>.zip", channel_views.bundle_download, name="scheduling_bundle"),
    # No login: a valid signature that has not expired is the permission (see scheduling/media_links.py).
    path("media/<str:signed>/<str:filename>", media_links.media_view, name="scheduling_media"),
]
