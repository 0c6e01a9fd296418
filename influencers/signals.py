"""Marks images made with an influencer with its version as they are saved, and queues their drift score.

The generation pipeline knows nothing of influencers: its outputs carry the job's id and parameters in their
provenance. A scene run names its job; a Studio job made with the influencer picker carries the version id in its
parameters. The link is made here, in the same transaction that stores the asset.
"""

from django.db import transaction
from django.db.models.signals import post_save, pre_save

from library.models import Asset


def _asset_marked(sender, instance, raw=False, **kwargs):
    if raw or not instance._state.adding or instance.source != Asset.Source.GENERATED:
        return
    job_uuid = (instance.provenance or {}).get("job_id")
    if not job_uuid:
        return
    from influencers.services import influencer_provenance, run_for_job, studio_version_for

    run = run_for_job(job_uuid)
    if run is not None:
        version = run.scene.series.version
    else:
        version = studio_version_for(team_id=instance.team_id, provenance=instance.provenance)
        if version is None:
            return
    instance.provenance = {**instance.provenance, "influencer": influencer_provenance(version, run)}
    instance._influencer_run = (run.pk if run else None, version.pk)


def _asset_saved(sender, instance, created=False, raw=False, **kwargs):
    marked = getattr(instance, "_influencer_run", None)
    if raw or not created or marked is None:
        return
    from influencers.services import outputs_score_enqueue

    run_id, version_id = marked
    transaction.on_commit(lambda: outputs_score_enqueue(instance.pk, version_id, run_id))


def connect():
    pre_save.connect(_asset_marked, sender=Asset, dispatch_uid="influencers-asset-marked")
    post_save.connect(_asset_saved, sender=Asset, dispatch_uid="influencers-asset-saved")
