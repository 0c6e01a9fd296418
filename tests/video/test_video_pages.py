"""The Video pages: a brief becomes a shot list, shots are edited and reordered, the cost shows before it runs,
the run holds credits or refuses, retry and cancel, and viewers only look."""

import pytest

from studio.credits.models import LedgerEntry, VideoPriceRule
from studio.credits.services import credits_grant
from studio.video import services
from studio.video.models import Sequence, Shot
from tests.video.driver import Driver
from tests.video.factories import shot_form

pytestmark = pytest.mark.django_db

BRIEF = {
    "brief": "A baker opens the shop at dawn. Bread comes out of the oven. The first customer smiles.",
    "aspect": "16:9",
    "model_id": "local:animator",
}


@pytest.fixture
def driver(monkeypatch, django_capture_on_commit_callbacks):
    return Driver(monkeypatch, django_capture_on_commit_callbacks)


def test_the_page_offers_a_brief_form_instead_of_saying_it_is_not_built(client_for, member):
    page = client_for(member).get("/video/").content.decode()
    assert "<h1>Video</h1>" in page and "Write the shot list" in page and "No sequences yet" in page
    assert "not built" not in page


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("brief", "   ", "Write the brief: the shot list is built from it."),
        ("brief", "x" * 2001, "Keep the brief to 2000 characters (this has 2001)."),
        ("model_id", "kling:kling-v2-6", "Select a valid choice."),
    ],
)
def test_a_bad_brief_is_refused_at_its_field_and_saves_nothing(client_for, member, field, value, message):
    response = client_for(member).post("/video/", {**BRIEF, field: value})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Sequence.objects.exists()


def test_a_brief_becomes_a_shot_list_with_its_cost_shown_before_it_runs(client_for, team, member):
    VideoPriceRule.objects.filter(model_id="local:animator", duration=3).update(credits=2)
    response = client_for(member).post("/video/", BRIEF)
    sequence = Sequence.objects.get(team=team)
    assert response.status_code == 302 and response["Location"] == f"/video/{sequence.pk}/"
    assert sequence.shots.count() == 3 and sequence.writer == "offline"
    page = client_for(member).get(response["Location"]).content.decode()
    assert page.count('data-testid="shot"') == 3 and "the offline writer" in page
    assert 'data-testid="sequence-cost">6 credits' in page
    assert "Run the sequence · 6 credits" in page


