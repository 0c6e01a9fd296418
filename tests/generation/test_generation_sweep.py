from datetime import timedelta

import pytest
from django.utils import timezone

from studio.credits.models import LedgerEntry, Wallet
from studio.generation.models import GenerationJob
from studio.generation.services import WORKER_LOST_MESSAGE, generation_claim, generation_submit, generation_sweep
from studio.generation.tasks import generation_sweep_task

pytestmark = pytest.mark.django_db


def _running(team, user, *, silent_for):
    data = {"model_id": "local:draft", "prompt": "Foggy harbour at dawn", "quality": "low", "n": 2}
    job = generation_submit(team=team, user=user, data=data)
    generation_claim(job_id=job.pk)
    GenerationJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - silent_for)
    return job


def test_it_fails_a_job_whose_worker_went_silent_and_returns_its_credits(team, member, grant, priced_draft):
    grant(team, 100)
    job = _running(team, member, silent_for=timedelta(minutes=5))
    assert generation_sweep() == 1
    job.refresh_from_db()
    wallet = Wallet.objects.get(team=team)
    assert job.status == GenerationJob.Status.FAILED
    assert job.error_message == WORKER_LOST_MESSAGE
    assert job.error_kind == "worker_lost"
    assert (wallet.balance, wallet.held) == (100, 0)


def test_it_leaves_a_job_with_a_fresh_heartbeat_alone(team, member, grant, priced_draft):
    grant(team, 100)
    job = _running(team, member, silent_for=timedelta(seconds=5))
    assert generation_sweep() == 0
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.RUNNING
    assert Wallet.objects.get(team=team).held == 10


def test_a_queued_job_waits_far_longer_than_a_running_one_before_it_is_swept(team, member, grant, priced_draft):
    grant(team, 100)
    data = {"model_id": "local:draft", "prompt": "Foggy harbour at dawn", "quality": "low", "n": 1}
    job = generation_submit(team=team, user=member, data=data)
    GenerationJob.objects.filter(pk=job.pk).update(submitted_at=timezone.now() - timedelta(minutes=10))
    assert generation_sweep() == 0
    GenerationJob.objects.filter(pk=job.pk).update(submitted_at=timezone.now() - timedelta(hours=2))
    assert generation_sweep() == 1
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED
    assert Wallet.objects.get(team=team).balance == 100


def test_sweeping_again_releases_nothing_more(team, member, grant, priced_draft):
    grant(team, 100)
    job = _running(team, member, silent_for=timedelta(minutes=5))
    generation_sweep_task()
    generation_sweep_task()
    assert LedgerEntry.objects.filter(hold=job.hold, kind="release").count() == 1
    assert Wallet.objects.get(team=team).balance == 100


def test_the_stale_limit_comes_from_settings(team, member, grant, priced_draft, settings):
    settings.POSTFRAME_JOB_STALE_SECONDS = 2
    grant(team, 100)
    job = _running(team, member, silent_for=timedelta(seconds=5))
    assert generation_sweep() == 1
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED
