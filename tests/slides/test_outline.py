"""The outliners: the offline one from the brief alone, and OpenAI's Responses API with a strict schema, over HTTP."""

import json

import pytest

from slides import outline
from slides.models import Layout
from slides.outline import Brief, OutlineError, offline_outline, openai_outline, outline_clean
from slides.services import outline_write


def test_the_offline_outliner_makes_a_valid_ten_slide_deck():
    slides = offline_outline(Brief(topic="Five habits of calm teams", audience="founders", goal="book a demo"))
    assert len(slides) == 10
    assert slides[0]["layout"] == Layout.TITLE and slides[0]["headline"] == "Five habits of calm teams"
    assert slides[-1]["layout"] == Layout.CTA
    assert len({slide["layout"] for slide in slides}) >= 4  # varied, not ten captions
    assert all(slide["headline"].strip() for slide in slides)
    assert all("No text" in slide["background_prompt"] for slide in slides)
    assert "founders" in slides[0]["body"]


@pytest.mark.parametrize("count", [3, 7])
def test_the_offline_outliner_honours_the_slide_count(count):
    slides = offline_outline(Brief(topic="Spring menu", slide_count=count))
    assert len(slides) == count and slides[0]["layout"] == Layout.TITLE and slides[-1]["layout"] == Layout.CTA


def test_it_refuses_an_outline_with_the_wrong_number_of_slides_or_an_unknown_layout():
    good = {"layout": "caption", "headline": "Hi", "body": "", "background_prompt": ""}
    with pytest.raises(OutlineError, match="2 slides, not 3"):
        outline_clean([good, good], 3)
    with pytest.raises(OutlineError, match="layout"):
        outline_clean([good, good, {**good, "layout": "poster"}], 3)


def test_the_openai_outliner_sends_a_strict_json_schema_and_builds_the_deck(fake_openai):
    slides = openai_outline(Brief(topic="Five habits of calm teams", slide_count=10), api_key=fake_openai.api_key)
    assert len(slides) == 10
    assert {slide["layout"] for slide in slides} == set(Layout.values)
    assert all(slide["headline"] for slide in slides)

    [request] = fake_openai.requests_to("/responses")
    text_format = request.json["text"]["format"]
    assert text_format["type"] == "json_schema" and text_format["strict"] is True
    assert text_format["schema"]["properties"]["slides"]["minItems"] == 10
    assert "Five habits of calm teams" in request.json["input"]
    assert "tools" not in request.json


def test_the_outline_schema_passes_the_fakes_strict_check(fake_openai):
    # The fake refuses what the API refuses: an open object in a strict schema.
    import openai as sdk

    client = sdk.OpenAI(api_key=fake_openai.api_key, base_url=fake_openai.url, max_retries=0)
    schema = outline.outline_schema(3)
    schema["properties"]["slides"]["items"]["additionalProperties"] = True
    with pytest.raises(sdk.BadRequestError, match="additionalProperties"):
        client.responses.create(
            model="gpt-5-mini",
            input="x",
            text={"format": {"type": "json_schema", "name": "o", "strict": True, "schema": schema}},
        )
    good = client.responses.create(
        model="gpt-5-mini",
        input="x",
        text={"format": {"type": "json_schema", "name": "o", "strict": True, "schema": outline.outline_schema(3)}},
    )
    assert len(json.loads(good.output_text)["slides"]) == 3


def test_a_refused_key_says_why(fake_openai):
    with pytest.raises(OutlineError, match="refused the API key"):
        openai_outline(Brief(topic="Spring menu", slide_count=3), api_key="sk-wrong-key-0000")


@pytest.mark.django_db
def test_with_a_key_the_team_gets_openais_outline_and_without_one_the_offline_one(fake_openai, team, settings):
    brief = Brief(topic="Spring menu", slide_count=4)
    slides, outliner, note = outline_write(team=team, brief=brief)
    assert outliner == "offline" and note == "" and len(slides) == 4 and not fake_openai.requests_to("/responses")

    settings.OPENAI_API_KEY = fake_openai.api_key
    slides, outliner, note = outline_write(team=team, brief=brief)
    assert outliner == outline.OUTLINE_MODEL and note == "" and len(slides) == 4
    assert slides[0]["headline"].startswith("Point 1:")

    settings.OPENAI_API_KEY = "sk-wrong-key-0000"
    slides, outliner, note = outline_write(team=team, brief=brief)
    assert outliner == "offline" and "refused the API key" in note and "offline outliner" in note
