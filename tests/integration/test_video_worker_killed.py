"""Celery workers SIGKILLed at each step of one shot against the Kling fake: while its create is in flight, while it
renders, while its clip downloads. Each time a fresh worker takes the shot up from the redelivered task; Kling's
create count per external id stays 1, the finished clip lands in the library once, its credits are captured once.

Real processes throughout: workers on this run's test database and Redis, the fake Kling server in this process.
"""

import importlib
import os
import time

import pytest
from django.apps import apps

from studio.credits.models import LedgerEntry, Wallet
from studio.credits.services import credits_grant
from studio.generation import services as generation_services
from studio.generation.tasks import generation_run_task
from studio.video import services
from studio.video.models import Sequence, Shot
from studio.video.tasks import sequence_stitch_task, shot_step_task
from tests.factories import MembershipFactory, TeamFactory
from tests.processes import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

KLING = "kling:kling-v2-6"
GRANT = 200
PREFIX = f"postframe-video-integration-{os.getpid()}:"
# The broker hands a dead worker's unacknowledged messages to a worker that starts this many seconds later.
VISIBILITY = 2


@pytest.fixture(autouse=True)
def isolated_queue(monkeypatch):
    """This test's tasks go under PREFIX, where only the workers it starts look."""
    from studio.celery import app

    options = {**app.conf.broker_transport_options, "global_keyprefix": PREFIX}

    def send(task, args, countdown=0):
        with app.connection_for_write(transport_options=options) as connection:
            task.apply_async(args=args, countdown=countdown, connection=connection)

    monkeypatch.setattr(generation_services, "_enqueue", lambda job_id, task_id: send(generation_run_task, [job_id]))
    monkeypatch.setattr(
        services,
        "_enqueue_step",
        lambda shot_id, token, countdown: send(shot_step_task, [shot_id, str(token) if token else None], countdown),
    )
    monkeypatch.setattr(services, "_enqueue_stitch", lambda sequence_id: send(sequence_stitch_task, [sequence_id]))


@pytest.fixture
def workers(worker_factory, fake_kling):
    env = {
        "CELERY_BROKER_KEY_PREFIX": PREFIX,
        "CELERY_VISIBILITY_TIMEOUT": VISIBILITY,
        "KLING_BASE_URL": fake_kling.url,
        "KLING_ACCESS_KEY": fake_kling.access_key,
        "KLING_SECRET_KEY": fake_kling.secret_key,
        "VIDEO_SUBMIT_STALE_SECONDS": 2,
        "VIDEO_STEP_GRACE_SECONDS": 2,
        "VIDEO_POLL_SECONDS": 1,
        "VIDEO_POLL_MAX_SECONDS": 2,
    }
    return lambda name: worker_factory(name=name, **env)


@pytest.fixture
def shot(settings):
    prices = importlib.import_module("studio.credits.migrations.0007_seed_video_prices")
    prices.seed_video_prices(apps, None)
    team = TeamFactory(allowed_video_models=[KLING])
    member = MembershipFactory(team=team, role="member").user
    credits_grant(team=team, amount=GRANT, idempotency_key="video-integration-grant")
    sequence = services.sequence_create(
        team=team,
        user=member,
        brief="A harbour at dawn",
        model_id=KLING,
        shots=[{"frame_prompt": "Fishing boats leaving a harbour at dawn", "motion_prompt": "slow pan right"}],
    )
    services.sequence_start(sequence=sequence, user=member)
    return sequence.shots.get()


def _status(shot, *statuses):
    shot.refresh_from_db()
    return shot.status in statuses


def _assert_finished_once(shot, fake_kling):
    shot.refresh_from_db()
    assert shot.status == Shot.Status.DONE, shot.message
    assert fake_kling.creates_by_external_id[shot.external_id] == 1
    assert shot.clip is not None and shot.clip.provenance["task_id"] == shot.provider_task_id
    captures = LedgerEntry.objects.filter(hold=shot.hold, kind="capture")
    assert captures.count() == 1
    wallet = Wallet.objects.get(team=shot.sequence.team)
    assert (wallet.balance, wallet.held) == (GRANT - captures.get().amount, 0)
    wait_for(
        lambda: Sequence.objects.get(pk=shot.sequence_id).status == Sequence.Status.DONE,
        timeout=30,
        what="the one-shot sequence to be stitched",
    )


def _kill_when(worker, shot, what, *, state=None, check=None):
    wait_for(check or (lambda: _status(shot, state)), timeout=60, what=what)
    worker.kill()


def test_workers_killed_at_every_step_of_a_shot_never_create_its_task_twice_nor_lose_its_clip(
    workers, shot, fake_kling
):
    # 1. Killed while its create is in flight: Kling made the task, the answer never came back.
    fake_kling.answer_delay = 30.0
    _kill_when(
        workers("video-killed-submitting"),
        shot,
        "the create to reach Kling",
        check=lambda: fake_kling.creates_by_external_id[shot.external_id] == 1,
    )
    fake_kling.answer_delay = 0.0
    fake_kling.progress_seconds = 3600.0  # Kling keeps rendering until the test says otherwise
    time.sleep(VISIBILITY + 0.5)

    # 2. Killed while the clip renders: the next worker found the task by its external id instead of creating it.
    _kill_when(workers("video-killed-rendering"), shot, "the task id to be saved", state=Shot.Status.RENDERING)
    assert shot.submit_tries == 2 and shot.provider_task_id
    fake_kling.progress_seconds = 0.0  # the clip finishes at Kling while no worker is alive
    time.sleep(VISIBILITY + 0.5)

    # 3. Killed while the finished clip downloads.
    serve = fake_kling.serve_video

    def slow_video(path):
        time.sleep(5)
        return serve(path)

    fake_kling.serve_video = slow_video
    _kill_when(workers("video-killed-downloading"), shot, "the download to start", state=Shot.Status.DOWNLOADING)
    fake_kling.serve_video = serve
    time.sleep(VISIBILITY + 0.5)

    # 4. A last worker finishes the shot and the sequence.
    workers("video-finishing")
    wait_for(lambda: _status(shot, Shot.Status.DONE, *Shot.ENDED), timeout=60, what="the shot to end")
    _assert_finished_once(shot, fake_kling)
    assert shot.clip.kind == "video"
