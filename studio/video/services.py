"""Writes of the video pipeline: sequences and their shot lists, the cost, start, per-shot steps, retry, cancel,
callbacks, the stitch and the sweep.

A shot's state changes only through conditional UPDATEs (`WHERE status = …`), so a second delivery of a step, a
replayed callback or the sweeper racing a slow worker all leave one state. A submit is claimed first (like
generation_claim) and its task id is saved in the same transaction as the move to "rendering"; a submit that may
have reached the provider is looked up by its external id before anything is sent again, so an accepted task is
never created twice. Credits: each shot holds its clip's price (its frame holds its own through generation_submit),
captured when the clip is in the library, released whichever other way the shot ends.
"""

import contextlib
import hmac
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Q, Value
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse
from django.utils import timezone

from library.models import Asset
from library.selectors import asset_bytes
from studio.credits.selectors import wallet_for
from studio.credits.services import (
    InsufficientCredits,
    credits_capture,
    credits_release_rest,
    credits_reserve,
)
from studio.credits.video_pricing import VideoPriceNotConfigured, clip_price
from studio.generation import selectors as generation_selectors
from studio.generation.models import GenerationJob
from studio.generation.services import GenerationError, GenerationRejected, generation_cancel, generation_submit
from studio.teams.crypto import KeyStoreError
from studio.teams.models import Provider, Team
from studio.teams.scoping import scoped
from studio.teams.selectors import provider_key_for
from studio.video import shotlist
from studio.video.models import (
    ASPECTS,
    BRIEF_MAX,
    FRAME_PROMPT_MAX,
    MAX_SHOTS,
    MIN_SHOTS,
    Sequence,
    Shot,
    new_callback_token,
)
from studio.video.providers.base import ShotSubmission, VideoProviderError

logger = logging.getLogger(__name__)

Status = Shot.Status
OFFLINE_ANIMATOR = "local:animator"
FRAME_TIER = "1K"
FRAME_POLL_SECONDS = 1.0  # a frame job takes seconds: looked at every second
INTERNAL_MESSAGE = "Something went wrong with this shot. Retry it; if it keeps happening, tell your operator."
MAX_STEP_ERRORS = 5
LOST_MESSAGE = "The provider no longer has this clip (results are kept for 24 hours). Retry to make it again."
PROVIDER_LABELS = {"kling": "Kling", "seedance": "Seedance", "local": "the offline animator"}


def _setting(name, default):
    """A pipeline setting (studio/settings/base.py, video section), read when used so tests can change it."""
    return getattr(settings, name, default)


def concurrency_limit(provider):
    """How many shots of one team may be at `provider` at once (submitting or rendering)."""
    names = {
        "kling": "VIDEO_KLING_CONCURRENCY",
        "seedance": "VIDEO_ARK_CONCURRENCY",
        "local": "VIDEO_LOCAL_CONCURRENCY",
    }
    defaults = {"kling": 3, "seedance": 3, "local": 2}
    return max(1, int(_setting(names.get(provider, "VIDEO_CONCURRENCY"), defaults.get(provider, 2))))


def _poll_seconds(provider, polls):
    """Backoff between lookups: quick at first (the offline animator is quicker still), then up to the maximum."""
    first = float(_setting("VIDEO_POLL_SECONDS", 3.0))
    if provider == "local":
        first = min(first, 0.5)
    return min(first * (1.5 ** min(polls, 10)), float(_setting("VIDEO_POLL_MAX_SECONDS", 30.0)))


class VideoError(Exception):
    """A refused change: {field: message} for the form; nothing was saved and no credit moved."""

    def __init__(self, errors):
        self.errors = errors if isinstance(errors, dict) else {"__all__": str(errors)}
        super().__init__("; ".join(str(message) for message in self.errors.values()))


# The video model table (studio/video/providers/registry.py) ---------------------------------------------------


def _registry():
    from studio.video.providers import registry

    return registry


def video_model(model_id):
    """The VideoModel row for `model_id`, or None."""
    try:
        return _registry().video_model(model_id)
    except (KeyError, LookupError, ValueError):
        return None


def team_models(team):
    """The video models this team may use, in the registry's order."""
    models = _registry().team_video_models(team)
    rows = list(models.values()) if isinstance(models, dict) else list(models)
    return [row if hasattr(row, "provider") else video_model(row) for row in rows if row]


def default_model_id(team):
    allowed = [row.id for row in team_models(team)]
    active = getattr(team, "active_video_model", "") or ""
    if active in allowed:
        return active
    return OFFLINE_ANIMATOR if OFFLINE_ANIMATOR in allowed or not allowed else allowed[0]


def provider_label(model):
    return model.label if model is not None else "the video provider"


# Creating a sequence and its shot list -------------------------------------------------------------------------


def shotlist_write(*, team, brief, durations):
    """(shots, writer, note): OpenAI's shot list when the team has a key, the offline writer's otherwise.

    Runs outside any transaction: a network call must not hold a database transaction open.
    """
    key = provider_key_for(team=team, provider=Provider.OPENAI)
    if key:
        try:
            return shotlist.openai_shots(brief, api_key=key, durations=durations), shotlist.SHOTLIST_MODEL, ""
        except shotlist.ShotListError as error:
            note = f"{error} The offline writer wrote this shot list instead."
            return shotlist.offline_shots(brief, durations=durations), "offline", note
    return shotlist.offline_shots(brief, durations=durations), "offline", ""


def _title(brief):
    words = " ".join(brief.split())
    return words if len(words) <= 80 else words[:79].rsplit(" ", 1)[0] + "…"


