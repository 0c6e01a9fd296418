"""Video in the JSON API: a sequence from a brief or from shots, run it, read shot states, fetch the clips and the
stitched MP4; refusals name the field and save nothing; all of it in the OpenAPI schema."""

import pytest

from studio.credits.models import LedgerEntry, VideoPriceRule
from studio.video import media
from studio.video.models import Sequence, Shot
from tests.api.factories import api_client
from tests.video.driver import Driver

pytestmark = pytest.mark.django_db

BRIEF = "A kettle boils on a stove. Steam curls up. Tea pours into a cup."


@pytest.fixture
def api(team, admin_user):
    return api_client(team, admin_user)


@pytest.fixture
def driver(monkeypatch, django_capture_on_commit_callbacks):
    return Driver(monkeypatch, django_capture_on_commit_callbacks)


def test_a_brief_makes_a_draft_sequence_with_its_shot_list_and_cost(api, team):
    response = api.post("/api/v1/sequences", {"brief": BRIEF}, content_type="application/json")
    assert response.status_code == 201, response.content
    shown = response.json()
    assert shown["status"] == "draft" and shown["writer"] == "offline"
    assert [shot["position"] for shot in shown["shots"]] == [1, 2, 3]
    assert {shot["status"] for shot in shown["shots"]} == {"draft"}
    assert shown["cost"] == {"frames": 0, "clips": 0, "total": 0, "balance": 0}
    assert shown["stitchedUrl"] is None


def test_shots_by_hand_run_at_once_and_the_clips_and_sequence_download_as_mp4(api, team, driver):
    body = {
        "brief": BRIEF,
        "aspect": "9:16",
        "start": True,
        "shots": [
            {"framePrompt": "A kettle on a stove", "motionPrompt": "slow zoom in", "duration": 3},
            {"framePrompt": "Tea pouring", "motionPrompt": "tilt down", "duration": 3},
        ],
    }
    with driver.capture(execute=True):
        response = api.post("/api/v1/sequences", body, content_type="application/json")
    assert response.status_code == 201, response.content
    shown = response.json()
    assert shown["writer"] == "manual" and shown["status"] == "running"
    assert {shot["status"] for shot in shown["shots"]} == {"framing"}
    driver.drain()

    shown = api.get(f"/api/v1/sequences/{shown['id']}").json()
    assert shown["status"] == "done"
    assert all(shot["status"] == "done" and shot["clipUrl"] for shot in shown["shots"])
    clip = api.get(shown["shots"][0]["clipUrl"])
    assert clip.status_code == 200 and clip["Content-Type"] == "video/mp4"
    width, height, duration = media.probe(b"".join(clip))
    assert width < height and duration == pytest.approx(3.0, abs=0.2)
    whole = api.get(shown["stitchedUrl"])
    assert whole.status_code == 200
    assert media.probe(b"".join(whole))[2] == pytest.approx(6.0, abs=0.2)


@pytest.mark.parametrize(
    "body,field",
    [
        ({"brief": ""}, "brief"),
        ({"brief": BRIEF, "aspect": "4:3"}, "aspect"),
        ({"brief": BRIEF, "modelId": "kling:kling-v2-6"}, "modelId"),
        ({"brief": BRIEF, "shots": [{"framePrompt": "x", "duration": 4}]}, "shots[0].duration"),
        ({"brief": BRIEF, "shots": [{"framePrompt": "x", "motionPrompt": "m" * 2501}]}, "shots[0].motionPrompt"),
    ],
)
def test_a_bad_request_names_the_field_and_saves_nothing(api, team, body, field):
    response = api.post("/api/v1/sequences", body, content_type="application/json")
    assert response.status_code in (400, 422), response.content
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not Sequence.objects.exists()


def test_starting_without_enough_credits_is_a_402_that_saves_and_holds_nothing(api, team):
    VideoPriceRule.objects.filter(model_id="local:animator").update(credits=5)
    body = {"brief": BRIEF, "start": True}
    response = api.post("/api/v1/sequences", body, content_type="application/json")
    assert response.status_code == 402
    assert "needs 15 credits" in response.json()["errors"][0]["message"]
    assert not Sequence.objects.exists() and not LedgerEntry.objects.filter(kind="hold").exists()


def test_a_clip_that_is_not_made_yet_is_a_409_and_retrying_a_running_shot_too(api, team, driver):
    with driver.capture(execute=True):
        shown = api.post(
            "/api/v1/sequences",
            {"brief": BRIEF, "start": True, "shots": [{"framePrompt": "A kettle", "duration": 3}]},
            content_type="application/json",
        ).json()
    shot_id = shown["shots"][0]["id"]
    assert api.get(f"/api/v1/sequences/{shown['id']}/shots/{shot_id}/clip").status_code == 409
    assert api.get(f"/api/v1/sequences/{shown['id']}/video").status_code == 409
    assert api.post(f"/api/v1/sequences/{shown['id']}/shots/{shot_id}/retry").status_code == 409
    with driver.capture(execute=True):
        cancelled = api.post(f"/api/v1/sequences/{shown['id']}/shots/{shot_id}/cancel")
    assert cancelled.status_code == 202
    assert cancelled.json()["shots"][0]["status"] == "cancelled"
    assert Shot.objects.get(pk=shot_id).status == Shot.Status.CANCELLED


def test_another_teams_sequence_is_a_404(api, team, other_team, outsider):
    from studio.video import services

    theirs = services.sequence_create(team=other_team, user=outsider, brief=BRIEF)
    assert api.get(f"/api/v1/sequences/{theirs.pk}").status_code == 404
    assert api.post(f"/api/v1/sequences/{theirs.pk}/start").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Sequence.Status.DRAFT


def test_the_schema_documents_the_video_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "post" in paths["/api/v1/sequences"]
    assert "get" in paths["/api/v1/sequences/{sequence_id}"]
    assert "post" in paths["/api/v1/sequences/{sequence_id}/start"]
    clip = paths["/api/v1/sequences/{sequence_id}/shots/{shot_id}/clip"]["get"]
    assert "video/mp4" in clip["responses"]["200"]["content"]
    assert "video/mp4" in paths["/api/v1/sequences/{sequence_id}/video"]["get"]["responses"]["200"]["content"]
    fields = schema["components"]["schemas"]["SequenceIn"]["properties"]
    assert {"brief", "aspect", "modelId", "shots", "start"} <= set(fields)
    assert "video" in {tag for operation in paths["/api/v1/sequences"].values() for tag in operation["tags"]}
