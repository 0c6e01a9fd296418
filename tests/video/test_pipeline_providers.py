"""The pipeline against the Kling and Ark fakes over real HTTP: submissions with external ids, polling, refusals,
rate limits, lost answers, expired results, cancels, the concurrency limit and callbacks."""

import pytest
from django.urls import reverse

from studio.credits.models import LedgerEntry, VideoPriceRule, Wallet
from studio.credits.services import credits_grant
from studio.video import services
from studio.video.models import Sequence, Shot
from tests.video.driver import Driver

pytestmark = pytest.mark.django_db

KLING = "kling:kling-v2-6"
SEEDANCE = "seedance:seedance-1-0-pro-250528"
GRANT = 500


@pytest.fixture
def driver(monkeypatch, django_capture_on_commit_callbacks):
    return Driver(monkeypatch, django_capture_on_commit_callbacks)


@pytest.fixture
def video_team(team):
    team.allowed_video_models = [KLING, SEEDANCE]
    team.save()
    credits_grant(team=team, amount=GRANT, idempotency_key="video-provider-grant")
    return team


def _sequence(team, user, model_id, count=1, **shot):
    shots = [
        {"frame_prompt": f"A red kite over a beach, shot {n}", "motion_prompt": "slow pan right", "duration": 5, **shot}
        for n in range(1, count + 1)
    ]
    return services.sequence_create(team=team, user=user, brief="Kites at the beach", model_id=model_id, shots=shots)


def _price(model_id, mode="std", duration=5):
    return VideoPriceRule.objects.get(model_id=model_id, mode=mode, duration=duration).credits


def _balance(team):
    wallet = Wallet.objects.get(team=team)
    return wallet.balance, wallet.held


def test_kling_renders_each_shot_once_and_the_clip_lands_in_the_library(video_team, member, driver, fake_kling):
    sequence = _sequence(video_team, member, KLING, count=2)
    driver.call(services.sequence_start, sequence=sequence, user=member)
    driver.drain()
    sequence.refresh_from_db()
    assert sequence.status == Sequence.Status.DONE, sequence.message
    for shot in sequence.shots.select_related("clip"):
        assert shot.status == Shot.Status.DONE
        assert fake_kling.creates_by_external_id[shot.external_id] == 1
        assert shot.clip.provenance["task_id"] == shot.provider_task_id
        assert shot.clip.provenance["provider"] == "kling"
    assert _balance(video_team) == (GRANT - 2 * _price(KLING), 0)


def test_a_kling_policy_refusal_shows_on_the_shot_and_returns_its_credits(video_team, member, driver, fake_kling):
    fake_kling.refuse_policy = True
    sequence = _sequence(video_team, member, KLING)
    driver.call(services.sequence_start, sequence=sequence, user=member)
    driver.drain()
    shot = sequence.shots.get()
    assert shot.status == Shot.Status.FAILED
    assert "content security policy" in shot.message
    assert _balance(video_team) == (GRANT, 0)
    sequence.refresh_from_db()
    assert sequence.status == Sequence.Status.STOPPED
    assert "retry it" in sequence.message


def test_rate_limits_and_outages_are_retried_without_a_second_task(video_team, member, driver, fake_kling):
    fake_kling.rate_limit_next = 1
    fake_kling.outage_next = 1
    sequence = _sequence(video_team, member, KLING)
    driver.call(services.sequence_start, sequence=sequence, user=member)
    driver.drain()
    shot = sequence.shots.get()
    assert shot.status == Shot.Status.DONE, shot.message
    assert fake_kling.creates_by_external_id[shot.external_id] == 1


def _impatient_clients(monkeypatch):
    """Provider clients that wait one second for an answer, so a fake's late answer is a lost one."""
    import httpx

    from studio.video.providers import registry
    from studio.video.providers.kling import KlingProvider
    from studio.video.providers.seedance import SeedanceProvider

    def provider_for(*, team, model_id, _original=registry.provider_for):
        client = _original(team=team, model_id=model_id)
        short = httpx.Timeout(1.0, connect=1.0)
        if isinstance(client, KlingProvider):
            keys = registry._kling_keys(team)
            from django.conf import settings

            return KlingProvider(
                base_url=settings.KLING_BASE_URL, access_key=keys.access_key, secret_key=keys.secret_key, timeout=short
            )
        if isinstance(client, SeedanceProvider):
            from django.conf import settings

            return SeedanceProvider(base_url=settings.ARK_BASE_URL, api_key=registry._ark_key(team), timeout=short)
        return client

    monkeypatch.setattr(registry, "provider_for", provider_for)