def sequence_create(*, team, user, brief, aspect="16:9", model_id=None, shots=None):
    """A sequence from a brief: its shot list written (OpenAI or offline) unless `shots` are given by hand.

    `shots` is a list of dicts (frame_prompt, motion_prompt, duration, aspect, model_id, mode, influencer_id);
    every shot is checked like an edit, and a refused one saves nothing.
    """
    brief = (brief or "").strip()
    errors = {}
    if not brief:
        errors["brief"] = "Write the brief: the shot list is built from it."
    elif len(brief) > BRIEF_MAX:
        errors["brief"] = f"Keep the brief to {BRIEF_MAX} characters (this has {len(brief)})."
    if aspect not in ASPECTS:
        errors["aspect"] = f"Choose one of {', '.join(ASPECTS)}."
    model_id = model_id or default_model_id(team)
    model = video_model(model_id)
    if model is None or model_id not in [row.id for row in team_models(team)]:
        errors["model_id"] = "Choose one of the video models enabled for your team."
    if errors:
        raise VideoError(errors)
    note = ""
    if shots is None:
        shots, writer, note = shotlist_write(team=team, brief=brief, durations=tuple(model.durations))
    else:
        writer = "manual"
        if not MIN_SHOTS <= len(shots) <= MAX_SHOTS:
            raise VideoError({"shots": f"A sequence has {MIN_SHOTS} to {MAX_SHOTS} shots (this has {len(shots)})."})
    defaults = {"aspect": aspect, "model_id": model_id, "mode": model.modes[0], "duration": min(model.durations)}
    cleaned = []
    for number, shot in enumerate(shots, start=1):
        try:
            cleaned.append(shot_clean(team=team, data={**defaults, **{k: v for k, v in shot.items() if v is not None}}))
        except VideoError as error:
            field_name, message = next(iter(error.errors.items()))
            raise VideoError({"shots": f"Shot {number}: {message}", f"shots.{number - 1}.{field_name}": message})
    with transaction.atomic():
        sequence = Sequence.objects.create(
            team=team, created_by=user, brief=brief, title=_title(brief), aspect=aspect, writer=writer
        )
        for position, shot in enumerate(cleaned, start=1):
            Shot.objects.create(sequence=sequence, position=position, **shot)
    sequence.note = note
    return sequence


def shot_clean(*, team, data):
    """A shot's fields checked against the team and its video model; VideoError names each field at fault."""
    errors = {}
    model_id = str(data.get("model_id") or "")
    model = video_model(model_id)
    if model is None or model_id not in [row.id for row in team_models(team)]:
        return _refuse({"model_id": "Choose one of the video models enabled for your team."})
    frame_prompt = " ".join(str(data.get("frame_prompt") or "").split())
    motion_prompt = str(data.get("motion_prompt") or "").strip()
    if not frame_prompt:
        errors["frame_prompt"] = "Describe the frame: it is generated first, then animated."
    elif len(frame_prompt) > FRAME_PROMPT_MAX:
        errors["frame_prompt"] = (
            f"Keep the frame prompt to {FRAME_PROMPT_MAX} characters (this has {len(frame_prompt)})."
        )
    if len(motion_prompt) > model.prompt_max:
        errors["motion_prompt"] = (
            f"{model.label} takes a motion prompt of at most {model.prompt_max} characters "
            f"(this has {len(motion_prompt)})."
        )
    duration = data.get("duration")
    try:
        duration = int(duration)
    except (TypeError, ValueError):
        duration = None
    if duration not in model.durations:
        errors["duration"] = f"{model.label} makes clips of {_seconds(model.durations)}."
    mode = data.get("mode") or model.modes[0]
    if mode not in model.modes:
        errors["mode"] = f"{model.label} offers the modes {', '.join(model.modes)}."
    aspect = data.get("aspect") or "16:9"
    if aspect not in model.aspects or aspect not in ASPECTS:
        errors["aspect"] = f"{model.label} makes {', '.join(a for a in model.aspects if a in ASPECTS)} clips."
    influencer = None
    influencer_id = data.get("influencer_id") or data.get("influencer")
    if influencer_id:
        from influencers.models import Influencer

        influencer = scoped(Influencer, team).filter(pk=getattr(influencer_id, "pk", influencer_id)).first()
        if influencer is None or influencer.current_version_id is None:
            errors["influencer_id"] = "Choose one of your team's influencers (with a locked identity)."
    if errors:
        return _refuse(errors)
    return {
        "frame_prompt": frame_prompt,
        "motion_prompt": motion_prompt,
        "duration": duration,
        "mode": mode,
        "aspect": aspect,
        "model_id": model_id,
        "provider": model.provider,
        "influencer": influencer,
    }


def _refuse(errors):
    raise VideoError(errors)


def _seconds(durations):
    values = [str(value) for value in sorted(durations)]
    return (" or ".join([", ".join(values[:-1]), values[-1]]) if len(values) > 1 else values[0]) + " seconds"


def _editable(sequence):
    if not sequence.editable:
        raise VideoError("The shot list is fixed once the sequence has started: retry or cancel single shots instead.")


@transaction.atomic
def shot_update(*, shot, data):
    sequence = Sequence.objects.select_for_update().select_related("team").get(pk=shot.sequence_id)
    _editable(sequence)
    clean = shot_clean(team=sequence.team, data=data)
    for name, value in clean.items():
        setattr(shot, name, value)
    shot.save()
    return shot


