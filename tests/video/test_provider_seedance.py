"""The Seedance (Ark) client over real HTTP against the local Ark fake: the body, errors, cancel, recovery."""

import base64
import io
import time

import httpx
import pytest
from PIL import Image

from studio.video import media
from studio.video.providers.base import ShotSubmission
from studio.video.providers.base import VideoProviderError as Refused
from studio.video.providers.seedance import SeedanceProvider


def frame_png(width=1280, height=720):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (120, 90, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def shot(**changes):
    values = {
        "external_id": "pf-shot-3-a1",
        "model": "seedance-1-0-pro-250528",
        "frame": frame_png(),
        "frame_format": "png",
        "prompt": "the camera drifts left past the dancer",
        "duration": 5,
        "aspect": "16:9",
        "seed": 42,
        "resolution": "1080p",
    }
    values.update(changes)
    return ShotSubmission(**values)


@pytest.fixture
def ark(fake_ark):
    client = SeedanceProvider(base_url=fake_ark.url, api_key=fake_ark.api_key)
    yield client
    client.close()


def wait_finished(client, task_id, timeout=5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.lookup(task_id=task_id)
        if state.finished:
            return state
        time.sleep(0.05)
    raise AssertionError("the task did not finish")


def test_submit_sends_a_bearer_key_the_text_and_the_first_frame_with_body_fields(ark, fake_ark):
    submission = shot(callback_url="http://127.0.0.1:9/video/callback/xyz")
    state = ark.submit(submission)
    request = fake_ark.requests_to("POST", "/api/v3/contents/generations/tasks")[0]
    assert request.headers["authorization"] == f"Bearer {fake_ark.api_key}"
    body = request.json
    text, image = body["content"]
    assert text == {"type": "text", "text": "the camera drifts left past the dancer"}
    assert image["role"] == "first_frame" and image["type"] == "image_url"
    prefix, encoded = image["image_url"]["url"].split(",", 1)
    assert prefix == "data:image/png;base64" and base64.b64decode(encoded) == submission.frame
    assert (body["resolution"], body["ratio"], body["duration"], body["seed"]) == ("1080p", "16:9", 5, 42)
    assert body["camera_fixed"] is False and body["watermark"] is False
    assert body["callback_url"] == "http://127.0.0.1:9/video/callback/xyz"
    assert state.status == "queued" and state.task_id.startswith("cgt-")


def test_a_task_runs_to_success_and_its_clip_downloads_as_a_real_mp4(ark):
    state = wait_finished(ark, ark.submit(shot()).task_id)
    assert state.status == "succeeded" and state.video_url
    width, height, seconds = media.probe(ark.download(state))
    assert seconds == pytest.approx(5, abs=0.05)


def test_a_wrong_key_is_an_auth_failure(fake_ark):
    client = SeedanceProvider(base_url=fake_ark.url, api_key="ark-wrong")
    with pytest.raises(Refused) as refused:
        client.submit(shot())
    assert refused.value.kind == "auth" and refused.value.code == "AuthenticationError"
    assert "Ark refused the key" in refused.value.message


def test_a_rate_limit_is_retryable_after_at_least_a_second(ark, fake_ark):
    fake_ark.rate_limit_next = 1
    with pytest.raises(Refused) as refused:
        ark.submit(shot())
    assert refused.value.kind == "rate" and refused.value.retry_after >= 1
    assert not fake_ark.creates_by_fingerprint


def test_a_server_error_is_an_outage(ark, fake_ark):
    fake_ark.outage_next = 1
    with pytest.raises(Refused) as refused:
        ark.lookup(task_id="cgt-anything")
    assert refused.value.kind == "outage" and refused.value.retryable


def test_a_sensitive_prompt_is_a_final_refusal_with_ark_s_message(ark, fake_ark):
    fake_ark.refuse_policy = True
    with pytest.raises(Refused) as refused:
        ark.submit(shot())
    assert refused.value.kind == "user" and refused.value.code == "InputTextSensitiveContentDetected"
    assert "sensitive information" in refused.value.message


def test_an_overdue_account_is_a_quota_refusal(ark, fake_ark):
    fake_ark.quota_exhausted = True
    with pytest.raises(Refused) as refused:
        ark.submit(shot())
    assert refused.value.kind == "quota"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"frame": frame_png(1400, 500)}, "aspect ratio"),
        ({"frame": frame_png(200, 200)}, "at least 300"),
        ({"resolution": "4k"}, "resolution"),
        ({"aspect": "5:4"}, "ratio"),
        ({"duration": 7}, "duration"),
    ],
)
def test_input_ark_refuses_is_a_final_user_error(ark, fake_ark, changes, words):
    with pytest.raises(Refused) as refused:
        ark.submit(shot(**changes))
    assert refused.value.kind == "user" and words in refused.value.message
    assert not fake_ark.tasks