def test_a_lost_create_answer_is_found_by_external_id_and_not_submitted_again(
    video_team, member, driver, fake_kling, monkeypatch
):
    _impatient_clients(monkeypatch)
    fake_kling.answer_delay = 2.5  # longer than the client waits: the task is made, its answer never arrives
    sequence = _sequence(video_team, member, KLING)
    driver.call(services.sequence_start, sequence=sequence, user=member)
    driver.drain(limit=3)  # the frame, then the submit whose answer is lost
    fake_kling.answer_delay = 0.0
    driver.drain()
    shot = sequence.shots.get()
    assert shot.status == Shot.Status.DONE, shot.message
    assert shot.submit_tries >= 2
    assert fake_kling.creates_by_external_id[shot.external_id] == 1


def test_an_expired_result_is_reported_and_not_retried(video_team, member, driver, fake_kling):
    fake_kling.expire_results()
    sequence = _sequence(video_team, member, KLING)
    driver.call(services.sequence_start, sequence=sequence, user=member)
    driver.drain()
    shot = sequence.shots.get()
    assert shot.status == Shot.Status.EXPIRED
    assert "24 hours" in shot.message or "no longer" in shot.message
    assert fake_kling.creates_by_external_id[shot.external_id] == 1
    assert _balance(video_team) == (GRANT, 0)


def test_a_second_shot_waits_for_a_free_place_under_the_concurrency_limit(
    video_team, member, driver, fake_kling, settings
):
    settings.VIDEO_KLING_CONCURRENCY = 1
    sequence = _sequence(video_team, member, KLING, count=2)
    driver.call(services.sequence_start, sequence=sequence, user=member)
    seen_waiting = False
    while driver.queue:
        driver.drain(limit=1)
        assert sequence.shots.filter(status=Shot.Status.RENDERING).count() <= 1
        seen_waiting |= sequence.shots.filter(message__startswith="Waiting for a free place at Kling").exists()
    assert seen_waiting
    assert set(sequence.shots.values_list("status", flat=True)) == {Shot.Status.DONE}


def test_a_lost_ark_create_is_recovered_from_the_listing_and_not_submitted_again(
    video_team, member, driver, fake_ark, monkeypatch
):
    _impatient_clients(monkeypatch)
    fake_ark.answer_delay = 2.5
    sequence = _sequence(video_team, member, SEEDANCE)
    driver.call(services.sequence_start, sequence=sequence, user=member)
    driver.drain(limit=3)
    fake_ark.answer_delay = 0.0
    driver.drain()
    shot = sequence.shots.get()
    assert shot.status == Shot.Status.DONE, shot.message
    assert shot.submit_tries >= 2
    assert sum(fake_ark.creates_by_fingerprint.values()) == 1


def test_seedance_renders_through_ark_and_keeps_the_clip(video_team, member, driver, fake_ark):
    sequence = _sequence(video_team, member, SEEDANCE)
    driver.call(services.sequence_start, sequence=sequence, user=member)
    driver.drain()
    shot = sequence.shots.select_related("clip").get()
    assert shot.status == Shot.Status.DONE, shot.message
    assert shot.clip.provenance["provider"] == "seedance"
    assert sum(fake_ark.creates_by_fingerprint.values()) == 1
    assert _balance(video_team) == (GRANT - _price(SEEDANCE), 0)


def test_an_ark_quota_refusal_fails_the_shot_with_its_message(video_team, member, driver, fake_ark):
    fake_ark.quota_exhausted = True
    sequence = _sequence(video_team, member, SEEDANCE)
    driver.call(services.sequence_start, sequence=sequence, user=member)
    driver.drain()
    shot = sequence.shots.get()
    assert shot.status == Shot.Status.FAILED
    assert shot.message.startswith("Seedance")
    assert _balance(video_team) == (GRANT, 0)


def test_cancelling_a_queued_ark_task_cancels_it_there_and_returns_the_credits(video_team, member, driver, fake_ark):
    fake_ark.hold_queued = True
    sequence = _sequence(video_team, member, SEEDANCE)
    driver.call(services.sequence_start, sequence=sequence, user=member)
    driver.drain(limit=4)
    shot = sequence.shots.get()
    assert shot.status == Shot.Status.RENDERING
    driver.call(services.shot_cancel, shot=shot, user=member)
    shot.refresh_from_db()
    assert shot.status == Shot.Status.CANCELLED
    assert any(r.method == "DELETE" for r in fake_ark.requests)
    assert _balance(video_team) == (GRANT, 0)
    driver.drain()
    shot.refresh_from_db()
    assert shot.status == Shot.Status.CANCELLED