@transaction.atomic
def shot_add(*, sequence, user=None):
    sequence = Sequence.objects.select_for_update().select_related("team").get(pk=sequence.pk)
    _editable(sequence)
    if sequence.shots.count() >= MAX_SHOTS:
        raise VideoError(f"A sequence has at most {MAX_SHOTS} shots.")
    last = sequence.shots.order_by("-position").first()
    model_id = last.model_id if last else default_model_id(sequence.team)
    model = video_model(model_id)
    position = (sequence.shots.aggregate(top=Max("position"))["top"] or 0) + 1
    return Shot.objects.create(
        sequence=sequence,
        position=position,
        frame_prompt=f"Closing shot: {sequence.title}",
        motion_prompt="Slow pull back to reveal the whole scene.",
        duration=last.duration if last else min(model.durations),
        aspect=sequence.aspect,
        model_id=model_id,
        mode=last.mode if last else model.modes[0],
        provider=model.provider,
    )


@transaction.atomic
def shot_delete(*, shot):
    sequence = Sequence.objects.select_for_update().get(pk=shot.sequence_id)
    _editable(sequence)
    if sequence.shots.count() <= MIN_SHOTS:
        raise VideoError("A sequence needs at least one shot.")
    position = shot.position
    shot.delete()
    sequence.shots.filter(position__gt=position).update(position=F("position") - 1)


@transaction.atomic
def shot_move(*, shot, offset):
    """Swap the shot with its neighbour `offset` (-1 earlier, +1 later); at either end it stays."""
    sequence = Sequence.objects.select_for_update().get(pk=shot.sequence_id)
    _editable(sequence)
    neighbour = sequence.shots.filter(position=shot.position + offset).first()
    if neighbour is None:
        return shot
    neighbour.position, shot.position = shot.position, neighbour.position
    Shot.objects.filter(pk=neighbour.pk).update(position=neighbour.position)
    Shot.objects.filter(pk=shot.pk).update(position=shot.position)
    return shot


# The cost ------------------------------------------------------------------------------------------------------


@dataclass
class Cost:
    """What a sequence (or the shots still to make) costs: frames through the image model, clips per video price."""

    frames: int = 0
    clips: int = 0
    balance: int = 0
    lines: list = field(default_factory=list)  # [{"shot", "frame", "clip"}]
    errors: dict = field(default_factory=dict)

    @property
    def total(self):
        return self.frames + self.clips

    @property
    def short(self):
        return self.total > self.balance


def frame_request(shot, *, team, user=None, for_price=False):
    """The generation_submit data for a shot's frame: the team's active image model, one image at the shot's aspect.

    With an influencer, the frame is a scene of their locked identity (their references go along, Image 1 first).
    """
    data = {
        "model_id": team.active_model,
        "prompt": shot.frame_prompt,
        "aspect": shot.aspect,
        "tier": FRAME_TIER,
        "n": 1,
        "output_format": "png",
        "partial_images": 0,
        "seed": shot.pk % 2_000_000_000 if shot.pk else 0,
    }
    if shot.influencer_id and not for_price:
        from influencers.prompting import scene_plan
        from influencers.services import references_ready

        version = shot.influencer.current_version
        if version is not None:
            references_ready(version=version, user=user)
            plan = scene_plan(version, shot.frame_prompt, data["model_id"])
            data.update(prompt=plan.prompt, references=plan.references, input_fidelity=plan.input_fidelity)
    return data


def _frame_price(shot, team):
    check = generation_selectors.generation_validate(team=team, data=frame_request(shot, team=team, for_price=True))
    if not check.errors:
        generation_selectors.generation_price(check, preview=False)
    if check.errors:
        return None, next(iter(check.errors.values()))
    return check.cost or 0, None


def shots_cost(*, team, shots, with_frames=None):
    """The cost of making `shots`; `with_frames` (shot ids) limits the frames counted to those that need one."""
    cost = Cost(balance=wallet_for(team).balance)
    allowed = {row.id for row in team_models(team)}
    problems = {}
    for shot in shots:
        model = video_model(shot.model_id)
        frame = clip = 0
        if shot.model_id not in problems:
            problems[shot.model_id] = _model_problem(team, shot.model_id, model, allowed)
        if problems[shot.model_id]:
            cost.errors.setdefault("model_id", f"Shot {shot.position}: {problems[shot.model_id]}")
        if with_frames is None or shot.pk in with_frames:
            frame, problem = _frame_price(shot, team)
            if problem:
                cost.errors.setdefault("credits", f"Shot {shot.position}: {problem}")
                frame = 0
        try:
            clip = clip_price(
                model_id=shot.model_id, mode=shot.mode, duration=shot.duration, label=provider_label(model)
            )
        except VideoPriceNotConfigured as error:
            cost.errors.setdefault("credits", f"Shot {shot.position}: {error}")
        cost.frames += frame
        cost.clips += clip
        cost.lines.append({"shot": shot, "frame": frame, "clip": clip})
    return cost


def _model_problem(team, model_id, model, allowed):
    """Why the team cannot use this video model now (no longer enabled, no key, a key that cannot be read), or ""."""
    if model is None or model_id not in allowed:
        label = provider_label(model) if model else model_id
        return f"{label} is not enabled for your team any more; choose another model."
    try:
        _registry().provider_for(team=team, model_id=model_id)
    except VideoProviderError as error:
        return error.message
    except KeyStoreError:
        return f"The team's key for {provider_label(model)} cannot be read; an admin should set it again."
    return ""


def sequence_cost(*, sequence):
    return shots_cost(team=sequence.team, shots=list(sequence.shots.select_related("influencer")))


# Start, retry, cancel ------------------------------------------------------------------------------------------


def _hold_key(shot, attempt, part):
    return f"video:{shot.uuid}:{attempt}:{part}"


