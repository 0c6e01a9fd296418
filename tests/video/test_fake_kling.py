"""The Kling fake itself, over raw HTTP: it refuses what Kling refuses, so client tests against it mean something."""

import base64
import io
import time

import httpx
import jwt
import pytest
from PIL import Image

from studio.engines.video import kling_token as sign
from studio.video import media

PATH = "/v1/videos/image2video"


def png(width=640, height=360):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (1, 2, 3)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def call(fake, method, path, *, token=None, json=None):
    token = token if token is not None else sign(fake.access_key, fake.secret_key)
    return httpx.request(method, fake.url + path, json=json, headers={"Authorization": f"Bearer {token}"})


def body(**changes):
    values = {"model_name": "kling-v2-1", "image": png(), "prompt": "p", "duration": "5", "mode": "std"}
    values.update(changes)
    return values


def test_a_task_moves_from_submitted_through_processing_to_succeed(fake_kling):
    fake_kling.progress_seconds = 1.5
    created = call(fake_kling, "POST", PATH, json=body(external_task_id="e-1")).json()
    assert created["code"] == 0 and created["data"]["task_status"] == "submitted"
    assert created["data"]["task_info"] == {"external_task_id": "e-1"}
    seen = set()
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline and "succeed" not in seen:
        seen.add(call(fake_kling, "GET", f"{PATH}/e-1").json()["data"]["task_status"])
        time.sleep(0.05)
    assert {"processing", "succeed"} <= seen
    data = call(fake_kling, "GET", f"{PATH}/{created['data']['task_id']}").json()["data"]
    video = data["task_result"]["videos"][0]
    assert video["duration"] == "5"
    assert media.probe(httpx.get(video["url"]).content)[2] == pytest.approx(5, abs=0.05)


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"iss": "someone-else"}, 1002),
        ({"nbf_offset": 300}, 1003),
        ({"exp_offset": -10}, 1004),
    ],
)
def test_it_verifies_the_token_claims(fake_kling, claims, code):
    now = int(time.time())
    payload = {
        "iss": claims.get("iss", fake_kling.access_key),
        "exp": now + claims.get("exp_offset", 1800),
        "nbf": now + claims.get("nbf_offset", -5),
    }
    token = jwt.encode(payload, fake_kling.secret_key, algorithm="HS256", headers={"typ": "JWT"})
    response = call(fake_kling, "GET", f"{PATH}/x", token=token)
    assert response.status_code == 401 and response.json()["code"] == code


def test_it_refuses_a_missing_token_and_one_signed_with_another_secret(fake_kling):
    assert httpx.get(fake_kling.url + f"{PATH}/x").json()["code"] == 1001
    forged = sign(fake_kling.access_key, "another-secret-another-secret-0000")
    assert call(fake_kling, "GET", f"{PATH}/x", token=forged).json()["code"] == 1002


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"image": "data:image/png;base64," + png()}, "data: prefix"),
        ({"image": "!!!"}, "base64"),
        ({"duration": 5}, "duration"),
        ({"negative_prompt": "n" * 2501}, "2500"),
        ({"model_name": "kling-v9"}, "model_name"),
        ({"image": png(300, 800)}, "aspect ratio"),
    ],
)
def test_it_refuses_bodies_kling_refuses(fake_kling, changes, words):
    response = call(fake_kling, "POST", PATH, json=body(**changes))
    assert response.status_code == 400 and response.json()["code"] == 1201
    assert words in response.json()["message"]


def test_it_counts_creates_per_external_id_and_refuses_a_reuse(fake_kling):
    assert call(fake_kling, "POST", PATH, json=body(external_task_id="same")).json()["code"] == 0
    assert call(fake_kling, "POST", PATH, json=body(external_task_id="same")).json()["code"] == 1201
    assert fake_kling.creates_by_external_id == {"same": 1}


def test_it_lists_tasks_for_the_connection_check(fake_kling):
    call(fake_kling, "POST", PATH, json=body())
    response = httpx.get(
        fake_kling.url + PATH,
        params={"pageNum": 1, "pageSize": 1},
        headers={"Authorization": f"Bearer {sign(fake_kling.access_key, fake_kling.secret_key)}"},
    )
    assert response.json()["code"] == 0 and len(response.json()["data"]) == 1


def test_the_rate_limit_knob_answers_1302_with_http_429(fake_kling):
    fake_kling.rate_limit_next = 1
    response = call(fake_kling, "POST", PATH, json=body())
    assert (response.status_code, response.json()["code"]) == (429, 1302)
    assert call(fake_kling, "POST", PATH, json=body()).json()["code"] == 0
