"""Slides in the JSON API: a carousel from a brief, a slide's text, backgrounds and exports; all in the schema."""

import io

import pytest
from django.test import Client
from PIL import Image
from pypdf import PdfReader

from slides.models import Carousel
from studio.generation.services import generation_run
from tests.api.factories import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(team, admin_user):
    return api_client(team, admin_user)


def _create(api, **extra):
    body = {"topic": "Five habits of calm teams", "audience": "founders", "slideCount": 3, "preset": "linkedin-4x5"}
    return api.post("/api/v1/carousels", {**body, **extra}, content_type="application/json")


def test_a_brief_makes_a_carousel_with_its_outline_and_checks(api, team):
    response = _create(api)
    assert response.status_code == 201, response.content
    shown = response.json()
    assert (shown["width"], shown["height"], shown["outliner"]) == (1080, 1350, "offline")
    assert [slide["position"] for slide in shown["slides"]] == [1, 2, 3]
    assert shown["slides"][0]["layout"] == "title" and shown["slides"][0]["backgroundState"] == "none"
    assert all(check["ok"] for check in shown["slides"][0]["checks"])


@pytest.mark.parametrize("extra,field", [({"topic": ""}, "topic"), ({"slideCount": 11}, "slideCount")])
def test_a_bad_brief_is_a_422_naming_the_field_and_saves_nothing(api, team, extra, field):
    response = _create(api, **extra)
    assert response.status_code in (400, 422)
    assert field in str(response.json()["errors"])
    assert not Carousel.objects.exists()


def test_editing_text_then_exporting_gives_a_pdf_with_that_text(api, team):
    shown = _create(api).json()
    slide = shown["slides"][1]
    response = api.patch(
        f"/api/v1/slides/{slide['id']}", {"headline": "Clear beats clever"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["slides"][1]["headline"] == "Clear beats clever"
    pdf = api.post(f"/api/v1/carousels/{shown['id']}/export/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "Clear beats clever" in PdfReader(io.BytesIO(pdf.content)).pages[1].extract_text()


def test_backgrounds_run_and_show_up_when_the_carousel_is_read(api, team):
    from slides.services import backgrounds_follow
    from studio.generation.models import GenerationJob

    shown = _create(api).json()
    response = api.post(f"/api/v1/carousels/{shown['id']}/backgrounds")
    assert response.status_code == 202
    states = [slide["backgroundState"] for slide in response.json()["slides"]]
    assert states[0] == "pending" and set(states[1:]) == {"waiting"}  # the rest follow the first one's style

    generation_run(job_id=GenerationJob.objects.get(team=team).pk)
    assert backgrounds_follow(carousel_id=shown["id"])  # what the follow-up task does once slide 1 is made
    for job in GenerationJob.objects.filter(team=team, status="queued"):
        generation_run(job_id=job.pk)
    done = api.get(f"/api/v1/carousels/{shown['id']}").json()
    assert {slide["backgroundState"] for slide in done["slides"]} == {"done"} and done["status"] == "ready"


def test_another_teams_carousel_is_a_404(api, other_team, outsider):
    from tests.slides.factories import carousel_for

    theirs = carousel_for(other_team, outsider, slide_count=3)
    assert api.get(f"/api/v1/carousels/{theirs.pk}").status_code == 404
    slide = theirs.slides.first()
    assert (
        api.patch(f"/api/v1/slides/{slide.pk}", {"headline": "x"}, content_type="application/json").status_code == 404
    )


def test_the_slides_operations_are_in_the_openapi_schema(api):
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/carousels" in paths and "/api/v1/slides/{slide_id}" in paths
    assert "/api/v1/carousels/{carousel_id}/export/{kind}" in paths


def test_a_brief_can_follow_the_brand_kit_and_name_a_style_reference_of_its_own_team_only(
    api, team, admin_user, other_team, outsider
):
    from library.services import asset_ingest
    from slides.brand import brand_colours_save

    def image(owner_team, user):
        buffer = io.BytesIO()
        Image.new("RGB", (40, 50), "teal").save(buffer, "PNG")
        return asset_ingest(team=owner_team, user=user, data=buffer.getvalue(), filename="style.png")

    theirs = image(other_team, outsider)
    refused = _create(api, styleReferenceId=theirs.pk)
    assert refused.status_code == 400 and "styleReferenceId" in str(refused.json()["errors"])
    assert not Carousel.objects.exists()

    colours = {"primary": "#112233", "secondary": "#223344", "text": "#FFEEDD", "background": "#000000"}
    brand_colours_save(team=team, user=admin_user, colours=colours)
    ours = image(team, admin_user)
    made = _create(api, followBrandKit=True, styleReferenceId=ours.pk)
    assert made.status_code == 201, made.content
    carousel = Carousel.objects.get(pk=made.json()["id"])
    assert carousel.follow_brand and carousel.style_reference == ours
    assert {tuple(line["colour"]) for line in carousel.slides.first().lines} == {(0xFF, 0xEE, 0xDD)}