@transaction.atomic
def sequence_start(*, sequence, user):
    """Start every shot: its frame job and its clip's hold, all or nothing (nothing held when short)."""
    sequence = Sequence.objects.select_for_update().select_related("team").get(pk=sequence.pk)
    if sequence.status != Sequence.Status.DRAFT:
        raise VideoError("This sequence has already started; retry or cancel single shots instead.")
    shots = list(sequence.shots.select_related("influencer__current_version").order_by("position"))
    cost = shots_cost(team=sequence.team, shots=shots)
    if cost.errors:
        raise VideoError(cost.errors)
    if cost.short:
        raise VideoError({"credits": _short_message(cost)})
    for shot in shots:
        _launch(shot, sequence=sequence, user=user)
    Sequence.objects.filter(pk=sequence.pk).update(status=Sequence.Status.RUNNING, message="")
    transaction.on_commit(lambda: sequence_push(sequence.pk))
    return cost


def _short_message(cost):
    return (
        f"This sequence needs {cost.total} credits ({cost.frames} for frames, {cost.clips} for clips) and the team "
        f"has {cost.balance}. Use Request credits at the top of the page to ask for more."
    )


def _launch(shot, *, sequence, user, reuse_frame=False):
    """One shot's attempt: its frame job (unless its frame is kept), its clip's hold, the first step queued."""
    attempt = shot.attempt + 1
    team = sequence.team
    model = video_model(shot.model_id)
    job = None
    frame_asset = shot.frame_asset if reuse_frame else None
    if frame_asset is None:
        try:
            job = generation_submit(team=team, user=user, data=frame_request(shot, team=team, user=user))
        except GenerationRejected as error:
            raise VideoError(
                {
                    "credits" if "credits" in error.errors else "__all__": f"Shot {shot.position}: "
                    + next(iter(error.errors.values()))
                }
            ) from None
    price = clip_price(model_id=shot.model_id, mode=shot.mode, duration=shot.duration, label=provider_label(model))
    hold = None
    if price > 0:
        try:
            hold = credits_reserve(
                team=team,
                amount=price,
                idempotency_key=_hold_key(shot, attempt, "hold"),
                model_id=shot.model_id,
                user=user,
                memo=f"Video: shot {shot.position}, {shot.duration} s with {provider_label(model)}"[:200],
            )
        except InsufficientCredits as error:
            raise VideoError({"credits": f"Shot {shot.position}: {error}"}) from None
    token = uuid.uuid4()
    now = timezone.now()
    Shot.objects.filter(pk=shot.pk).update(
        status=Status.FRAMING if frame_asset is None else Status.SUBMITTING,
        attempt=attempt,
        external_id=f"pf-{shot.uuid.hex}-{attempt}",
        provider=model.provider,
        frame_job=job if job is not None else shot.frame_job,
        frame_asset=frame_asset,
        hold=hold,
        credits_estimated=price,
        provider_task_id="",
        submit_token=None,
        submit_claimed_at=None,
        submit_tries=0,
        polls=0,
        clip=None,
        message="",
        error_kind="",
        fit_note="" if frame_asset is None else shot.fit_note,
        callback_token=new_callback_token(),
        step_token=token,
        step_due_at=now,
        started_at=now,
        submitted_at=None,
        finished_at=None,
    )
    transaction.on_commit(lambda: _enqueue_step(shot.pk, token, 0))


@transaction.atomic
def shot_retry(*, shot, user):
    """Another attempt for a shot that failed, was cancelled or expired; a frame it already has is kept."""
    sequence = Sequence.objects.select_for_update().select_related("team").get(pk=shot.sequence_id)
    shot = Shot.objects.select_for_update(of=("self",)).select_related("frame_asset", "influencer").get(pk=shot.pk)
    if shot.status not in Shot.ENDED:
        raise VideoError("Only a shot that failed, was cancelled or expired can be retried.")
    needs_frame = shot.frame_asset_id is None
    cost = shots_cost(team=sequence.team, shots=[shot], with_frames={shot.pk} if needs_frame else set())
    if cost.errors:
        raise VideoError(cost.errors)
    if cost.short:
        raise VideoError({"credits": str(InsufficientCredits(cost.total, cost.balance))})
    _launch(shot, sequence=sequence, user=user, reuse_frame=not needs_frame)
    Sequence.objects.filter(pk=sequence.pk).update(status=Sequence.Status.RUNNING, message="")
    transaction.on_commit(lambda: sequence_push(sequence.pk))
    shot.refresh_from_db()
    return shot


def shot_cancel(*, shot, user):
    """Stop a shot: its frame job is cancelled, a task still queued at the provider too; its credits come back."""
    with transaction.atomic():
        shot = Shot.objects.select_related("sequence__team", "frame_job").get(pk=shot.pk)
        who = user.email or user.get_username() if user else "the studio"
        ended = _end(shot, Status.CANCELLED, kind="cancelled", message=f"Cancelled by {who}.")
        if not ended:
            raise VideoError("This shot is not running; there is nothing to cancel.")
        job = shot.frame_job
        if job is not None and job.status in GenerationJob.ACTIVE:
            with contextlib.suppress(GenerationError):  # it finished meanwhile: its image stays in the library
                generation_cancel(team=shot.sequence.team, user=user, job=job)
        task_id = shot.provider_task_id
    if task_id:
        _provider_cancel(shot, task_id)
    shot.refresh_from_db()
    return shot


def _provider_cancel(shot, task_id):
    """Ask the provider to drop the task; where it cannot (already running, no cancel), the clip is ignored."""
    try:
        _provider(shot).cancel(task_id=task_id)
    except VideoProviderError as error:
        label = PROVIDER_LABELS.get(shot.provider, "The provider")
        note = f" {label[:1].upper()}{label[1:]} could not stop it ({error.message}); its clip will be ignored."
        Shot.objects.filter(pk=shot.pk, status=Status.CANCELLED).update(message=Concat(F("message"), Value(note)))
    except Exception:
        logger.warning("could not cancel the provider task of shot %s", shot.pk, exc_info=True)


