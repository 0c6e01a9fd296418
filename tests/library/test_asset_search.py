"""Searching the library: prompts, names and tags, by whole words, word stems and the start of a word."""

import re
from types import SimpleNamespace

import pytest

from library import selectors
from library.services import asset_rename, asset_tags_set
from tests.factories import TeamFactory
from tests.library.factories import stored_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def assets(team, member):
    return {
        "fox": stored_asset(team, member, name="Campaign hero", provenance={"prompt": "A red fox running at sunset"}),
        "city": stored_asset(team, member, name="Night city", provenance={"prompt": "Neon streets in the rain"}),
        "bottle": stored_asset(team, member, name="Bottle packshot", provenance={}),
    }


def _found(client, text):
    page = client.get("/library/", {"q": text}).content.decode()
    return {int(pk) for pk in re.findall(r'id="asset-(\d+)-card"', page)}


def test_it_finds_assets_by_words_of_their_prompt(client_for, member, assets):
    assert _found(client_for(member), "fox") == {assets["fox"].pk}


def test_it_finds_assets_by_their_name_and_after_a_rename(client_for, member, assets):
    client = client_for(member)
    assert _found(client, "packshot") == {assets["bottle"].pk}
    asset_rename(asset=assets["bottle"], name="Perfume still life")
    assert _found(client, "perfume") == {assets["bottle"].pk}
    assert _found(client, "packshot") == set()


def test_it_finds_assets_by_their_tags(client_for, member, assets):
    asset_tags_set(asset=assets["city"], names=["Q3 launch", "approved"])
    assert _found(client_for(member), "approved") == {assets["city"].pk}


def test_it_matches_the_start_of_a_word_as_the_user_types(client_for, member, assets):
    assert _found(client_for(member), "suns") == {assets["fox"].pk}


def test_it_matches_other_forms_of_a_word(client_for, member, assets):
    assert _found(client_for(member), "foxes run") == {assets["fox"].pk}


def test_every_word_must_match(client_for, member, assets):
    client = client_for(member)
    assert _found(client, "neon rain") == {assets["city"].pk}
    assert _found(client, "neon fox") == set()


def test_search_syntax_in_the_query_is_just_text(client_for, member, assets):
    client = client_for(member)
    assert _found(client, "fox:* | ! & ( ' \\") == {assets["fox"].pk}
    assert _found(client, "!!! &&& ") == {a.pk for a in assets.values()}  # nothing to search for: everything


def test_it_never_finds_another_teams_assets(client_for, member, assets):
    stored_asset(TeamFactory(), provenance={"prompt": "A red fox"})
    assert _found(client_for(member), "fox") == {assets["fox"].pk}


def test_the_fallback_without_postgresql_searches_with_icontains(team, assets, monkeypatch):
    monkeypatch.setattr(selectors, "connection", SimpleNamespace(vendor="sqlite"))
    found = selectors.assets_filtered(team, {"q": "RED Sunset"})
    assert [a.pk for a in found] == [assets["fox"].pk]


def test_the_search_words_are_plain_words_only():
    assert selectors.search_words("Fox:* & (rain)!") == ["fox", "rain"]
