"""POST /api/v1/generations: the product sheet's payload in, 202 out; every refusal shaped and saving nothing."""

import base64
import io

import pytest
from PIL import Image

from library.models import Asset
from library.services import asset_ingest
from studio.credits.models import LedgerEntry, Wallet
from studio.generation.models import GenerationJob
from studio.teams.models import Membership
from tests.credits.factories import grant

pytestmark = pytest.mark.django_db


def post(client, payload):
    return client.post("/api/v1/generations", payload, content_type="application/json")


def png(size=(640, 800), mode="RGB", colour=(40, 120, 200)):
    buffer = io.BytesIO()
    Image.new(mode, size, colour if mode == "RGB" else (*colour, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def nothing_saved(team, balance=0):
    wallet = Wallet.objects.get(team=team)
    return (
        not GenerationJob.objects.exists()
        and not LedgerEntry.objects.exclude(kind="grant").exists()
        and (wallet.balance, wallet.held) == (balance, 0)
    )


def test_it_accepts_the_product_sheets_payload_and_answers_202_with_a_location(admin_api, team):
    response = post(
        admin_api,
        {"model": "local:draft", "prompt": "Editorial portrait, 35mm", "quality": "high", "aspectRatio": "4:5"},
    )
    assert response.status_code == 202, response.content
    body = response.json()
    job = GenerationJob.objects.get(team=team)
    assert body["id"] == str(job.uuid) and body["status"] == "queued"
    assert response["Location"].endswith(f"/api/v1/generations/{job.uuid}")
    assert body["url"] == response["Location"] == f"http://testserver/api/v1/generations/{job.uuid}"
    width, height = (int(x) for x in job.params["size"].split("x"))
    assert width / height == pytest.approx(4 / 5, rel=0.03)
    assert job.params["quality"] == "high"


def test_it_uses_the_teams_active_model_when_none_is_named(admin_api, team):
    response = post(admin_api, {"prompt": "A lighthouse", "size": "1024x1024"})
    assert response.status_code == 202
    assert GenerationJob.objects.get().model_id == team.active_model


def test_it_reserves_the_same_credits_as_the_studio(admin_api, team, draft_price):
    draft_price(6)
    grant(team, 50)
    response = post(admin_api, {"model": "local:draft", "prompt": "Three mugs", "size": "1024x1024", "n": 3})
    assert response.status_code == 202
    assert response.json()["creditsReserved"] == 18
    wallet = Wallet.objects.get(team=team)
    assert (wallet.balance, wallet.held) == (32, 18)


def test_it_answers_402_when_the_team_is_short_of_credits_and_reserves_nothing(admin_api, team, draft_price):
    draft_price(6)
    grant(team, 10)
    response = post(admin_api, {"model": "local:draft", "prompt": "Three mugs", "size": "1024x1024", "n": 3})
    assert response.status_code == 402
    error = response.json()["errors"][0]
    assert error["field"] is None and "This needs 18 credits and the team has 10" in error["message"]
    assert nothing_saved(team, balance=10)


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"prompt": ""}, "prompt", "prompt"),
        ({"prompt": "Mugs", "n": 50}, "n", "10"),
        ({"prompt": "Mugs", "size": "1000x1000"}, "size", "multiples of 16"),
        ({"prompt": "Mugs", "aspectRatio": "5:1"}, "aspectRatio", ""),
        ({"prompt": "Mugs", "quality": "ultra"}, "quality", "Input should be 'low', 'medium', 'high'"),
        ({"prompt": "Mugs", "n": "lots"}, "n", "valid integer"),
        ({"prompt": "Mugs", "aspect_ratio": "4:5"}, "aspect_ratio", "not part of the API"),
        ({"quality": "low"}, "prompt", "This field is required."),
        ({"prompt": "Mugs", "outputFormat": "jpeg", "outputCompression": 400}, "outputCompression", ""),
        ({"prompt": "Mugs", "referenceImages": [{"image": 1, "role": "hero"}]}, "referenceImages[0].role", ""),
        ({"prompt": "Mugs", "referenceImages": [["nested"]]}, "referenceImages[0]", "asset id, an http(s) URL"),
        ({"prompt": "Mugs", "referenceImages": ["not a url"]}, "referenceImages[0]", "asset id, an http(s) URL"),
        ({"prompt": "Mugs", "mask": "data:image/png;base64,@@@"}, "mask", "not valid base64"),
    ],
)
def test_it_refuses_invalid_input_field_by_field_and_moves_no_credit(admin_api, team, payload, field, message):
    grant(team, 100)
    response = post(admin_api, payload)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert all(set(error) == {"field", "message"} for error in errors)
    by_field = {error["field"]: error["message"] for error in errors}
    assert field in by_field, errors
    assert message in by_field[field]
    assert nothing_saved(team, balance=100)


def test_it_answers_400_with_a_whole_request_error_for_a_body_that_is_not_json(admin_api, team):
    response = admin_api.post("/api/v1/generations", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] is None
    assert nothing_saved(team)


def test_it_answers_403_for_a_model_the_team_has_not_enabled(admin_api, team):
    response = post(admin_api, {"model": "openai:gpt-image-2", "prompt": "Mugs"})
    assert response.status_code == 403
    assert response.json()["errors"] == [
        {
            "field": "model",
            "message": f"GPT Image 2 is not enabled for {team.name}; an admin can enable it under Team → Models.",
        }
    ]
    assert nothing_saved(team)


def test_it_answers_403_when_the_tokens_maker_can_no_longer_generate(admin_api, team, admin_user):
    Membership.objects.filter(team=team, user=admin_user).update(role="viewer")
    response = post(admin_api, {"prompt": "Mugs"})
    assert response.status_code == 403
    assert "whose role is Viewer" in response.json()["errors"][0]["message"]
    assert nothing_saved(team)


