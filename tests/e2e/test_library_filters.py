"""Journey: the grid's filters (model, rating, date range) show only the assets that match, alone and together."""

import datetime
import re

from playwright.sync_api import expect

from tests.e2e.library_browser import card_names, library_team, make_asset, open_library, screenshot


def choose(page, label, value):
    """Pick a filter in the Filters panel; the grid refreshes on its own."""
    panel = page.locator("details[data-filter-panel]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    with page.expect_response(re.compile(r"/library/\?")):
        field = panel.get_by_label(label, exact=True)
        if field.get_attribute("type") == "date":
            field.fill(value)
        else:
            field.select_option(label=value)


def test_filtering_by_model_rating_and_dates_shows_only_the_matching_assets(page, settings, live_studio):
    team, member = library_team(settings, live_studio)
    gpt, draft, day = "openai:gpt-image-2", "local:draft", datetime.date
    for hue, (name, model_id, rating, made_on) in enumerate(
        [
            ("Old poster", gpt, 5, day(2025, 3, 10)),
            ("Spring banner", gpt, 2, day(2025, 4, 20)),
            ("Draft sketch", draft, 4, day(2025, 4, 22)),
            ("Summer hero", gpt, 4, day(2025, 6, 2)),
            ("Team photo", "", 3, day(2025, 4, 25)),
        ]
    ):
        make_asset(
            team,
            member,
            name,
            prompt=name if model_id else "",
            model_id=model_id,
            rating=rating,
            made_on=made_on,
            hue=hue / 5,
        )
    open_library(page, member.email)
    expect(card_names(page)).to_have_count(5)
    filter_count, clear = page.locator("#library-filter-count"), page.get_by_role("link", name="Clear", exact=True)
    expect(filter_count).to_be_hidden()
    expect(clear).to_be_hidden()

    choose(page, "Model", "GPT Image 2")
    expect(card_names(page)).to_have_text(["Summer hero", "Spring banner", "Old poster"])
    expect(page.locator("#library-count")).to_have_text("3 matches")

    choose(page, "Rating", "★★★★ and up")
    expect(card_names(page)).to_have_text(["Summer hero", "Old poster"])
    expect(filter_count).to_have_text("2")  # the Filters button counts what is on, without a reload
    expect(clear).to_be_visible()

    choose(page, "Model", "Any model")
    expect(card_names(page)).to_have_text(["Summer hero", "Draft sketch", "Old poster"])

    choose(page, "From", "2025-04-01")
    choose(page, "To", "2025-04-30")
    expect(card_names(page)).to_have_text(["Draft sketch"])

    choose(page, "Rating", "Any rating")
    expect(card_names(page)).to_have_text(["Team photo", "Draft sketch", "Spring banner"])

    # The filters live in the address: a reload (or a shared link) shows the same grid and the filters in use.
    expect(page).to_have_url(re.compile(r"date_from=2025-04-01"))
    page.reload()
    expect(card_names(page)).to_have_text(["Team photo", "Draft sketch", "Spring banner"])
    expect(filter_count).to_have_text("2")

    choose(page, "To", "2025-03-01")  # an end before the start is explained, not silently ignored
    expect(page.get_by_text("The end date is before the start date.")).to_be_visible()
    screenshot(page, "filter-problem")

    clear.click()
    expect(card_names(page)).to_have_count(5)
    expect(filter_count).to_be_hidden()
    assert page.console_errors == []
