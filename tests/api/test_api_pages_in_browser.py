"""The API pages in Debian's Chromium: the reference renders offline under the CSP; tokens are made and revoked."""

import os
import re
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from studio.api.models import ApiToken, hash_secret
from tests.e2e.conftest import log_in
from tests.processes import child_environment, free_port, start_web

CHROMIUM = os.environ.get("POSTFRAME_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]

# Playwright's sync API keeps an event loop on the test thread; the ORM calls the tests make there are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server_url():
    port = free_port()
    server = start_web(child_environment(ALLOWED_HOSTS="127.0.0.1,localhost"), port)
    yield f"http://127.0.0.1:{port}"
    server.stop()
    _wait_for_other_sessions_to_end()


def _wait_for_other_sessions_to_end(timeout=5.0):
    """PostgreSQL ends a stopped server's session a moment later; the test database can only be dropped after."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


@pytest.fixture
def browser_page(server_url):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: `make test` installs Debian's chromium package.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=server_url, viewport={"width": 1440, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.problems, page.outside = [], []
        page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.on("request", lambda r: r.url.startswith((server_url, "data:")) or page.outside.append(r.url))
        yield page
        # The test's ORM calls ran inside Playwright's event loop, on a connection of that context: close it here.
        connections.close_all()
        browser.close()


def test_the_api_reference_renders_without_csp_violations_or_outside_requests(browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Postframe API")
    expect(page.get_by_text("/api/v1/generations", exact=True).first).to_be_visible()
    expect(page.locator(".swagger-ui .btn.authorize")).to_be_visible()
    page.screenshot(path="/tmp/api-docs.png")
    assert page.problems == []
    assert page.outside == []


def test_an_admin_creates_copies_and_revokes_a_token(browser_page, team, admin_user):
    from playwright.sync_api import expect

    page = browser_page
    log_in(page, admin_user.email)
    page.goto("/team/api-tokens/")
    page.problems.clear()  # only this page's own problems count here
    expect(page.get_by_text("No tokens yet.")).to_be_visible()
    page.get_by_label("Token name").fill("Campaign scheduler")
    page.get_by_role("button", name="Create token").click()
    secret_box = page.get_by_test_id("new-token-secret")
    expect(secret_box).to_have_value(re.compile(r"^pf_live_"))
    secret = secret_box.input_value()
    assert ApiToken.objects.get(team=team).secret_hash == hash_secret(secret)
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    page.screenshot(path="/tmp/api-tokens-created.png", full_page=True)

    page.get_by_role("button", name="Revoke").click()
    # The studio asks in its own dialog (static/js/dialog.js), not the browser's confirm().
    page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Campaign scheduler is revoked")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Revoked"))).to_be_visible()
    assert ApiToken.objects.get(team=team).revoked_at is not None
    page.screenshot(path="/tmp/api-tokens-revoked.png", full_page=True)
    assert page.problems == []
