"""Every error under /api/v1 comes in the API's JSON shape, and text fields refuse control characters."""

import pytest

from library.models import Board
from studio.credits.models import LedgerEntry
from studio.generation.models import GenerationJob
from tests.credits.factories import grant

pytestmark = pytest.mark.django_db


def only_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    errors = response.json()["errors"]
    assert len(errors) == 1 and set(errors[0]) == {"field", "message"}
    return errors[0]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/assets/-1/file",
        "/api/v1/generations/0",
        "/api/v1/generations/not-a-uuid",
        "/api/v1/boards/abc",
        "/api/v1/no-such-thing",
        "/api/v1/generations/",
        "/api/v1/",
    ],
)
def test_a_path_nothing_answers_is_a_json_404(admin_api, path):
    error = only_error(admin_api.get(path), 404)
    assert error["field"] is None
    assert f"There is nothing at {path}" in error["message"] and "/api/v1/docs" in error["message"]


def test_an_unknown_path_is_a_json_404_even_without_a_token(client):
    error = only_error(client.post("/api/v1/assets/-1/file", {}, content_type="application/json"), 404)
    assert "There is nothing at /api/v1/assets/-1/file" in error["message"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/api/v1/generations", "POST"),
        ("put", "/api/v1/boards", "GET, POST"),
        ("post", "/api/v1/assets/1/file", "GET"),
        ("patch", "/api/v1/generations/7d5e0f9e-1111-4a4a-9b9b-000000000000", "GET"),
    ],
)
def test_a_wrong_method_is_a_json_405_that_says_what_the_path_takes(admin_api, method, path, allowed):
    response = getattr(admin_api, method)(path)
    error = only_error(response, 405)
    assert sorted(response["Allow"].split(", ")) == sorted(allowed.split(", "))
    assert error["message"].startswith(f"{method.upper()} is not allowed on {path}")


def test_another_teams_generation_is_a_json_404(admin_api, other_team):
    from tests.api.factories import generation_job

    theirs = generation_job(other_team)
    error = only_error(admin_api.get(f"/api/v1/generations/{theirs.uuid}"), 404)
    assert error == {"field": None, "message": "Not found in this team."}


def test_an_unexpected_failure_is_a_json_500_not_an_html_page(admin_api, monkeypatch):
    from studio.api import selectors

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(selectors, "api_boards", broken)
    error = only_error(admin_api.get("/api/v1/boards"), 500)
    assert "Something went wrong on our side" in error["message"]
    assert "database" not in error["message"]  # no internals in the answer


def test_a_failure_around_the_operation_is_a_json_500_too(admin_api, monkeypatch):
    from studio.api import services

    def broken(**kwargs):
        raise RuntimeError("could not claim the key")

    monkeypatch.setattr(services, "idempotent_request_claim", broken)
    response = admin_api.post(
        "/api/v1/boards", {"name": "Spring"}, content_type="application/json", headers={"Idempotency-Key": "k"}
    )
    assert "Something went wrong on our side" in only_error(response, 500)["message"]
    assert not Board.objects.exists()


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_a_control_character_in_the_prompt_is_a_400_naming_the_prompt_and_saves_nothing(admin_api, team, char):
    grant(team, 50)
    response = admin_api.post(
        "/api/v1/generations", {"prompt": f"Mugs{char}on a table"}, content_type="application/json"
    )
    error = only_error(response, 400)
    assert error["field"] == "prompt"
    assert f"U+{ord(char):04X}" in error["message"]
    assert not GenerationJob.objects.exists() and not LedgerEntry.objects.exclude(kind="grant").exists()


def test_a_lone_surrogate_in_the_prompt_is_a_400_naming_the_prompt(admin_api):
    response = admin_api.post("/api/v1/generations", '{"prompt": "Mugs \\ud800"}', content_type="application/json")
    error = only_error(response, 400)
    assert error["field"] == "prompt" and "lone surrogate" in error["message"]
    assert not GenerationJob.objects.exists()


def test_a_prompt_keeps_tabs_and_line_breaks(admin_api, team):
    response = admin_api.post(
        "/api/v1/generations",
        {"prompt": 'Headline:\t"Spring"\r\nSubline: sale', "size": "1024x1024"},
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    assert GenerationJob.objects.get().prompt == 'Headline:\t"Spring"\r\nSubline: sale'


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"prompt": "Mugs", "model": "local:draft\x00"}, "model"),
        ({"prompt": "Mugs", "size": "1024x1024\n"}, "size"),
        ({"prompt": "Mugs", "referenceImages": ["https://example.com/a\x00.png"]}, "referenceImages[0]"),
        ({"prompt": "Mugs", "referenceImages": [{"image": "data:\x01", "role": "style"}]}, "referenceImages[0].image"),
        ({"prompt": "Mugs", "mask": "\x00"}, "mask"),
    ],
)
def test_a_control_character_in_any_generation_text_field_is_a_400_naming_it(admin_api, payload, field):
    response = admin_api.post("/api/v1/generations", payload, content_type="application/json")
    assert response.status_code == 400, response.content
    by_field = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert "control character" in by_field[field]
    assert not GenerationJob.objects.exists()


def test_a_control_character_in_a_board_name_is_a_400_naming_it(admin_api, team):
    response = admin_api.post("/api/v1/boards", {"name": "Spring\x00launch"}, content_type="application/json")
    error = only_error(response, 400)
    assert error["field"] == "name" and "control character (U+0000)" in error["message"]
    assert not Board.objects.exists()


def test_a_control_character_in_a_search_is_a_400_naming_the_query_parameter(admin_api):
    error = only_error(admin_api.get("/api/v1/assets", {"q": "mug\x00"}), 400)
    assert error["field"] == "q" and "control character" in error["message"]


def test_an_empty_prompt_is_refused_with_the_studios_message(admin_api):
    error = only_error(admin_api.post("/api/v1/generations", {"prompt": ""}, content_type="application/json"), 400)
    assert error == {"field": "prompt", "message": "Write a prompt describing the image."}


def test_the_schema_states_what_the_validators_enforce(client):
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    prompt = components["GenerationIn"]["properties"]["prompt"]
    assert prompt["minLength"] == 1 and prompt["maxLength"] == 32000
    assert "\\u0000-\\u0008" in prompt["pattern"]  # control characters other than tab and line breaks
    generation = components["GenerationIn"]["properties"]
    assert (generation["n"]["minimum"], generation["n"]["maximum"]) == (1, 10)
    assert set(generation["aspectRatio"]["anyOf"][0]["enum"]) == {
        "auto", "1:1", "4:5", "9:16", "16:9", "4:3", "3:4", "2:3", "3:2",
    }  # fmt: skip
    assert generation["referenceImages"]["maxItems"] == 16
    board_name = components["BoardIn"]["properties"]["name"]
    assert (board_name["minLength"], board_name["maxLength"]) == (1, 80)
    assert "\\u0000-\\u001f" in board_name["pattern"]
    post = schema["paths"]["/api/v1/generations"]["post"]
    key = next(p for p in post["parameters"] if p["name"] == "Idempotency-Key")
    assert key["in"] == "header" and key["schema"]["maxLength"] == 255
