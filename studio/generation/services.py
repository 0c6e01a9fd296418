"""Writes of the generation pipeline: submit, cancel, refine, run (the Celery task's body) and the stale-job sweep.

A job's state changes only through conditional UPDATEs (`WHERE status = …`), so a cancel racing a finish,
a second delivery of the task, or the sweeper racing a slow worker all leave exactly one terminal state.
Credits follow the job: reserved with it, captured per image produced, the rest released whichever way it ends.
"""

import hashlib
import io
import logging
import threading
import time
import uuid
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from library.validators import UploadRejected
from studio.credits.selectors import wallet_for
from studio.credits.services import InsufficientCredits, credits_capture, credits_release_rest, credits_reserve
from studio.engines import sizes
from studio.engines.capabilities import capabilities
from studio.engines.types import EngineError, Final, PartialFrame, ReferenceImage
from studio.generation import selectors
from studio.generation.models import GenerationJob, JobOutput
from studio.generation.push import job_message, job_push, message_send, pushes_flush, thread_items
from studio.teams.scoping import scoped

logger = logging.getLogger(__name__)

Status = GenerationJob.Status
PREVIEW_EDGE = 768
PREVIEW_QUALITY = 72
# A frame that is already a JPEG this light is shown as it came (the draft engine makes its frames so).
PREVIEW_KEEP_EDGE = 1024
PREVIEW_KEEP_BYTES = 384 * 1024
WORKER_LOST_MESSAGE = "The worker stopped while making this image; your credits were returned."
QUEUE_FAILED_MESSAGE = "The job could not be queued. Try again in a moment."
INTERNAL_MESSAGE = "Something went wrong while making this image. Try again; if it keeps happening, tell your operator."
NO_IMAGE_MESSAGE = "The engine finished without an image. Try again."
# A job redelivered this many times without finishing is left to the sweeper rather than claimed again.
MAX_ATTEMPTS = 3
# A redelivered task retries this long after the job's heartbeat would go stale, so the claim then sees it stale.
TAKEOVER_MARGIN_SECONDS = 0.5


class GenerationError(Exception):
    """A refused action on a job, with a message fit to show the user."""