@transaction.atomic
def _end(shot, status, *, kind, message, states=Shot.ACTIVE):
    """Move the shot to an ending `status` from one of `states`, release its hold; False if it was not there."""
    ended = Shot.objects.filter(pk=shot.pk, status__in=states).update(
        status=status,
        error_kind=kind,
        message=message[:1000],
        finished_at=timezone.now(),
        submit_token=None,
        step_token=None,
    )
    if not ended:
        return False
    hold = Shot.objects.select_related("hold").get(pk=shot.pk).hold
    if hold is not None:
        credits_release_rest(hold=hold, idempotency_key=_hold_key(shot, shot.attempt, "release"), memo=message[:200])
    sequence_id = shot.sequence_id
    transaction.on_commit(lambda: sequence_settle(sequence_id=sequence_id))
    return True


# The pipeline's steps -------------------------------------------------------------------------------------------


def _enqueue_step(shot_id, token, countdown):
    from studio.video.tasks import shot_step_task

    try:
        shot_step_task.apply_async(args=[shot_id, str(token) if token else None], countdown=max(countdown, 0))
    except Exception:
        # The sweep takes the shot up again once its step is overdue.
        logger.exception("could not queue the next step of video shot %s", shot_id)


def _enqueue_stitch(sequence_id):
    from studio.video.tasks import sequence_stitch_task

    try:
        sequence_stitch_task.apply_async(args=[sequence_id])
    except Exception:
        logger.exception("could not queue the stitch of sequence %s", sequence_id)


def _schedule(shot, token, countdown, **changes):
    """Hand the chain on: a new token and the next step in `countdown` seconds; False if this step was a stray."""
    new = uuid.uuid4()
    with transaction.atomic():
        moved = Shot.objects.filter(pk=shot.pk, step_token=token).update(
            step_token=new, step_due_at=timezone.now() + timedelta(seconds=countdown), **changes
        )
        if moved:
            transaction.on_commit(lambda: _enqueue_step(shot.pk, new, countdown))
            if changes:
                transaction.on_commit(lambda: shot_push(shot.pk))
    return bool(moved)


# Provider clients kept per process for a minute: making one (an HTTP connection pool, a TLS context) costs tens of
# milliseconds, more than the rest of a step. A key an admin changes is picked up when its client expires.
CLIENT_SECONDS = 60.0
_CLIENTS = {}


def _provider(shot):
    """The shot's provider client for its team and model, from this process's short-lived cache."""
    key = (os.getpid(), shot.sequence.team_id, shot.model_id)
    now = time.monotonic()
    cached = _CLIENTS.get(key)
    if cached is not None and now - cached[1] < CLIENT_SECONDS:
        return cached[0]
    client = _registry().provider_for(team=shot.sequence.team, model_id=shot.model_id)
    if len(_CLIENTS) > 200:
        _CLIENTS.clear()
    _CLIENTS[key] = (client, now)
    return client


def _fitted(shot, model):
    """(frame bytes, format, note) within the provider's limits; a frame the library row shows fits goes as it is."""
    from studio.video import media

    asset, limits = shot.frame_asset, model.limits
    fmt = {"jpg": "jpeg"}.get(asset.format, asset.format)
    target = media.aspect_ratio(shot.aspect)
    if asset.width and asset.height and fmt in limits.formats and asset.bytes <= limits.max_bytes:
        ratio = asset.width / asset.height
        if (
            min(asset.width, asset.height) >= limits.min_side
            and limits.min_aspect <= ratio <= limits.max_aspect
            and (target is None or abs(ratio - target) / target <= 0.02)
        ):
            return asset_bytes(asset), fmt, ""
    return media.fit_frame(asset_bytes(asset), limits, shot.aspect, provider_label=model.label)


def shot_step(*, shot_id, token=None):
    """One step of a shot, whatever state it is in; a step with a stale token does nothing. Safe to run twice.

    `token` None is a confirming lookup (a callback): it may finish the shot but never starts a chain.
    """
    shot = (
        Shot.objects.select_related("sequence__team", "sequence__created_by", "frame_job", "frame_asset", "hold")
        .filter(pk=shot_id)
        .first()
    )
    if shot is None:
        return
    if token is not None:
        token = uuid.UUID(str(token))
        if shot.step_token != token and not _take_over(shot, token):
            logger.info("video shot %s: a stray step, nothing to do", shot_id)
            return
    try:
        if shot.status == Status.FRAMING and token is not None:
            _step_frame(shot, token)
        elif shot.status == Status.SUBMITTING and token is not None:
            _step_submit(shot, token)
        elif shot.status == Status.RENDERING or (shot.status == Status.DOWNLOADING and token is not None):
            _step_lookup(shot, token)
    except VideoProviderError as error:
        _provider_failed(shot, token, error)
    except Exception:
        logger.exception("video shot %s: a step failed", shot_id)
        shot.refresh_from_db(fields=["polls", "status"])
        if token is not None and shot.polls < MAX_STEP_ERRORS:
            # Perhaps passing (a database restart, a full disk): try again a little later, then give up.
            _schedule(shot, token, _poll_seconds(shot.provider, shot.polls + 2), polls=F("polls") + 1)
        elif token is not None:
            _end(shot, Status.FAILED, kind="internal", message=INTERNAL_MESSAGE)


def _take_over(shot, token):
    """Let a redelivered step carry the chain on when the step it handed over to is long overdue.

    A worker killed after saving the next step's token but before the broker had that step's message leaves a
    token no message carries; the dead worker's own message, redelivered, then finds a token that is not its own.
    Once that next step is VIDEO_STEP_GRACE_SECONDS late, this delivery takes the chain back (the sweep would, later).
    """
    late = timezone.now() - timedelta(seconds=float(_setting("VIDEO_STEP_GRACE_SECONDS", 120)))
    if shot.status not in Shot.ACTIVE or shot.step_due_at is None or shot.step_due_at >= late:
        return False
    taken = Shot.objects.filter(pk=shot.pk, step_token=shot.step_token, step_due_at__lt=late).update(
        step_token=token, step_due_at=timezone.now()
    )
    if taken:
        shot.step_token = token
    return bool(taken)


