"""A draft's shot list changes in place: with htmx, moving, adding and deleting a shot answer the re-rendered list
with its count, status and cost out of band, name where the focus goes and announce the change; without htmx they
redirect as before; a refusal is shown where it was asked and changes nothing."""

import json
import re

import pytest

from studio.credits.models import VideoPriceRule
from studio.video import services
from studio.video.models import Sequence, Shot
from studio.video.push import updates_html
from tests.video.factories import shot_form

pytestmark = pytest.mark.django_db

BRIEF = "A baker opens the shop at dawn. Bread comes out of the oven. The first customer smiles."
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def sequence(team, member):
    VideoPriceRule.objects.filter(model_id="local:animator", duration=3).update(credits=2)
    return services.sequence_create(team=team, user=member, brief=BRIEF)


def _order(sequence):
    return list(sequence.shots.order_by("position").values_list("pk", flat=True))


def _cards_in(html):
    return [int(pk) for pk in re.findall(r'<li class="shot-card" id="shot-(\d+)-card"', html)]


def _focus(response):
    return json.loads(response["HX-Trigger-After-Settle"])["video-shots-changed"]["focus"]


def _toast(response):
    return json.loads(response["HX-Trigger"])["toast"]["message"]


def _start(sequence):
    Sequence.objects.filter(pk=sequence.pk).update(status=Sequence.Status.RUNNING)


