"""Journey: upload a photo, paint a mask over part of it with the mouse, generate, and get every other pixel back."""

import io

from PIL import Image, ImageChops, ImageDraw
from playwright.sync_api import expect

from studio.generation.models import GenerationJob
from tests.generation.browser import generate, open_studio, pixels, slow_frames, studio_team, wait_until_done

slow_frames()


def _source(path):
    image = Image.new("RGB", (1024, 768), (32, 110, 190))
    draw = ImageDraw.Draw(image)
    draw.ellipse([120, 120, 460, 460], fill=(250, 205, 40))
    draw.rectangle([600, 380, 940, 700], fill=(200, 40, 90))
    for x in range(0, 1024, 32):
        draw.line([x, 0, 1024 - x, 768], fill=(x % 255, 200, 120), width=3)
    image.save(path, "PNG")
    return path.read_bytes()


def test_a_painted_mask_changes_only_what_was_painted(page, tmp_path):
    team, member = studio_team()
    source = _source(tmp_path / "harbour.png")
    open_studio(page, member.email)

    page.set_input_files("#reference-file", str(tmp_path / "harbour.png"))
    expect(page.locator("#reference-list .ref-label")).to_have_text(["Image 1"])
    page.get_by_role("button", name="Paint a mask on Image 1").click()
    canvas = page.locator("#mask-canvas")
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(box["x"] + box["width"] * (0.15 + step * 0.012), box["y"] + box["height"] * (0.2 + step * 0.01))
    page.mouse.up()
    page.get_by_role("button", name="Use this mask").click()
    expect(page.locator("#mask-status")).to_contain_text("may change, the rest stays exact")
    expect(page.locator("#size-readout")).to_contain_text("keeps Image 1’s size, 1024 × 768")

    generate(page, "A paper lantern glowing where the sun was")
    wait_until_done(page)
    job = GenerationJob.objects.get(team=team)
    assert job.has_mask
    download = page.get_by_test_id("download").get_attribute("href")
    response = page.request.get(download)
    assert response.ok
    output, original = pixels(response.body()), pixels(source)
    assert output.size == original.size == (1024, 768)

    mask = Image.open(io.BytesIO(bytes(job.mask_png)))
    assert mask.size == (1024, 768) and mask.mode == "RGBA"
    keep = mask.getchannel("A").point(lambda alpha: 255 if alpha == 255 else 0)
    difference = ImageChops.difference(original, output).convert("L")
    assert ImageChops.multiply(difference, keep).getbbox() is None  # not one kept pixel moved
    assert ImageChops.multiply(difference, ImageChops.invert(keep)).getbbox() is not None  # the painted part did
    assert page.console_errors == []