def _step_frame(shot, token):
    job = shot.frame_job
    if job is None:
        _end(shot, Status.FAILED, kind="frame", message="The frame job is gone. Retry the shot.")
        return
    if job.status in GenerationJob.ACTIVE:
        _schedule(shot, token, FRAME_POLL_SECONDS)
        return
    if job.status != GenerationJob.Status.SUCCEEDED:
        reason = job.error_message or job.get_status_display()
        with transaction.atomic():
            _end(shot, Status.FAILED, kind="frame", message=f"The frame could not be made: {reason}")
        return
    output = job.job_outputs.select_related("asset").first()
    if output is None:
        with transaction.atomic():
            _end(shot, Status.FAILED, kind="frame", message="The frame job finished without an image. Retry the shot.")
        return
    moved = Shot.objects.filter(pk=shot.pk, status=Status.FRAMING, step_token=token).update(
        status=Status.SUBMITTING, frame_asset=output.asset
    )
    if moved:
        # Straight on to the submit; its own push shows the frame with the shot's next state.
        shot.status, shot.frame_asset = Status.SUBMITTING, output.asset
        _step_submit(shot, token)


def _slot_free(shot):
    """Whether the team has a free place at the shot's provider; locks the team row so two checks queue up."""
    Team.objects.select_for_update().filter(pk=shot.sequence.team_id).first()
    busy = (
        Shot.objects.filter(sequence__team_id=shot.sequence.team_id, provider=shot.provider)
        .filter(Q(status=Status.RENDERING) | Q(status=Status.SUBMITTING, submit_token__isnull=False))
        .exclude(pk=shot.pk)
        .count()
    )
    return busy < concurrency_limit(shot.provider), busy


def _claim_submit(shot, token):
    """Take the shot's submit for this run (like generation_claim); None when another live run holds it."""
    now = timezone.now()
    claim = uuid.uuid4()
    stale_before = now - timedelta(seconds=float(_setting("VIDEO_SUBMIT_STALE_SECONDS", 60)))
    with transaction.atomic():
        free, busy = _slot_free(shot)
        if not free:
            return None, busy
        claimed = Shot.objects.filter(
            Q(submit_token__isnull=True) | Q(submit_claimed_at__lt=stale_before),
            pk=shot.pk,
            status=Status.SUBMITTING,
            provider_task_id="",
            step_token=token,
        ).update(
            submit_token=claim,
            submit_claimed_at=now,
            submit_tries=F("submit_tries") + 1,
            submitted_at=Coalesce(F("submitted_at"), Value(now)),
        )
    return (claim if claimed else None), busy


def _step_submit(shot, token):
    model = video_model(shot.model_id)
    tried_before = shot.submit_tries > 0
    claim, busy = _claim_submit(shot, token)
    if claim is None:
        shot.refresh_from_db(fields=["submit_token", "submit_claimed_at", "status"])
        if shot.status != Status.SUBMITTING:
            return
        if shot.submit_token is not None:
            # Another run holds the submit: come back once its claim would be stale (it may have died).
            stale = float(_setting("VIDEO_SUBMIT_STALE_SECONDS", 60))
            left = (shot.submit_claimed_at + timedelta(seconds=stale) - timezone.now()).total_seconds()
            _schedule(shot, token, max(left, 0) + 0.5)
        else:
            label = PROVIDER_LABELS.get(shot.provider, shot.provider)
            _schedule(
                shot, token, 2.0, message=f"Waiting for a free place at {label} ({busy} of your shots are there)."
            )
        return
    provider = _provider(shot)
    from studio.video import media

    try:
        frame, frame_format, note = _fitted(shot, model)
    except media.MediaError as error:
        _end(shot, Status.FAILED, kind="user", message=str(error))
        return
    submission = ShotSubmission(
        external_id=shot.external_id,
        model=model.model,
        frame=frame,
        frame_format=frame_format,
        prompt=shot.motion_prompt or shot.frame_prompt[: model.prompt_max],
        duration=shot.duration,
        aspect=shot.aspect,
        mode=shot.mode,
        callback_url=callback_url(shot),
        seed=shot.pk % 2_000_000_000,
    )
    if tried_before:
        # An earlier run may have been accepted before it could save the task id: find it, never submit twice.
        try:
            state = _lost_submission(provider, shot, submission)
        except VideoProviderError as error:
            raise _Released(shot, claim, error) from None
        if state is not None:
            _submitted(shot, token, claim, state, note)
            return
    try:
        state = provider.submit(submission)
    except VideoProviderError as error:
        raise _Released(shot, claim, error) from None
    _submitted(shot, token, claim, state, note)


def _lost_submission(provider, shot, submission):
    """The task an earlier, interrupted submit of this attempt created, or None when it never reached the provider.

    By external id where the provider keeps one (Kling); from the provider's own listing where it does not (Ark).
    A listing that cannot tell which task is this shot's ends the shot rather than risk a second task.
    """
    recover = getattr(provider, "recover", None)
    if recover is not None:
        since = (shot.submitted_at or timezone.now()).timestamp()
        try:
            return recover(submission, since=since)
        except VideoProviderError as error:
            if error.kind == "unknown":
                raise VideoProviderError(error.message, kind="provider", provider=error.provider) from None
            raise
    try:
        return provider.lookup(external_id=shot.external_id)
    except VideoProviderError as error:
        if error.kind == "not_found":
            return None
        raise


