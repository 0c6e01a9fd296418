"""Renders a job's live fragments (status and canvas) and pushes them to every page watching the job.

The same partials serve the first page render, a reconnecting websocket and each push from the worker, so a
page opened late shows exactly what a page that watched from the start shows.
"""

import base64
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.template.loader import render_to_string

from studio.credits.selectors import wallet_for
from studio.engines.capabilities import image_models
from studio.generation.models import GenerationJob

logger = logging.getLogger(__name__)

UPDATE_EVENT = "job.update"


def model_label(model_id):
    model = image_models().get(model_id)
    return model.label if model else model_id


def output_tiles(job):
    """The job's images with the URLs the page needs, in the engine's order."""
    from library.selectors import asset_url

    return [
        {
            "asset": output.asset,
            "number": output.position + 1,
            "thumb": asset_url(output.asset, "thumb"),
            "preview": asset_url(output.asset, "preview"),
            "original": asset_url(output.asset, "original"),
        }
        for output in job.job_outputs.all()
    ]


def thread_items(job):
    """The refinement chain ending at `job`, each with its first image's thumbnail (or None while it runs)."""
    from library.selectors import asset_url
    from studio.generation.selectors import job_thread

    if not job.parent_id:
        return []
    items = []
    for step, link in enumerate(job_thread(job)):
        outputs = list(link.job_outputs.all())
        items.append(
            {
                "job": link,
                "step": step,
                "thumb": asset_url(outputs[0].asset, "thumb") if outputs else None,
                "current": link.pk == job.pk,
            }
        )
    return items


def job_context(job, *, can_generate):
    frame = None
    if job.status == GenerationJob.Status.RUNNING and job.latest_frame:
        frame = "data:image/jpeg;base64," + base64.b64encode(bytes(job.latest_frame)).decode()
    return {
        "job": job,
        "model_label": model_label(job.model_id),
        "frame_src": frame,
        "outputs": output_tiles(job) if job.status == GenerationJob.Status.SUCCEEDED else [],
        "thread": thread_items(job),
        "can_generate": can_generate,
        "balance": wallet_for(job.team).balance,
    }


def job_fetch(job_id):
    from studio.generation.selectors import with_outputs

    return with_outputs(GenerationJob.objects.select_related("team", "parent")).get(pk=job_id)


def job_updates_html(job, *, can_generate):
    """The status and canvas fragments, each rooted at its stable id, ready to swap out of band."""
    return render_to_string("studio/_job.html#job-updates", job_context(job, can_generate=can_generate))


def job_push(job_id):
    """Send the job's current fragments to its group; a push that fails is logged, the job carries on."""
    try:
        job = job_fetch(job_id)
        message = {
            "type": UPDATE_EVENT,
            "edit": job_updates_html(job, can_generate=True),
            "view": job_updates_html(job, can_generate=False),
            "terminal": job.is_terminal,
        }
        async_to_sync(get_channel_layer().group_send)(job.group_name, message)
    except Exception:
        logger.warning("could not push the state of generation job %s", job_id, exc_info=True)
