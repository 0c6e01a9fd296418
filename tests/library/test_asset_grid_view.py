"""The library grid: newest first, keyset pages, lazy tiles, filters, empty states, constant queries."""

import datetime
import re

import pytest
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from library.models import Asset
from library.selectors import PAGE_SIZE
from tests.factories import MembershipFactory, TeamFactory
from tests.library.factories import AssetFactory, BoardItemFactory, TagFactory

pytestmark = pytest.mark.django_db


def _card_ids(html):
    return [int(pk) for pk in re.findall(r'id="asset-(\d+)-card"', html)]


def _rows(team, count, **fields):
    """`count` assets, one second apart, the last one newest."""
    start = timezone.now() - datetime.timedelta(days=1)
    rows = AssetFactory.build_batch(count, team=team, **fields)
    Asset.objects.bulk_create(rows)
    for i, row in enumerate(rows):
        row.created_at = start + datetime.timedelta(seconds=i)
    Asset.objects.bulk_update(rows, ["created_at"])
    return rows


def test_it_says_what_to_do_next_in_an_empty_library(client_for, member):
    page = client_for(member).get("/library/").content.decode()
    assert "Your library is empty" in page
    assert 'href="/studio/"' in page and "Go to the Studio" in page
    assert 'href="#upload"' in page


def test_a_viewer_can_browse_but_sees_no_uploader(client_for, team, viewer):
    asset = AssetFactory(team=team)
    page = client_for(viewer).get("/library/").content.decode()
    assert _card_ids(page) == [asset.pk]
    assert "Add images" not in page and "Delete…" not in page
    assert "Download zip" in page


def test_it_lists_the_newest_first_with_lazy_tiles_of_known_size(client_for, team, member):
    older, newer = _rows(team, 2, width=2000, height=1000)
    page = client_for(member).get("/library/").content.decode()

    assert _card_ids(page) == [newer.pk, older.pk]
    tile = re.search(rf'<img src="/library/assets/{newer.pk}/files/thumb/"[^>]*>', page).group(0)
    assert 'loading="lazy"' in tile and 'width="384"' in tile and 'height="192"' in tile


def test_it_pages_by_cursor_without_repeating_or_skipping(client_for, team, member):
    rows = _rows(team, PAGE_SIZE + 5)
    client = client_for(member)

    first = client.get("/library/").content.decode()
    cursor = re.search(r'cursor=([\d-]+)"', first).group(1)
    second = client.get(f"/library/?cursor={cursor}").content.decode()

    shown = _card_ids(first) + _card_ids(second)
    assert shown == [row.pk for row in reversed(rows)]
    assert "Load more" in first and "Load more" not in second


def test_load_more_answers_htmx_with_just_the_next_tiles(client_for, team, member):
    _rows(team, PAGE_SIZE + 1)
    client = client_for(member)
    cursor = re.search(r'cursor=([\d-]+)"', client.get("/library/").content.decode()).group(1)

    fragment = client.get(f"/library/?cursor={cursor}", headers={"hx-request": "true"}).content.decode()

    assert "<html" not in fragment and len(_card_ids(fragment)) == 1
    assert 'hx-trigger="revealed, click"' in client.get("/library/").content.decode()


def test_a_cursor_that_is_not_ours_starts_at_the_first_page(client_for, team, member):
    rows = _rows(team, 3)
    page = client_for(member).get("/library/?cursor=' OR 1=1 --").content.decode()
    assert _card_ids(page) == [row.pk for row in reversed(rows)]


def test_the_filters_narrow_the_grid(client_for, team, member):
    other_member = MembershipFactory(team=team).user
    board, tag = BoardItemFactory(board__team=team, asset__team=team), TagFactory(team=team, name="hero")
    mine = AssetFactory(team=team, source="upload", model_id="", created_by=member, rating=2)
    rated = AssetFactory(team=team, model_id="openai:gpt-image-2", created_by=other_member, rating=5)
    rated.tags.add(tag)
    client = client_for(member)

    def shown(query):
        return set(_card_ids(client.get(f"/library/?{query}").content.decode()))

    assert shown("source=upload") == {mine.pk}
    assert shown("model=openai:gpt-image-2") == {rated.pk}
    assert shown(f"member={other_member.pk}") == {rated.pk}
    assert shown("rating=4") == {rated.pk}
    assert shown("tag=hero") == {rated.pk}
    assert shown(f"board={board.board.pk}") == {board.asset.pk}
    assert shown("kind=image") == {mine.pk, rated.pk, board.asset.pk}


