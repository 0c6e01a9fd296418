"""The video model table: what each video model takes (durations, modes, aspects, prompt length, first-frame limits).

Platform data like the image capability table, so the team's model page and the price rules read it without
importing the video feature; the provider clients that speak to Kling, Ark and the offline animator live in
studio/video/providers/. Kling's request token is signed here because the team's key check needs it too.
"""

import time
from dataclasses import dataclass

import jwt

KLING_TOKEN_SECONDS = 1800


def kling_token(access_key, secret_key, *, now=None):
    """A Kling API token: HS256, iss = access key, valid from 5 s ago for 30 minutes."""
    now = int(time.time() if now is None else now)
    claims = {"iss": access_key, "exp": now + KLING_TOKEN_SECONDS, "nbf": now - 5}
    return jwt.encode(claims, secret_key, algorithm="HS256", headers={"alg": "HS256", "typ": "JWT"})


@dataclass(frozen=True)
class FrameLimits:
    """What a provider accepts as a first frame; the pipeline fits frames to these before submitting."""

    min_side: int = 300
    max_bytes: int = 10 * 1024 * 1024
    min_aspect: float = 1 / 2.5
    max_aspect: float = 2.5
    formats: tuple = ("png", "jpeg")


@dataclass(frozen=True)
class VideoModel:
    """A row of the video model table: what the studio offers and validates against."""

    id: str  # "kling:kling-v2-6", "seedance:seedance-1-0-pro-250528", "local:animator"
    provider: str  # "kling" | "seedance" | "local"
    model: str  # the provider's own model name
    label: str
    durations: tuple  # allowed seconds, e.g. (5, 10)
    modes: tuple = ("std",)
    aspects: tuple = ("16:9", "9:16", "1:1")
    prompt_max: int = 2500
    limits: FrameLimits = FrameLimits()
    resolutions: tuple = ()  # Seedance's "480p", "720p", "1080p"; empty where the provider has no such choice


OFFLINE_VIDEO_MODEL_ID = "local:animator"  # the same id as studio.teams.models.OFFLINE_VIDEO_MODEL_ID

# Kling image2video: jpg/png ≤ 10 MB, sides ≥ 300 px, aspect 1:2.5–2.5:1; the clip takes the image's aspect.
KLING_LIMITS = FrameLimits(min_side=300, max_bytes=10 * 1024 * 1024, min_aspect=1 / 2.5, max_aspect=2.5)
# Seedance first frames: aspect 2:5–5:2, short side ≥ 300 px; kept under 10 MB because it travels base64 in JSON.
ARK_LIMITS = FrameLimits(min_side=300, max_bytes=10 * 1024 * 1024, min_aspect=0.4, max_aspect=2.5)
# The offline animator takes any frame the studio makes.
LOCAL_LIMITS = FrameLimits(min_side=64, max_bytes=50 * 1024 * 1024, min_aspect=0.25, max_aspect=4.0)

KLING_ASPECTS = ("16:9", "9:16", "1:1")
ARK_RATIOS = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "adaptive")
ARK_RESOLUTIONS = ("480p", "720p", "1080p")


def _kling(model, label):
    return VideoModel(
        id=f"kling:{model}",
        provider="kling",
        model=model,
        label=label,
        durations=(5, 10),
        modes=("std", "pro"),
        aspects=KLING_ASPECTS,
        prompt_max=2500,
        limits=KLING_LIMITS,
    )


def _seedance(model, label):
    return VideoModel(
        id=f"seedance:{model}",
        provider="seedance",
        model=model,
        label=label,
        durations=(5, 10),
        modes=("std",),
        aspects=ARK_RATIOS,
        prompt_max=2000,
        limits=ARK_LIMITS,
        resolutions=ARK_RESOLUTIONS,
    )


VIDEO_MODELS = {
    model.id: model
    for model in (
        VideoModel(
            id=OFFLINE_VIDEO_MODEL_ID,
            provider="local",
            model="animator",
            label="Offline animator",
            durations=(3, 5, 10),
            modes=("std",),
            aspects=("16:9", "9:16", "1:1", "4:5"),
            prompt_max=2500,
            limits=LOCAL_LIMITS,
        ),
        _kling("kling-v2-1", "Kling 2.1"),
        _kling("kling-v2-5-turbo", "Kling 2.5 Turbo"),
        _kling("kling-v2-6", "Kling 2.6"),
        _seedance("seedance-1-0-pro-250528", "Seedance 1.0 Pro"),
        _seedance("seedance-1-0-lite-i2v-250428", "Seedance 1.0 Lite (image to video)"),
        _seedance("seedance-1-5-pro-251215", "Seedance 1.5 Pro"),
    )
}

PROVIDER_LABELS = {"local": "the offline animator", "kling": "Kling", "seedance": "Seedance (Ark)"}


def video_models():
    """Every configured video model, id → VideoModel, in the table's order."""
    return dict(VIDEO_MODELS)


def video_model(model_id):
    """The row for `model_id`; KeyError names the id when there is none."""
    try:
        return VIDEO_MODELS[model_id]
    except KeyError:
        raise KeyError(f"Unknown video model: {model_id}") from None


def team_video_models(team):
    """The models `team` may use, in the table's order; the offline animator always."""
    allowed = set(team.allowed_video_models or []) | {OFFLINE_VIDEO_MODEL_ID}
    return [model for model_id, model in VIDEO_MODELS.items() if model_id in allowed]


def team_default_video_model(team):
    """The team's chosen video model when it is still allowed and known, else the offline animator."""
    allowed = {model.id for model in team_video_models(team)}
    active = team.active_video_model
    return VIDEO_MODELS[active] if active in allowed else VIDEO_MODELS[OFFLINE_VIDEO_MODEL_ID]
