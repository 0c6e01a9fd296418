"""post_only: a write URL answers 405 to any other method, after its ids are looked up in the team scope."""

import pytest
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from library.models import Asset, Board
from studio.core.http import post_only
from tests.library.factories import AssetFactory, BoardFactory

pytestmark = pytest.mark.django_db


def test_a_get_to_a_delete_url_of_the_teams_own_asset_is_refused_and_deletes_nothing(client_for, team, member):
    asset = AssetFactory(team=team)
    response = client_for(member).get(f"/library/assets/{asset.pk}/delete/")
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert Asset.objects.filter(pk=asset.pk).exists()


def test_a_get_to_another_teams_board_answers_404_not_405(client_for, member, other_team):
    board = BoardFactory(team=other_team)
    response = client_for(member).get(f"/library/boards/{board.pk}/delete/")
    assert response.status_code == 404
    assert Board.objects.filter(pk=board.pk).exists()


def test_the_lookup_runs_only_for_a_refused_method():
    looked_up = []

    def lookup(request, thing_id):
        looked_up.append(thing_id)
        raise Http404("not the team's")

    view = post_only(lambda request, thing_id: HttpResponse("done"), lookup=lookup)
    assert view(RequestFactory().post("/"), thing_id=7).content == b"done"
    assert looked_up == []
    with pytest.raises(Http404):
        view(RequestFactory().get("/"), thing_id=7)
    assert looked_up == [7]


def test_without_a_lookup_it_refuses_other_methods_at_once():
    view = post_only(lambda request: HttpResponse("done"))
    assert view(RequestFactory().put("/")).status_code == 405
    assert view(RequestFactory().post("/")).status_code == 200
