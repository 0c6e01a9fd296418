"""The Celery app on Redis, plus the heartbeats /healthz reads for the worker and beat."""

import logging
import os
import time

from celery import Celery, bootsteps
from celery.beat import PersistentScheduler
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings.dev")

app = Celery("studio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

WORKER_HEARTBEAT_KEY = "postframe:heartbeat:worker"
BEAT_HEARTBEAT_KEY = "postframe:heartbeat:beat"
HEARTBEAT_EVERY_SECONDS = 10


def _redis():
    import redis
    from django.conf import settings

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)


def record_heartbeat(key):
    _redis().set(key, f"{time.time():.3f}", ex=3600)


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Writes the worker's heartbeat into Redis every few seconds while it consumes."""

    requires = {"celery.worker.components:Timer"}

    def start(self, worker):
        record_heartbeat(WORKER_HEARTBEAT_KEY)
        self.tref = worker.timer.call_repeatedly(
            HEARTBEAT_EVERY_SECONDS, record_heartbeat, (WORKER_HEARTBEAT_KEY,), priority=10
        )

    def stop(self, worker):
        if getattr(self, "tref", None):
            self.tref.cancel()


app.steps["worker"].add(WorkerHeartbeat)


@task_prerun.connect
def database_connections_check(sender=None, **kwargs):
    """Give back a connection a task left open, as a web request does: to the pool, which checks it before lending
    it again, or closed when CONN_MAX_AGE says so. CELERY_DB_REUSE_MAX keeps the pool itself open across tasks."""
    from django.db import close_old_connections

    if not getattr(getattr(sender, "request", None), "is_eager", False):  # an eager task runs inside its caller
        close_old_connections()


class HeartbeatScheduler(PersistentScheduler):
    """Beat's scheduler, recording each tick so /healthz knows beat is alive."""

    _last_beat = 0.0

    def tick(self, *args, **kwargs):
        now = time.monotonic()
        if now - self._last_beat >= HEARTBEAT_EVERY_SECONDS:
            try:
                record_heartbeat(BEAT_HEARTBEAT_KEY)
                self._last_beat = now
            except Exception:  # a Redis blip must not stop the schedule
                logging.getLogger(__name__).warning("beat heartbeat not recorded", exc_info=True)
        return min(super().tick(*args, **kwargs), HEARTBEAT_EVERY_SECONDS)
