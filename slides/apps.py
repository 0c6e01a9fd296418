from django.apps import AppConfig


class SlidesConfig(AppConfig):
    name = "slides"
    verbose_name = "Slides"

    def ready(self):
        from slides import signals

        signals.connect()
