import pytest

from studio.credits.models import LedgerEntry, Wallet
from studio.generation.models import GenerationJob
from studio.generation.services import GenerationError, generation_cancel, generation_run, generation_submit

pytestmark = pytest.mark.django_db


def _submit(team, user):
    data = {"model_id": "local:draft", "prompt": "A red bicycle against a white wall", "quality": "low", "n": 2}
    return generation_submit(team=team, user=user, data=data)


def test_cancelling_a_queued_job_returns_its_credits(team, member, grant, priced_draft):
    grant(team, 100)
    job = _submit(team, member)
    generation_cancel(team=team, user=member, job=job)
    job.refresh_from_db()
    wallet = Wallet.objects.get(team=team)
    assert job.status == GenerationJob.Status.CANCELLED
    assert job.error_message == f"Cancelled by {member.email}."
    assert (wallet.balance, wallet.held) == (100, 0)
    assert LedgerEntry.objects.filter(hold=job.hold, kind="release").count() == 1


def test_a_cancelled_job_is_never_run(team, member, grant, priced_draft):
    grant(team, 100)
    job = _submit(team, member)
    generation_cancel(team=team, user=member, job=job)
    assert generation_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.CANCELLED
    assert job.started_at is None
    assert not job.job_outputs.exists()


def test_it_refuses_to_cancel_a_finished_job_and_moves_no_credit(team, member, grant, priced_draft):
    grant(team, 100)
    job = _submit(team, member)
    generation_run(job_id=job.pk)
    entries = LedgerEntry.objects.count()
    with pytest.raises(GenerationError, match="already done"):
        generation_cancel(team=team, user=member, job=job)
    assert LedgerEntry.objects.count() == entries
    assert Wallet.objects.get(team=team).balance == 90


def test_cancelling_twice_releases_the_credits_once(team, member, grant, priced_draft):
    grant(team, 100)
    job = _submit(team, member)
    generation_cancel(team=team, user=member, job=job)
    with pytest.raises(GenerationError, match="already cancelled"):
        generation_cancel(team=team, user=member, job=job)
    assert LedgerEntry.objects.filter(hold=job.hold, kind="release").count() == 1
    assert Wallet.objects.get(team=team).balance == 100


def test_another_teams_job_cannot_be_cancelled(team, member, other_team, outsider, grant, priced_draft):
    grant(team, 100)
    job = _submit(team, member)
    with pytest.raises(GenerationError):
        generation_cancel(team=other_team, user=outsider, job=job)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.QUEUED
