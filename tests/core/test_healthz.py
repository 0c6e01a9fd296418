import time

import pytest
import redis
from django.conf import settings

from studio.celery import BEAT_HEARTBEAT_KEY, WORKER_HEARTBEAT_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def heartbeats():
    client = redis.Redis.from_url(settings.REDIS_URL)

    def beat(worker_age=1.0, beat_age=1.0):
        now = time.time()
        client.set(WORKER_HEARTBEAT_KEY, now - worker_age)
        client.set(BEAT_HEARTBEAT_KEY, now - beat_age)

    yield beat
    client.delete(WORKER_HEARTBEAT_KEY, BEAT_HEARTBEAT_KEY)


def test_it_answers_200_when_database_redis_worker_and_beat_are_fine(client, heartbeats):
    heartbeats()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert {part: body[part]["ok"] for part in ("database", "redis", "worker", "beat")} == dict.fromkeys(
        ("database", "redis", "worker", "beat"), True
    )


def test_it_answers_503_and_names_a_silent_worker(client, heartbeats):
    heartbeats(worker_age=settings.POSTFRAME_HEARTBEAT_STALE_SECONDS + 30)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["worker"]["ok"] is False and "silent" in body["worker"]["error"]
    assert body["beat"]["ok"] is True


def test_it_answers_503_when_beat_never_reported(client, heartbeats):
    heartbeats()
    redis.Redis.from_url(settings.REDIS_URL).delete(BEAT_HEARTBEAT_KEY)
    body = client.get("/healthz").json()
    assert body["beat"] == {"ok": False, "error": "no beat has reported yet"}


def test_it_answers_503_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["redis"]["ok"] is False
    assert body["database"]["ok"] is True


def test_it_is_never_cached(client, heartbeats):
    heartbeats()
    assert "no-cache" in client.get("/healthz")["Cache-Control"]
