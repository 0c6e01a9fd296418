"""The grid's filter problems reach the user when a filter changes without a page load (htmx swaps the results)."""

import pytest

from tests.library.factories import AssetFactory

pytestmark = pytest.mark.django_db


def test_an_end_date_before_the_start_date_is_explained_in_the_swapped_results(client_for, team, member):
    AssetFactory(team=team)
    fragment = (
        client_for(member)
        .get("/library/?date_from=2026-03-05&date_to=2026-03-01", headers={"hx-request": "true"})
        .content.decode()
    )

    assert fragment.lstrip().startswith('<div id="library-results"')
    assert "The end date is before the start date." in fragment


def test_a_full_page_shows_a_filter_problem_once_next_to_its_field(client_for, member):
    page = client_for(member).get("/library/?date_from=2026-03-05&date_to=2026-03-01").content.decode()
    assert page.count("The end date is before the start date.") == 1