def test_moving_a_shot_down_answers_the_list_in_its_new_order_with_the_focus_on_the_same_button(
    client_for, sequence, member
):
    first, second, third = _order(sequence)
    response = client_for(member).post(f"/video/shot/{first}/move/", {"direction": "down"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "Location" not in response
    assert _cards_in(html) == [second, first, third] == _order(sequence)
    assert html.lstrip().startswith(f'<div id="sequence-{sequence.pk}-shots"')
    assert _focus(response) == f"shot-{first}-later"
    assert _toast(response) == "Shot 1 moved down: it is now shot 2."
    assert 'aria-label="Move shot 2 earlier"' in html.split(f'id="shot-{first}-card"')[1].split("</li>")[0]


def test_moving_the_first_shot_up_changes_nothing_and_says_so(client_for, sequence, member):
    before = _order(sequence)
    response = client_for(member).post(f"/video/shot/{before[0]}/move/", {"direction": "up"}, **HTMX)
    assert response.status_code == 200 and _order(sequence) == before
    assert _toast(response) == "Shot 1 is already the first."


def test_adding_a_shot_answers_the_list_with_the_new_count_and_cost_and_focuses_its_first_field(
    client_for, sequence, member
):
    response = client_for(member).post(f"/video/{sequence.pk}/add/", **HTMX)
    html = response.content.decode()
    added = sequence.shots.get(position=4)
    assert response.status_code == 200 and "Location" not in response
    assert _cards_in(html)[-1] == added.pk and len(_cards_in(html)) == 4
    assert re.search(rf'id="sequence-{sequence.pk}-summary"[^>]*hx-swap-oob="true">4 shots', html)
    assert 'data-testid="sequence-cost">8 credits' in html and "Run the sequence · 8 credits" in html
    assert re.search(rf'<section id="sequence-{sequence.pk}-cost" [^>]*hx-swap-oob="true"', html)
    assert f'id="sequence-{sequence.pk}-live"' in html
    assert _focus(response) == f"id_shot-{added.pk}-frame_prompt" and f'id="id_shot-{added.pk}-frame_prompt"' in html
    assert _toast(response) == "Shot 4 added: describe its frame and motion."


def test_deleting_a_shot_answers_the_renumbered_list_and_focuses_the_next_shot(client_for, sequence, member):
    first, second, third = _order(sequence)
    response = client_for(member).post(f"/video/shot/{second}/delete/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "Location" not in response
    assert _cards_in(html) == [first, third] == _order(sequence)
    assert re.search(rf'id="sequence-{sequence.pk}-summary"[^>]*>2 shots', html)
    assert 'data-testid="sequence-cost">4 credits' in html
    assert _focus(response) == f"shot-{third}-number" and f'id="shot-{third}-number"' in html
    assert _toast(response) == "Shot 2 deleted."

    response = client_for(member).post(f"/video/shot/{third}/delete/", **HTMX)
    assert _focus(response) == f"sequence-{sequence.pk}-add" and f'id="sequence-{sequence.pk}-add"' in (
        response.content.decode()
    )


def test_without_htmx_they_redirect_to_the_page_as_before(client_for, sequence, member):
    first, second, _ = _order(sequence)
    client = client_for(member)
    response = client.post(f"/video/shot/{first}/move/", {"direction": "down"})
    assert response.status_code == 302 and response["Location"] == f"/video/{sequence.pk}/#shot-{first}-card"
    response = client.post(f"/video/{sequence.pk}/add/")
    assert response.status_code == 302 and response["Location"] == f"/video/{sequence.pk}/"
    response = client.post(f"/video/shot/{second}/delete/", follow=True)
    assert "Shot 1 deleted." in response.content.decode()
    assert sequence.shots.count() == 3 and second not in _order(sequence)


@pytest.mark.parametrize("action", ["move", "add", "delete"])
def test_a_started_sequence_refuses_with_409_where_it_was_asked_and_changes_nothing(
    client_for, sequence, member, action
):
    before = _order(sequence)
    _start(sequence)
    url = {"move": f"/video/shot/{before[0]}/move/", "add": f"/video/{sequence.pk}/add/"}.get(
        action, f"/video/shot/{before[0]}/delete/"
    )
    response = client_for(member).post(url, {"direction": "down"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 409
    assert "The shot list is fixed once the sequence has started" in html and 'role="alert"' in html
    assert _order(sequence) == before
    assert "Save shot" not in html and "Earlier" not in html and "Add a shot" not in html
    # The cost panel of a draft goes away out of band; the status says it runs.
    assert f'id="sequence-{sequence.pk}-cost" hx-swap-oob="delete"' in html and "Rendering</span>" in html
    refusal = f"shot-{before[0]}-refusal" if action != "add" else f"sequence-{sequence.pk}-refusal"
    assert _focus(response) == refusal and f'id="{refusal}"' in html


def test_a_started_sequence_refuses_without_htmx_with_a_message_on_the_page(client_for, sequence, member):
    before = _order(sequence)
    _start(sequence)
    response = client_for(member).post(f"/video/shot/{before[0]}/move/", {"direction": "down"}, follow=True)
    assert "The shot list is fixed once the sequence has started" in response.content.decode()
    assert _order(sequence) == before


def test_the_last_shot_cannot_be_deleted_and_the_refusal_shows_on_its_card(client_for, team, member):
    sequence = services.sequence_create(
        team=team, user=member, brief=BRIEF, shots=[{"frame_prompt": "Bread on a board", "duration": 3}]
    )
    shot = sequence.shots.get()
    response = client_for(member).post(f"/video/shot/{shot.pk}/delete/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 409 and Shot.objects.filter(pk=shot.pk).exists()
    card = html.split(f'id="shot-{shot.pk}-card"')[1].split("</li>")[0]
    assert "A sequence needs at least one shot." in card and "Save shot" in card


def test_an_edit_refused_because_the_sequence_started_says_so_on_the_card(client_for, sequence, member):
    shot = sequence.shots.get(position=1)
    _start(sequence)
    response = client_for(member).post(f"/video/shot/{shot.pk}/", shot_form(shot, frame_prompt="Changed"), **HTMX)
    assert response.status_code == 409
    assert "The shot list is fixed once the sequence has started" in response.content.decode()
    shot.refresh_from_db()
    assert shot.frame_prompt != "Changed"


def test_another_teams_shots_and_sequence_answer_404_and_change_nothing(client_for, sequence, outsider):
    before = _order(sequence)
    client = client_for(outsider)
    assert client.post(f"/video/shot/{before[0]}/move/", {"direction": "down"}, **HTMX).status_code == 404
    assert client.post(f"/video/shot/{before[0]}/delete/", **HTMX).status_code == 404
    assert client.post(f"/video/{sequence.pk}/add/", **HTMX).status_code == 404
    assert _order(sequence) == before


def test_a_push_after_a_reorder_targets_the_moved_shot_by_its_pk_with_its_new_number(client_for, sequence, member):
    first, second, _ = _order(sequence)
    client_for(member).post(f"/video/shot/{first}/move/", {"direction": "down"}, **HTMX)
    _start(sequence)
    pushed = updates_html(Sequence.objects.get(pk=sequence.pk), can_edit=True, shots=[Shot.objects.get(pk=first)])
    card = pushed.split(f'id="shot-{first}-card"')[1].split("</li>")[0]
    assert 'hx-swap-oob="true"' in card and '<span class="visually-hidden">Shot </span>2</span>' in card