class GenerationRejected(GenerationError):
    """A request that may not run: {field: message} for the form; nothing was saved and no credit moved."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def _hold_key(job_uuid, part):
    return f"generation:{job_uuid}:{part}"


# Submit, refine, cancel -------------------------------------------------------------------------------------


@transaction.atomic
def generation_submit(*, team, user, data):
    """Check, price and queue one job; the credits are held in the same transaction that creates it.

    `data` holds model_id, prompt, aspect + tier (or size, or width + height with aspect "custom"), quality, n,
    output_format, output_compression, background, moderation, partial_images, input_fidelity, complexity,
    references ([{"asset_id", "role"}]), mask or markup (PNG bytes or a data URL) and seed. Raises
    GenerationRejected. Three steps, each of which can refuse: validate, open the images, price.
    """
    check = selectors.generation_validate(team=team, data=data)
    if not check.errors:
        selectors.generation_images(check)
    if not check.errors:
        selectors.generation_price(check, preview=False)
    if check.errors:
        raise GenerationRejected(check.errors)
    job = GenerationJob(
        uuid=uuid.uuid4(),
        team=team,
        user=user,
        model_id=check.model_id,
        prompt=check.prompt,
        params=check.params,
        references=check.references,
        mask_png=check.mask,
        markup_png=check.markup,
        seed=check.seed,
        parent=check.parent,
        parent_asset=check.parent_asset,
        credits_estimated=check.cost,
        credits_per_image=check.per_image,
        celery_task_id=str(uuid.uuid4()),
    )
    if check.cost > 0:
        count = check.params["n"]
        try:
            job.hold = credits_reserve(
                team=team,
                amount=check.cost,
                idempotency_key=_hold_key(job.uuid, "hold"),
                model_id=check.model_id,
                user=user,
                memo=f"Studio: {count} image{'s' if count != 1 else ''} with {capabilities(check.model_id).label}",
            )
        except InsufficientCredits as error:
            raise GenerationRejected({"credits": str(error)}) from None
    job.save()
    transaction.on_commit(lambda: _enqueue(job.pk, job.celery_task_id))
    return job


def _enqueue(job_id, task_id):
    from studio.generation.tasks import generation_run_task

    try:
        generation_run_task.apply_async(args=[job_id], task_id=task_id)
    except Exception:
        logger.exception("could not queue generation job %s", job_id)
        generation_fail(job_id=job_id, kind="queue", message=QUEUE_FAILED_MESSAGE)


def generation_refine(*, team, user, asset, prompt):
    """A follow-up to one result: a child job that starts from `asset` with a new instruction.

    OpenAI continues the conversation (previous_response_id of the job that made the asset); the draft engine,
    or an asset with no conversation to continue, takes the asset as Image 1.
    """
    parent = selectors.job_for_asset(team, asset)
    model_id = parent.model_id if parent else selectors.default_model_id(team)
    params = parent.params if parent else {}
    data = {
        "model_id": model_id,
        "prompt": prompt,
        "n": 1,
        "quality": params.get("quality"),
        "output_format": params.get("output_format"),
        "output_compression": params.get("output_compression"),
        "background": params.get("background"),
        "moderation": params.get("moderation"),
        "partial_images": params.get("partial_images", selectors.DEFAULTS["partial_images"]),
        "input_fidelity": params.get("input_fidelity"),
        "complexity": params.get("complexity"),
        "parent": parent,
        "parent_asset": asset,
    }
    if asset.width and asset.height:
        data["size"] = _size_like(model_id, asset)
    continues = bool(parent and parent.response_id) and (parent.n == 1 or capabilities(model_id).is_offline)
    if continues:
        data["previous_response_id"] = parent.response_id
    if not continues or capabilities(model_id).is_offline:
        data["references"] = [{"asset_id": asset.pk, "role": "object"}]
    if not (prompt or "").strip():
        raise GenerationRejected({"prompt": "Say what to change, for example “make the sky warmer”."})
    return generation_submit(team=team, user=user, data=data)


def _size_like(model_id, asset):
    tier = sizes.tier_for_size(sizes.format_size(asset.width, asset.height))
    tier = tier if tier in sizes.tiers_for(model_id) else "1K"
    return sizes.nearest_size(model_id, asset.width / asset.height, tier)


@transaction.atomic
def generation_cancel(*, team, user, job):
    """Stop a queued or running job and return its credits; a running task notices at its next frame."""
    cancelled = _end(
        scoped(GenerationJob, team).filter(pk=job.pk, status__in=GenerationJob.ACTIVE),
        job.pk,
        status=Status.CANCELLED,
        kind="cancelled",
        message=f"Cancelled by {user.email or user.get_username()}." if user else "Cancelled.",
    )
    if not cancelled:
        job.refresh_from_db()
        ended = {Status.SUCCEEDED: "is already done", Status.FAILED: "has already failed"}
        raise GenerationError(f"This job {ended.get(job.status, 'was already cancelled')}; there is nothing to cancel.")
    job.refresh_from_db()
    return job


def generation_fail(*, job_id, kind, message, run_token=None):
    """End a queued or running job as failed with `message` and release its credits; False if it had ended."""
    jobs = GenerationJob.objects.filter(pk=job_id, status__in=GenerationJob.ACTIVE)
    if run_token is not None:
        jobs = jobs.filter(run_token=run_token)
    with transaction.atomic():
        return _end(jobs, job_id, status=Status.FAILED, kind=kind, message=message)


def _end(jobs, job_id, *, status, kind, message):
    """Move the job matched by `jobs` to a terminal `status`, release what its hold has left, push the news."""
    ended = jobs.update(status=status, error_kind=kind, error_message=message, finished_at=timezone.now())
    if not ended:
        return False
    job = GenerationJob.objects.select_related("hold").get(pk=job_id)
    if job.hold is not None:
        credits_release_rest(hold=job.hold, idempotency_key=_hold_key(job.uuid, "release"), memo=message[:200])
    transaction.on_commit(lambda: job_push(job_id))
    return True


def generation_sweep(*, now=None):
    """Fail jobs whose worker went silent and return their credits; what beat runs every 30 seconds.

    Deliberately across all teams: the sweeper is the system looking after itself, not a team's request.
    """
    now = now or timezone.now()
    stale = _stale_jobs(now)
    swept = 0
    for job_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            swept += _end(
                _stale_jobs(now).filter(pk=job_id),
                job_id,
                status=Status.FAILED,
                kind="worker_lost",
                message=WORKER_LOST_MESSAGE,
            )
    return swept


def _stale_jobs(now):
    running_before = now - timedelta(seconds=settings.POSTFRAME_JOB_STALE_SECONDS)
    # A queued job has no worker yet; it may wait behind others, and a lost message is redelivered by the
    # broker, so it is only given up after the broker's redelivery window has passed too.
    queued_before = now - timedelta(seconds=settings.POSTFRAME_JOB_QUEUED_STALE_SECONDS)
    return GenerationJob.objects.filter(
        Q(status=Status.RUNNING, heartbeat_at__lt=running_before)
        | Q(status=Status.RUNNING, heartbeat_at__isnull=True, started_at__lt=running_before)
        | Q(status=Status.QUEUED, submitted_at__lt=queued_before)
    )


# Run --------------------------------------------------------------------------------------------------------


def generation_claim(*, job_id):
    """Take the job for this run: queued → running, or a running job whose worker died. None if nothing to do."""
    now = timezone.now()
    token = uuid.uuid4()
    stale_before = now - timedelta(seconds=settings.POSTFRAME_JOB_STALE_SECONDS)
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, heartbeat_at__lt=stale_before)
    claimed = GenerationJob.objects.filter(claimable, pk=job_id, attempts__lt=MAX_ATTEMPTS).update(
        status=Status.RUNNING,
        run_token=token,
        started_at=now,
        heartbeat_at=now,
        first_frame_at=None,
        partial_count=0,
        latest_frame=None,
        attempts=F("attempts") + 1,
    )
    return token if claimed else None


def generation_takeover_wait(*, job_id):
    """Seconds until a running job's heartbeat goes stale and another run may take it over, or None.

    A redelivered task can arrive while the job's last heartbeat is still fresh: its worker may be alive (the
    broker redelivered early) or may have died a moment ago. Such a delivery must not be dropped, or a dead
    worker's job would never end: it waits this long and tries again. None when there is nothing left to take
    (the job ended, is gone, or has used its attempts).
    """
    job = GenerationJob.objects.filter(pk=job_id).values("status", "heartbeat_at", "started_at", "attempts").first()
    if job is None or job["status"] != Status.RUNNING or job["attempts"] >= MAX_ATTEMPTS:
        return None
    last_sign = job["heartbeat_at"] or job["started_at"] or timezone.now()
    stale_at = last_sign + timedelta(seconds=settings.POSTFRAME_JOB_STALE_SECONDS)
    return max((stale_at - timezone.now()).total_seconds(), 0) + TAKEOVER_MARGIN_SECONDS


def generation_run(*, job_id):
    """The task's body: claim the job, stream the engine, keep every frame, finish or fail. Safe to run twice."""
    token = generation_claim(job_id=job_id)
    if token is None:
        logger.info("generation job %s: nothing to claim", job_id)
        return None
    job = GenerationJob.objects.select_related("team", "user", "parent").get(pk=job_id)
    live = _LivePage(job)
    live.push()  # "running" reaches the pages watching
    heartbeat = _Heartbeat(job.pk, token)
    heartbeat.start()
    events = None
    try:
        request = _request_for(job)
        events = _engine_for(job.model_id).run(request, api_key=_api_key(job))
        for event in events:
            if isinstance(event, PartialFrame):
                if not _frame_record(job, token, event, live):
                    logger.info("generation job %s stopped: it was cancelled or taken over", job.pk)
                    return None
            elif isinstance(event, Final):
                _finish(job, token, event)
                return job.pk
        raise EngineError(EngineError.OUTAGE, NO_IMAGE_MESSAGE)
    except EngineError as error:
        generation_fail(job_id=job.pk, kind=error.kind, message=error.message, run_token=token)
    except SoftTimeLimitExceeded:
        minutes = settings.POSTFRAME_JOB_TIME_LIMIT_SECONDS // 60
        message = f"The engine took longer than {minutes} minutes, so the job was stopped. Try again."
        generation_fail(job_id=job.pk, kind=EngineError.TIMEOUT, message=message, run_token=token)
    except _JobMissing as missing:
        generation_fail(job_id=job.pk, kind="user", message=str(missing), run_token=token)
    except UploadRejected as refused:  # the model's file is not one the library keeps (e.g. an absurd SVG)
        generation_fail(job_id=job.pk, kind=EngineError.OUTAGE, message=refused.message, run_token=token)
    except Exception:
        logger.exception("generation job %s failed", job.pk)
        generation_fail(job_id=job.pk, kind="internal", message=INTERNAL_MESSAGE, run_token=token)
    finally:
        if events is not None and hasattr(events, "close"):
            events.close()  # stops a provider stream we no longer read
        heartbeat.stop()
        pushes_flush()  # the task ends only once the pages have been told
    return None


