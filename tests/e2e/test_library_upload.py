"""Journey: several files at once, dropped on the upload box or chosen in the picker; a broken one is refused alone."""

import re
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect

from library.models import Asset
from tests.e2e.library_browser import (
    card_names,
    file_payload,
    in_browser_files,
    library_team,
    open_library,
    picture,
    script_errors,
    stored_files,
)


def upload_row(page, filename):
    return page.locator("#upload-list .upload-row").filter(has=page.locator(".upload-name", has_text=filename))


def hold_uploads(page):
    """Keep the page's upload requests waiting (see release), so what it shows meanwhile can be checked."""
    held = []
    page.route("**/library/upload/", lambda route: held.append(route))
    return held


def release(page, held, count):
    while len(held) < count:
        page.wait_for_timeout(50)  # the route handler runs while Playwright waits
    for route in held:
        route.continue_()
    page.unroute("**/library/upload/")


def expect_added(page, filename):
    row = upload_row(page, filename)
    expect(row.locator(".upload-status")).to_have_text("Added")
    expect(row.get_by_role("link", name="Open")).to_be_visible()


def test_dropping_three_files_adds_the_two_images_and_refuses_the_truncated_one(page, settings, live_studio):
    team, member = library_team(settings, live_studio)
    sunrise = picture(640, 400, hue=0.08)
    files = [
        file_payload("sunrise.png", sunrise, "image/png"),
        file_payload("harbor.jpg", picture(480, 640, hue=0.55, fmt="JPEG"), "image/jpeg"),
        file_payload("cut-short.png", sunrise[: len(sunrise) // 2], "image/png"),
    ]
    open_library(page, member.email)
    expect(page.get_by_role("heading", name="Your library is empty")).to_be_visible()
    expect(page.get_by_role("button", name="Upload", exact=True)).to_be_hidden()  # files go up as soon as they arrive

    held = hold_uploads(page)
    dropzone = page.locator("form[data-upload]")
    transfer = in_browser_files(page, files)
    dropzone.dispatch_event("dragenter", {"dataTransfer": transfer})
    expect(dropzone).to_have_class("dropzone dropzone-active")
    dropzone.dispatch_event("drop", {"dataTransfer": transfer})
    expect(dropzone).not_to_have_class("dropzone dropzone-active")

    # While the server has not answered, every file has a row of its own with a progress bar.
    expect(page.locator("#upload-list .upload-row")).to_have_count(3)
    for name in ("sunrise.png", "harbor.jpg", "cut-short.png"):
        expect(page.get_by_role("progressbar", name=f"Upload of {name}")).to_be_visible()
        expect(upload_row(page, name).locator(".upload-status")).to_have_text(re.compile("Uploading|Checking"))
    release(page, held, 3)

    expect_added(page, "sunrise.png")
    expect_added(page, "harbor.jpg")
    refused = upload_row(page, "cut-short.png")
    expect(refused.locator(".upload-status")).to_have_text("Refused")
    expect(refused.locator(".upload-message")).to_have_text(
        "This PNG is damaged or cut short, so it was not added. Re-export it and upload again."
    )
    expect(page.locator("#upload-list progress")).to_have_count(0)

    expect(card_names(page)).to_have_count(2)
    expect(page.get_by_role("heading", name="Your library is empty")).to_be_hidden()
    page.reload()
    expect(card_names(page)).to_have_count(2)
    assert sorted(card_names(page).all_inner_texts()) == ["harbor", "sunrise"]

    assets = Asset.objects.filter(team=team)
    assert sorted(assets.values_list("name", flat=True)) == ["harbor", "sunrise"]
    assert {(a.name, a.format, a.width, a.height) for a in assets} == {
        ("sunrise", "png", 640, 400),
        ("harbor", "jpeg", 480, 640),
    }
    assert len(stored_files(settings, team)) == 6  # an original, a preview and a tile for each image, none for it
    assert script_errors(page) == []


def test_choosing_files_in_the_picker_refuses_a_web_page_named_like_a_png(page, settings, live_studio):
    team, member = library_team(settings, live_studio)
    open_library(page, member.email)
    page.get_by_label("Images to upload").set_input_files(
        [
            file_payload("lemonade.png", picture(300, 300, hue=0.15), "image/png"),
            file_payload("not-a-picture.png", b"<!doctype html><html><body><script>alert(1)</script>", "image/png"),
            file_payload("beach.jpg", picture(400, 260, hue=0.6, fmt="JPEG"), "image/jpeg"),
        ]
    )

    expect_added(page, "lemonade.png")
    expect_added(page, "beach.jpg")
    refused = upload_row(page, "not-a-picture.png")
    expect(refused.locator(".upload-status")).to_have_text("Refused")
    expect(refused.locator(".upload-message")).to_contain_text("HTML files are refused: this is a web page")
    expect(refused.locator(".upload-message")).to_contain_text("Its name ends in .png")
    expect(card_names(page)).to_have_count(2)

    # Opening an added image from its row shows it.
    upload_row(page, "beach.jpg").get_by_role("link", name="Open").click()
    expect(page.get_by_role("heading", name="beach", exact=True)).to_be_visible()
    preview = page.locator(".asset-stage img")
    expect(preview).to_be_visible()
    assert preview.evaluate("image => image.complete && image.naturalWidth > 0")

    assert sorted(Asset.objects.filter(team=team).values_list("name", flat=True)) == ["beach", "lemonade"]
    assert len(stored_files(settings, team)) == 6
    for asset in Asset.objects.filter(team=team):
        with Image.open(Path(settings.MEDIA_ROOT) / asset.file) as image:
            assert image.size == (asset.width, asset.height)
    assert script_errors(page) == []
