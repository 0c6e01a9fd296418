"""The Kling client over real HTTP against the local Kling fake: the JWT, the body, every error class, lookups."""

import base64
import io
import socket
import time

import httpx
import jwt
import pytest
from PIL import Image

from studio.engines.video import kling_token as sign
from studio.video import media
from studio.video.providers.base import ShotSubmission
from studio.video.providers.base import VideoProviderError as Refused
from studio.video.providers.kling import KlingProvider
from studio.video.providers.registry import KLING_LIMITS


def frame_png(width=1280, height=720):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (90, 120, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def shot(external_id="pf-shot-1-a1", **changes):
    values = {
        "external_id": external_id,
        "model": "kling-v2-6",
        "frame": frame_png(),
        "frame_format": "png",
        "prompt": "slow push in on the bottle",
        "duration": 5,
        "aspect": "16:9",
        "mode": "pro",
        "negative_prompt": "blur",
    }
    values.update(changes)
    return ShotSubmission(**values)


@pytest.fixture
def kling(fake_kling):
    client = KlingProvider(base_url=fake_kling.url, access_key=fake_kling.access_key, secret_key=fake_kling.secret_key)
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


def test_each_request_carries_a_fresh_hs256_jwt_with_kling_claims(kling, fake_kling):
    before = int(time.time())
    state = kling.submit(shot())
    kling.lookup(task_id=state.task_id)
    tokens = [r.headers["authorization"].removeprefix("Bearer ") for r in fake_kling.requests]
    assert len(tokens) == 2
    for token in tokens:
        assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
        claims = jwt.decode(token, fake_kling.secret_key, algorithms=["HS256"], options={"verify_nbf": False})
        assert claims["iss"] == fake_kling.access_key
        assert before + 1800 <= claims["exp"] <= int(time.time()) + 1800
        assert claims["nbf"] <= int(time.time()) - 5


def test_submit_sends_raw_base64_the_duration_as_a_string_and_the_external_id(kling, fake_kling):
    submission = shot(callback_url="http://127.0.0.1:9/video/callback/abc")
    state = kling.submit(submission)
    body = fake_kling.requests_to("POST", "/v1/videos/image2video")[0].json
    assert base64.b64decode(body["image"]) == submission.frame and not body["image"].startswith("data:")
    assert body["duration"] == "5" and body["mode"] == "pro" and body["model_name"] == "kling-v2-6"
    assert body["external_task_id"] == "pf-shot-1-a1" and body["negative_prompt"] == "blur"
    assert body["callback_url"] == "http://127.0.0.1:9/video/callback/abc"
    assert state.status == "queued" and state.task_id


def test_a_task_runs_to_success_and_its_clip_downloads_as_a_real_mp4(kling):
    state = wait_finished(kling, kling.submit(shot()).task_id)
    assert state.status == "succeeded" and state.video_url and state.duration == 5.0
    clip = kling.download(state)
    width, height, seconds = media.probe(clip)
    assert seconds == pytest.approx(5, abs=0.05) and width > 0 and height > 0


def test_a_task_is_found_by_its_external_id_when_the_task_id_was_never_saved(kling, fake_kling):
    created = kling.submit(shot("pf-shot-7-a1"))
    found = kling.lookup(external_id="pf-shot-7-a1")
    assert found.task_id == created.task_id
    assert fake_kling.creates_by_external_id["pf-shot-7-a1"] == 1


def test_an_external_id_kling_never_saw_is_not_found_so_submitting_is_safe(kling):
    with pytest.raises(Refused) as refused:
        kling.lookup(external_id="pf-never-sent")
    assert refused.value.kind == "not_found"


def test_a_saved_task_id_kling_no_longer_knows_has_expired(kling):
    with pytest.raises(Refused) as refused:
        kling.lookup(task_id="860000000000000999")
    assert refused.value.kind == "expired"


def test_a_reused_external_id_is_refused_and_not_created_twice(kling, fake_kling):
    kling.submit(shot("pf-shot-2-a1"))
    with pytest.raises(Refused) as refused:
        kling.submit(shot("pf-shot-2-a1"))
    assert refused.value.kind == "user" and refused.value.code == "1201"
    assert "already exists" in refused.value.message
    assert fake_kling.creates_by_external_id["pf-shot-2-a1"] == 1


@pytest.mark.parametrize(
    ("knob", "code", "kind"), [("rate_limit_next", 1302, "rate"), ("concurrency_next", 1303, "rate")]
)
def test_rate_and_concurrency_limits_are_retryable_after_at_least_a_second(kling, fake_kling, knob, code, kind):
    setattr(fake_kling, knob, 1)
    with pytest.raises(Refused) as refused:
        kling.submit(shot())
    assert (refused.value.kind, refused.value.code) == (kind, str(code))
    assert refused.value.retryable and refused.value.retry_after >= 1
    assert not fake_kling.creates_by_external_id  # nothing was created: trying again is safe


def test_a_server_error_is_an_outage_to_retry_with_backoff(kling, fake_kling):
    fake_kling.outage_next = 1
    with pytest.raises(Refused) as refused:
        kling.lookup(external_id="anything")
    assert refused.value.kind == "outage" and refused.value.code == "5000" and refused.value.retry_after >= 1


def test_an_expired_token_is_signed_again_once_and_the_read_succeeds(kling, fake_kling):
    created = kling.submit(shot())
    fake_kling.expire_tokens_next = 1
    assert kling.lookup(task_id=created.task_id).task_id == created.task_id
    gets = fake_kling.requests_to("GET", "/v1/videos/image2video/")
    assert len(gets) == 2 and gets[0].headers["authorization"] != "" and fake_kling.expire_tokens_next == 0


def test_a_token_refused_twice_is_an_auth_failure(kling, fake_kling):
    fake_kling.expire_tokens_next = 2
    with pytest.raises(Refused) as refused:
        kling.lookup(external_id="x")
    assert refused.value.kind == "auth" and refused.value.code == "1004"


def test_a_wrong_secret_is_an_auth_failure_with_kling_s_words(fake_kling):
    client = KlingProvider(
        base_url=fake_kling.url, access_key=fake_kling.access_key, secret_key="not-the-secret-but-long-enough-for-hs256"
    )
    with pytest.raises(Refused) as refused:
        client.submit(shot())
    assert refused.value.kind == "auth" and refused.value.code == "1002"
    assert "Authorization is invalid" in refused.value.message and "secret key" in refused.value.message


def test_a_token_signed_in_the_future_is_refused_as_not_yet_valid(fake_kling):
    token = sign(fake_kling.access_key, fake_kling.secret_key, now=time.time() + 600)
    response = httpx.get(f"{fake_kling.url}/v1/videos/image2video/x", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.json()["code"] == 1003


def test_a_policy_refusal_is_final_with_the_provider_s_message(kling, fake_kling):
    fake_kling.refuse_policy = True
    with pytest.raises(Refused) as refused:
        kling.submit(shot())
    assert refused.value.kind == "user" and refused.value.code == "1301" and not refused.value.retryable
    assert "content security policy" in refused.value.message


def test_an_empty_resource_pack_is_a_quota_refusal(kling, fake_kling):
    fake_kling.quota_exhausted = True
    with pytest.raises(Refused) as refused:
        kling.submit(shot())
    assert refused.value.kind == "quota" and refused.value.code == "1102"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"frame": frame_png(1600, 500)}, "aspect ratio"),
        ({"frame": frame_png(280, 280)}, "at least 300px"),
        ({"prompt": "x" * 2501}, "2500 characters"),
        ({"duration": 7}, "duration"),
        ({"mode": "ultra"}, "mode"),
    ],
)
def test_input_kling_refuses_is_a_final_user_error(kling, fake_kling, changes, words):
    with pytest.raises(Refused) as refused:
        kling.submit(shot(**changes))
    assert refused.value.kind == "user" and words in refused.value.message
    assert not fake_kling.tasks


