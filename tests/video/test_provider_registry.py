"""The video model table, the team's choice, and provider_for: the team's keys first, else the instance's."""

import io
import time

import pytest
from PIL import Image

from studio.teams.models import Team
from studio.video.providers.base import ShotSubmission, VideoProviderError
from studio.video.providers.kling import KlingProvider
from studio.video.providers.local import LocalAnimator
from studio.video.providers.registry import (
    OFFLINE_VIDEO_MODEL_ID,
    provider_for,
    team_default_video_model,
    team_video_models,
    video_model,
    video_models,
)
from studio.video.providers.seedance import SeedanceProvider
from tests.teams.factories import ProviderKeyFactory

pytestmark = pytest.mark.django_db


def frame_png():
    buffer = io.BytesIO()
    Image.new("RGB", (1280, 720), (10, 80, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def test_the_table_holds_the_offline_animator_and_the_kling_and_seedance_rows():
    assert list(video_models()) == [
        "local:animator",
        "kling:kling-v2-1",
        "kling:kling-v2-5-turbo",
        "kling:kling-v2-6",
        "seedance:seedance-1-0-pro-250528",
        "seedance:seedance-1-0-lite-i2v-250428",
        "seedance:seedance-1-5-pro-251215",
    ]
    local = video_model("local:animator")
    assert local.durations == (3, 5, 10) and set(local.aspects) == {"16:9", "9:16", "1:1", "4:5"}
    kling = video_model("kling:kling-v2-6")
    assert kling.durations == (5, 10) and kling.modes == ("std", "pro") and kling.prompt_max == 2500
    assert kling.limits.min_side == 300 and kling.limits.max_aspect == 2.5 and kling.limits.max_bytes == 10 * 2**20
    seedance = video_model("seedance:seedance-1-0-pro-250528")
    assert seedance.resolutions == ("480p", "720p", "1080p") and "adaptive" in seedance.aspects


def test_an_unknown_model_id_is_a_key_error_naming_it():
    with pytest.raises(KeyError, match="kling:kling-v9"):
        video_model("kling:kling-v9")


def test_a_new_team_may_use_the_offline_animator_and_starts_with_it(team):
    assert [m.id for m in team_video_models(team)] == [OFFLINE_VIDEO_MODEL_ID]
    assert team_default_video_model(team).id == OFFLINE_VIDEO_MODEL_ID


def test_the_teams_allowed_models_keep_the_table_order_and_the_animator(team):
    Team.objects.filter(pk=team.pk).update(
        allowed_video_models=["seedance:seedance-1-5-pro-251215", "kling:kling-v2-1"],
        active_video_model="kling:kling-v2-1",
    )
    team.refresh_from_db()
    assert [m.id for m in team_video_models(team)] == [
        "local:animator",
        "kling:kling-v2-1",
        "seedance:seedance-1-5-pro-251215",
    ]
    assert team_default_video_model(team).id == "kling:kling-v2-1"


def test_a_default_that_is_no_longer_allowed_falls_back_to_the_animator(team):
    Team.objects.filter(pk=team.pk).update(allowed_video_models=[], active_video_model="kling:kling-v2-6")
    team.refresh_from_db()
    assert team_default_video_model(team).id == OFFLINE_VIDEO_MODEL_ID


def test_the_offline_animator_needs_no_key_and_returns_the_clip_at_once(team, settings):
    settings.KLING_ACCESS_KEY = settings.KLING_SECRET_KEY = settings.ARK_API_KEY = ""
    provider = provider_for(team=team, model_id="local:animator")
    assert isinstance(provider, LocalAnimator)
    state = provider.submit(
        ShotSubmission(
            external_id="pf-1",
            model="animator",
            frame=frame_png(),
            frame_format="png",
            prompt="zoom in",
            duration=3,
            aspect="9:16",
            seed=5,
        )
    )
    assert state.status == "succeeded" and state.finished and state.video_bytes
    assert provider.download(state) == state.video_bytes


def test_without_any_kling_key_it_says_where_to_add_one(team, settings):
    settings.KLING_ACCESS_KEY = settings.KLING_SECRET_KEY = ""
    with pytest.raises(VideoProviderError) as refused:
        provider_for(team=team, model_id="kling:kling-v2-6")
    assert refused.value.kind == "auth"
    assert refused.value.message == (
        "No Kling key is set for this team: an admin can add one under Team → Provider keys"
    )


def test_half_a_kling_pair_in_the_environment_is_no_key(team, settings):
    settings.KLING_ACCESS_KEY, settings.KLING_SECRET_KEY = "ak-only", ""
    with pytest.raises(VideoProviderError, match="No Kling key"):
        provider_for(team=team, model_id="kling:kling-v2-1")


def test_without_an_ark_key_it_says_where_to_add_one(team, settings):
    settings.ARK_API_KEY = ""
    with pytest.raises(VideoProviderError, match="No Ark") as refused:
        provider_for(team=team, model_id="seedance:seedance-1-0-pro-250528")
    assert refused.value.kind == "auth"


def test_the_instance_kling_pair_reaches_the_host_from_settings(team, fake_kling):
    provider = provider_for(team=team, model_id="kling:kling-v2-6")
    assert isinstance(provider, KlingProvider)
    with pytest.raises(VideoProviderError) as refused:
        provider.lookup(external_id="nothing-here")
    assert refused.value.kind == "not_found"  # signed with the instance pair: the fake accepted the token
    assert fake_kling.requests[0].path == "/v1/videos/image2video/nothing-here"


def test_the_teams_own_kling_pair_comes_before_the_instance_pair(team, fake_kling, settings):
    settings.KLING_ACCESS_KEY, settings.KLING_SECRET_KEY = "instance-access", "instance-secret-instance-secret-00"
    ProviderKeyFactory(
        team=team,
        provider="kling",
        secret=f'{{"access_key": "{fake_kling.access_key}", "secret_key": "{fake_kling.secret_key}"}}',
    )
    provider = provider_for(team=team, model_id="kling:kling-v2-6")
    with pytest.raises(VideoProviderError) as refused:
        provider.lookup(external_id="nothing-here")
    assert refused.value.kind == "not_found"


def test_the_teams_own_ark_key_comes_before_the_instance_key(team, fake_ark, settings):
    settings.ARK_API_KEY = "ark-instance-key-that-fails"
    ProviderKeyFactory(team=team, provider="ark", secret=fake_ark.api_key)
    provider = provider_for(team=team, model_id="seedance:seedance-1-0-lite-i2v-250428")
    assert isinstance(provider, SeedanceProvider)
    assert (
        provider.recover(
            ShotSubmission(
                external_id="x",
                model="seedance-1-0-lite-i2v-250428",
                frame=frame_png(),
                frame_format="png",
                prompt="p",
                duration=5,
                aspect="16:9",
            ),
            since=time.time(),
        )
        is None
    )
    assert fake_ark.requests[0].headers["authorization"] == f"Bearer {fake_ark.api_key}"
