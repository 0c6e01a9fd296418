"""The Ark fake itself, over raw HTTP: statuses, DELETE rules, the listing and its filters, the key check."""

import base64
import io
import time

import httpx
import pytest
from PIL import Image

PATH = "/contents/generations/tasks"


def data_url(width=640, height=360):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (1, 2, 3)).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def body(**changes):
    values = {
        "model": "seedance-1-0-lite-i2v-250428",
        "content": [
            {"type": "text", "text": "p"},
            {"type": "image_url", "image_url": {"url": data_url()}, "role": "first_frame"},
        ],
        "duration": 5,
        "ratio": "16:9",
        "resolution": "720p",
    }
    values.update(changes)
    return values


def call(fake, method, path, *, key=None, **kwargs):
    key = fake.api_key if key is None else key
    return httpx.request(method, fake.url + path, headers={"Authorization": f"Bearer {key}"}, **kwargs)


def test_a_task_moves_from_queued_through_running_to_succeeded(fake_ark):
    fake_ark.progress_seconds = 1.5
    task_id = call(fake_ark, "POST", PATH, json=body()).json()["id"]
    seen = set()
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline and "succeeded" not in seen:
        seen.add(call(fake_ark, "GET", f"{PATH}/{task_id}").json()["status"])
        time.sleep(0.05)
    assert {"queued", "running", "succeeded"} <= seen
    task = call(fake_ark, "GET", f"{PATH}/{task_id}").json()
    assert task["content"]["video_url"].endswith(".mp4") and httpx.get(task["content"]["video_url"]).status_code == 200


def test_a_missing_or_wrong_key_is_401_authentication_error(fake_ark):
    response = call(fake_ark, "GET", PATH, key="nope")
    assert response.status_code == 401 and response.json()["error"]["code"] == "AuthenticationError"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"duration": "5"}, "InvalidParameter"),
        ({"ratio": "2:1"}, "InvalidParameter"),
        ({"seed": "42"}, "InvalidParameter"),
        ({"watermark": "no"}, "InvalidParameter"),
        ({"content": [{"type": "text", "text": "only text"}]}, "InvalidParameter"),
        ({"model": "seedance-9"}, "InvalidEndpointOrModel.NotFound"),
    ],
)
def test_it_refuses_bodies_ark_refuses(fake_ark, changes, code):
    response = call(fake_ark, "POST", PATH, json=body(**changes))
    assert response.status_code in (400, 404) and response.json()["error"]["code"] == code
    assert not fake_ark.tasks


def test_delete_cancels_only_a_queued_task_and_refuses_a_running_one(fake_ark):
    fake_ark.hold_queued = True
    queued = call(fake_ark, "POST", PATH, json=body()).json()["id"]
    assert call(fake_ark, "DELETE", f"{PATH}/{queued}").status_code == 200
    assert call(fake_ark, "GET", f"{PATH}/{queued}").json()["status"] == "cancelled"
    fake_ark.hold_queued = False
    fake_ark.progress_seconds = 3
    running = call(fake_ark, "POST", PATH, json=body()).json()["id"]
    assert fake_ark.wait_for(
        lambda: call(fake_ark, "GET", f"{PATH}/{running}").json()["status"] == "running", timeout=3
    )
    assert call(fake_ark, "DELETE", f"{PATH}/{running}").status_code == 400


def test_the_listing_filters_by_model_and_status_newest_first(fake_ark):
    fake_ark.hold_queued = True
    first = call(fake_ark, "POST", PATH, json=body()).json()["id"]
    second = call(fake_ark, "POST", PATH, json=body(model="seedance-1-0-pro-250528")).json()["id"]
    third = call(fake_ark, "POST", PATH, json=body()).json()["id"]
    listing = call(
        fake_ark, "GET", PATH, params={"page_num": 1, "page_size": 10, "filter.model": "seedance-1-0-lite-i2v-250428"}
    ).json()
    assert [item["id"] for item in listing["items"]] == [third, first] and listing["total"] == 2
    assert second not in [item["id"] for item in listing["items"]]
    assert call(fake_ark, "GET", PATH, params={"filter.status": "succeeded"}).json()["total"] == 0
    assert call(fake_ark, "GET", PATH, params={"filter.status": "queued"}).json()["total"] == 3


def test_it_counts_creates_by_request_fingerprint(fake_ark):
    call(fake_ark, "POST", PATH, json=body())
    call(fake_ark, "POST", PATH, json=body())
    call(fake_ark, "POST", PATH, json=body(duration=10))
    assert sorted(fake_ark.creates_by_fingerprint.values()) == [1, 2]