def test_a_failed_shot_is_retried_with_a_new_external_id_and_its_frame_kept(video_team, member, driver, fake_kling):
    fake_kling.refuse_policy = True
    sequence = _sequence(video_team, member, KLING)
    driver.call(services.sequence_start, sequence=sequence, user=member)
    driver.drain()
    shot = sequence.shots.get()
    frame = shot.frame_asset_id
    fake_kling.refuse_policy = False
    driver.call(services.shot_retry, shot=shot, user=member)
    driver.drain()
    shot.refresh_from_db()
    assert shot.status == Shot.Status.DONE
    assert (shot.attempt, shot.frame_asset_id) == (2, frame)
    assert shot.external_id.endswith("-2")
    assert fake_kling.creates_by_external_id[shot.external_id] == 1
    sequence.refresh_from_db()
    assert sequence.status == Sequence.Status.DONE
    captured = LedgerEntry.objects.filter(wallet__team=video_team, kind="capture").count()
    assert captured == 1


def test_a_forged_callback_is_refused_and_changes_nothing(video_team, member, driver, fake_kling, client):
    sequence = _sequence(video_team, member, KLING)
    driver.call(services.sequence_start, sequence=sequence, user=member)
    driver.drain(limit=2)
    shot = sequence.shots.get()
    before = Shot.objects.filter(pk=shot.pk).values().get()
    queued = len(driver.queue)
    url = reverse("video_callback", args=[shot.uuid, "not-the-token"])
    response = client.post(
        url, data={"task_id": shot.provider_task_id, "task_status": "succeed"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert Shot.objects.filter(pk=shot.pk).values().get() == before
    assert len(driver.queue) == queued


def test_a_replayed_callback_only_queues_a_lookup_and_finishes_nothing_twice(
    video_team, member, driver, fake_kling, client
):
    sequence = _sequence(video_team, member, KLING)
    driver.call(services.sequence_start, sequence=sequence, user=member)
    driver.drain()
    shot = sequence.shots.get()
    assert shot.status == Shot.Status.DONE
    url = reverse("video_callback", args=[shot.uuid, shot.callback_token])
    body = {"task_id": shot.provider_task_id, "task_status": "failed"}
    for _ in range(2):
        assert client.post(url, data=body, content_type="application/json").status_code == 200
    driver.drain()
    shot.refresh_from_db()
    assert shot.status == Shot.Status.DONE
    assert LedgerEntry.objects.filter(hold=shot.hold, kind="capture").count() == 1
    assert fake_kling.creates_by_external_id[shot.external_id] == 1


def test_a_frame_outside_klings_limits_is_fitted_and_the_shot_says_how(video_team, member, driver, fake_kling):
    import base64
    import io

    from PIL import Image

    from library.services import Origin, asset_ingest

    fake_kling.refuse_policy = True
    sequence = _sequence(video_team, member, KLING)
    driver.call(services.sequence_start, sequence=sequence, user=member)
    driver.drain()
    shot = sequence.shots.get()
    buffer = io.BytesIO()
    Image.new("RGB", (300, 900), (200, 80, 40)).save(buffer, "PNG")
    tall = asset_ingest(team=video_team, user=member, data=buffer.getvalue(), filename="tall.png", origin=Origin())
    Shot.objects.filter(pk=shot.pk).update(frame_asset=tall)
    fake_kling.refuse_policy = False
    driver.call(services.shot_retry, shot=shot, user=member)
    driver.drain()
    shot.refresh_from_db()
    assert shot.status == Shot.Status.DONE, shot.message
    assert shot.fit_note == "Cropped to 16:9; enlarged to 300 px on the short side for Kling 2.6."
    [create] = [
        r for r in fake_kling.requests if r.method == "POST" and r.json.get("external_task_id") == shot.external_id
    ]
    sent = Image.open(io.BytesIO(base64.b64decode(create.json["image"])))
    assert abs(sent.width / sent.height - 16 / 9) < 0.02 and min(sent.size) >= 300


def test_a_provider_without_a_key_is_named_before_anything_runs_or_is_held(video_team, member, driver, settings):
    settings.KLING_ACCESS_KEY = settings.KLING_SECRET_KEY = ""
    sequence = _sequence(video_team, member, KLING)
    with pytest.raises(services.VideoError) as refused:
        driver.call(services.sequence_start, sequence=sequence, user=member)
    assert "No Kling key is set for this team" in refused.value.errors["model_id"]
    assert not LedgerEntry.objects.filter(wallet__team=video_team, kind="hold").exists()
    assert not driver.queue


def test_a_model_the_team_no_longer_allows_is_refused_at_the_start(video_team, member, driver, fake_kling):
    sequence = _sequence(video_team, member, KLING)
    video_team.allowed_video_models = []
    video_team.save()
    with pytest.raises(services.VideoError) as refused:
        driver.call(services.sequence_start, sequence=sequence, user=member)
    assert "Kling 2.6 is not enabled for your team any more" in refused.value.errors["model_id"]
