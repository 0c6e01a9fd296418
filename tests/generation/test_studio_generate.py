import json

import pytest

from studio.credits.models import Hold, Wallet
from studio.generation.models import GenerationJob
from tests.generation.studio_form import HTMX, error_slot, studio_form

pytestmark = pytest.mark.django_db


def test_it_queues_the_job_and_shows_it_on_the_canvas(team, member, client_for, grant, priced_draft):
    grant(team, 100)
    response = client_for(member).post("/studio/generate/", studio_form(), **HTMX)
    job = GenerationJob.objects.get()
    page = response.content.decode()
    assert response.status_code == 200
    assert f'ws-connect="/ws/jobs/{job.uuid}/"' in page
    assert "Three oranges on a marble counter" in page
    assert response["HX-Push-Url"] == f"/studio/?job={job.uuid}"
    assert json.loads(response["HX-Trigger"])["studio-changed"]["balance"] == 90
    assert job.user == member and job.credits_estimated == 10


def test_bad_input_is_shown_beside_its_field_and_saves_nothing(team, member, client_for, grant, priced_draft):
    grant(team, 100)
    response = client_for(member).post(
        "/studio/generate/", studio_form(prompt="", aspect="custom", width="1000", height="700"), **HTMX
    )
    page = response.content.decode()
    assert response["HX-Reswap"] == "none"
    assert error_slot(page, "prompt") == "Write a prompt describing the image."
    assert error_slot(page, "size") == "Both edges must be multiples of 16 (1000 and 700 are not)."
    assert not GenerationJob.objects.exists()
    assert not Hold.objects.exists()
    assert Wallet.objects.get(team=team).balance == 100


def test_short_credits_are_explained_beside_the_generate_button(team, member, client_for, grant, priced_draft):
    grant(team, 6)
    response = client_for(member).post("/studio/generate/", studio_form(n="2"), **HTMX)
    page = response.content.decode()
    assert error_slot(page, "credits") == (
        "This needs 10 credits and the team has 6. Use Request credits at the top of the page to ask for more."
    )
    assert not GenerationJob.objects.exists()
    wallet = Wallet.objects.get(team=team)
    assert (wallet.balance, wallet.held) == (6, 0)


def test_without_htmx_a_rejected_form_renders_the_page_with_its_errors(team, member, client_for):
    response = client_for(member).post("/studio/generate/", studio_form(prompt=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="generate-form"' in page
    assert error_slot(page, "prompt") == "Write a prompt describing the image."


def test_without_htmx_a_job_redirects_to_its_studio_page(team, member, client_for):
    response = client_for(member).post("/studio/generate/", studio_form())
    job = GenerationJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/studio/?job={job.uuid}"
