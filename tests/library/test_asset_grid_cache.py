"""The grid's cached tiles: a repeat visit renders them from the cache, and every change shows on the next request."""

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from library import grid_cache
from library.models import Asset
from library.services import Origin, asset_ingest
from tests.factories import MembershipFactory, TeamFactory
from tests.library import images
from tests.library.factories import AssetFactory, BoardFactory

pytestmark = pytest.mark.django_db

GENERATED = Origin(source="generated")

HTMX = {"hx-request": "true"}


def _card_ids(html):
    return [int(pk) for pk in re.findall(r'id="asset-(\d+)-card"', html)]


def _grid(client, query=""):
    return client.get(f"/library/{query}").content.decode()


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client(member):
    return _signed_in(member)


@pytest.fixture
def asset(team):
    return AssetFactory(team=team, name="Draft 1", rating=0)


def test_a_repeat_visit_serves_the_tiles_from_the_cache(client, asset):
    first = _grid(client)
    Asset.objects.filter(pk=asset.pk).update(name="Renamed behind the services' back")
    again = _grid(client)

    assert _card_ids(again) == _card_ids(first) == [asset.pk]
    assert "Draft 1" in again  # the tile as it was cached: only the library's services change the version


def test_an_upload_shows_on_the_next_grid_request(client, asset):
    _grid(client)
    answer = client.post(
        "/library/upload/",
        {"files": SimpleUploadedFile("new.png", images.png(80, 60), content_type="image/png")},
        headers={"accept": "application/json"},
    ).json()
    assert _card_ids(_grid(client)) == [answer["asset_id"], asset.pk]


def test_a_generated_image_shows_on_the_next_grid_request(client, team, member, asset):
    _grid(client)
    made = asset_ingest(
        team=team, user=member, data=images.png(90, 60), filename="job.png", origin=GENERATED, renditions_later=True
    )
    assert _card_ids(_grid(client)) == [made.pk, asset.pk]


def test_a_rename_shows_on_the_next_grid_request(client, asset):
    assert "Draft 1" in _grid(client)
    client.post(f"/library/assets/{asset.pk}/rename/", {"name": "Hero shot"})
    page = _grid(client)
    assert "Hero shot" in page and "Draft 1" not in page


def test_a_rating_shows_on_the_next_grid_request(client, asset):
    assert _card_ids(_grid(client, "?rating=4")) == []
    assert 'aria-label="4 of 5 stars"' not in _grid(client)
    client.post(f"/library/assets/{asset.pk}/rating/", {"rating": 4})
    assert _card_ids(_grid(client, "?rating=4")) == [asset.pk]
    assert 'aria-label="4 of 5 stars"' in _grid(client)


def test_tags_show_on_the_next_grid_request(client, team, asset):
    other = AssetFactory(team=team)
    assert ">hero</option>" not in _grid(client)
    client.post(f"/library/assets/{asset.pk}/tags/", {"tags": "hero"})
    assert ">hero</option>" in _grid(client)
    assert _card_ids(_grid(client, "?tag=hero")) == [asset.pk]

    client.post("/library/selection/", {"asset": [other.pk], "action": "tag", "tags": "hero", "next": "/library/"})
    assert _card_ids(_grid(client, "?tag=hero")) == [other.pk, asset.pk]


def test_board_changes_show_on_the_next_grid_request(client, team, asset):
    board = BoardFactory(team=team, name="Summer launch")
    assert ">Summer launch</option>" in _grid(client)
    assert _card_ids(_grid(client, f"?board={board.pk}")) == []

    client.post("/library/selection/", {"asset": [asset.pk], "action": "board", "board": board.pk, "next": "/library/"})
    assert _card_ids(_grid(client, f"?board={board.pk}")) == [asset.pk]

    client.post(f"/library/boards/{board.pk}/items/{asset.pk}/remove/")
    assert _card_ids(_grid(client, f"?board={board.pk}")) == []

    client.post(f"/library/boards/{board.pk}/rename/", {"name": "Autumn launch"})
    assert ">Autumn launch</option>" in _grid(client)
    client.post(f"/library/boards/{board.pk}/delete/")
    assert ">Autumn launch</option>" not in _grid(client)


def test_a_deletion_shows_on_the_next_grid_request(client, team, asset):
    kept = AssetFactory(team=team)
    assert set(_card_ids(_grid(client))) == {asset.pk, kept.pk}
    client.post(f"/library/assets/{asset.pk}/delete/")
    assert _card_ids(_grid(client)) == [kept.pk]

    client.post("/library/selection/delete/", {"asset": [kept.pk], "confirmed": "yes", "next": "/library/"})
    assert "Your library is empty" in _grid(client)