def test_the_date_range_includes_both_days(client_for, team, member):
    old, new = _rows(team, 2)
    Asset.objects.filter(pk=old.pk).update(created_at=timezone.make_aware(datetime.datetime(2026, 3, 1, 23, 30)))
    Asset.objects.filter(pk=new.pk).update(created_at=timezone.make_aware(datetime.datetime(2026, 3, 5, 0, 15)))
    client = client_for(member)

    assert _card_ids(client.get("/library/?date_from=2026-03-01&date_to=2026-03-01").content.decode()) == [old.pk]
    assert _card_ids(client.get("/library/?date_from=2026-03-02").content.decode()) == [new.pk]


def test_a_bad_filter_is_reported_next_to_itself_and_the_others_still_apply(client_for, team, member):
    foreign_board = BoardItemFactory(board__team=TeamFactory()).board
    upload = AssetFactory(team=team, source="upload")
    AssetFactory(team=team, source="generated")

    page = client_for(member).get(f"/library/?board={foreign_board.pk}&source=upload").content.decode()

    assert "That choice is no longer available; pick another." in page
    assert _card_ids(page) == [upload.pk]


def test_an_end_date_before_the_start_date_is_explained(client_for, member):
    page = client_for(member).get("/library/?date_from=2026-03-05&date_to=2026-03-01").content.decode()
    assert "The end date is before the start date." in page


def test_it_says_nothing_matches_when_the_filters_exclude_everything(client_for, team, member):
    AssetFactory(team=team, rating=1)
    page = client_for(member).get("/library/?rating=5").content.decode()
    assert "Nothing matches" in page and "Clear filters" in page
    assert "Your library is empty" not in page


def test_it_never_shows_another_teams_assets(client_for, team, member):
    AssetFactory(team=TeamFactory())
    assert _card_ids(client_for(member).get("/library/").content.decode()) == []


def test_filter_changes_answer_htmx_with_the_results_region(client_for, team, member):
    AssetFactory(team=team)
    fragment = client_for(member).get("/library/?q=", headers={"hx-request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="library-results"')


def test_a_filter_change_brings_the_filter_count_and_clear_up_to_date(client_for, team, member):
    AssetFactory(team=team, rating=4)
    client = client_for(member)

    narrowed = client.get("/library/?q=fox&rating=4&kind=image", headers={"hx-request": "true"}).content.decode()
    count = re.search(r'<span class="tag" id="library-filter-count"[^>]*>', narrowed).group(0)
    assert 'hx-swap-oob="true"' in count and "hidden" not in count
    assert re.search(r'id="library-filter-count"[^>]*>2</span>', narrowed)  # q is the search, not a filter
    clear = re.search(r'<a [^>]*id="library-filter-clear"[^>]*>', narrowed).group(0)
    assert 'hx-swap-oob="true"' in clear and "hidden" not in clear

    widened = client.get("/library/?q=", headers={"hx-request": "true"}).content.decode()
    assert re.search(r'id="library-filter-count"[^>]*hidden', widened)
    assert re.search(r'id="library-filter-clear"[^>]*hidden', widened)


def _many(team, count):
    """Rows only, fast: bulk_create of plain instances, searchable by their name."""
    Asset.objects.bulk_create(
        [
            Asset(team=team, name=f"Asset {i}", file=f"k/{i}.png", format="png", sha256=f"{i:064x}", rating=3)
            for i in range(count)
        ],
        batch_size=2000,
    )
    Asset.objects.filter(team=team).update(search_text=F("name"), search_vector=SearchVector("name", config="english"))


QUERIES = ["", "?q=asset", "?q=asset&source=upload&rating=1&kind=image"]


def test_the_grid_takes_as_many_queries_for_ten_thousand_assets_as_for_ten(
    client_for, team, member, django_assert_max_num_queries, settings
):
    settings.POSTFRAME_LIBRARY_CACHE_SECONDS = 0  # every request renders: the queries of a page not cached yet
    client = client_for(member)
    _many(team, 10)
    client.get("/library/")  # the session is warm for every measurement
    counts = {}
    for query in QUERIES:
        with CaptureQueriesContext(connection) as few:
            assert len(_card_ids(client.get(f"/library/{query}").content.decode())) == 10
        counts[query] = len(few.captured_queries)

    Asset.objects.filter(team=team).delete()
    _many(team, 10_000)

    for query in QUERIES:
        with django_assert_max_num_queries(counts[query]):
            page = client.get(f"/library/{query}").content.decode()
        assert len(_card_ids(page)) == PAGE_SIZE


def test_filter_changes_put_only_the_filters_in_use_in_the_address_bar(client_for, member):
    response = client_for(member).get("/library/?q=fox&kind=&rating=4&tag=", headers={"hx-request": "true"})
    assert response["HX-Push-Url"] == "/library/?q=fox&rating=4"