class _Released(VideoProviderError):
    """A provider error met while holding the submit claim: the claim is given back before it is handled."""

    def __init__(self, shot, claim, error):
        Shot.objects.filter(pk=shot.pk, submit_token=claim).update(submit_token=None, submit_claimed_at=None)
        super().__init__(
            error.message, kind=error.kind, provider=error.provider, code=error.code, retry_after=error.retry_after
        )


def _submitted(shot, token, claim, state, note):
    """The provider accepted the task: save its id with the move to rendering, in one transaction."""
    with transaction.atomic():
        moved = Shot.objects.filter(pk=shot.pk, status=Status.SUBMITTING, submit_token=claim).update(
            status=Status.RENDERING,
            provider_task_id=state.task_id,
            submit_token=None,
            fit_note=note,
            message="",
        )
    if not moved:
        # Cancelled while it was being sent: the provider is told (the clip, if any, is ignored).
        _provider_cancel(shot, state.task_id)
        return
    shot.status, shot.provider_task_id = Status.RENDERING, state.task_id
    shot_push(shot.pk)
    _handle_state(shot, token, state)


def _step_lookup(shot, token):
    state = _provider(shot).lookup(task_id=shot.provider_task_id)
    _handle_state(shot, token, state)


def _handle_state(shot, token, state):
    label = PROVIDER_LABELS.get(shot.provider, shot.provider)
    if state.status in ("queued", "running"):
        if token is None:
            return  # a callback's confirming lookup: the chain polls on by itself
        words = f"Queued at {label}" if state.status == "queued" else f"Rendering at {label}"
        _schedule(shot, token, _poll_seconds(shot.provider, shot.polls), polls=F("polls") + 1, message=words)
        return
    if state.status == "succeeded":
        _clip_take(shot, token, state)
        return
    with transaction.atomic():
        if state.status == "expired":
            _end(shot, Status.EXPIRED, kind="expired", message=state.message or LOST_MESSAGE)
        elif state.status == "cancelled":
            _end(shot, Status.CANCELLED, kind="cancelled", message=state.message or f"{label} cancelled the task.")
        else:
            message = state.message or f"{label} could not make this clip."
            _end(shot, Status.FAILED, kind="provider", message=message)


def _clip_take(shot, token, state):
    """Download the finished clip and keep it in the library at once, with where it came from."""
    moved = Shot.objects.filter(pk=shot.pk, status=Status.RENDERING).update(
        status=Status.DOWNLOADING, message="Downloading"
    )
    if not moved:
        # Another step is downloading it; only the chain itself picks up a download a dead worker left.
        shot.refresh_from_db(fields=["status"])
        if shot.status != Status.DOWNLOADING or token is None:
            return
    shot_push(shot.pk)
    data = _provider(shot).download(state)
    from library.services import Origin, video_ingest

    model = video_model(shot.model_id)
    provenance = {
        "prompt": shot.motion_prompt,
        "frame_prompt": shot.frame_prompt,
        "model_id": shot.model_id,
        "provider": shot.provider,
        "provider_model": model.model if model else "",
        "task_id": shot.provider_task_id or state.task_id,
        "external_id": shot.external_id,
        "frame_asset_id": shot.frame_asset_id,
        "parameters": {"duration": shot.duration, "aspect": shot.aspect, "mode": shot.mode},
        "fit_note": shot.fit_note,
        "cost": shot.credits_estimated,
        "video": {"sequence_id": shot.sequence_id, "shot_id": shot.pk, "position": shot.position},
    }
    with transaction.atomic():
        asset = video_ingest(
            team=shot.sequence.team,
            user=shot.sequence.created_by,
            data=data,
            filename=f"shot-{shot.position}.mp4",
            origin=Origin(
                source=Asset.Source.GENERATED,
                provenance=provenance,
                parent=shot.frame_asset_id,
                name=f"{shot.sequence.title[:150]} · shot {shot.position}",
            ),
        )
        done = Shot.objects.filter(pk=shot.pk, status=Status.DOWNLOADING).update(
            status=Status.DONE, clip=asset, finished_at=timezone.now(), message="", step_token=None
        )
        if not done:
            transaction.set_rollback(True)  # cancelled meanwhile: the clip is not kept
            return
        if shot.hold_id:
            hold = shot.hold
            credits_capture(
                hold=hold,
                amount=hold.amount,
                idempotency_key=_hold_key(shot, shot.attempt, "capture"),
                memo=f"Video: shot {shot.position}"[:200],
            )
        sequence_id = shot.sequence_id
        transaction.on_commit(lambda: sequence_settle(sequence_id=sequence_id))


def _provider_failed(shot, token, error):
    """A provider's error: retry later when it is passing (rate, outage, a lost answer), end the shot otherwise."""
    label = PROVIDER_LABELS.get(shot.provider, shot.provider)
    if error.kind in ("rate", "outage", "unknown") or error.retryable:
        if token is None:
            return
        wait = max(float(error.retry_after or 0), _poll_seconds(shot.provider, shot.polls), 1.0)
        _schedule(shot, token, wait, polls=F("polls") + 1, message=f"{label}: {error.message} Trying again shortly.")
        return
    with transaction.atomic():
        if error.kind in ("expired", "not_found") and shot.status in (Status.RENDERING, Status.DOWNLOADING):
            _end(shot, Status.EXPIRED, kind="expired", message=LOST_MESSAGE)
        else:
            _end(shot, Status.FAILED, kind=error.kind, message=f"{label}: {error.message}")


def callback_url(shot):
    """The shot's unguessable callback address (a random token per attempt), absolute for the provider."""
    path = reverse("video_callback", args=[shot.uuid, shot.callback_token])
    return settings.SITE_URL.rstrip("/") + path if getattr(settings, "SITE_URL", "") else ""


