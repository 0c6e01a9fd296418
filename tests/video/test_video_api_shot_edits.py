"""Editing a draft sequence's shot list through the JSON API, as the page does: change a shot (only the fields
sent), add one (refused whole when a field is at fault), delete one, move one; each refusal names the field or
says the sequence has started, and changes nothing."""

import pytest

from studio.video import services
from studio.video.models import Sequence, Shot
from tests.api.factories import api_client

pytestmark = pytest.mark.django_db

BRIEF = "A kettle boils on a stove. Steam curls up. Tea pours into a cup."
JSON = "application/json"


@pytest.fixture
def api(team, admin_user):
    return api_client(team, admin_user)


@pytest.fixture
def draft(team, admin_user):
    return services.sequence_create(team=team, user=admin_user, brief=BRIEF)


def _shots(sequence):
    return list(Shot.objects.filter(sequence=sequence).order_by("position"))


def test_a_shot_changes_only_in_the_fields_sent(api, draft):
    first = _shots(draft)[0]
    url = f"/api/v1/sequences/{draft.pk}/shots/{first.pk}"
    answer = api.patch(url, {"motionPrompt": "Slow push in on the kettle's spout."}, content_type=JSON)
    assert answer.status_code == 200, answer.content
    shown = answer.json()["shots"][0]
    assert shown["motionPrompt"] == "Slow push in on the kettle's spout."
    assert shown["framePrompt"] == first.frame_prompt and shown["duration"] == first.duration

    refused = api.patch(url, {"duration": 7}, content_type=JSON)
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "duration"
    assert "clips of" in refused.json()["errors"][0]["message"]
    first.refresh_from_db()
    assert first.duration != 7


def test_a_shot_is_added_last_or_not_at_all(api, draft):
    before = len(_shots(draft))
    url = f"/api/v1/sequences/{draft.pk}/shots"
    added = api.post(url, {"framePrompt": "Steam against a dark window", "duration": 5}, content_type=JSON)
    assert added.status_code == 201, added.content
    last = added.json()["shots"][-1]
    assert last["position"] == before + 1 and last["framePrompt"] == "Steam against a dark window"

    refused = api.post(url, {"framePrompt": "A cup", "modelId": "nope"}, content_type=JSON)
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "modelId"
    assert len(_shots(draft)) == before + 1  # the refused shot was not left behind


def test_a_shot_is_deleted_and_moved_and_the_positions_stay_whole(api, draft):
    first, second, third = _shots(draft)[:3]
    moved = api.post(f"/api/v1/sequences/{draft.pk}/shots/{first.pk}/move", {"position": 3}, content_type=JSON)
    assert moved.status_code == 200, moved.content
    assert [shot["id"] for shot in moved.json()["shots"]] == [second.pk, third.pk, first.pk]
    too_far = api.post(f"/api/v1/sequences/{draft.pk}/shots/{first.pk}/move", {"position": 9}, content_type=JSON)
    assert too_far.status_code == 400 and too_far.json()["errors"][0]["field"] == "position"

    deleted = api.delete(f"/api/v1/sequences/{draft.pk}/shots/{second.pk}")
    assert deleted.status_code == 200, deleted.content
    assert [(shot["id"], shot["position"]) for shot in deleted.json()["shots"]] == [(third.pk, 1), (first.pk, 2)]


def test_a_started_sequence_and_another_teams_shots_refuse_every_edit(api, draft, team, other_team, outsider):
    Sequence.objects.filter(pk=draft.pk).update(status=Sequence.Status.RUNNING)
    shot = _shots(draft)[0]
    base = f"/api/v1/sequences/{draft.pk}/shots"
    for answer in (
        api.patch(f"{base}/{shot.pk}", {"motionPrompt": "Tilt up."}, content_type=JSON),
        api.post(base, {"framePrompt": "A cup"}, content_type=JSON),
        api.delete(f"{base}/{shot.pk}"),
        api.post(f"{base}/{shot.pk}/move", {"position": 2}, content_type=JSON),
    ):
        assert answer.status_code == 409, answer.content
        assert "fixed once the sequence has started" in answer.json()["errors"][0]["message"]
    assert len(_shots(draft)) == 3 and Shot.objects.get(pk=shot.pk).position == 1

    theirs = services.sequence_create(team=other_team, user=outsider, brief=BRIEF)
    their_shot = _shots(theirs)[0]
    assert api.delete(f"/api/v1/sequences/{theirs.pk}/shots/{their_shot.pk}").status_code == 404
    assert api.delete(f"{base}/{their_shot.pk}").status_code == 404
    assert len(_shots(theirs)) == 3


def test_viewers_cannot_edit(team, draft, viewer):
    shot = _shots(draft)[0]
    answer = api_client(team, viewer).patch(
        f"/api/v1/sequences/{draft.pk}/shots/{shot.pk}", {"motionPrompt": "Tilt up."}, content_type=JSON
    )
    assert answer.status_code == 403
