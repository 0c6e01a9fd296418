"""The "From library" dialog's endpoint: the library's own search over the team's images, as picker buttons."""

import pytest

from tests.generation.factories import source_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def titled(team, member):
    from library.services import Origin, asset_ingest

    def make(title, width):
        # Files of different sizes: the library keeps one asset per identical upload.
        data = source_png(width=width)
        return asset_ingest(team=team, user=member, data=data, filename="x.png", origin=Origin(name=title))

    return make


def test_it_lists_the_teams_images_newest_first(team, member, client_for, titled):
    older, newer = titled("Harbor at dawn", 640), titled("Lemon tart", 656)
    page = client_for(member).get("/studio/references/library/").content.decode()

    assert page.index(f"/studio/references/{newer.pk}/") < page.index(f"/studio/references/{older.pk}/")
    assert 'aria-label="Add Harbor at dawn as a reference"' in page


def test_it_searches_with_the_librarys_search(team, member, client_for, titled):
    harbor, lemon = titled("Harbor at dawn", 640), titled("Lemon tart", 656)
    page = client_for(member).get("/studio/references/library/", {"q": "harb"}).content.decode()

    assert f"/studio/references/{harbor.pk}/" in page
    assert f"/studio/references/{lemon.pk}/" not in page


def test_a_search_that_finds_nothing_says_so(team, member, client_for, titled):
    titled("Harbor at dawn", 640)
    page = client_for(member).get("/studio/references/library/", {"q": "zebra"}).content.decode()
    assert "No image matches “zebra”" in page


def test_an_empty_library_says_what_to_do(team, member, client_for):
    page = client_for(member).get("/studio/references/library/").content.decode()
    assert "The library has no images yet" in page


def test_another_teams_images_never_show(team, member, other_team, outsider, client_for, titled):
    titled("Harbor at dawn", 640)
    page = client_for(outsider).get("/studio/references/library/", {"q": "harbor"}).content.decode()
    assert "Harbor at dawn" not in page


def test_a_viewer_cannot_pick(team, viewer, client_for):
    assert client_for(viewer).get("/studio/references/library/").status_code == 403
