"""Journey: choose GPT Image 2.5, turn Thinking on, box part of Image 1 with the markup tool, generate through the
fake OpenAI over HTTP, and see the result; the request carried the markup and the complexity, never a mask."""

import importlib
import os
import re

import pytest
from playwright.sync_api import expect

from studio.generation.models import GenerationJob
from studio.teams import crypto
from studio.teams.models import ProviderKey
from tests.fakes.openai.server import FakeOpenAI
from tests.generation.browser import generate, open_studio, slow_frames, studio_team, wait_until_done
from tests.processes import ARTIFACTS, free_port

slow_frames()
# The live studio's web server and worker read OPENAI_BASE_URL when they start, so the fake's address is fixed
# now, before the session's live_studio starts; the fake itself runs for this module only.
FAKE_PORT = free_port()
os.environ.setdefault("OPENAI_BASE_URL", f"http://127.0.0.1:{FAKE_PORT}/v1")
SUNBURST = "openai:gpt-image-2.5-sunburst"


@pytest.fixture(scope="module")
def fake_openai_server():
    if os.environ["OPENAI_BASE_URL"] != f"http://127.0.0.1:{FAKE_PORT}/v1":
        pytest.skip("OPENAI_BASE_URL points elsewhere in this run")
    server = FakeOpenAI(port=FAKE_PORT, accept_any_key=True, frame_delay=0.2).start()
    yield server
    server.stop()


def _source(path):
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1024, 768), (236, 232, 222))
    draw = ImageDraw.Draw(image)
    draw.rectangle([140, 160, 460, 600], fill=(40, 90, 160))
    draw.ellipse([600, 200, 900, 500], fill=(220, 120, 40))
    image.save(path, "PNG")


def test_a_marked_up_edit_with_thinking_on_gpt_image_25(page, tmp_path, fake_openai_server):
    team, member = studio_team(credits=200)
    team.allowed_models = ["local:draft", SUNBURST]
    team.save()
    ProviderKey.objects.create(team=team, provider="openai", ciphertext=crypto.encrypt("sk-e2e-fake"), last_four="fake")
    prices = importlib.import_module("studio.credits.migrations.0005_prices_for_todays_models")
    from django.apps import apps

    prices.seed_prices(apps, None)
    _source(tmp_path / "poster.png")

    open_studio(page, member.email)
    page.get_by_label("Model").select_option(SUNBURST)
    # The 2.5 model's own controls are in once its formats are (the offline engine has xhigh and Thinking too).
    expect(page.locator("#id_output_format option[value=svg]")).to_have_count(1)
    expect(page.locator(".engine-note")).to_have_count(0)
    thinking = page.get_by_label("Thinking")
    expect(page.locator("#thinking-hint")).to_contain_text("dense, multi-element and diagram prompts")
    thinking.select_option("high")
    page.locator("#id_quality").select_option("xhigh")

    page.set_input_files("#reference-file", str(tmp_path / "poster.png"))
    expect(page.locator("#reference-list .ref-label")).to_have_text(["Image 1"])
    page.get_by_role("button", name="Mark up Image 1").click()
    canvas = page.locator("#markup-canvas")
    expect(canvas).to_be_visible()
    page.locator("#markup-dialog label:has(input[value=box])").click()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.25)
    page.mouse.down()
    for step in range(1, 16):
        page.mouse.move(box["x"] + box["width"] * (0.55 + step * 0.02), box["y"] + box["height"] * (0.25 + step * 0.03))
    page.mouse.up()
    page.get_by_role("button", name="Use this markup").click()
    expect(page.locator("#markup-status")).to_have_text("Markup on Image 1: 1 box.")
    expect(page.get_by_role("button", name="Paint a mask on Image 1")).to_be_disabled()  # never both
    page.get_by_role("button", name="Remove markup").click()
    expect(page.get_by_role("button", name="Paint a mask on Image 1")).to_be_enabled()
    page.get_by_role("button", name="Mark up Image 1").click()
    page.locator("#markup-dialog label:has(input[value=box])").click()
    page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.25)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.85, box["y"] + box["height"] * 0.7, steps=10)
    page.mouse.up()
    page.get_by_role("button", name="Use this markup").click()
    expect(page.locator("#markup-status")).to_have_text("Markup on Image 1: 1 box.")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "studio-markup-ready.png"))

    generate(page, 'Put a "NEW" badge inside the red box')
    wait_until_done(page)
    page.screenshot(path=str(ARTIFACTS / "studio-markup-result.png"))

    job = GenerationJob.objects.get(team=team)
    assert job.model_id == SUNBURST and job.params["complexity"] == "high" and job.has_markup
    assert job.params["quality"] == "xhigh" and job.credits_estimated == 9
    [sent] = fake_openai_server.requests_to("/images/edits")
    assert sent.params["complexity"] == "high" and sent.params["model"] == "gpt-image-2.5-sunburst"
    assert sent.params["quality"] == "xhigh"
    markup = sent.files["markup"][0].image
    assert markup.size == (1024, 768) and markup.mode == "RGBA"
    red = [count for count, (r, g, b, a) in markup.getcolors(1_000_000) if a > 200 and r > 180 and g < 120]
    assert sum(red) > 500  # the box's stroke, in the chosen red
    assert "mask" not in sent.files
    expect(page.locator("#studio-stage [data-testid=result-image]").first).to_be_visible()
    assert not [error for error in page.console_errors if not re.search(r"favicon", error)]
