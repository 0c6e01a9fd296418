"""Celery tasks of the generation pipeline: they take ids and call a service, and are safe to run twice."""

from celery import shared_task
from django.conf import settings

from studio.generation import services


@shared_task(name="generation.run", ignore_result=True, soft_time_limit=settings.POSTFRAME_JOB_TIME_LIMIT_SECONDS)
def generation_run_task(job_id):
    # acks_late (set globally): a worker killed mid-job leaves the message to be redelivered; the claim inside
    # the service makes a second delivery of a finished or healthy running job do nothing.
    services.generation_run(job_id=job_id)


@shared_task(name="generation.sweep", ignore_result=True)
def generation_sweep_task():
    services.generation_sweep()
