from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "studio.core"
    label = "core"

    def ready(self):
        from studio.core import checks  # noqa: F401 - registers the system checks
        from studio.core.sites import site_sync

        post_migrate.connect(site_sync, sender=self, dispatch_uid="postframe-site-sync")
