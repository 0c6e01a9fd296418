"""Journey: typing in the library's search box narrows the grid to assets whose prompt, name or tags match."""

import re
from urllib.parse import urlencode

from playwright.sync_api import expect

from tests.e2e.library_browser import card_names, library_team, make_asset, open_library, screenshot


def search(page, text):
    """Type into the search box and wait until the grid and the address show the results."""
    page.get_by_label("Search the library").fill(text)
    expect(page).to_have_url(re.compile(re.escape(f"/library/?{urlencode({'q': text})}") + "$"))


def test_typing_a_word_narrows_the_grid_to_the_matching_assets(page, settings, live_studio):
    team, member = library_team(settings, live_studio)
    make_asset(
        team,
        member,
        "Poster A",
        prompt='A summer poster that says "Fresh lemonade", bright yellow',
        model_id="openai:gpt-image-2",
        hue=0.14,
    )
    make_asset(team, member, "Harbor at dawn", prompt="Fishing boats in a misty harbor", hue=0.58)
    make_asset(team, member, "Cafe interior", prompt="A cosy cafe with plants", tags=["autumn campaign"], hue=0.05)
    make_asset(team, member, "Lemon tart", prompt="A tart on a marble table", model_id="local:draft", hue=0.12)
    open_library(page, member.email)
    expect(card_names(page)).to_have_count(4)
    expect(page.locator("#library-count")).to_have_text("4 assets")
    screenshot(page, "grid")

    search(page, "lemonade")  # a word of the prompt only
    expect(card_names(page)).to_have_text(["Poster A"])
    expect(page.locator("#library-count")).to_have_text("1 match")

    search(page, "lemon")  # the start of a word: the tart's name and the poster's prompt
    expect(card_names(page)).to_have_text(["Lemon tart", "Poster A"])

    search(page, "autumn")  # a tag
    expect(card_names(page)).to_have_text(["Cafe interior"])

    search(page, "harbor boats")  # every word must match
    expect(card_names(page)).to_have_text(["Harbor at dawn"])

    search(page, "submarine")
    expect(card_names(page)).to_have_count(0)
    expect(page.get_by_role("heading", name="Nothing matches")).to_be_visible()

    # The address keeps the search: reloading it, or sharing it, shows the same results.
    search(page, "cafe")
    page.reload()
    expect(page.get_by_label("Search the library")).to_have_value("cafe")
    expect(card_names(page)).to_have_text(["Cafe interior"])

    page.get_by_role("link", name="Clear", exact=True).click()
    expect(card_names(page)).to_have_count(4)
    assert page.console_errors == []
