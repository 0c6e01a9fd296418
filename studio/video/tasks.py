"""Celery tasks of the video pipeline: they take ids and call a service, and are safe to run twice."""

from celery import shared_task

from studio.generation.push import pushes_flush
from studio.video import services


@shared_task(name="video.shot_step", ignore_result=True)
def shot_step_task(shot_id, token=None):
    # acks_late (set globally): a worker killed mid-step leaves the message to be redelivered with the same token;
    # the step's claims and conditional UPDATEs make a second delivery safe. Waiting is a countdown, never a sleep.
    try:
        services.shot_step(shot_id=shot_id, token=token)
    finally:
        pushes_flush()


@shared_task(name="video.sequence_stitch", ignore_result=True)
def sequence_stitch_task(sequence_id):
    try:
        services.sequence_stitch(sequence_id=sequence_id)
    finally:
        pushes_flush()


@shared_task(name="video.sweep", ignore_result=True)
def video_sweep_task():
    services.video_sweep()
