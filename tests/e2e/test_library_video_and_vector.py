"""Journey: a video, a model's SVG and an animated GIF in the library: the grid marks them, the video plays and seeks,
the SVG shows through <img> and its script never runs, the GIF shows its moving original."""

import re

from playwright.sync_api import expect

from library.services import Origin, asset_ingest, video_ingest
from tests.e2e.library_browser import library_team, open_library, screenshot, script_errors
from tests.library.images import animated_gif
from tests.library.videos import clip

NS = 'xmlns="http://www.w3.org/2000/svg"'
# Were any of it to run, the page's title or a global would say so.
SCRIPTED_SVG = (
    f'<svg {NS} width="600" height="400" viewBox="0 0 600 400" onload="top.document.title=\'svg ran\'">'
    '<rect width="600" height="400" fill="#1e3cdc"/><circle cx="300" cy="200" r="120" fill="#fff"/>'
    "<script>top.document.title = 'svg ran'; top.svgRan = true;</script></svg>"
).encode()


def test_a_video_plays_and_seeks_an_svg_shows_without_running_its_script_and_a_gif_moves(page, settings, live_studio):
    team, member = library_team(settings, live_studio)
    generated = {"source": "generated"}
    video = video_ingest(
        team=team,
        user=member,
        data=clip(seconds=3, fps=10, width=320, height=180, audio="aac"),
        filename="harbor.mp4",
        origin=Origin(**generated, provenance={"prompt": "Harbor at dawn, slow pan"}, name="Harbor at dawn"),
    )
    vector = asset_ingest(
        team=team,
        user=member,
        data=SCRIPTED_SVG,
        filename="icon.svg",
        origin=Origin(**generated, provenance={"prompt": "A lighthouse icon"}, name="Lighthouse icon"),
    )
    animation = asset_ingest(
        team=team,
        user=member,
        data=animated_gif(240, 160),
        filename="neon.gif",
        origin=Origin(**generated, provenance={"prompt": "A blinking neon sign"}, name="Neon sign"),
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    ranged = []
    page.on("response", lambda response: response.status == 206 and ranged.append(response.url))

    open_library(page, member.email)
    video_card = page.locator(f"#asset-{video.pk}-card")
    expect(video_card.locator(".asset-badge-video")).to_have_text(re.compile(r"0:03"))
    expect(page.locator(f"#asset-{vector.pk}-card .asset-badge")).to_have_text("SVG")
    expect(page.locator(f"#asset-{animation.pk}-card .asset-badge")).to_have_text("GIF")
    screenshot(page, "grid-video-and-vector")

    video_card.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Harbor at dawn", level=1)).to_be_visible()
    player = page.locator(f"#asset-{video.pk}-video")
    expect(player).to_have_attribute("preload", "metadata")
    page.wait_for_function("id => document.getElementById(id).readyState >= 1", arg=f"asset-{video.pk}-video")
    assert abs(player.evaluate("video => video.duration") - 3.0) < 0.2  # Chromium plays the H.264 MP4
    player.evaluate(
        """video => new Promise((resolve) => { video.addEventListener("seeked", resolve, { once: true });
        video.currentTime = 2.5; })"""
    )
    assert player.evaluate("video => video.readyState") >= 1
    expect(page.locator("figcaption")).to_contain_text("320 × 180 px · 0:03")
    screenshot(page, "video-detail")

    page.goto(f"/library/assets/{vector.pk}/")
    image = page.locator(".asset-stage img")
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("image => image.naturalWidth") == 600  # the SVG itself, drawn by the browser
    page.wait_for_timeout(300)  # what an onload or <script> would need to run, were it allowed to
    assert page.title() != "svg ran" and page.evaluate("() => window.svgRan === undefined")
    expect(page.locator("figcaption")).to_contain_text("600 × 400 px · SVG vector")
    screenshot(page, "svg-detail")

    page.goto(f"/library/assets/{animation.pk}/")
    moving = page.locator(".asset-stage img")
    expect(moving).to_have_attribute("src", f"/library/assets/{animation.pk}/files/original/")
    expect(moving).to_have_js_property("complete", True)
    assert moving.evaluate("image => image.naturalWidth") == 240
    expect(page.locator("figcaption")).to_contain_text("240 × 160 px · Animated GIF")

    original = page.request.get(f"/library/assets/{vector.pk}/files/original/")
    assert original.headers["content-type"] == "image/svg+xml"
    assert original.headers["content-disposition"].startswith("attachment")
    assert original.headers["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    assert original.headers["x-content-type-options"] == "nosniff"
    assert ranged, "the player asked for byte ranges and got 206 answers"
    assert script_errors(page) == []

    # At phone width the player fits the screen, controls and all.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/library/assets/{video.pk}/")
    box = page.locator(f"#asset-{video.pk}-video").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["width"] > 250
    screenshot(page, "video-detail-phone")
    page.goto("/library/")
    expect(page.locator(f"#asset-{video.pk}-card .asset-badge-video")).to_be_visible()
    screenshot(page, "grid-phone")
