"""The one place that builds a video provider client for a team (its keys, else the instance's).

The video model table itself is platform data in studio/engines/video.py: teams and credits read it too.
"""

from django.conf import settings

from studio.engines.video import (  # noqa: F401  (the table lives in the platform; re-exported for the pipeline)
    ARK_LIMITS,
    KLING_LIMITS,
    LOCAL_LIMITS,
    OFFLINE_VIDEO_MODEL_ID,
    PROVIDER_LABELS,
    VIDEO_MODELS,
    team_default_video_model,
    team_video_models,
    video_model,
    video_models,
)
from studio.video.providers.base import VideoProviderError
from studio.video.providers.kling import KlingProvider
from studio.video.providers.local import LocalAnimator
from studio.video.providers.seedance import SeedanceProvider


def _kling_keys(team):
    # Imported here: studio.teams reads this table for the team's model page, so a top-level import would cycle.
    from studio.teams.selectors import provider_key_for

    keys = provider_key_for(team=team, provider="kling")
    if keys is None:
        raise VideoProviderError(
            "No Kling key is set for this team: an admin can add one under Team → Provider keys",
            kind="auth",
            provider="kling",
        )
    return keys


def _ark_key(team):
    from studio.teams.selectors import provider_key_for

    key = provider_key_for(team=team, provider="ark")
    if not key:
        raise VideoProviderError(
            "No Ark (Seedance) key is set for this team: an admin can add one under Team → Provider keys",
            kind="auth",
            provider="seedance",
        )
    return key


def provider_for(*, team, model_id):
    """The client for `model_id` with `team`'s keys (its own first, else the instance's from the environment).

    Raises VideoProviderError(kind="auth") when no key is set, KeyError for an unknown model, and
    studio.teams.crypto.KeyStoreError when a stored key cannot be decrypted (never fall back to another account).
    """
    model = video_model(model_id)
    if model.provider == "local":
        return LocalAnimator()
    if model.provider == "kling":
        keys = _kling_keys(team)
        return KlingProvider(base_url=settings.KLING_BASE_URL, access_key=keys.access_key, secret_key=keys.secret_key)
    if model.provider == "seedance":
        return SeedanceProvider(base_url=settings.ARK_BASE_URL, api_key=_ark_key(team))
    raise KeyError(f"No client for provider {model.provider}")