def test_a_frame_fitted_first_is_accepted(kling):
    data, fmt, note = media.fit_frame(frame_png(1600, 500), KLING_LIMITS, provider_label="Kling")
    assert note == "Padded to 2.5:1 for Kling."
    assert kling.submit(shot(frame=data, frame_format=fmt)).status == "queued"


def test_a_failed_task_reports_kling_s_reason(kling, fake_kling):
    fake_kling.fail_tasks = True
    state = wait_finished(kling, kling.submit(shot()).task_id)
    assert state.status == "failed" and "risk control" in state.message


def test_an_expired_result_link_is_reported_as_expired(kling, fake_kling):
    state = wait_finished(kling, kling.submit(shot()).task_id)
    fake_kling.expire_results()
    with pytest.raises(Refused) as refused:
        kling.download(state)
    assert refused.value.kind == "expired" and not refused.value.retryable


def test_a_finished_task_is_posted_unsigned_to_its_callback_url(kling, fake_kling, video_callback_receiver):
    state = kling.submit(shot(callback_url=video_callback_receiver.url + "/cb/shot-1"))
    assert fake_kling.wait_for(lambda: any(c.status == 200 for c in fake_kling.callbacks))
    body = fake_kling.callbacks[0].body
    assert body["task_id"] == state.task_id and body["task_status"] == "succeed"
    assert video_callback_receiver.received[0]["path"] == "/cb/shot-1"
    assert "authorization" not in video_callback_receiver.received[0]["headers"]


def test_a_lost_answer_to_a_create_is_unknown_and_the_task_is_then_found_by_external_id(fake_kling):
    fake_kling.answer_delay = 1.0
    client = KlingProvider(
        base_url=fake_kling.url,
        access_key=fake_kling.access_key,
        secret_key=fake_kling.secret_key,
        timeout=httpx.Timeout(0.3, connect=2.0),
    )
    with pytest.raises(Refused) as refused:
        client.submit(shot("pf-shot-9-a1"))
    assert refused.value.kind == "unknown" and not refused.value.retryable
    fake_kling.answer_delay = 0.0
    assert client.lookup(external_id="pf-shot-9-a1").task_id
    assert fake_kling.creates_by_external_id["pf-shot-9-a1"] == 1


def closed_port():
    """An address where nothing listens, so a connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_a_create_that_never_left_is_an_outage():
    client = KlingProvider(base_url=closed_port(), access_key="ak", secret_key="sk-secret-long-enough-for-hs256-0000")
    with pytest.raises(Refused) as refused:
        client.submit(shot())
    assert refused.value.kind == "outage" and refused.value.retryable


def test_a_gateway_error_after_a_create_is_unknown_not_an_outage_to_resubmit(kling, fake_kling):
    fake_kling.gateway_error_next = 1
    with pytest.raises(Refused) as refused:
        kling.submit(shot("pf-shot-4-a1"))
    assert refused.value.kind == "unknown" and refused.value.code == "502"
    assert kling.lookup(external_id="pf-shot-4-a1").task_id
    assert fake_kling.creates_by_external_id["pf-shot-4-a1"] == 1
