"""Celery tasks of the slides: they take ids (the font sweep none) and call a service, and are safe to run twice."""

import logging

from celery import shared_task
from django.conf import settings

from slides import services

logger = logging.getLogger(__name__)

# The follow-up looks again every FOLLOW_SECONDS until the lead job must have ended (its time limit, with room).
FOLLOW_RETRIES = settings.POSTFRAME_JOB_TIME_LIMIT_SECONDS // services.FOLLOW_SECONDS + 20


@shared_task(name="slides.background_arrived", ignore_result=True)
def background_arrived_task(job_uuid):
    services.background_arrived(job_uuid=job_uuid)


@shared_task(bind=True, name="slides.backgrounds_follow", ignore_result=True, max_retries=FOLLOW_RETRIES)
def backgrounds_follow_task(self, carousel_id):
    # The safety net behind background_arrived: it also settles the waiting slides when the lead job failed.
    if not services.backgrounds_follow(carousel_id=carousel_id):
        raise self.retry(countdown=services.FOLLOW_SECONDS)


def background_arrived_enqueue(job_uuid):
    try:
        background_arrived_task.delay(job_uuid)
    except Exception:  # the follow-up task, or the next page load, still takes the background in
        logger.exception("could not queue taking in the background of job %s", job_uuid)


@shared_task(name="slides.font_files_sweep", ignore_result=True)
def font_files_sweep_task():
    # Beat runs it beside library.orphan_files_sweep, which looks only at the library's own files.
    from slides.brand import font_files_sweep

    return font_files_sweep(older_than_seconds=settings.POSTFRAME_ORPHAN_FILE_GRACE_SECONDS)
