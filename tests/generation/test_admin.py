import pytest

from tests.factories import UserFactory
from tests.generation.factories import GenerationJobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_an_operator_finds_a_job_by_its_prompt(operator, team):
    job = GenerationJobFactory(team=team, prompt="A lighthouse at dawn")
    response = operator.get("/admin/generation/generationjob/", {"q": "lighthouse"})
    assert response.status_code == 200
    assert str(job.uuid) in response.content.decode()


def test_a_job_is_read_only_in_admin(operator, team):
    job = GenerationJobFactory(team=team)
    page = operator.get(f"/admin/generation/generationjob/{job.pk}/change/")
    assert page.status_code == 200
    assert 'name="prompt"' not in page.content.decode()
    assert operator.get("/admin/generation/generationjob/add/").status_code == 403
