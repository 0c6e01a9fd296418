from django.apps import AppConfig


class InfluencersConfig(AppConfig):
    name = "influencers"
    verbose_name = "Influencers"

    def ready(self):
        from influencers import signals

        signals.connect()
