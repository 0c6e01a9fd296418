"""Journey: a viewer browses and downloads but is offered no upload, edit or delete; another team's ids are 404."""

import zipfile

from PIL import Image
from playwright.sync_api import expect

from library.models import Asset
from tests.e2e.library_browser import card_names, library_team, make_asset, open_library, screenshot, script_errors
from tests.factories import MembershipFactory, TeamFactory
from tests.library.factories import BoardFactory, BoardItemFactory


def test_a_viewer_browses_and_downloads_but_cannot_change_anything(page, settings, live_studio):
    team, viewer = library_team(settings, live_studio, role="viewer", email="vera@example.com")
    maker = MembershipFactory(team=team, role="member").user
    poster = make_asset(team, maker, "Lemonade poster", prompt="Fresh lemonade", model_id="local:draft", rating=3)
    make_asset(team, maker, "Harbor at dawn", prompt="Boats in the mist", hue=0.6)
    board = BoardFactory(team=team, name="Client review")
    BoardItemFactory(board=board, asset=poster, position=0)

    open_library(page, viewer.email)
    expect(card_names(page)).to_have_text(["Harbor at dawn", "Lemonade poster"])
    expect(page.get_by_role("heading", name="Add images")).to_have_count(0)
    expect(page.get_by_label("Images to upload")).to_have_count(0)
    selection = page.locator("#selection-form")
    for control in ("Delete…", "Tag", "Add to board"):
        expect(selection.get_by_role("button", name=control, exact=True)).to_have_count(0)

    # Browsing and downloading work.
    page.get_by_label("Search the library").fill("lemonade")
    expect(card_names(page)).to_have_text(["Lemonade poster"])
    page.get_by_label("Select Lemonade poster", exact=True).check()
    with page.expect_download() as zipped:
        selection.get_by_role("button", name="Download zip").click()
    with zipfile.ZipFile(zipped.value.path()) as archive:
        assert archive.namelist() == ["lemonade-poster.png"]

    page.locator("#asset-grid").get_by_role("link", name="Lemonade poster").click()
    expect(page.get_by_role("heading", name="Lemonade poster", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="How it was made")).to_contain_text("Fresh lemonade")
    expect(page.get_by_text("Rating ★★★")).to_be_visible()
    for control in ("Delete asset", "Rename", "Save tags", "Use as reference", "Refine"):
        expect(page.get_by_role("button", name=control, exact=True)).to_have_count(0)
        expect(page.get_by_role("link", name=control, exact=True)).to_have_count(0)
    expect(page.get_by_role("radio")).to_have_count(0)
    download = page.get_by_role("region", name="Download as…")
    download.get_by_label("Format").select_option(label="JPEG")
    with page.expect_download() as jpeg:
        download.get_by_role("button", name="Download", exact=True).click()
    with Image.open(jpeg.value.path()) as image:
        assert image.format == "JPEG" and image.size == (poster.width, poster.height)

    page.goto("/library/boards/")
    expect(page.get_by_role("button", name="Create board")).to_have_count(0)
    page.get_by_role("link", name="Client review").click()
    expect(page.locator(".board-item .asset-name")).to_have_text(["1. Lemonade poster"])
    for control in ("Delete board", "Remove", "Move Lemonade poster earlier", "Move Lemonade poster later"):
        expect(page.get_by_role("button", name=control, exact=True)).to_have_count(0)
    expect(page.locator(".board-item[draggable=true]")).to_have_count(0)

    # A write sent anyway (a stale tab, a crafted request) is refused and changes nothing.
    answer = page.request.post(f"/library/assets/{poster.pk}/delete/", headers={"X-CSRFToken": csrf(page)})
    assert answer.status == 403 and "open this page" in answer.text()
    assert Asset.objects.filter(pk=poster.pk).exists()
    assert script_errors(page) == []


def test_another_teams_asset_board_and_file_answer_404_in_the_browser(page, settings, live_studio):
    team, member = library_team(settings, live_studio)
    rival = TeamFactory(name="Rival Studio")
    secret = make_asset(rival, MembershipFactory(team=rival, role="owner").user, "Rival secret", prompt="Secret")
    rival_board = BoardFactory(team=rival, name="Rival board")
    make_asset(team, member, "Ours", prompt="Ours")

    open_library(page, member.email)
    expect(card_names(page)).to_have_text(["Ours"])
    for path in (
        f"/library/assets/{secret.pk}/",
        f"/library/assets/{secret.pk}/files/original/",
        f"/library/assets/{secret.pk}/files/thumb/",
        f"/library/assets/{secret.pk}/download/?format=webp",
        f"/library/boards/{rival_board.pk}/",
    ):
        response = page.goto(path)
        assert response.status == 404, path
        screenshot(page, "not-found")
        expect(page.get_by_text("Rival secret")).to_have_count(0)
        assert not response.headers.get("content-type", "").startswith("image/"), path
    page.goto("/library/?q=secret")
    expect(card_names(page)).to_have_count(0)
    expect(page.get_by_role("heading", name="Nothing matches")).to_be_visible()


def csrf(page):
    return page.evaluate("() => JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken']")
