"""Background work of the library: remaking an asset's renditions, and removing files no asset refers to."""

from celery import shared_task
from django.conf import settings

from library.models import Asset


@shared_task(acks_late=True)
def asset_renditions_remake(asset_id):
    """Safe to run twice: each run makes fresh renditions and removes the ones it replaced."""
    from library import services

    asset = Asset.objects.filter(pk=asset_id).first()
    if asset is None:
        return  # deleted since; nothing to do
    services.asset_renditions_remake(asset=asset)


@shared_task(name="library.orphan_files_sweep", ignore_result=True)
def orphan_files_sweep_task():
    from library import services

    return services.orphan_files_sweep(older_than_seconds=settings.POSTFRAME_ORPHAN_FILE_GRACE_SECONDS)
