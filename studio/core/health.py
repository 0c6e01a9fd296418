"""Liveness of the pieces a studio needs: database, Redis, a worker's heartbeat and beat's last tick."""

import time

import redis
from django.conf import settings
from django.db import connection

from studio.celery import BEAT_HEARTBEAT_KEY, WORKER_HEARTBEAT_KEY


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def _heartbeat(client, key, what):
    raw = client.get(key)
    if raw is None:
        return {"ok": False, "error": f"no {what} has reported yet"}
    age = time.time() - float(raw)
    stale = settings.POSTFRAME_HEARTBEAT_STALE_SECONDS
    if age > stale:
        return {"ok": False, "age_seconds": round(age, 1), "error": f"{what} silent for {age:.0f}s (limit {stale}s)"}
    return {"ok": True, "age_seconds": round(age, 1)}


def health_report():
    report = {}
    try:
        report["database"] = _database()
    except Exception as exc:
        report["database"] = {"ok": False, "error": str(exc).strip().splitlines()[0][:200]}
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
        report["redis"] = {"ok": True}
        report["worker"] = _heartbeat(client, WORKER_HEARTBEAT_KEY, "worker")
        report["beat"] = _heartbeat(client, BEAT_HEARTBEAT_KEY, "beat")
    except redis.RedisError as exc:
        report["redis"] = {"ok": False, "error": str(exc)[:200]}
        report["worker"] = {"ok": False, "error": "unknown: Redis is unreachable"}
        report["beat"] = {"ok": False, "error": "unknown: Redis is unreachable"}
    report["ok"] = all(part["ok"] for part in report.values())
    return report
