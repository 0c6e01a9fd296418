"""A Celery worker killed with SIGKILL in the middle of a job: the job ends once, and no credit is lost or taken twice.

Real processes throughout: the worker runs on this run's test database and Redis; the job streams the offline
draft engine's frames slowly (POSTFRAME_FRAME_PAUSE_MS) so it is certainly mid-stream when the worker dies.
"""

import os
import time

import pytest
from django.db.models import Sum

from studio.credits.models import LedgerEntry, PriceRule, Wallet
from studio.credits.services import credits_grant
from studio.generation import services
from studio.generation.models import GenerationJob
from studio.generation.services import WORKER_LOST_MESSAGE, generation_submit, generation_sweep
from studio.generation.tasks import generation_run_task
from tests.factories import MembershipFactory, TeamFactory
from tests.processes import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

GRANT = 100
PRICE = 5
# This test's jobs and workers use their own broker namespace, so a worker started by another test of the same
# session (the browser journeys' live studio) never takes them.
ISOLATED = {"CELERY_BROKER_KEY_PREFIX": f"postframe-integration-{os.getpid()}:"}
SLOW_WORKER = {**ISOLATED, "POSTFRAME_FRAME_PAUSE_MS": 2500}
# The broker hands an unacknowledged message to a worker that starts VISIBILITY seconds or more after its delivery
# (a running worker looks again only every 100 s or so). That is before the dead worker's last heartbeat is 8 s
# old: the redelivered task finds the job still beating and must come back for it rather than drop it.
VISIBILITY = 2
FRESH_WORKER = {**ISOLATED, "CELERY_VISIBILITY_TIMEOUT": VISIBILITY, "POSTFRAME_JOB_STALE_SECONDS": 8}


@pytest.fixture(autouse=True)
def isolated_queue(monkeypatch):
    """Queue this test's jobs under ISOLATED's prefix, where only the workers it starts look."""
    from studio.celery import app

    options = {**app.conf.broker_transport_options, "global_keyprefix": ISOLATED["CELERY_BROKER_KEY_PREFIX"]}

    def enqueue(job_id, task_id):
        with app.connection_for_write(transport_options=options) as connection:
            generation_run_task.apply_async(args=[job_id], task_id=task_id, connection=connection)

    monkeypatch.setattr(services, "_enqueue", enqueue)


@pytest.fixture
def funded_member():
    for tier in ("1K", "2K", "4K"):
        PriceRule.objects.update_or_create(model_id="local:draft", tier=tier, quality="*", defaults={"credits": PRICE})
    team = TeamFactory()
    member = MembershipFactory(team=team, role="member").user
    credits_grant(team=team, amount=GRANT, idempotency_key="integration-grant")
    return team, member


def _job_mid_stream(worker_factory, team, member):
    """A two-image job, submitted for real (queued on commit), caught running with a frame on the page."""
    worker = worker_factory(name="doomed-worker", **SLOW_WORKER)
    data = {"model_id": "local:draft", "prompt": "Lanterns over a night market", "quality": "low", "n": 2}
    job = generation_submit(team=team, user=member, data={**data, "partial_images": 3})

    def mid_stream():
        job.refresh_from_db()
        return job.status == GenerationJob.Status.RUNNING and job.partial_count >= 1

    wait_for(mid_stream, timeout=60, what="the job to stream its first frame")
    return worker, job


def _assert_books_balance(team, job):
    """balance + held + captured is the grant; at most one capture per image and one release for the hold."""
    wallet = Wallet.objects.get(team=team)
    entries = LedgerEntry.objects.filter(hold=job.hold)
    captured = entries.filter(kind="capture").aggregate(total=Sum("amount"))["total"] or 0
    assert wallet.balance + wallet.held + captured == GRANT
    assert wallet.held == 0
    assert entries.filter(kind="capture").count() <= job.n
    assert entries.filter(kind="release").count() <= 1
    assert len({entry.idempotency_key for entry in entries}) == entries.count()
    return wallet, captured


def test_a_job_whose_worker_is_killed_is_swept_and_every_credit_returned(worker_factory, funded_member, settings):
    team, member = funded_member
    worker, job = _job_mid_stream(worker_factory, team, member)
    worker.kill()

    settings.POSTFRAME_JOB_STALE_SECONDS = 2
    time.sleep(3)
    assert generation_sweep() == 1
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED
    assert job.error_message == WORKER_LOST_MESSAGE
    wallet, captured = _assert_books_balance(team, job)
    assert (wallet.balance, captured) == (GRANT, 0)

    # The broker hands the unacknowledged message to a fresh worker; it finds nothing to claim.
    fresh = worker_factory(name="fresh-worker", **FRESH_WORKER)
    wait_for(
        lambda: f"generation job {job.pk}: nothing to claim" in fresh.log_text(),
        timeout=40,
        what="the redelivered task to run on the fresh worker",
    )
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED
    assert not job.job_outputs.exists()
    _assert_books_balance(team, job)
    assert generation_sweep() == 0


def test_a_job_whose_worker_is_killed_is_finished_by_a_fresh_worker_and_charged_once(worker_factory, funded_member):
    team, member = funded_member
    worker, job = _job_mid_stream(worker_factory, team, member)
    worker.kill()
    time.sleep(VISIBILITY + 0.5)  # the message was delivered before the first frame: now it is due again

    fresh = worker_factory(name="fresh-worker", **FRESH_WORKER)

    def ended():
        job.refresh_from_db()
        return job.is_terminal

    wait_for(ended, timeout=60, what="the redelivered job to end")
    assert job.status == GenerationJob.Status.SUCCEEDED, job.error_message
    # The redelivery found the job still beating and came back for it.
    assert f"generation.run[{job.celery_task_id}] retry: Retry in" in fresh.log_text()
    assert job.attempts == 2
    assert job.job_outputs.count() == 2
    wallet, captured = _assert_books_balance(team, job)
    assert captured == 2 * PRICE
    assert wallet.balance == GRANT - 2 * PRICE
