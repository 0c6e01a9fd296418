"""Journey: the library's "N assets" line and Filters badge follow every change, and the search and filters live in
the address, so reload, back and forward all show what the address says."""

import re

from playwright.sync_api import expect

from tests.e2e.library_browser import card_names, file_payload, library_team, make_asset, open_library, picture


def filter_panel(page):
    panel = page.locator("details[data-filter-panel]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    return panel


def test_the_count_follows_uploads_and_deletes_without_a_reload(page, settings, live_studio):
    team, member = library_team(settings, live_studio)
    make_asset(team, member, "Harbor at dusk", hue=0.6)
    make_asset(team, member, "Lemonade poster", hue=0.15)
    open_library(page, member.email)
    count = page.locator("#library-count")
    expect(count).to_have_text("2 assets")

    page.get_by_label("Images to upload").set_input_files(
        [
            file_payload("sunrise.png", picture(300, 200, hue=0.08), "image/png"),
            file_payload("forest.png", picture(200, 300, hue=0.33), "image/png"),
        ]
    )
    expect(count).to_have_text("4 assets")  # the server's count, fetched once both uploads are in
    expect(card_names(page)).to_have_count(4)
    assert "/library/" in page.url and page.url.endswith("/library/")

    page.get_by_label("Select Harbor at dusk", exact=True).check()
    page.get_by_role("button", name=re.compile(r"^Delete")).click()
    confirm = page.get_by_role("button", name=re.compile(r"^(Delete|Confirm)", re.I)).last
    confirm.click()
    expect(count).to_have_text("3 assets")


def test_search_and_filters_survive_reload_back_and_forward(page, settings, live_studio):
    team, member = library_team(settings, live_studio)
    lemonade = 'A poster that says "Fresh lemonade"'
    make_asset(team, member, "Lemonade poster", prompt=lemonade, model_id="local:draft", rating=5, hue=0.15)
    make_asset(team, member, "Lemonade sketch", prompt=lemonade, model_id="local:draft", rating=2, hue=0.2)
    make_asset(team, member, "Harbor at dusk", prompt="A harbor at dusk", model_id="local:draft", rating=5, hue=0.6)
    open_library(page, member.email)
    search, count, badge = page.get_by_label("Search the library"), page.locator("#library-count"), None
    badge = page.locator("#library-filter-count")
    expect(count).to_have_text("3 assets")

    with page.expect_response(re.compile(r"/library/\?q=lemonade")):
        search.fill("lemonade")
    expect(page).to_have_url(re.compile(r"/library/\?q=lemonade$"))
    expect(count).to_have_text("2 matches")
    expect(badge).to_be_hidden()  # a search is not one of the Filters

    with page.expect_response(re.compile(r"rating=4")):
        filter_panel(page).get_by_label("Rating", exact=True).select_option(label="★★★★ and up")
    expect(page).to_have_url(re.compile(r"q=lemonade&rating=4"))
    expect(card_names(page)).to_have_text(["Lemonade poster"])
    expect(count).to_have_text("1 match")
    expect(badge).to_have_text("1")

    page.reload()
    expect(search).to_have_value("lemonade")
    expect(card_names(page)).to_have_text(["Lemonade poster"])
    expect(badge).to_have_text("1")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/library/\?q=lemonade$"))
    expect(card_names(page)).to_have_count(2)
    expect(count).to_have_text("2 matches")
    expect(search).to_have_value("lemonade")
    expect(page.get_by_label("Rating", exact=True)).to_have_value("")
    expect(badge).to_be_hidden()

    page.go_back()
    expect(page).to_have_url(re.compile(r"/library/$"))
    expect(card_names(page)).to_have_count(3)
    expect(search).to_have_value("")

    page.go_forward()
    expect(page).to_have_url(re.compile(r"/library/\?q=lemonade$"))
    expect(card_names(page)).to_have_count(2)
    expect(search).to_have_value("lemonade")
    assert page.console_errors == []
