import pytest

from studio.credits.models import Wallet
from studio.generation.models import GenerationJob
from studio.generation.services import generation_submit

pytestmark = pytest.mark.django_db


def _queued(team, user):
    data = {"prompt": "A kettle on a stove", "quality": "low", "n": 2}
    return generation_submit(team=team, user=user, data=data)


def test_a_member_cancels_a_job_and_gets_the_credits_back(team, member, client_for, grant, priced_draft):
    grant(team, 100)
    job = _queued(team, member)
    response = client_for(member).post(f"/studio/jobs/{job.uuid}/cancel/", HTTP_HX_REQUEST="true")
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.CANCELLED
    assert Wallet.objects.get(team=team).balance == 100
    assert "back in the balance" in response["HX-Trigger"]
    assert f'id="job-{job.uuid}-status" class="job-status" data-job-status="cancelled"' in response.content.decode()


def test_cancelling_a_finished_job_says_so(team, member, client_for):
    job = _queued(team, member)
    GenerationJob.objects.filter(pk=job.pk).update(status=GenerationJob.Status.SUCCEEDED)
    response = client_for(member).post(f"/studio/jobs/{job.uuid}/cancel/", HTTP_HX_REQUEST="true")
    assert "already done" in response["HX-Trigger"]


def test_a_viewer_cannot_cancel(team, member, viewer, client_for):
    job = _queued(team, member)
    assert client_for(viewer).post(f"/studio/jobs/{job.uuid}/cancel/").status_code == 403
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.QUEUED


def test_cancel_takes_only_post(team, member, client_for):
    job = _queued(team, member)
    assert client_for(member).get(f"/studio/jobs/{job.uuid}/cancel/").status_code == 405


def test_a_cancelled_job_says_cancelled_once(team, member, client_for, grant, priced_draft):
    grant(team, 100)
    job = _queued(team, member)
    page = client_for(member).post(f"/studio/jobs/{job.uuid}/cancel/", HTTP_HX_REQUEST="true").content.decode()
    status = page[page.index(f'id="job-{job.uuid}-status"') : page.index(f'id="job-{job.uuid}-canvas"')]
    assert status.count("Cancelled") == 1 and "Stopped before it finished" in status
