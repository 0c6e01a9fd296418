"""Shot-list writers: turn a brief into 3–8 shots (a frame to generate, a camera move, a duration), offline or with
an OpenAI text model through the Responses API and a strict JSON schema.

Both return the same plain list of shot dicts (frame_prompt, motion_prompt, duration), checked by `shots_clean` so a
model's answer can never put more shots, an unknown duration or over-long prompts into a sequence.
"""

import json
import re

import httpx
import openai
from django.conf import settings

MIN_WRITTEN, MAX_WRITTEN = 3, 8
FRAME_MAX, MOTION_MAX = 1000, 500
TIMEOUT = httpx.Timeout(60.0, connect=10.0)
SHOTLIST_MODEL = settings.VIDEO_SHOTLIST_MODEL


class ShotListError(Exception):
    """The text model could not write a shot list; the message says why in the user's words."""


# The offline writer's coverage: how each shot frames the subject and how its camera moves.
_COVERAGE = [
    ("Wide establishing shot", "Slow push in toward the subject, gentle parallax."),
    ("Medium shot", "Smooth pan from left to right, steady speed."),
    ("Close-up with shallow depth of field", "Slow zoom in, subtle handheld drift."),
    ("Detail shot", "Gentle tilt up revealing the subject."),
    ("Low-angle hero shot", "Slow orbit around the subject."),
    ("Over-the-shoulder shot", "Slow dolly forward."),
    ("Top-down shot", "Slow rotation, camera descending slightly."),
    ("Wide closing shot", "Slow pull back to reveal the whole scene."),
]
_STYLE = "Cinematic lighting, one consistent colour grade across the sequence, no text, no logos."


def _beats(brief):
    """The brief's sentences and clauses, each a beat of the story."""
    parts = [part.strip(" ,;:-–—") for part in re.split(r"[.!?\n;]+", brief)]
    return [part for part in parts if len(part.split()) >= 2]


def offline_shots(brief, *, durations=(5,), count=None):
    """A sensible shot list from the brief alone: one shot per beat (3–8), opening wide and closing wide."""
    brief = " ".join(brief.split())
    beats = _beats(brief) or [brief]
    count = count or min(max(len(beats), MIN_WRITTEN), 6)
    count = min(max(count, MIN_WRITTEN), MAX_WRITTEN)
    duration = min(durations)
    shots = []
    for index in range(count):
        framing, motion = _COVERAGE[index % len(_COVERAGE)]
        if index == count - 1 and count > 1:
            framing, motion = _COVERAGE[-1]
        beat = beats[index % len(beats)]
        shots.append(
            {
                "frame_prompt": f"{framing}: {beat}. {_STYLE}",
                "motion_prompt": motion,
                "duration": duration,
            }
        )
    return shots_clean(shots, durations=durations)


def shots_schema(durations):
    """The strict JSON schema the text model answers with: 3 to 8 shots with allowed durations."""
    shot = {
        "type": "object",
        "additionalProperties": False,
        "required": ["frame_prompt", "motion_prompt", "duration"],
        "properties": {
            "frame_prompt": {
                "type": "string",
                "description": f"The still first frame as an image prompt, at most {FRAME_MAX} characters; no text.",
            },
            "motion_prompt": {
                "type": "string",
                "description": f"The camera move and motion in the shot, at most {MOTION_MAX} characters.",
            },
            "duration": {"type": "integer", "enum": sorted(durations)},
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["shots"],
        "properties": {"shots": {"type": "array", "minItems": MIN_WRITTEN, "maxItems": MAX_WRITTEN, "items": shot}},
    }


INSTRUCTIONS = (
    "You are a director writing a shot list for a short image-to-video sequence. Answer with the shots only, in "
    "order: open wide, vary the framing, close on a strong image. Each frame prompt describes one still image "
    "(subject, setting, light, lens) with no text in it and the same visual style across the sequence; each motion "
    "prompt describes one simple camera move or motion that fits the duration."
)


def openai_shots(brief, *, api_key, durations=(5,)):
    """The shot list from an OpenAI text model via the Responses API with a strict JSON schema."""
    from studio.engines.openai import engine_error

    client = openai.OpenAI(api_key=api_key, base_url=settings.OPENAI_BASE_URL or None, timeout=TIMEOUT, max_retries=1)
    try:
        response = client.responses.create(
            model=SHOTLIST_MODEL,
            instructions=INSTRUCTIONS,
            input=f"Brief: {brief}\nAllowed durations in seconds: {', '.join(map(str, sorted(durations)))}",
            text={
                "format": {
                    "type": "json_schema",
                    "name": "shot_list",
                    "strict": True,
                    "schema": shots_schema(durations),
                }
            },
        )
    except openai.OpenAIError as error:
        raise ShotListError(str(engine_error(error))) from error
    finally:
        client.close()
    if getattr(response, "status", "completed") != "completed":
        raise ShotListError("OpenAI stopped before the shot list was complete.")
    try:
        shots = json.loads(response.output_text)["shots"]
    except (ValueError, KeyError, TypeError) as error:
        raise ShotListError("OpenAI's answer was not a shot list.") from error
    return shots_clean(shots, durations=durations)


def shots_clean(shots, *, durations):
    """Shots trimmed to their limits, 3 to 8 of them, each with an allowed duration; ShotListError otherwise."""
    if not isinstance(shots, list) or not MIN_WRITTEN <= len(shots) <= MAX_WRITTEN:
        raise ShotListError(f"The shot list had {len(shots) if isinstance(shots, list) else 0} shots, not 3 to 8.")
    cleaned = []
    for shot in shots:
        if not isinstance(shot, dict):
            raise ShotListError("The shot list had a shot that was not a shot.")
        frame = " ".join(str(shot.get("frame_prompt") or "").split())
        if not frame:
            raise ShotListError("The shot list had a shot without a frame prompt.")
        duration = shot.get("duration")
        cleaned.append(
            {
                "frame_prompt": frame[:FRAME_MAX],
                "motion_prompt": " ".join(str(shot.get("motion_prompt") or "").split())[:MOTION_MAX],
                "duration": duration if duration in durations else min(durations),
            }
        )
    return cleaned
