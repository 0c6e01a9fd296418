"""Helpers for the library's browser journeys (tests/e2e/test_library_*.py): people, pictures, assets, the grid."""

import base64
import colorsys
import datetime
import io
import os
import re
from pathlib import Path

from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from library.models import Asset
from library.services import Origin, asset_ingest, asset_tags_set
from tests.e2e.conftest import log_in
from tests.factories import MembershipFactory, TeamFactory, UserFactory

# Set to a folder (e.g. /tmp) to keep screenshots of the pages the journeys pass through.
SCREENSHOTS = os.environ.get("POSTFRAME_LIBRARY_SCREENSHOTS", "")
REFUSAL_LOGGED = re.compile(r"^Failed to load resource: the server responded with a status of (400|404|422) ")


def studio_media_root(live_studio):
    """The MEDIA_ROOT the live web server serves files from, read from its environment (the fixture keeps it private).

    The server's supervisor process has the same environment as the workers it starts.
    """
    environ = Path(f"/proc/{live_studio.server.pid}/environ").read_bytes().split(b"\0")
    values = dict(item.decode().split("=", 1) for item in environ if b"=" in item)
    return Path(values["MEDIA_ROOT"])


def library_team(settings, live_studio, *, role="member", email="noor@example.com", name="Harbor Coffee"):
    """A team with one person in `role`; files this process stores land where the live studio reads them."""
    settings.MEDIA_ROOT = studio_media_root(live_studio)
    team = TeamFactory(name=name)
    user = MembershipFactory(team=team, role=role, user=UserFactory(email=email)).user
    return team, user


def stored_files(settings, team):
    """Every file the team has in local storage (originals and renditions)."""
    folder = Path(settings.MEDIA_ROOT) / "teams" / str(team.pk)
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def picture(width=320, height=240, hue=0.0, fmt="PNG"):
    """A colourful little picture (a gradient with a sun), different for each hue, encoded as `fmt`."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        r, g, b = colorsys.hsv_to_rgb(hue % 1.0, 0.55, 0.95 - 0.45 * y / height)
        draw.line([(0, y), (width, y)], fill=(int(r * 255), int(g * 255), int(b * 255)))
    radius = min(width, height) // 5
    draw.ellipse([width // 2 - radius, height // 3 - radius, width // 2 + radius, height // 3 + radius], fill="white")
    draw.rectangle([0, height * 3 // 4, width, height], fill=(40, 40, 60))
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return out.getvalue()


def file_payload(name, data, mime):
    return {"name": name, "mimeType": mime, "buffer": data}


def make_asset(
    team,
    user,
    name,
    *,
    prompt="",
    model_id="",
    rating=0,
    tags=(),
    made_on=None,
    hue=0.0,
    size=(320, 240),
):
    """A generated asset with provenance, through the real ingest; optional rating, tags and creation day."""
    provenance = {}
    if prompt or model_id:
        provenance = {
            "prompt": prompt,
            "model_id": model_id,
            "parameters": {"size": f"{size[0]}x{size[1]}", "quality": "high"},
            "seed": 1234,
            "cost": 6,
        }
    asset = asset_ingest(
        team=team,
        user=user,
        data=picture(*size, hue=hue),
        filename=f"{name}.png",
        origin=Origin(source="generated", provenance=provenance, name=name),
    )
    if tags:
        asset_tags_set(asset=asset, names=list(tags))
    changes = {"rating": rating}
    if made_on is not None:
        changes["created_at"] = timezone.make_aware(datetime.datetime.combine(made_on, datetime.time(12, 0)))
    Asset.objects.filter(pk=asset.pk).update(**changes)
    asset.refresh_from_db()
    return asset


def open_library(page, email):
    log_in(page, email)
    page.goto("/library/")
    expect(page.get_by_role("heading", name="Library", exact=True)).to_be_visible()


def card_names(page):
    """The names on the grid's cards, as the user reads them."""
    return page.locator("#asset-grid .asset-card .asset-name")


def select_assets(page, *names):
    for name in names:
        page.get_by_label(f"Select {name}", exact=True).check()
    expect(page.locator("[data-selected-count]")).to_have_text(str(len(names)))


def in_browser_files(page, files):
    """A DataTransfer made in the page holding these files, as a drop from the desktop would carry."""
    encoded = [
        {"name": f["name"], "type": f["mimeType"], "data": base64.b64encode(f["buffer"]).decode()} for f in files
    ]
    return page.evaluate_handle(
        """(files) => {
            const transfer = new DataTransfer();
            for (const file of files) {
                const bytes = Uint8Array.from(atob(file.data), (c) => c.charCodeAt(0));
                transfer.items.add(new File([bytes], file.name, { type: file.type }));
            }
            return transfer;
        }""",
        encoded,
    )


def screenshot(page, name):
    """Keep a screenshot of the page when POSTFRAME_LIBRARY_SCREENSHOTS names a folder."""
    if SCREENSHOTS:
        # Hiding the caret leaves style="" on every input, which htmx's settle copies and the CSP then blocks.
        path = str(Path(SCREENSHOTS) / f"library-{name}.png")
        page.screenshot(path=path, full_page=True, caret="initial")


def script_errors(page):
    """Console errors of the page's own code; Chromium also logs every 4xx answer, and a refusal is one by design."""
    return [text for text in page.console_errors if not REFUSAL_LOGGED.search(text)]
