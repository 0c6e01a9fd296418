"""Helpers for the Studio's browser journeys (tests/e2e/test_studio_*.py): people, prices and waiting on jobs."""

import io
import os
import re
import time

from playwright.sync_api import expect

from studio.credits.models import PriceRule
from studio.credits.services import credits_grant
from tests.factories import MembershipFactory, TeamFactory

# The offline engine renders in milliseconds; a pause after each frame lets a person (and the test) see them.
FRAME_PAUSE_MS = "400"


def slow_frames():
    """Ask the live studio's worker to pause after each partial frame; must run before live_studio starts."""
    os.environ.setdefault("POSTFRAME_FRAME_PAUSE_MS", FRAME_PAUSE_MS)


def studio_team(*, role="member", credits=0, draft_price=0, name="Northwind Marketing"):
    """A team with one person in `role`, `credits` in its wallet and the offline engine at `draft_price`."""
    team = TeamFactory(name=name)
    user = MembershipFactory(team=team, role=role).user
    for tier in ("1K", "2K", "4K"):
        PriceRule.objects.update_or_create(
            model_id="local:draft", tier=tier, quality="*", defaults={"credits": draft_price}
        )
    if credits:
        credits_grant(team=team, amount=credits, idempotency_key=f"e2e-grant-{team.pk}")
    return team, user


def open_studio(page, email):
    from tests.e2e.conftest import log_in

    log_in(page, email)
    page.goto("/studio/")
    expect(page.get_by_label("Prompt")).to_be_visible()


def record_socket_frames(page):
    """Every message the job websockets deliver, in order, as text."""
    frames = []
    page.on("websocket", lambda socket: socket.on("framereceived", lambda payload: frames.append(str(payload))))
    return frames


def generate(page, prompt):
    """Type a prompt and press Ctrl+Enter; returns once the new job is on the canvas."""
    page.get_by_label("Prompt").fill(prompt)
    with page.expect_response(re.compile(r"/studio/generate/$")) as answer:
        page.get_by_label("Prompt").press("Control+Enter")
    assert answer.value.ok
    expect(page.locator("#studio-stage .job-prompt")).to_have_text(prompt)


def wait_until_done(page, timeout=30_000):
    status = page.locator("#studio-stage .job-status")
    expect(status).to_have_attribute("data-job-status", "succeeded", timeout=timeout)
    expect(page.locator("#studio-stage [data-testid=result-image]").first).to_be_visible()


def wait_for_job(job, timeout=30):
    """The job once the live worker has finished it (or the timeout passed), read from the database."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_terminal:
            break
        time.sleep(0.2)
    return job


def pixels(data):
    from PIL import Image

    return Image.open(io.BytesIO(data)).convert("RGB")
