"""Background work of influencers: scoring an output's face against its version once the job has made it."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def drift_score_task(asset_id, version_id, run_id=None):
    """Safe to run twice: the score is one row per asset and version, and a re-run starts once per attempt."""
    from influencers.services import drift_score

    drift_score(asset_id=asset_id, version_id=version_id, run_id=run_id)