def test_a_new_member_shows_in_the_made_by_filter_on_the_next_request(client, team, asset):
    assert "newcomer@" not in _grid(client)
    MembershipFactory(team=team, user__email="newcomer@example.com")
    assert "newcomer@example.com" in _grid(client)


def test_the_htmx_results_and_the_next_tiles_are_cached_apart_from_the_page(client, team):
    from library.services import asset_delete

    rows = AssetFactory.create_batch(41, team=team)
    page = _grid(client)
    cursor = re.search(r'cursor=([\d-]+)"', page).group(1)

    results = client.get("/library/", headers=HTMX).content.decode()
    more = client.get(f"/library/?cursor={cursor}", headers=HTMX).content.decode()

    assert "<html" in page and results.lstrip().startswith('<div id="library-results"')
    assert "<html" not in more and len(_card_ids(more)) == 1
    again = client.get("/library/", headers=HTMX).content.decode()
    assert _card_ids(again) == _card_ids(results) and again.lstrip().startswith('<div id="library-results"')
    asset_delete(asset=rows[0])
    assert _card_ids(client.get(f"/library/?cursor={cursor}", headers=HTMX).content.decode()) == []


def test_each_member_gets_a_csrf_token_of_their_own_that_works(team, member, asset):
    other = MembershipFactory(team=team, role="member").user
    tokens = []
    for user in (member, other):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        page = _grid(client)
        token = re.search(r'id="selection-form".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S).group(1)
        response = client.post(
            "/library/selection/",
            {"csrfmiddlewaretoken": token, "asset": [asset.pk], "action": "tag", "tags": "seen", "next": "/library/"},
        )
        assert response.status_code == 302
        tokens.append(token)

    assert tokens[0] != tokens[1]


def test_a_viewer_is_not_served_the_page_cached_for_a_member(client, team, viewer, asset):
    assert "Add images" in _grid(client)
    assert "Add images" not in _grid(_signed_in(viewer))


def test_another_team_is_never_served_this_teams_page(client, asset):
    assert _card_ids(_grid(client)) == [asset.pk]
    stranger = MembershipFactory(team=TeamFactory()).user
    assert _card_ids(_grid(_signed_in(stranger))) == []


def test_a_write_replaces_the_version_at_once_and_again_when_it_commits(team, django_capture_on_commit_callbacks):
    from library.services import asset_rate

    asset = AssetFactory(team=team)
    before = grid_cache.library_version(team)
    with django_capture_on_commit_callbacks() as callbacks:
        asset_rate(asset=asset, rating=3)
        during = grid_cache.library_version(team)
    assert during != before
    callbacks[-1]()
    assert grid_cache.library_version(team) not in (before, during)


def test_the_fragment_key_is_bounded_whatever_the_search(team):
    long_search = {"q": "sunset " * 2000}
    key = grid_cache.grid_fragment_key(team, can_edit=True, filters=long_search, cursor=None)
    assert len(key) == 64
    assert key != grid_cache.grid_fragment_key(team, can_edit=False, filters=long_search, cursor=None)


def test_with_the_cache_off_every_request_renders(client, team, asset, settings):
    settings.POSTFRAME_LIBRARY_CACHE_SECONDS = 0
    _grid(client)
    Asset.objects.filter(pk=asset.pk).update(name="Changed behind the services' back")
    assert "Changed behind the services" in _grid(client)


def test_no_csrf_token_or_nonce_is_stored_in_the_cache(client, asset):
    _grid(client)
    stored = cache._cache.get_client().keys("*library-tiles*")
    assert stored, "the tiles were cached"
    for key in stored:
        html = str(cache._cache.get_client().get(key))
        assert "csrfmiddlewaretoken" not in html and "nonce" not in html


def test_a_page_carries_this_requests_csp_nonce_matching_its_header(client, asset):
    nonces = []
    for _ in range(2):
        response = client.get("/library/")
        header = response.headers["Content-Security-Policy"]
        in_page = set(re.findall(r'nonce="([^"]+)"', response.content.decode()))
        assert len(in_page) == 1 and f"'nonce-{next(iter(in_page))}'" in header
        nonces.append(in_page.pop())
    assert nonces[0] != nonces[1]


def test_a_message_waiting_for_the_member_is_shown_on_a_cached_page(client, team):
    _grid(client)
    client.post("/library/upload/", {})  # no file: refused, and the message waits for the next page
    page = _grid(client)
    assert "flash" in page
    assert "flash" not in _grid(client)  # shown once