class _JobMissing(Exception):
    """Something the job needs is gone (a reference deleted from the library before the job started)."""


class _LivePage:
    """Pushes a running job's state from the job in memory rather than reading the job again for every frame.

    The refinement thread (finished jobs before this one) is read once; the team's balance, which other jobs and
    submits move, at every push. The final state is pushed by _finish, from the rows it wrote.
    """

    def __init__(self, job):
        self.job = job
        self.thread = thread_items(job)

    def push(self):
        try:
            balance = wallet_for(self.job.team).balance
            message = job_message(self.job, balance=balance, thread=self.thread, outputs=[])
        except Exception:  # a frame the page misses must not stop the job
            logger.warning("could not render generation job %s", self.job.pk, exc_info=True)
            return
        group = self.job.group_name
        transaction.on_commit(lambda: message_send(group, message))


def _engine_for(model_id):
    from studio.engines.registry import engine_for

    return engine_for(model_id)


def _api_key(job):
    caps = capabilities(job.model_id)
    if caps.is_offline:
        return None
    from studio.teams.selectors import provider_key_for

    return provider_key_for(team=job.team, provider=caps.provider)


def _request_for(job):
    from library.selectors import asset_bytes

    found = {asset.pk: asset for asset, _role in selectors.reference_assets(job.team, job.references)}
    references = []
    for number, item in enumerate(job.references, start=1):
        asset = found.get(item["asset_id"])
        if asset is None:
            raise _JobMissing(f"Image {number} was removed from the library before the job started.")
        references.append(ReferenceImage(data=asset_bytes(asset), role=item["role"], name=f"Image {number}"))
    user = hashlib.sha256(f"postframe:{job.team_id}:{job.user_id}".encode()).hexdigest()[:32]
    mask = bytes(job.mask_png) if job.has_mask else None
    markup = bytes(job.markup_png) if job.has_markup else None
    return selectors.image_request(job, references=references, mask=mask, markup=markup, user=user)


