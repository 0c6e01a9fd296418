from django.apps import AppConfig


class EnginesConfig(AppConfig):
    name = "studio.engines"
    label = "engines"
