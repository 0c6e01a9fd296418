import pytest

from studio.generation.models import GenerationJob
from tests.generation.factories import GenerationJobFactory

pytestmark = pytest.mark.django_db


def test_it_lists_the_teams_jobs_newest_first_with_their_status(team, member, viewer, client_for):
    GenerationJobFactory(team=team, user=member, prompt="Older banana", status=GenerationJob.Status.FAILED)
    GenerationJobFactory(team=team, user=member, prompt="Newer cherry", status=GenerationJob.Status.RUNNING)
    page = client_for(viewer).get("/studio/jobs/").content.decode()
    assert page.index("Newer cherry") < page.index("Older banana")
    assert '<span class="tag tag-danger">Failed</span>' in page
    assert '<span class="tag tag-accent">Running</span>' in page


def test_it_filters_by_status_model_and_member(team, member, admin_user, client_for):
    GenerationJobFactory(team=team, user=member, prompt="Member's done job", status=GenerationJob.Status.SUCCEEDED)
    GenerationJobFactory(team=team, user=admin_user, prompt="Admin's failed job", status=GenerationJob.Status.FAILED)
    client = client_for(member)
    page = client.get("/studio/jobs/", {"status": "failed"}).content.decode()
    assert "Admin&#x27;s failed job" in page and "Member&#x27;s done job" not in page
    page = client.get("/studio/jobs/", {"member": member.pk}).content.decode()
    assert "Member&#x27;s done job" in page and "Admin&#x27;s failed job" not in page
    page = client.get("/studio/jobs/", {"model": "local:draft", "status": "cancelled"}).content.decode()
    assert "No jobs match these filters" in page


def test_an_htmx_filter_answers_only_the_table(team, member, client_for):
    GenerationJobFactory(team=team, user=member, prompt="Only the table")
    response = client_for(member).get("/studio/jobs/", {"status": "queued"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="job-table">')
    assert "Only the table" in page


def test_it_never_shows_another_teams_jobs(team, member, other_team, outsider, client_for):
    GenerationJobFactory(team=team, user=member, prompt="Our secret campaign")
    page = client_for(outsider).get("/studio/jobs/").content.decode()
    assert "Our secret campaign" not in page
    assert "No jobs yet" in page


def test_the_job_page_shows_its_settings_and_live_state(team, member, client_for):
    job = GenerationJobFactory(team=team, user=member, prompt="A tram in Lisbon", seed=4242)
    page = client_for(member).get(f"/studio/jobs/{job.uuid}/").content.decode()
    assert "A tram in Lisbon" in page
    assert "4242" in page
    assert f'ws-connect="/ws/jobs/{job.uuid}/"' in page
    assert f'id="job-{job.uuid}-status"' in page


def test_another_teams_job_page_is_not_found(team, member, outsider, client_for):
    job = GenerationJobFactory(team=team, user=member)
    assert client_for(outsider).get(f"/studio/jobs/{job.uuid}/").status_code == 404
