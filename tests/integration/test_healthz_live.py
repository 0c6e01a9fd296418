import time

import pytest
import redis
from django.conf import settings

from studio.celery import BEAT_HEARTBEAT_KEY, WORKER_HEARTBEAT_KEY
from tests.processes import child_environment, start_beat

pytestmark = pytest.mark.integration


def test_healthz_turns_green_once_a_real_worker_and_beat_report(client, worker_factory):
    redis.Redis.from_url(settings.REDIS_URL).delete(WORKER_HEARTBEAT_KEY, BEAT_HEARTBEAT_KEY)
    assert client.get("/healthz").status_code == 503

    worker_factory(name="health-worker")
    beat = start_beat(child_environment(), name="health-beat")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and client.get("/healthz").status_code != 200:
            time.sleep(0.5)
        body = client.get("/healthz").json()
        assert body["ok"] is True, body
    finally:
        beat.stop()
