"""Journey: select some assets in the grid and download them as one zip that holds exactly those images."""

import hashlib
import io
import zipfile

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.library_browser import library_team, make_asset, open_library


def test_the_zip_holds_the_selected_images_and_nothing_else(page, settings, live_studio):
    team, member = library_team(settings, live_studio)
    chosen = [
        make_asset(team, member, "Menu board", prompt="A chalk menu board", hue=0.1, size=(400, 300)),
        make_asset(team, member, "Latte art", prompt="A heart in a latte", hue=0.3, size=(300, 400)),
        make_asset(team, member, "Latte art", prompt="A fern in a latte", hue=0.45, size=(360, 360)),
    ]
    make_asset(team, member, "Shop front", prompt="Not selected", hue=0.8)
    open_library(page, member.email)

    expect(page.get_by_role("button", name="Download zip")).to_be_disabled()
    page.get_by_label("Select Menu board", exact=True).check()
    page.get_by_label("Select Latte art", exact=True).first.check()
    page.get_by_label("Select Latte art", exact=True).last.check()
    expect(page.locator("[data-selected-count]")).to_have_text("3")
    expect(page.locator(".asset-card-selected")).to_have_count(3)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download zip").click()
    download = download_info.value
    assert download.suggested_filename == f"{team.slug}-assets.zip"

    with zipfile.ZipFile(download.path()) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        # Two assets share a name; the zip keeps both, under different file names.
        assert sorted(names) == ["latte-art-2.png", "latte-art.png", "menu-board.png"]
        contents = {hashlib.sha256(archive.read(name)).hexdigest(): archive.read(name) for name in names}
    assert set(contents) == {asset.sha256 for asset in chosen}
    sizes = set()
    for data in contents.values():
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            sizes.add(image.size)
    assert sizes == {(400, 300), (300, 400), (360, 360)}

    # The selection survives the download, and "Clear" empties it.
    page.get_by_role("button", name="Clear", exact=True).click()
    expect(page.locator("[data-selected-count]")).to_have_text("0")
    expect(page.get_by_role("button", name="Download zip")).to_be_disabled()
    assert page.console_errors == []


def test_select_all_shown_downloads_every_asset_on_the_page(page, settings, live_studio):
    team, member = library_team(settings, live_studio)
    for n in range(4):
        make_asset(team, member, f"Frame {n}", hue=n / 5)
    open_library(page, member.email)
    page.get_by_role("button", name="Select all shown").click()
    expect(page.locator("[data-selected-count]")).to_have_text("4")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download zip").click()
    with zipfile.ZipFile(download_info.value.path()) as archive:
        assert sorted(archive.namelist()) == [f"frame-{n}.png" for n in range(4)]
    assert page.console_errors == []
