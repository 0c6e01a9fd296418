"""GET /api/v1/generations/{id} and the asset files it links: a job submitted by API, run, and read back."""

import io

import pytest
from PIL import Image

from library.models import Asset
from studio.generation.models import GenerationJob
from studio.generation.services import generation_fail, generation_run
from tests.api.factories import generation_job

pytestmark = pytest.mark.django_db


def submit(client, **payload):
    response = client.post("/api/v1/generations", payload, content_type="application/json")
    assert response.status_code == 202, response.content
    return response.json()["id"]


def test_a_generation_submitted_through_the_api_completes_and_shows_its_outputs(admin_api, team):
    generation_id = submit(
        admin_api,
        model="local:draft",
        prompt='A poster that says "Spring sale"',
        size="1024x1024",
        quality="low",
        n=2,
        partialImages=2,
    )
    before = admin_api.get(f"/api/v1/generations/{generation_id}").json()
    assert before["status"] == "queued" and before["outputs"] == []

    generation_run(job_id=GenerationJob.objects.get(uuid=generation_id).pk)  # what the worker does

    body = admin_api.get(f"/api/v1/generations/{generation_id}").json()
    assert body["status"] == "succeeded" and body["error"] is None
    assert body["partialCount"] == 2
    assert body["cost"] == {"estimated": 0, "captured": 0}
    assert [(o["width"], o["height"], o["format"]) for o in body["outputs"]] == [(1024, 1024, "png")] * 2
    assert body["outputs"][0]["url"].startswith("http://testserver/api/v1/assets/")
    first = admin_api.get(body["outputs"][0]["url"])
    assert first.status_code == 200 and first["Content-Type"] == "image/png"
    assert first["X-Content-Type-Options"] == "nosniff" and "private" in first["Cache-Control"]
    assert Image.open(io.BytesIO(b"".join(first))).size == (1024, 1024)


def test_a_refinement_points_back_to_its_previous_generation(admin_api, team):
    first = submit(admin_api, prompt="A red chair", size="1024x1024", quality="low")
    generation_run(job_id=GenerationJob.objects.get(uuid=first).pk)
    second = submit(admin_api, prompt="Make it blue", previousGenerationId=first)
    body = admin_api.get(f"/api/v1/generations/{second}").json()
    assert body["previousGenerationId"] == first
    assert GenerationJob.objects.get(uuid=second).parent.uuid == GenerationJob.objects.get(uuid=first).uuid


def test_a_refinement_of_a_generation_without_an_image_is_refused(admin_api, team):
    queued = generation_job(team)
    response = admin_api.post(
        "/api/v1/generations",
        {"prompt": "Warmer", "previousGenerationId": str(queued.uuid)},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "has no image to refine yet" in response.json()["errors"][0]["message"]


def test_a_failed_generation_shows_the_kind_and_message_of_its_error(admin_api, team):
    job = generation_job(team)
    generation_fail(job_id=job.pk, kind="moderation", message="OpenAI's safety system refused this prompt.")
    body = admin_api.get(f"/api/v1/generations/{job.uuid}").json()
    assert body["status"] == "failed"
    assert body["error"] == {"kind": "moderation", "message": "OpenAI's safety system refused this prompt."}


def test_another_teams_asset_file_answers_404(admin_api, other_team, outsider):
    from library.services import asset_ingest

    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(buffer, "PNG")
    theirs = asset_ingest(team=other_team, user=outsider, data=buffer.getvalue(), filename="x.png")
    response = admin_api.get(f"/api/v1/assets/{theirs.pk}/file")
    assert response.status_code == 404
    assert response.json()["errors"][0]["message"] == "Not found in this team."


def test_an_asset_file_needs_a_token(client, team, admin_user):
    from library.services import asset_ingest

    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(buffer, "PNG")
    asset = asset_ingest(team=team, user=admin_user, data=buffer.getvalue(), filename="x.png")
    assert client.get(f"/api/v1/assets/{asset.pk}/file").status_code == 401
    assert Asset.objects.filter(pk=asset.pk).exists()
