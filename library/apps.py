from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = "Asset library"

    def ready(self):
        from library import signals

        signals.connect()