def _preview(image_bytes):
    """A light JPEG of a frame for the page, transparency shown on a neutral grey.

    A JPEG the engine already made light (the draft engine's frames) is kept as it is. Anything else is reduced
    by a whole factor to at most PREVIEW_EDGE px: a box filter, several times faster than a resampling one, and a
    partial frame is a preview anyway.
    """
    image = Image.open(io.BytesIO(image_bytes))
    light = image.format == "JPEG" and image.mode == "RGB" and len(image_bytes) <= PREVIEW_KEEP_BYTES
    if light and max(image.size) <= PREVIEW_KEEP_EDGE:
        return bytes(image_bytes)
    image.draft("RGB", (PREVIEW_EDGE, PREVIEW_EDGE))
    factor = -(-max(image.size) // PREVIEW_EDGE)
    if factor > 1:
        image = image.reduce(factor)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
        backdrop = Image.new("RGBA", image.size, (232, 232, 238, 255))
        image = Image.alpha_composite(backdrop, image)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=PREVIEW_QUALITY)
    return buffer.getvalue()


def _frame_record(job, token, frame, live):
    """Keep the frame on the job and push it; False when this run no longer owns the job (cancel, sweep)."""
    preview = _preview(frame.image)
    now = timezone.now()
    with transaction.atomic():
        _without_waiting_for_disk()
        updated = GenerationJob.objects.filter(pk=job.pk, status=Status.RUNNING, run_token=token).update(
            partial_count=frame.index + 1,
            latest_frame=preview,
            heartbeat_at=now,
            first_frame_at=Coalesce(F("first_frame_at"), Value(now, output_field=DateTimeField())),
        )
    if not updated:
        return False
    job.partial_count, job.latest_frame, job.heartbeat_at = frame.index + 1, preview, now
    job.first_frame_at = job.first_frame_at or now
    live.push()
    if settings.POSTFRAME_FRAME_PAUSE_MS:
        time.sleep(settings.POSTFRAME_FRAME_PAUSE_MS / 1000)
    return True


