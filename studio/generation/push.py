"""Renders a job's live fragments (status and canvas) and pushes them to every page watching the job.

The same partials serve the first page render, a reconnecting websocket and each push from the worker, so a
page opened late shows exactly what a page that watched from the start shows. Pushes leave through one event loop
per process that keeps its Redis connections open, strictly in the order they were made.
"""

import asyncio
import base64
import logging
import os
import threading

from channels.layers import get_channel_layer
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from studio.credits.selectors import wallet_for
from studio.engines.capabilities import model_label
from studio.generation.models import GenerationJob

logger = logging.getLogger(__name__)

UPDATE_EVENT = "job.update"
# How long a caller waits for a push to reach Redis before logging it and carrying on.
PUSH_TIMEOUT_SECONDS = 5.0


def rendition_url(asset, variant):
    """The URL of an asset's tile or preview; the original's URL while the rendition is still being made.

    A generated image reaches the page before its renditions exist (renditions_later in library.services.asset_ingest);
    pointing at the original meanwhile means the page's next render, once they exist, asks for the real rendition
    instead of reusing a cached copy of the original.
    """
    from library.selectors import asset_url

    made = asset.thumb if variant == "thumb" else asset.preview
    return asset_url(asset, variant if made else "original")


def output_tiles(job, outputs=None):
    """The job's images with the URLs the page needs, in the engine's order; `outputs` spares the query."""
    from library.selectors import asset_url

    outputs = list(job.job_outputs.all()) if outputs is None else outputs
    return [
        {
            "asset": output.asset,
            "number": output.position + 1,
            "thumb": rendition_url(output.asset, "thumb"),
            "preview": rendition_url(output.asset, "preview"),
            "original": asset_url(output.asset, "original"),
        }
        for output in outputs
    ]


def thread_items(job):
    """The refinement chain ending at `job`, each with its first image's thumbnail (or None while it runs)."""
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
                "thumb": rendition_url(outputs[0].asset, "thumb") if outputs else None,
                "current": link.pk == job.pk,
            }
        )
    return items


def job_context(job, *, can_generate, balance=None, thread=None, outputs=None):
    """What the job's partials need. The worker passes what it already holds (balance, thread, outputs) so a
    push from memory costs no query; anything left out is read from the database."""
    frame = None
    if job.status == GenerationJob.Status.RUNNING and job.latest_frame:
        # Base64 has nothing to escape; marked safe, the template does not scan tens of kilobytes twice a push.
        frame = mark_safe("data:image/jpeg;base64," + base64.b64encode(bytes(job.latest_frame)).decode())  # noqa: S308
    succeeded = job.status == GenerationJob.Status.SUCCEEDED
    return {
        "job": job,
        "model_label": model_label(job.model_id),
        "frame_src": frame,
        "outputs": output_tiles(job, outputs) if succeeded else [],
        "thread": thread_items(job) if thread is None else thread,
        "can_generate": can_generate,
        "balance": wallet_for(job.team).balance if balance is None else balance,
    }


def job_fetch(job_id):
    from studio.generation.selectors import with_outputs

    return with_outputs(GenerationJob.objects.select_related("team", "parent")).get(pk=job_id)


def job_updates_html(job, *, can_generate):
    """The status and canvas fragments, each rooted at its stable id, ready to swap out of band."""
    return render_to_string("studio/_job.html#job-updates", job_context(job, can_generate=can_generate))


def job_message(job, **known):
    """The push for the job's current state: the fragments for members who may generate and for viewers.

    `known` (balance, thread, outputs) is passed to job_context; the context is built once for both renders.
    """
    context = job_context(job, can_generate=True, **known)
    edit = render_to_string("studio/_job.html#job-updates", context)
    view = render_to_string("studio/_job.html#job-updates", {**context, "can_generate": False})
    return {"type": UPDATE_EVENT, "edit": edit, "view": view, "terminal": job.is_terminal}


def job_push(job_id):
    """Send the job's current fragments to its group and wait until they left; a failed push is logged only."""
    try:
        job = job_fetch(job_id)
        message_send(job.group_name, job_message(job), wait=True)
    except Exception:
        logger.warning("could not push the state of generation job %s", job_id, exc_info=True)


def message_send(group, message, *, wait=False):
    """Hand a rendered message to this process's sender; with wait, block until it reached the channel layer.

    Messages leave in the order they were handed over, so a page never sees an older frame after a newer one.
    """
    future = _sender().send(group, message)
    if wait:
        try:
            future.result(timeout=PUSH_TIMEOUT_SECONDS)
        except TimeoutError:
            logger.warning("a push to %s took over %s s; carrying on", group, PUSH_TIMEOUT_SECONDS)
        except Exception:  # noqa: S110 - the sender's callback has logged it
            pass
    return future


def pushes_flush(timeout=PUSH_TIMEOUT_SECONDS):
    """Wait until every message handed over so far has been sent (a task calls it before it returns)."""
    sender = _SENDER
    if sender is None or sender.pid != os.getpid():
        return
    try:
        sender.last.result(timeout=timeout)
    except TimeoutError:
        logger.warning("pushes of this process took over %s s to leave; carrying on", timeout)
    except Exception:  # noqa: S110 - the sender's callback has logged it
        pass


class _Sender:
    """An event loop on a daemon thread that sends group messages over connections it keeps open.

    async_to_sync would make a new event loop, and so new Redis connections, for every push; one loop per process
    keeps them. A lock taken in arrival order keeps the messages in order.
    """

    def __init__(self):
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.lock = asyncio.Lock()
        self.last = _done()
        self.thread = threading.Thread(target=self.loop.run_forever, name="job-push", daemon=True)
        self.thread.start()

    def send(self, group, message):
        future = asyncio.run_coroutine_threadsafe(self._send(group, message), self.loop)
        future.add_done_callback(_log_failure)
        self.last = future
        return future

    async def _send(self, group, message):
        async with self.lock:
            # Bounded, so a Redis that stopped answering holds up no later push for long.
            await asyncio.wait_for(get_channel_layer().group_send(group, message), PUSH_TIMEOUT_SECONDS)


_SENDER = None
_SENDER_LOCK = threading.Lock()


def _sender():
    """This process's sender, made on first use and again in a forked child (threads do not survive a fork)."""
    global _SENDER
    with _SENDER_LOCK:
        if _SENDER is None or _SENDER.pid != os.getpid():
            _SENDER = _Sender()
        return _SENDER


def _forget_sender():
    global _SENDER, _SENDER_LOCK
    _SENDER, _SENDER_LOCK = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_sender)


def _done():
    from concurrent.futures import Future

    future = Future()
    future.set_result(None)
    return future


def _log_failure(future):
    if not future.cancelled() and future.exception() is not None:
        logger.warning("a job push failed", exc_info=future.exception())
