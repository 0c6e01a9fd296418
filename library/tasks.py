"""Background work of the library: remaking an asset's renditions (after a change of their sizes)."""

from celery import shared_task

from library.models import Asset


@shared_task(acks_late=True)
def asset_renditions_remake(asset_id):
    """Safe to run twice: each run makes fresh renditions and removes the ones it replaced."""
    from library import services

    asset = Asset.objects.filter(pk=asset_id).first()
    if asset is None:
        return  # deleted since; nothing to do
    services.asset_renditions_remake(asset=asset)