def test_editing_a_shot_swaps_in_its_card_and_an_over_long_motion_prompt_is_refused_at_the_field(
    client_for, team, member
):
    sequence = services.sequence_create(team=team, user=member, brief=BRIEF["brief"])
    shot = sequence.shots.get(position=2)
    client = client_for(member)
    response = client.post(
        f"/video/shot/{shot.pk}/", shot_form(shot, motion_prompt="Slow orbit left"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response["HX-Trigger"] == "video-cost-changed"
    assert f'id="shot-{shot.pk}-card"' in response.content.decode()
    shot.refresh_from_db()
    assert shot.motion_prompt == "Slow orbit left"

    response = client.post(f"/video/shot/{shot.pk}/", shot_form(shot, motion_prompt="m" * 2501), HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "takes a motion prompt of at most 2500 characters (this has 2501)." in response.content.decode()
    shot.refresh_from_db()
    assert shot.motion_prompt == "Slow orbit left"


def test_a_duration_the_model_does_not_make_is_refused(client_for, team, member):
    sequence = services.sequence_create(team=team, user=member, brief=BRIEF["brief"])
    shot = sequence.shots.first()
    response = client_for(member).post(
        f"/video/shot/{shot.pk}/", shot_form(shot, duration=10, model_id="x"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    shot.refresh_from_db()
    assert shot.duration == 3


def test_shots_are_reordered_added_and_deleted_until_the_run(client_for, team, member):
    sequence = services.sequence_create(team=team, user=member, brief=BRIEF["brief"])
    first, second = sequence.shots.order_by("position")[:2]
    client = client_for(member)
    client.post(f"/video/shot/{first.pk}/move/", {"direction": "down"})
    assert list(sequence.shots.order_by("position").values_list("pk", flat=True))[:2] == [second.pk, first.pk]
    client.post(f"/video/{sequence.pk}/add/")
    assert sequence.shots.count() == 4
    client.post(f"/video/shot/{first.pk}/delete/")
    assert list(sequence.shots.values_list("position", flat=True)) == [1, 2, 3]


def test_running_holds_each_shots_credits_and_a_short_balance_is_refused_holding_nothing(
    client_for, team, member, driver
):
    VideoPriceRule.objects.filter(model_id="local:animator", duration=3).update(credits=5)
    sequence = services.sequence_create(team=team, user=member, brief=BRIEF["brief"])
    client = client_for(member)
    response = client.post(f"/video/{sequence.pk}/start/", follow=True)
    assert "This sequence needs 15 credits (0 for frames, 15 for clips) and the team has 0" in response.content.decode()
    assert not LedgerEntry.objects.filter(kind="hold").exists()

    credits_grant(team=team, amount=20, idempotency_key="pages-grant")
    with driver.capture(execute=True):
        client.post(f"/video/{sequence.pk}/start/")
    sequence.refresh_from_db()
    assert sequence.status == Sequence.Status.RUNNING
    assert LedgerEntry.objects.filter(kind="hold").count() == 3
    page = client.get(f"/video/{sequence.pk}/").content.decode()
    assert f'ws-connect="/ws/video/{sequence.uuid}/"' in page
    assert 'data-testid="cancel-shot"' in page and "Save shot" not in page


def test_a_finished_sequence_page_plays_the_stitched_mp4(client_for, team, member, driver):
    sequence = services.sequence_create(
        team=team, user=member, brief=BRIEF["brief"], shots=[{"frame_prompt": "Bread on a board", "duration": 3}]
    )
    driver.call(services.sequence_start, sequence=sequence, user=member)
    driver.drain()
    sequence.refresh_from_db()
    page = client_for(member).get(f"/video/{sequence.pk}/").content.decode()
    assert 'data-testid="sequence-player"' in page and 'data-testid="shot-clip"' in page
    assert f"/library/assets/{sequence.stitched_id}/" in page


def test_a_cancelled_shot_can_be_retried_from_its_card(client_for, team, member, driver):
    sequence = services.sequence_create(
        team=team, user=member, brief=BRIEF["brief"], shots=[{"frame_prompt": "Bread on a board", "duration": 3}]
    )
    driver.call(services.sequence_start, sequence=sequence, user=member)
    shot = sequence.shots.get()
    client = client_for(member)
    with driver.capture(execute=True):
        response = client.post(f"/video/shot/{shot.pk}/cancel/", follow=True)
    assert "Shot 1 cancelled" in response.content.decode()
    shot.refresh_from_db()
    assert shot.status == Shot.Status.CANCELLED
    driver.drain()
    page = client.get(f"/video/{sequence.pk}/").content.decode()
    assert 'data-testid="retry-shot"' in page and "Needs attention" in page
    with driver.capture(execute=True):
        client.post(f"/video/shot/{shot.pk}/retry/")
    driver.drain()
    shot.refresh_from_db()
    assert shot.status == Shot.Status.DONE and shot.attempt == 2


def test_a_viewer_sees_the_sequence_but_cannot_make_run_or_edit_it(client_for, team, member, viewer):
    sequence = services.sequence_create(team=team, user=member, brief=BRIEF["brief"])
    client = client_for(viewer)
    page = client.get(f"/video/{sequence.pk}/").content.decode()
    assert "Run the sequence" not in page and "Save shot" not in page
    assert client.post("/video/", BRIEF).status_code == 403
    assert client.post(f"/video/{sequence.pk}/start/").status_code == 403
    assert Sequence.objects.count() == 1


def test_another_teams_sequence_and_shot_answer_404(client_for, team, member, outsider):
    sequence = services.sequence_create(team=team, user=member, brief=BRIEF["brief"])
    shot = sequence.shots.first()
    client = client_for(outsider)
    assert client.get(f"/video/{sequence.pk}/").status_code == 404
    assert client.post(f"/video/shot/{shot.pk}/", shot_form(shot, motion_prompt="x")).status_code == 404
    shot.refresh_from_db()
    assert shot.motion_prompt != "x"
