from django.apps import AppConfig


class VideoConfig(AppConfig):
    name = "studio.video"
    label = "video"
    verbose_name = "Video"
