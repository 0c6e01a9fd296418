"""Background work of influencers: scoring an output's face once its job has made it, and sweeping up missed scores."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def drift_score_task(asset_id, version_id, run_id=None):
    """Safe to run twice: the score is one row per asset and version, and a re-run starts once per attempt."""
    from influencers.services import drift_score

    drift_score(asset_id=asset_id, version_id=version_id, run_id=run_id)


@shared_task(name="influencers.drift_scores_sweep", ignore_result=True)
def drift_scores_sweep_task():
    """Beat runs this every few minutes: outputs made with an influencer whose score never came are scored now."""
    from influencers.services import drift_scores_sweep

    drift_scores_sweep()
