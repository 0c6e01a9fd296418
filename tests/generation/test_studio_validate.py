import pytest

from studio.generation.models import GenerationJob
from tests.generation.studio_form import HTMX, error_slot, studio_form

pytestmark = pytest.mark.django_db


def test_the_live_check_shows_the_cost_before_anything_is_submitted(team, member, client_for, grant, priced_draft):
    grant(team, 100)
    response = client_for(member).post("/studio/validate/", studio_form(n="3"), **HTMX)
    page = response.content.decode()
    assert "15 credits" in page
    assert "3 × 5" in page
    assert 'id="studio-cost"' in page and 'hx-swap-oob="true"' in page
    assert not GenerationJob.objects.exists()


def test_the_live_check_says_the_custom_size_rule_in_words(team, member, client_for):
    response = client_for(member).post(
        "/studio/validate/", studio_form(aspect="custom", width="4000", height="1024"), **HTMX
    )
    assert error_slot(response.content.decode(), "size") == "The long edge can be at most 3840 px."


def test_the_live_check_warns_of_short_credits_early(team, member, client_for, grant, priced_draft):
    grant(team, 4)
    response = client_for(member).post("/studio/validate/", studio_form(n="1"), **HTMX)
    assert error_slot(response.content.decode(), "credits") == (
        "This needs 5 credits and the team has 4. Use Request credits at the top of the page to ask for more."
    )


def test_the_live_check_does_not_nag_about_an_empty_prompt(team, member, client_for):
    response = client_for(member).post("/studio/validate/", studio_form(prompt=""), **HTMX)
    assert error_slot(response.content.decode(), "prompt") == ""


def test_the_live_check_shows_the_resolved_size_and_marks_experimental_ones(team, member, client_for):
    page = client_for(member).post("/studio/validate/", studio_form(aspect="16:9", tier="4K"), **HTMX).content.decode()
    assert "3840 × 2160 px" in page
    assert "experimental" in page


def test_changing_the_model_redraws_its_controls_keeping_what_still_fits(team, member, client_for, settings):
    settings.OPENAI_API_KEY = "sk-instance"
    team.allowed_models = ["local:draft", "openai:gpt-image-1.5"]
    team.save()
    query = studio_form(model_id="openai:gpt-image-1.5", tier="4K", background="transparent", quality="high")
    page = client_for(member).get("/studio/controls/", query, **HTMX).content.decode()
    assert 'id="model-controls"' in page
    assert 'name="tier" value="1K" checked' in page  # 4K does not exist for this model
    assert '<option value="transparent" selected>' in page
    assert '<option value="high" selected>' in page
    assert 'id="id_input_fidelity"' in page


def test_a_viewer_gets_no_live_check(team, viewer, client_for):
    assert client_for(viewer).post("/studio/validate/", studio_form(), **HTMX).status_code == 403
