"""OAuth connect and refresh for each platform, against the fakes' authorize and token endpoints over real HTTP."""

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from scheduling import oauth
from scheduling.publishers.base import Credentials, PublishError
from scheduling.publishers.registry import publisher_for

CALLBACK = "https://postframe.test/schedule/channels/callback/"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def consent(start):
    """What the browser does: open the consent page, come back to the callback with a code and the state."""
    answer = httpx.get(start.url, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    back = parse_qs(urlparse(answer.headers["location"]).query)
    assert back["state"] == [start.state]
    return back["code"][0]


def test_x_asks_for_pkce_and_offline_access(fake_x):
    start = oauth.authorization_url("x", redirect_uri=CALLBACK)

    query = parse_qs(urlparse(start.url).query)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(start.code_verifier.encode()).digest()).rstrip(b"=")
    assert query["code_challenge"] == [challenge.decode()] and query["code_challenge_method"] == ["S256"]
    assert "offline.access" in query["scope"][0].split() and query["client_id"] == [fake_x.client_id]
    assert start.state != oauth.authorization_url("x", redirect_uri=CALLBACK).state


def test_x_connects_and_rotates_the_refresh_token_on_every_refresh(fake_x):
    start = oauth.authorization_url("x", redirect_uri=CALLBACK)
    credentials = oauth.exchange_code(
        "x", code=consent(start), redirect_uri=CALLBACK, code_verifier=start.code_verifier, now=NOW
    )

    assert credentials.account_id == fake_x.authorize_as and credentials.refresh_token
    assert credentials.expires_at == NOW + timedelta(hours=2)
    fresh = publisher_for("x").refresh(credentials)
    assert fresh.refresh_token != credentials.refresh_token and fresh.access_token != credentials.access_token
    with pytest.raises(PublishError) as reused:  # the old refresh token died with the rotation
        oauth.refresh("x", credentials)
    assert reused.value.kind == "auth"


def test_x_refuses_a_code_exchanged_without_its_verifier(fake_x):
    start = oauth.authorization_url("x", redirect_uri=CALLBACK)

    with pytest.raises(PublishError) as refused:
        oauth.exchange_code("x", code=consent(start), redirect_uri=CALLBACK, code_verifier="wrong")

    assert refused.value.kind == "auth" and "code_verifier" in refused.value.message


def test_linkedin_connects_as_the_member_and_keeps_its_refresh_token_when_none_comes_back(fake_linkedin):
    start = oauth.authorization_url("linkedin", redirect_uri=CALLBACK)
    assert not start.code_verifier and "code_challenge" not in start.url
    credentials = oauth.exchange_code("linkedin", code=consent(start), redirect_uri=CALLBACK, now=NOW)

    assert credentials.account_id == "urn:li:person:abc123"
    assert credentials.expires_at == NOW + timedelta(days=60)
    fake_linkedin.return_refresh_token = False
    fresh = oauth.refresh("linkedin", credentials, now=NOW)
    assert fresh.refresh_token == credentials.refresh_token and fresh.access_token != credentials.access_token
    assert fresh.account_id == credentials.account_id


def test_tiktok_uses_client_key_and_keeps_the_refresh_token(fake_tiktok):
    start = oauth.authorization_url("tiktok", redirect_uri=CALLBACK)
    assert parse_qs(urlparse(start.url).query)["client_key"] == [fake_tiktok.client_id]
    assert parse_qs(urlparse(start.url).query)["scope"] == ["user.info.basic,video.publish,video.list"]
    credentials = oauth.exchange_code("tiktok", code=consent(start), redirect_uri=CALLBACK, now=NOW)

    assert credentials.account_id == fake_tiktok.authorize_as and credentials.refresh_token
    assert credentials.extra["refresh_expires_at"] == (NOW + timedelta(days=365)).isoformat()
    fake_tiktok.return_refresh_token = False
    fresh = publisher_for("tiktok").refresh(credentials)
    assert fresh.refresh_token == credentials.refresh_token and fresh.access_token != credentials.access_token


def test_instagram_swaps_the_code_for_a_60_day_token_and_refreshes_it(fake_instagram):
    start = oauth.authorization_url("instagram", redirect_uri=CALLBACK)
    credentials = oauth.exchange_code("instagram", code=consent(start), redirect_uri=CALLBACK, now=NOW)

    assert credentials.account_id == fake_instagram.authorize_as
    assert credentials.expires_at == NOW + timedelta(days=60)
    assert fake_instagram.requests_to("^/access_token$")[0].query["grant_type"] == "ig_exchange_token"
    fresh = publisher_for("instagram").refresh(credentials)
    assert fresh.access_token != credentials.access_token and fresh.account_id == credentials.account_id
    assert fake_instagram.requests_to("^/refresh_access_token$")[0].query["grant_type"] == "ig_refresh_token"


def test_a_revoked_instagram_token_cannot_refresh(fake_instagram):
    token = fake_instagram.issue_token()
    fake_instagram.revoke(token)

    with pytest.raises(PublishError) as refused:
        oauth.refresh("instagram", Credentials(access_token=token))

    assert refused.value.kind == "auth"


def test_a_channel_without_a_refresh_token_is_told_to_reconnect(fake_linkedin):
    with pytest.raises(PublishError) as refused:
        oauth.refresh("linkedin", Credentials(access_token="pasted"))
    assert refused.value.kind == "auth" and "reconnect" in refused.value.message


def test_needs_refresh_looks_ahead_by_the_margin():
    soon = Credentials(access_token="a", expires_at=NOW + timedelta(minutes=5))
    later = Credentials(access_token="a", expires_at=NOW + timedelta(hours=1))
    assert oauth.needs_refresh(soon, NOW) and not oauth.needs_refresh(later, NOW)
    assert oauth.needs_refresh(later, NOW, margin=oauth.refresh_margin("instagram"))
    assert not oauth.needs_refresh(Credentials(access_token="pasted"), NOW)


def test_a_platform_is_configured_only_with_both_client_id_and_secret(settings):
    settings.X_CLIENT_ID, settings.X_CLIENT_SECRET = "id", ""
    assert not oauth.is_configured("x")
    settings.X_CLIENT_SECRET = "secret"
    assert oauth.is_configured("x")
    with pytest.raises(ValueError):
        oauth.authorization_url("webhook", redirect_uri=CALLBACK)
