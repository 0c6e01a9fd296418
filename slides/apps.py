from django.apps import AppConfig


class SlidesConfig(AppConfig):
    name = "slides"
    verbose_name = "Slides"