def _without_waiting_for_disk():
    """This transaction's commit returns before its WAL reaches the disk (PostgreSQL's synchronous_commit off).

    For progress only: a crash of the database server could forget the newest frame, never leave a half-written
    row, and the next frame, the finish or the sweeper writes the job again anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


@transaction.atomic
def _finish(job, token, final):
    """The images become library assets, the credits for them are captured and the rest released, at once.

    The page hears of it as soon as this commits: the assets' tile and preview are made afterwards by a task
    (asset_ingest with renditions_later), and the page shows the originals until then.
    """
    from library.models import Asset
    from library.services import Origin, asset_ingest

    locked = (
        GenerationJob.objects.select_for_update(of=("self",))
        .select_related("team", "user", "hold", "parent")
        .get(pk=job.pk)
    )
    if locked.status != Status.RUNNING or locked.run_token != token:
        return False
    images = list(final.images)[: locked.n]
    if not images:
        raise EngineError(EngineError.OUTAGE, NO_IMAGE_MESSAGE)
    # Registered before the assets' own after-commit work (their renditions task), so the page hears first.
    pushed = {}
    transaction.on_commit(lambda: _final_push(locked, pushed.get("message")))
    finished = timezone.now()
    per_image = locked.credits_per_image if locked.hold_id else 0
    extension = {"jpeg": "jpg"}.get(final.output_format, final.output_format)
    stem = slugify(locked.prompt)[:48] or "image"
    outputs = []
    for position, data in enumerate(images):
        asset = asset_ingest(
            team=locked.team,
            user=locked.user,
            data=data,
            filename=f"{stem}-{position + 1}.{extension}",
            origin=Origin(
                source=Asset.Source.GENERATED,
                provenance=_provenance(locked, final, per_image=per_image, finished=finished, position=position),
                parent=locked.parent_asset_id,
            ),
            renditions_later=True,
        )
        outputs.append(JobOutput(job=locked, asset=asset, position=position))
    JobOutput.objects.bulk_create(outputs)
    captured = 0
    if locked.hold is not None:
        for position in range(len(images)):
            credits_capture(
                hold=locked.hold, amount=per_image, idempotency_key=_hold_key(locked.uuid, f"capture:{position}")
            )
            captured += per_image
        if locked.hold.outstanding:  # every image made leaves nothing to release (the captures refreshed the hold)
            credits_release_rest(hold=locked.hold, idempotency_key=_hold_key(locked.uuid, "release"))
    done = {
        "status": Status.SUCCEEDED,
        "finished_at": finished,
        "heartbeat_at": finished,
        "credits_captured": captured,
        "response_id": (final.response_id or "")[:200],
        "revised_prompt": final.revised_prompt or "",
    }
    GenerationJob.objects.filter(pk=locked.pk).update(**done)
    for name, value in done.items():
        setattr(locked, name, value)
    try:
        # Rendered from the rows in hand (and inside the transaction, so the thread sees this job's outputs).
        pushed["message"] = job_message(locked, outputs=outputs)
    except Exception:  # the images are made and paid for; a page that missed the news can still be told below
        logger.warning("could not render the final state of generation job %s", locked.pk, exc_info=True)
    return True


def _final_push(job, message):
    if message is None:
        job_push(job.pk)
    else:
        message_send(job.group_name, message, wait=True)


def _ms(start, end):
    return round((end - start).total_seconds() * 1000) if start and end else None


def _provenance(job, final, *, per_image, finished, position):
    """`job` is the row _finish locked, read after the frames: its first_frame_at is current."""
    return {
        "prompt": job.prompt,
        "revised_prompt": final.revised_prompt or "",
        "model_id": job.model_id,
        "parameters": job.params,
        "reference_asset_ids": [item["asset_id"] for item in job.references],
        "references": job.references,
        "mask": {"sha256": hashlib.sha256(bytes(job.mask_png)).hexdigest()} if job.has_mask else None,
        "mask_asset_id": None,
        "markup": (
            {"sha256": hashlib.sha256(bytes(job.markup_png)).hexdigest(), "drawn_over": "Image 1"}
            if job.has_markup
            else None
        ),
        "parent_asset_id": job.parent_asset_id,
        "parent_job_id": str(job.parent.uuid) if job.parent_id else None,
        "seed": job.seed,
        "image_index": position,
        "cost": per_image,
        "timings": {
            "queued_ms": _ms(job.submitted_at, job.started_at),
            "first_frame_ms": _ms(job.started_at, job.first_frame_at),
            "total_ms": _ms(job.started_at, finished),
        },
        "response_id": final.response_id or "",
        "usage": final.usage or {},
        "job_id": str(job.uuid),
    }


class _Heartbeat:
    """Marks the job alive every few seconds from a side thread while the engine blocks on the network."""

    def __init__(self, job_id, token):
        self.job_id, self.token = job_id, token
        self.every = max(1.0, min(15.0, settings.POSTFRAME_JOB_STALE_SECONDS / 4))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=5)

    def _beat(self):
        try:
            while not self._stop.wait(self.every):
                GenerationJob.objects.filter(pk=self.job_id, status=Status.RUNNING, run_token=self.token).update(
                    heartbeat_at=timezone.now()
                )
        except Exception:  # a missed heartbeat only risks the sweeper; it must not kill the job
            logger.warning("heartbeat of job %s failed", self.job_id, exc_info=True)
        finally:
            connection.close()
