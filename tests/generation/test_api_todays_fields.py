"""The JSON API takes the studio's new fields: thinking, xhigh/max quality, markup, GIF and SVG."""

import base64
import io

import pytest
from PIL import Image, ImageDraw

from library.services import asset_ingest
from studio.generation.models import GenerationJob
from tests.api.factories import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(team, admin_user):
    return api_client(team, admin_user)


def post(client, payload):
    return client.post("/api/v1/generations", payload, content_type="application/json")


def data_uri(image):
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def source(team, user):
    image = Image.new("RGB", (640, 512), (40, 120, 200))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return asset_ingest(team=team, user=user, data=buffer.getvalue(), filename="source.png")


def markup(size=(640, 512)):
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(layer).rectangle((100, 100, 300, 300), outline=(229, 72, 77, 255), width=8)
    return data_uri(layer)


def test_it_takes_thinking_and_markup_for_the_offline_engine(admin_api, team, admin_user):
    asset = source(team, admin_user)
    response = post(
        admin_api,
        {
            "model": "local:draft",
            "prompt": "Put a badge here",
            "thinking": "medium",
            "quality": "max",
            "referenceImages": [asset.pk],
            "markup": markup(),
        },
    )

    assert response.status_code == 202, response.content
    job = GenerationJob.objects.get(team=team)
    assert job.params["complexity"] == "medium" and job.params["quality"] == "max"
    assert job.has_markup and Image.open(io.BytesIO(bytes(job.markup_png))).size == (640, 512)


def test_it_refuses_markup_with_a_mask_beside_the_markup_field(admin_api, team, admin_user):
    asset = source(team, admin_user)
    mask = Image.new("RGBA", (640, 512), (0, 0, 0, 255))
    response = post(
        admin_api,
        {
            "model": "local:draft",
            "prompt": "x",
            "referenceImages": [asset.pk],
            "markup": markup(),
            "mask": data_uri(mask),
        },
    )

    assert response.status_code == 400
    assert {"field": "markup", "message": "Use either a mask or markup, not both: remove one of them."} in [
        {"field": error["field"], "message": error["message"]} for error in response.json()["errors"]
    ]
    assert not GenerationJob.objects.exists()


def test_it_names_the_thinking_field_when_a_model_cannot_think(admin_api, team):
    team.allowed_models = ["local:draft", "openai:gpt-image-1.5"]
    team.save()
    response = post(admin_api, {"model": "openai:gpt-image-1.5", "prompt": "x", "thinking": "high"})

    assert response.status_code == 400
    fields = [error["field"] for error in response.json()["errors"]]
    assert "thinking" in fields


def test_the_schema_documents_the_new_fields(admin_api):
    from studio.api.api import api

    schema = api.get_openapi_schema()
    generation = schema["components"]["schemas"]["GenerationIn"]["properties"]

    assert "xhigh" in str(generation["quality"]) and "max" in str(generation["quality"])
    assert "svg" in str(generation["outputFormat"]) and "gif" in str(generation["outputFormat"])
    assert set(generation["thinking"]["anyOf"][0]["enum"]) == {"low", "medium", "high"}
    assert "markup" in generation
