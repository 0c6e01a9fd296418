import uuid

import pytest

from studio.generation.services import generation_run, generation_submit

pytestmark = pytest.mark.django_db


def _finished_job(team, user, prompt="A lemon on a blue plate"):
    job = generation_submit(team=team, user=user, data={"prompt": prompt, "quality": "low", "n": 1})
    generation_run(job_id=job.pk)
    return job


def test_a_member_gets_the_generate_form_with_the_teams_active_model_chosen(team, member, client_for, settings):
    settings.OPENAI_API_KEY = "sk-instance"
    team.allowed_models = ["local:draft", "openai:gpt-image-2"]
    team.active_model = "openai:gpt-image-2"
    team.save()
    page = client_for(member).get("/studio/").content.decode()
    assert 'id="generate-form"' in page
    assert '<option value="openai:gpt-image-2" selected>GPT Image 2</option>' in page
    assert '<option value="local:draft">Offline draft engine</option>' in page
    assert "openai:gpt-image-1.5" not in page  # not allowed for this team, so not offered


def test_the_offline_engine_says_what_it_is(team, member, client_for):
    page = client_for(member).get("/studio/").content.decode()
    assert '<option value="local:draft" selected>Offline draft engine</option>' in page
    assert "no AI model involved" in page
    assert "Make something" in page  # the empty canvas says what to do


def test_a_fixed_size_model_hides_the_tiers_and_sizes_it_cannot_make(team, member, client_for, settings):
    settings.OPENAI_API_KEY = "sk-instance"
    team.allowed_models = ["local:draft", "openai:gpt-image-1.5"]
    team.active_model = "openai:gpt-image-1.5"
    team.save()
    page = client_for(member).get("/studio/").content.decode()
    assert 'value="1K"' in page
    assert 'value="4K"' not in page
    assert 'value="custom"' not in page
    assert 'value="transparent"' in page


def test_gpt_image_2_offers_no_transparent_background_and_marks_4k_experimental(team, member, client_for, settings):
    settings.OPENAI_API_KEY = "sk-instance"
    team.allowed_models = ["local:draft", "openai:gpt-image-2"]
    team.active_model = "openai:gpt-image-2"
    team.save()
    page = client_for(member).get("/studio/").content.decode()
    assert 'value="transparent"' not in page
    assert '<span>4K</span><small class="exp">experimental</small>' in page


def test_a_viewer_sees_the_results_but_no_generate_form(team, member, viewer, client_for):
    job = _finished_job(team, member)
    page = client_for(viewer).get(f"/studio/?job={job.uuid}").content.decode()
    assert 'id="generate-form"' not in page
    assert "To generate, ask an admin of the team to make you a Member." in page
    assert 'data-testid="result-image"' in page
    assert "Download" in page
    assert "Refine" not in page


def test_a_viewer_cannot_generate(team, viewer, client_for):
    response = client_for(viewer).post("/studio/generate/", {"prompt": "Anything", "model_id": "local:draft"})
    assert response.status_code == 403


def test_the_studio_opens_the_last_job_of_the_user(team, member, client_for):
    job = _finished_job(team, member)
    page = client_for(member).get("/studio/").content.decode()
    assert f'id="job-{job.uuid}-canvas"' in page
    assert f'id="job-{job.uuid}-live"' in page
    assert "ws-connect" not in page  # a finished job needs no socket


def test_a_running_job_connects_to_its_websocket(team, member, client_for):
    job = generation_submit(team=team, user=member, data={"prompt": "A kite", "quality": "low"})
    page = client_for(member).get(f"/studio/?job={job.uuid}").content.decode()
    assert f'hx-ext="ws" ws-connect="/ws/jobs/{job.uuid}/"' in page
    assert "Waiting for a worker" in page


def test_another_teams_job_is_not_found(team, member, other_team, outsider, client_for):
    job = _finished_job(team, member)
    assert client_for(outsider).get(f"/studio/?job={job.uuid}").status_code == 404
    assert client_for(outsider).get(f"/studio/?job={uuid.uuid4()}").status_code == 404


def test_the_refine_link_opens_the_refine_box_on_that_image(team, member, client_for):
    job = _finished_job(team, member)
    asset = job.job_outputs.get().asset
    page = client_for(member).get(f"/studio/?refine={asset.pk}").content.decode()
    assert f'hx-post="/studio/refine/{asset.pk}/"' in page
    assert "Refine this image" in page


def test_the_reference_link_adds_the_image_as_image_1(team, member, client_for, upload):
    asset = upload(team, member)
    page = client_for(member).get(f"/studio/?reference={asset.pk}").content.decode()
    assert f'<input type="hidden" name="reference_asset" value="{asset.pk}">' in page
    assert '<span class="ref-label">Image 1</span>' in page


def test_another_teams_asset_cannot_be_refined_or_referenced(team, member, other_team, outsider, client_for, upload):
    asset = upload(team, member)
    client = client_for(outsider)
    assert client.get(f"/studio/?refine={asset.pk}").status_code == 404
    assert client.get(f"/studio/?reference={asset.pk}").status_code == 404


def test_the_page_keeps_a_strict_csp(team, member, client_for):
    response = client_for(member).get("/studio/")
    page = response.content.decode()
    assert "style=" not in page
    assert " hx-on" not in page
    assert "<script>" not in page
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_page_has_exactly_one_h1_with_or_without_a_job(team, member, client_for):
    client = client_for(member)
    assert client.get("/studio/").content.decode().count("<h1") == 1
    _finished_job(team, member)
    assert client.get("/studio/").content.decode().count("<h1") == 1


def test_upload_and_from_library_are_real_buttons_and_the_shortcuts_are_listed(team, member, client_for):
    page = client_for(member).get("/studio/").content.decode()
    assert '<button type="button" class="btn btn-small" data-upload-for="reference-file"' in page
    assert 'data-dialog-open="library-dialog"' in page and '<dialog id="library-dialog"' in page
    assert '<dialog id="shortcuts-dialog"' in page and "<kbd>Enter</kbd>" in page


def test_a_running_job_asks_before_it_stops_with_verbs_on_the_buttons(team, member, client_for):
    generation_submit(team=team, user=member, data={"prompt": "A lemon", "quality": "low", "n": 1})
    page = client_for(member).get("/studio/").content.decode()
    assert 'data-confirm-title="Stop this job?"' in page
    assert 'data-confirm-yes="Stop job" data-confirm-no="Keep running"' in page
    assert "hx-confirm" not in page


def test_a_finished_image_is_titled_with_its_prompts_first_words(team, member, client_for):
    from library.models import Asset

    _finished_job(team, member, prompt='make the background blue and change the text to "Sale" in bold letters')
    asset = Asset.objects.get(team=team)
    assert asset.name == "Make the background blue and change the text…"