def test_a_failed_task_carries_ark_s_reason(ark, fake_ark):
    fake_ark.fail_tasks = True
    state = wait_finished(ark, ark.submit(shot()).task_id)
    assert state.status == "failed" and "sensitive information" in state.message


def test_a_task_past_its_24_hours_is_expired_not_retried(ark, fake_ark):
    state = wait_finished(ark, ark.submit(shot()).task_id)
    fake_ark.expire_results()
    with pytest.raises(Refused) as refused:
        ark.lookup(task_id=state.task_id)
    assert refused.value.kind == "expired" and not refused.value.retryable
    with pytest.raises(Refused) as refused:
        ark.download(state)
    assert refused.value.kind == "expired"


def test_a_queued_task_is_cancelled_with_delete(ark, fake_ark):
    fake_ark.hold_queued = True
    state = ark.submit(shot())
    ark.cancel(task_id=state.task_id)
    assert fake_ark.requests_to("DELETE", "/api/v3/contents/generations/tasks/")
    assert ark.lookup(task_id=state.task_id).status == "cancelled"


def test_a_finished_task_is_never_deleted_by_cancel(ark, fake_ark):
    state = wait_finished(ark, ark.submit(shot()).task_id)
    with pytest.raises(Refused) as refused:
        ark.cancel(task_id=state.task_id)
    assert "only a queued task" in refused.value.message
    assert not fake_ark.requests_to("DELETE", "/api/v3/contents/generations/tasks/")
    assert ark.lookup(task_id=state.task_id).status == "succeeded"


def test_lookup_by_external_id_is_impossible_at_ark_and_says_so(ark):
    with pytest.raises(Refused) as refused:
        ark.lookup(external_id="pf-shot-3-a1")
    assert refused.value.kind == "unknown" and "no external task id" in refused.value.message


def test_a_lost_answer_is_unknown_and_recovered_from_the_listing_without_a_second_create(fake_ark):
    fake_ark.answer_delay = 1.0
    client = SeedanceProvider(base_url=fake_ark.url, api_key=fake_ark.api_key, timeout=httpx.Timeout(0.3, connect=2))
    since = time.time()
    submission = shot()
    with pytest.raises(Refused) as refused:
        client.submit(submission)
    assert refused.value.kind == "unknown"
    fake_ark.answer_delay = 0.0
    found = client.recover(submission, since=since)
    assert found is not None and found.task_id in fake_ark.tasks
    assert sum(fake_ark.creates_by_fingerprint.values()) == 1
    listing = fake_ark.requests_to("GET", "/api/v3/contents/generations/tasks")[-1]
    assert listing.query["filter.model"] == "seedance-1-0-pro-250528"


def test_recovery_finds_nothing_when_the_create_never_arrived(ark):
    assert ark.recover(shot(), since=time.time()) is None


def test_recovery_tells_apart_two_shots_of_the_same_model(ark):
    mine = ark.submit(shot(seed=1))
    ark.submit(shot(seed=2, duration=10))
    assert ark.recover(shot(seed=1), since=time.time() - 5).task_id == mine.task_id


def test_recovery_never_guesses_between_tasks_it_cannot_tell_apart(ark):
    ark.submit(shot())
    ark.submit(shot())
    with pytest.raises(Refused) as refused:
        ark.recover(shot(), since=time.time() - 5)
    assert refused.value.kind == "unknown" and "none is picked blindly" in refused.value.message


def test_a_finished_task_is_posted_to_its_callback_url(ark, fake_ark, video_callback_receiver):
    state = ark.submit(shot(callback_url=video_callback_receiver.url + "/cb/shot-3"))
    assert fake_ark.wait_for(lambda: any(c.status == 200 for c in fake_ark.callbacks))
    received = video_callback_receiver.received[0]
    assert received["path"] == "/cb/shot-3"
    assert received["json"]["id"] == state.task_id and received["json"]["status"] == "succeeded"


def test_a_gateway_error_after_a_create_is_unknown_and_the_task_is_recovered(ark, fake_ark):
    fake_ark.gateway_error_next = 1
    since = time.time()
    with pytest.raises(Refused) as refused:
        ark.submit(shot())
    assert refused.value.kind == "unknown"
    assert ark.recover(shot(), since=since).task_id in fake_ark.tasks
    assert sum(fake_ark.creates_by_fingerprint.values()) == 1
