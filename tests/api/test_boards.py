"""Boards in the API: list, create, add and remove assets; another team's board or asset answers 404."""

import pytest

from library.models import Board, BoardItem
from library.services import board_assets_add, board_create
from tests.library.factories import stored_asset

pytestmark = pytest.mark.django_db


def post(client, path, payload):
    return client.post(path, payload, content_type="application/json")


def test_it_lists_the_teams_boards_by_name_with_size_and_cover(admin_api, team, admin_user, other_team, outsider):
    spring = board_create(team=team, user=admin_user, name="Spring")
    autumn = board_create(team=team, user=admin_user, name="Autumn")
    board_create(team=other_team, user=outsider, name="Theirs")
    first, second = stored_asset(team, admin_user), stored_asset(team, admin_user)
    board_assets_add(board=spring, assets=[first], user=admin_user)
    board_assets_add(board=spring, assets=[second], user=admin_user)
    body = admin_api.get("/api/v1/boards").json()
    assert [(b["id"], b["name"], b["assetCount"]) for b in body] == [(autumn.pk, "Autumn", 0), (spring.pk, "Spring", 2)]
    assert body[1]["coverAssetId"] == first.pk and body[0]["coverAssetId"] is None


def test_it_creates_a_board_and_answers_201_with_where_it_is(admin_api, team):
    response = post(admin_api, "/api/v1/boards", {"name": "  Summer   launch "})
    assert response.status_code == 201, response.content
    board = Board.objects.get(team=team)
    assert board.name == "Summer launch" and response.json()["name"] == "Summer launch"
    assert response["Location"] == f"http://testserver/api/v1/boards/{board.pk}"
    assert admin_api.get(response["Location"]).json()["assetIds"] == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the board a name."),
        ("   ", "Give the board a name."),
        ("x" * 81, "Keep a board's name under 80 characters."),
    ],
)
def test_it_refuses_a_board_name_with_the_pages_message(admin_api, name, message):
    response = post(admin_api, "/api/v1/boards", {"name": name})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "name", "message": message}]
    assert not Board.objects.exists()


def test_it_adds_assets_after_the_last_one_and_says_how_many_were_new(admin_api, team, admin_user):
    board = board_create(team=team, user=admin_user, name="Launch")
    first, second, third = (stored_asset(team, admin_user) for _ in range(3))
    board_assets_add(board=board, assets=[first], user=admin_user)
    response = post(admin_api, f"/api/v1/boards/{board.pk}/assets", {"assetIds": [first.pk, third.pk, second.pk]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["added"] == 2 and body["assetIds"][0] == first.pk
    assert set(body["assetIds"]) == {first.pk, second.pk, third.pk} and body["assetCount"] == 3


def test_adding_another_teams_asset_is_a_404_naming_it_and_adds_nothing(admin_api, team, admin_user, other_team):
    board = board_create(team=team, user=admin_user, name="Launch")
    ours, theirs = stored_asset(team, admin_user), stored_asset(other_team)
    response = post(admin_api, f"/api/v1/boards/{board.pk}/assets", {"assetIds": [ours.pk, theirs.pk]})
    assert response.status_code == 404
    assert response.json()["errors"] == [
        {"field": "assetIds[1]", "message": f"There is no asset {theirs.pk} in this team's library."}
    ]
    assert not BoardItem.objects.exists()


def test_another_teams_board_is_a_404_for_every_board_endpoint(admin_api, team, admin_user, other_team, outsider):
    theirs = board_create(team=other_team, user=outsider, name="Theirs")
    ours = stored_asset(team, admin_user)
    answers = [
        admin_api.get(f"/api/v1/boards/{theirs.pk}"),
        post(admin_api, f"/api/v1/boards/{theirs.pk}/assets", {"assetIds": [ours.pk]}),
        admin_api.delete(f"/api/v1/boards/{theirs.pk}/assets/{ours.pk}"),
    ]
    for response in answers:
        assert response.status_code == 404, response.content
        assert response.json() == {"errors": [{"field": None, "message": "Not found in this team."}]}
    assert not BoardItem.objects.exists()


def test_it_removes_an_asset_from_a_board_and_keeps_it_in_the_library(admin_api, team, admin_user):
    board = board_create(team=team, user=admin_user, name="Launch")
    asset = stored_asset(team, admin_user)
    board_assets_add(board=board, assets=[asset], user=admin_user)
    response = admin_api.delete(f"/api/v1/boards/{board.pk}/assets/{asset.pk}")
    assert response.status_code == 204
    assert not BoardItem.objects.exists()
    assert admin_api.get(f"/api/v1/assets/{asset.pk}").status_code == 200
    again = admin_api.delete(f"/api/v1/boards/{board.pk}/assets/{asset.pk}")
    assert again.status_code == 404 and "is not on the board Launch" in again.json()["errors"][0]["message"]


def test_a_viewers_token_can_read_boards_but_not_change_them(api_client_for, team, viewer):
    client = api_client_for(team, viewer)
    assert client.get("/api/v1/boards").status_code == 200
    response = post(client, "/api/v1/boards", {"name": "Mine"})
    assert response.status_code == 403 and not Board.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"assetIds": []}, "assetIds"), ({"assetIds": ["one"]}, "assetIds[0]"), ({"assets": [1]}, "assets")],
)
def test_a_bad_list_of_assets_is_a_400_naming_the_field(admin_api, team, admin_user, body, field):
    board = board_create(team=team, user=admin_user, name="Launch")
    response = post(admin_api, f"/api/v1/boards/{board.pk}/assets", body)
    assert response.status_code == 400, response.content
    assert field in {error["field"] for error in response.json()["errors"]}


def test_a_body_that_is_not_json_is_a_400_for_the_whole_request(admin_api, team, admin_user):
    board = board_create(team=team, user=admin_user, name="Launch")
    response = admin_api.post(f"/api/v1/boards/{board.pk}/assets", "{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] is None
