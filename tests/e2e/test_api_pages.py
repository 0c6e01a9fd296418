"""The API pages in Debian's Chromium: the reference renders offline under the CSP; tokens are made and revoked."""

import re

from studio.api.models import ApiToken, hash_secret
from tests.e2e.conftest import log_in


def _watch_outside_requests(page, live_studio):
    page.outside = []
    page.on("request", lambda r: r.url.startswith((live_studio.url, "data:")) or page.outside.append(r.url))


def test_the_api_reference_renders_without_csp_violations_or_outside_requests(page, live_studio):
    from playwright.sync_api import expect

    _watch_outside_requests(page, live_studio)
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Postframe API")
    expect(page.get_by_text("/api/v1/generations", exact=True).first).to_be_visible()
    expect(page.locator(".swagger-ui .btn.authorize")).to_be_visible()
    assert page.console_errors == []
    assert page.outside == []


def test_an_admin_creates_copies_and_revokes_a_token(page, live_studio, team, admin_user):
    from playwright.sync_api import expect

    _watch_outside_requests(page, live_studio)
    log_in(page, admin_user.email)
    page.goto("/team/api-tokens/")
    page.console_errors.clear()  # only this page's own problems count here
    expect(page.get_by_text("No tokens yet.")).to_be_visible()
    page.get_by_label("Token name").fill("Campaign scheduler")
    page.get_by_role("button", name="Create token").click()
    secret_box = page.get_by_test_id("new-token-secret")
    expect(secret_box).to_have_value(re.compile(r"^pf_live_"))
    secret = secret_box.input_value()
    assert ApiToken.objects.get(team=team).secret_hash == hash_secret(secret)
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()

    page.get_by_role("button", name="Revoke").click()
    # The studio asks in its own dialog (static/js/dialog.js), not the browser's confirm().
    page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Campaign scheduler is revoked")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Revoked"))).to_be_visible()
    assert ApiToken.objects.get(team=team).revoked_at is not None
    assert page.console_errors == []
    assert page.outside == []
