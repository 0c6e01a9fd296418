"""Journey: make a board, pick several assets in the grid, add them to it, open it and put them in another order."""

import re

from playwright.sync_api import expect

from library.models import Board, BoardItem
from tests.e2e.library_browser import library_team, make_asset, open_library, screenshot, select_assets


def board_names(page):
    return page.locator(".board-items .board-item .asset-name")


def stored_order(board):
    return list(BoardItem.objects.filter(board=board).order_by("position").values_list("asset__name", flat=True))


def test_assets_picked_in_the_grid_land_on_a_new_board_and_can_be_reordered(page, settings, live_studio):
    team, member = library_team(settings, live_studio)
    for hue, name in enumerate(["Lemon stand", "Beach towel", "Ice cream cart", "Sunset pier"]):
        make_asset(team, member, name, prompt=f"{name}, summer campaign", model_id="openai:gpt-image-2", hue=hue / 4)
    open_library(page, member.email)

    # No board yet: the selection bar says how to make one.
    page.get_by_role("link", name="Make a board").click()
    expect(page.get_by_role("heading", name="No boards yet")).to_be_visible()
    page.get_by_label("Board name").fill("Summer launch")
    page.get_by_role("button", name="Create board").click()
    expect(page.get_by_role("heading", name="Summer launch")).to_be_visible()
    expect(page.get_by_role("heading", name="This board is empty")).to_be_visible()
    page.get_by_role("link", name="Choose assets in the library").click()

    select_assets(page, "Lemon stand", "Ice cream cart", "Sunset pier")
    selection = page.locator("#selection-form")
    selection.get_by_label("Board").select_option(label="Summer launch")
    selection.get_by_role("button", name="Add to board").click()
    expect(page.get_by_role("status")).to_have_text("Added 3 of 3 to “Summer launch”.")

    page.get_by_role("link", name="Boards", exact=True).click()
    board_card = page.locator(".board-card", has_text="Summer launch")
    expect(board_card).to_contain_text("3 assets")
    board_card.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Summer launch")).to_be_visible()
    expect(board_names(page)).to_have_text(["1. Sunset pier", "2. Ice cream cart", "3. Lemon stand"])
    expect(page.locator(".board-items img")).to_have_count(3)
    for image in page.locator(".board-items img").all():
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("image => image.naturalWidth") > 0
    board = Board.objects.get(team=team, name="Summer launch")
    assert stored_order(board) == ["Sunset pier", "Ice cream cart", "Lemon stand"]
    screenshot(page, "board")

    # The arrows move one place at a time, without a page load.
    page.get_by_role("button", name="Move Lemon stand earlier").click()
    expect(board_names(page)).to_have_text(["1. Sunset pier", "2. Lemon stand", "3. Ice cream cart"])
    assert stored_order(board) == ["Sunset pier", "Lemon stand", "Ice cream cart"]

    # Dragging a tile to the end of the board puts it last, and the order is saved.
    last = page.locator(".board-item").last
    box = last.bounding_box()
    page.locator(".board-item").first.drag_to(last, target_position={"x": box["width"] - 10, "y": box["height"] - 10})
    expect(page.get_by_text("Order saved.")).to_be_visible()
    expect(board_names(page)).to_have_text(["1. Lemon stand", "2. Ice cream cart", "3. Sunset pier"])
    assert stored_order(board) == ["Lemon stand", "Ice cream cart", "Sunset pier"]

    page.reload()
    expect(board_names(page)).to_have_text(["1. Lemon stand", "2. Ice cream cart", "3. Sunset pier"])
    expect(page.get_by_role("button", name="Move Lemon stand earlier")).to_be_disabled()
    expect(page.get_by_role("button", name="Move Sunset pier later")).to_be_disabled()

    # The board is also a filter of the grid.
    page.get_by_role("link", name="Open in the library").click()
    expect(page.locator("#asset-grid .asset-name")).to_have_text(["Sunset pier", "Ice cream cart", "Lemon stand"])
    expect(page).to_have_url(re.compile(rf"board={board.pk}"))
    assert page.console_errors == []