def shot_callback(*, shot_uuid, token):
    """A provider's callback: only a confirming lookup is queued; a wrong token (forged) is refused. True if taken."""
    shot = Shot.objects.filter(uuid=shot_uuid).only("pk", "status", "callback_token").first()
    expected = shot.callback_token if shot is not None else "x" * 43
    if not hmac.compare_digest(expected.encode(), str(token).encode()) or shot is None:
        return False
    if shot.status in (Status.SUBMITTING, Status.RENDERING, Status.DOWNLOADING):
        _enqueue_step(shot.pk, None, 0)
    return True


# The sequence: settle, stitch, sweep ----------------------------------------------------------------------------


def sequence_settle(*, sequence_id):
    """After a shot ends: stitch when every shot is done, or say which shots need attention."""
    shots = list(Shot.objects.filter(sequence_id=sequence_id).values_list("status", flat=True))
    if shots and all(status == Status.DONE for status in shots):
        moved = Sequence.objects.filter(pk=sequence_id, status=Sequence.Status.RUNNING).update(
            status=Sequence.Status.STITCHING, stitch_started_at=timezone.now(), message="Stitching the clips"
        )
        if moved:
            transaction.on_commit(lambda: _enqueue_stitch(sequence_id))
    elif shots and not any(status in Shot.ACTIVE for status in shots):
        stuck = sum(1 for status in shots if status in Shot.ENDED)
        Sequence.objects.filter(pk=sequence_id, status=Sequence.Status.RUNNING).update(
            status=Sequence.Status.STOPPED,
            message=f"{stuck} shot{'s' if stuck != 1 else ''} did not finish: retry {'them' if stuck != 1 else 'it'} "
            "to complete the sequence.",
        )
    sequence_push(sequence_id)


def sequence_stitch(*, sequence_id):
    """Join the clips in order into one MP4 and keep it in the library; safe to run twice."""
    from library.services import Origin, video_ingest
    from studio.video import media

    sequence = Sequence.objects.select_related("team", "created_by").filter(pk=sequence_id).first()
    if sequence is None or sequence.status != Sequence.Status.STITCHING:
        return None
    shots = list(sequence.shots.select_related("clip").order_by("position"))
    if any(shot.clip is None for shot in shots):
        Sequence.objects.filter(pk=sequence_id, status=Sequence.Status.STITCHING).update(
            status=Sequence.Status.STOPPED, message="A clip is missing from the library: retry its shot."
        )
        sequence_push(sequence_id)
        return None
    try:
        data = media.stitch([asset_bytes(shot.clip) for shot in shots])
    except media.MediaError as error:
        Sequence.objects.filter(pk=sequence_id, status=Sequence.Status.STITCHING).update(
            status=Sequence.Status.STOPPED, message=f"The clips could not be stitched: {error}"
        )
        sequence_push(sequence_id)
        return None
    provenance = {
        "prompt": sequence.brief,
        "video": {
            "sequence_id": sequence.pk,
            "clip_asset_ids": [shot.clip_id for shot in shots],
            "shots": [{"position": s.position, "model_id": s.model_id, "duration": s.duration} for s in shots],
        },
    }
    with transaction.atomic():
        asset = video_ingest(
            team=sequence.team,
            user=sequence.created_by,
            data=data,
            filename=f"sequence-{sequence.pk}.mp4",
            origin=Origin(
                source=Asset.Source.GENERATED, provenance=provenance, name=f"{sequence.title[:180]} · sequence"
            ),
        )
        done = Sequence.objects.filter(pk=sequence_id, status=Sequence.Status.STITCHING).update(
            status=Sequence.Status.DONE, stitched=asset, message=""
        )
        if not done:
            transaction.set_rollback(True)
            return None
    sequence_push(sequence_id)
    return asset.pk


def video_sweep(*, now=None):
    """Take up shots whose step is long overdue (a lost task, a killed worker) and stitches that never finished.

    Deliberately across all teams: the sweeper is the system looking after itself. What beat runs every minute.
    """
    now = now or timezone.now()
    grace = timedelta(seconds=float(_setting("VIDEO_STEP_GRACE_SECONDS", 120)))
    taken = 0
    for shot_id in Shot.objects.filter(status__in=Shot.ACTIVE, step_due_at__lt=now - grace).values_list(
        "pk", flat=True
    ):
        new = uuid.uuid4()
        with transaction.atomic():
            moved = Shot.objects.filter(pk=shot_id, status__in=Shot.ACTIVE, step_due_at__lt=now - grace).update(
                step_token=new, step_due_at=now
            )
            if moved:
                transaction.on_commit(lambda shot_id=shot_id, new=new: _enqueue_step(shot_id, new, 0))
                taken += moved
    stitch_grace = timedelta(seconds=float(_setting("VIDEO_STITCH_GRACE_SECONDS", 600)))
    for sequence_id in Sequence.objects.filter(
        status=Sequence.Status.STITCHING, stitch_started_at__lt=now - stitch_grace
    ).values_list("pk", flat=True):
        with transaction.atomic():
            if Sequence.objects.filter(pk=sequence_id, stitch_started_at__lt=now - stitch_grace).update(
                stitch_started_at=now
            ):
                transaction.on_commit(lambda sequence_id=sequence_id: _enqueue_stitch(sequence_id))
                taken += 1
    return taken


# Live pushes ----------------------------------------------------------------------------------------------------


def shot_push(shot_id):
    from studio.video.push import shot_push as push

    push(shot_id)


def sequence_push(sequence_id):
    from studio.video.push import sequence_push as push

    push(sequence_id)


def video_models_all():
    """Every row of the video model table, id → VideoModel."""
    return _registry().video_models()
