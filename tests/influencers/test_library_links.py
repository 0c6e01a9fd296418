"""The library and influencers: filter by influencer and version, the asset page names both, attach from there."""

import pytest

from tests.influencers import photos
from tests.influencers.factories import astronaut_influencer, library_photo
from tests.library.factories import stored_asset

pytestmark = pytest.mark.django_db


def _made_with(team, user, influencer, version, name, **score):
    record = {"id": influencer.pk, "name": influencer.name, "version_id": 0, "version": version, **score}
    return stored_asset(team, user, name=name, provenance={"prompt": name, "influencer": record})


def test_the_library_filters_by_influencer_and_version(client_for, team, member):
    influencer = astronaut_influencer(team, member, name="Ines")
    first = _made_with(team, member, influencer, 1, "Beach v1")
    second = _made_with(team, member, influencer, 2, "Beach v2")
    stored_asset(team, member, name="Unrelated")
    client = client_for(member)
    page = client.get("/library/", {"influencer": influencer.pk}).content.decode()
    assert first.name in page and second.name in page and "Unrelated" not in page
    page = client.get("/library/", {"influencer": influencer.pk, "influencer_version": 2}).content.decode()
    assert second.name in page and "Beach v1" not in page
    assert f'<option value="{influencer.pk}" selected>Ines</option>' in page


def test_another_teams_influencer_is_not_a_filter_choice(client_for, team, member, other_team, outsider):
    theirs = astronaut_influencer(other_team, outsider, name="Rival")
    page = client_for(member).get("/library/", {"influencer": theirs.pk}).content.decode()
    assert "Rival" not in page.split('id="library-results"')[0]
    assert "That choice is no longer available" in page


def test_the_asset_page_names_the_influencer_version_and_score(client_for, team, member):
    influencer = astronaut_influencer(team, member, name="Ines")
    asset = _made_with(team, member, influencer, 3, "Gym", score=81, distance=0.19, verdict="same", threshold=0.6)
    page = client_for(member).get(f"/library/assets/{asset.pk}/").content.decode()
    assert f'href="/influencers/{influencer.pk}/">Ines</a> version 3' in page
    assert "Same person" in page and "81% similar" in page


def test_any_image_can_be_attached_from_its_page(client_for, team, member):
    asset = library_photo(team, member, photos.astronaut())
    page = client_for(member).get(f"/library/assets/{asset.pk}/").content.decode()
    assert f'href="/influencers/attach/{asset.pk}/"' in page and "Not made with an influencer" in page
