"""Real server processes for integration and browser tests: the web server and Celery workers on the test database."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ARTIFACTS = ROOT / "test-artifacts"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listened on port {port} within {timeout}s")


def wait_for(predicate, *, timeout, what, interval=0.2):
    """`predicate()`'s first true value, asked every `interval` seconds; AssertionError naming `what` at `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"waited {timeout}s for {what}")


def child_environment(**extra):
    """The environment a child process needs to share this test run's database, Redis and settings."""
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="studio.settings.test",
        DATABASE_URL="postgres://{}@{}:{}/{}".format(
            db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["NAME"]
        ),
        REDIS_URL=settings.REDIS_URL,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Managed:
    """A child process whose output goes to test-artifacts/<name>.log and which is always reaped."""

    def __init__(self, name, args, env):
        ARTIFACTS.mkdir(exist_ok=True)
        self.name = name
        self.log_path = ARTIFACTS / f"{name}.log"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self):
        return self.process.pid

    def kill(self, sig=signal.SIGKILL):
        """Signal the whole process group (a prefork worker's children too)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        self.process.wait(timeout=20)

    def stop(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill()
        self._log.close()

    def log_text(self):
        return self.log_path.read_text(errors="replace")


def start_web(env, port):
    """The studio's web server, daphne with the stock Channels application, started as `make run` starts it."""
    args = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "studio.asgi:application"]
    server = Managed(f"web-{port}", args, env)
    wait_for_port(port, server.process)
    return server


def start_worker(env, name="worker", concurrency=1, ready_timeout=40.0, pool=None, queues=("celery", "scheduling")):
    """A Celery worker consuming `queues` (every queue the studio routes to, by default); returns once it logs that
    it is ready to consume."""
    worker = Managed(
        name,
        [
            str(BIN / "celery"),
            "-A",
            "studio",
            "worker",
            "--loglevel=INFO",
            f"--concurrency={concurrency}",
            f"--queues={','.join(queues)}",
            *([f"--pool={pool}"] if pool else []),
            f"--hostname={name}-{os.getpid()}@%h",
            "--without-mingle",
            "--without-gossip",
        ],
        env,
    )
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited early:\n{worker.log_text()[-3000:]}")
        if " ready." in worker.log_text():
            return worker
        time.sleep(0.2)
    worker.stop()
    raise RuntimeError(f"the Celery worker did not become ready:\n{worker.log_text()[-3000:]}")


def start_beat(env, name="beat"):
    """Celery beat with Postframe's heartbeat scheduler, its schedule file in test-artifacts/."""
    return Managed(
        name,
        [
            str(BIN / "celery"),
            "-A",
            "studio",
            "beat",
            "--loglevel=INFO",
            "--scheduler=studio.celery.HeartbeatScheduler",
            f"--schedule={ARTIFACTS / f'{name}-schedule'}",
        ],
        env,
    )


def seed_reference_data():
    """Put back what migrations seed (the site, default prices): transactional tests flush it away."""
    import importlib

    from django.apps import apps
    from django.contrib.sites.models import Site

    Site.objects.update_or_create(id=settings.SITE_ID, defaults={"domain": "127.0.0.1", "name": "Postframe"})
    prices = importlib.import_module("studio.credits.migrations.0003_seed_default_prices")
    prices.seed_prices(apps, None)
    video = importlib.import_module("studio.credits.migrations.0007_seed_video_prices")
    video.seed_video_prices(apps, None)
