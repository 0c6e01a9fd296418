"""Celery tasks of the generation pipeline: they take ids and call a service, and are safe to run twice."""

from celery import shared_task
from django.conf import settings

from studio.generation import services

# A job is given up by its time limit; until then a delivery that found it busy looks again every stale window.
TAKEOVER_RETRIES = settings.POSTFRAME_JOB_TIME_LIMIT_SECONDS // max(settings.POSTFRAME_JOB_STALE_SECONDS, 1) + 2


@shared_task(
    bind=True,
    name="generation.run",
    ignore_result=True,
    soft_time_limit=settings.POSTFRAME_JOB_TIME_LIMIT_SECONDS,
    max_retries=TAKEOVER_RETRIES,
)
def generation_run_task(self, job_id):
    # acks_late (set globally): a worker killed mid-job leaves the message to be redelivered; the claim inside
    # the service makes a second delivery of a finished job do nothing. A delivery that finds the job still
    # heartbeating comes back once that heartbeat would be stale: then it finishes a dead worker's job, or finds
    # a live worker's job ended or still beating.
    if services.generation_run(job_id=job_id) is None:
        wait = services.generation_takeover_wait(job_id=job_id)
        if wait is not None:
            raise self.retry(countdown=wait)


@shared_task(name="generation.sweep", ignore_result=True)
def generation_sweep_task():
    services.generation_sweep()