def test_it_answers_413_with_advice_for_a_body_over_the_upload_limit(admin_api, team, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    image = "data:image/png;base64," + "A" * (128 * 1024)
    response = post(admin_api, {"prompt": "Mugs", "referenceImages": [image]})
    assert response.status_code == 413
    assert "Send large images as http(s) URLs" in response.json()["errors"][0]["message"]
    assert nothing_saved(team)


def test_it_answers_400_for_an_unknown_model(admin_api, team):
    response = post(admin_api, {"model": "acme:imagine-9", "prompt": "Mugs"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "model"


def test_it_takes_library_assets_as_references_with_roles(admin_api, team, admin_user):
    face = asset_ingest(team=team, user=admin_user, data=png(), filename="face.png")
    response = post(
        admin_api,
        {
            "prompt": "Same face, studio light",
            "size": "1024x1024",
            "referenceImages": [{"image": face.pk, "role": "identity"}],
        },
    )
    assert response.status_code == 202, response.content
    assert GenerationJob.objects.get().references == [{"asset_id": face.pk, "role": "identity"}]


def test_it_answers_404_for_a_reference_of_another_team(admin_api, team, other_team, outsider):
    theirs = asset_ingest(team=other_team, user=outsider, data=png(), filename="theirs.png")
    response = post(admin_api, {"prompt": "Mugs", "referenceImages": [str(theirs.pk)]})
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "referenceImages[0]"
    assert nothing_saved(team)


def test_it_takes_a_mask_as_a_data_uri_of_an_rgba_png(admin_api, team, admin_user):
    photo = asset_ingest(team=team, user=admin_user, data=png((1024, 1024)), filename="photo.png")
    mask = "data:image/png;base64," + base64.b64encode(png((1024, 1024), mode="RGBA")).decode()
    response = post(admin_api, {"prompt": "Add a plant", "referenceImages": [photo.pk], "mask": mask})
    assert response.status_code == 202, response.content
    assert GenerationJob.objects.get().has_mask


def test_it_refuses_a_mask_of_another_size_next_to_the_mask(admin_api, team, admin_user):
    photo = asset_ingest(team=team, user=admin_user, data=png((1024, 1024)), filename="photo.png")
    mask = "data:image/png;base64," + base64.b64encode(png((512, 512), mode="RGBA")).decode()
    response = post(admin_api, {"prompt": "Add a plant", "referenceImages": [photo.pk], "mask": mask})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "mask"
    assert nothing_saved(team)


def test_it_answers_404_for_an_unknown_previous_generation(admin_api, team):
    response = post(admin_api, {"prompt": "Warmer", "previousGenerationId": "7d5e0f9e-1111-4a4a-9b9b-000000000000"})
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "previousGenerationId"
    assert nothing_saved(team)


def test_it_fetches_a_reference_url_and_imports_it_into_the_library(admin_api, team, image_server, allow_private):
    url = f"{image_server.url}/image.png"
    response = post(admin_api, {"prompt": "In this style", "size": "1024x1024", "referenceImages": [url]})
    assert response.status_code == 202, response.content
    imported = Asset.objects.get(team=team, source="imported")
    assert imported.provenance["imported_from"] == url
    assert GenerationJob.objects.get().references == [{"asset_id": imported.pk, "role": "object"}]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/huge", "larger than 1 MB"),
        ("/page.html", "not a PNG, JPEG or WebP image"),
        ("/redirect/4", "redirected more than 3 times"),
    ],
)
def test_it_refuses_a_reference_url_it_cannot_use_and_imports_nothing(
    admin_api, team, image_server, allow_private, path, message
):
    allow_private.POSTFRAME_REMOTE_FETCH_MAX_BYTES = 1024 * 1024
    good = f"{image_server.url}/image.png"
    response = post(admin_api, {"prompt": "In this style", "referenceImages": [good, f"{image_server.url}{path}"]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "referenceImages[1]"
    assert message in response.json()["errors"][0]["message"]
    assert nothing_saved(team) and not Asset.objects.exists()


def test_it_reports_every_unusable_reference_url_in_order(admin_api, team, image_server, allow_private):
    base = image_server.url
    references = [f"{base}/page.html", f"{base}/image.png", f"{base}/missing.png", f"{base}/redirect/9"]
    response = post(admin_api, {"prompt": "In this style", "referenceImages": references})
    assert response.status_code == 400
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == ["referenceImages[0]", "referenceImages[2]", "referenceImages[3]"]
    assert nothing_saved(team) and not Asset.objects.exists()


def test_it_refuses_a_reference_on_a_private_address(admin_api, team, image_server, settings):
    settings.POSTFRAME_REMOTE_FETCH_ALLOW_PRIVATE = False
    response = post(admin_api, {"prompt": "In this style", "referenceImages": [f"{image_server.url}/image.png"]})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "referenceImages[0]",
            "message": "The address 127.0.0.1 is private (loopback): Postframe fetches reference images only from "
            "public internet addresses. Upload the image to the library instead.",
        }
    ]
    assert image_server.requests == []
    assert nothing_saved(team) and not Asset.objects.exists()


def test_an_imported_reference_is_removed_again_when_the_request_is_refused(
    admin_api, team, image_server, allow_private, draft_price
):
    draft_price(6)  # and the team has no credits: the job is refused after the import
    response = post(
        admin_api, {"prompt": "Mugs", "size": "1024x1024", "referenceImages": [f"{image_server.url}/image.png"]}
    )
    assert response.status_code == 402
    assert not Asset.objects.exists()
    media = allow_private.MEDIA_ROOT
    assert not [p for p in media.rglob("*") if p.is_file()]
