"""OAuth 2 for the platforms, as pure functions (no database): the authorization URL with state and PKCE, the code
exchange into Credentials, refreshing them, and whether they are due for a refresh.

The views and the refresh sweep (scheduling/views.py, services.py) keep the state and code verifier in the session
and the credentials on the channel. Authlib makes the state, the PKCE verifier and its S256 challenge.

Per platform, as documented:
- Instagram (Instagram Login): code → short-lived token (1 hour) at api.instagram.com, exchanged at once for a
  long-lived one (60 days) with ig_exchange_token; refreshed with ig_refresh_token (no refresh token: the access
  token refreshes itself). No PKCE.
- LinkedIn: 60-day access tokens; refresh tokens only for apps LinkedIn enabled them for, and a refresh answer may
  omit the refresh token: the one we have is kept. No PKCE for web apps. The author URN comes from /v2/userinfo.
- X: PKCE required; a refresh token only with the offline.access scope, rotated on every refresh (the old one stops
  working). Confidential clients authenticate with HTTP Basic. The user id comes from /2/users/me.
- TikTok: `client_key` instead of client_id, comma-separated scopes; open_id in the token answer; a refresh answer
  may carry the same or no refresh token: the one we have is kept when none comes back.
"""

from dataclasses import dataclass, replace
from datetime import timedelta

import httpx
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings

from scheduling.publishers import http
from scheduling.publishers.base import Credentials, PublishError


@dataclass(frozen=True)
class OAuthPlatform:
    label: str
    setting: str  # settings prefix: INSTAGRAM, LINKEDIN, X, TIKTOK
    scopes: tuple
    scope_separator: str = " "
    pkce: bool = False
    client_param: str = "client_id"
    refresh_margin: timedelta = timedelta(minutes=10)


PLATFORMS = {
    "instagram": OAuthPlatform(
        "Instagram",
        "INSTAGRAM",
        ("instagram_business_basic", "instagram_business_content_publish"),
        scope_separator=",",
        refresh_margin=timedelta(days=7),
    ),
    "linkedin": OAuthPlatform(
        "LinkedIn", "LINKEDIN", ("openid", "profile", "w_member_social"), refresh_margin=timedelta(days=7)
    ),
    "x": OAuthPlatform(
        "X",
        "X",
        ("tweet.read", "tweet.write", "users.read", "media.write", "offline.access"),
        pkce=True,
        refresh_margin=timedelta(minutes=10),
    ),
    "tiktok": OAuthPlatform(
        "TikTok",
        "TIKTOK",
        ("user.info.basic", "video.publish", "video.list"),
        scope_separator=",",
        client_param="client_key",
        refresh_margin=timedelta(hours=2),
    ),
}
# Organisation pages on LinkedIn need these on top of the member scopes.
LINKEDIN_ORGANIZATION_SCOPES = ("w_organization_social", "r_organization_social")


@dataclass(frozen=True)
class AuthorizationStart:
    """Where to send the browser, and what to keep in the session until the callback comes back."""

    url: str
    state: str
    code_verifier: str = ""


def _platform(platform):
    try:
        return PLATFORMS[platform]
    except KeyError:
        raise ValueError(f"{platform!r} does not connect with OAuth.") from None


def _setting(spec, name):
    return getattr(settings, f"{spec.setting}_{name}")


def _client_id(spec):
    return settings.TIKTOK_CLIENT_KEY if spec.setting == "TIKTOK" else _setting(spec, "CLIENT_ID")


def is_configured(platform):
    """True when the operator set this platform's OAuth app (otherwise: connect by pasting a token)."""
    spec = _platform(platform)
    return bool(_client_id(spec) and _setting(spec, "CLIENT_SECRET"))


def authorization_url(platform, *, redirect_uri, scopes=None, state=None, code_verifier=None):
    """The platform's consent page URL with a fresh state (and a PKCE S256 challenge where the platform takes one)."""
    spec = _platform(platform)
    state = state or generate_token(32)
    params = [
        (spec.client_param, _client_id(spec)),
        ("redirect_uri", redirect_uri),
        ("response_type", "code"),
        ("scope", spec.scope_separator.join(scopes or spec.scopes)),
        ("state", state),
    ]
    verifier = ""
    if spec.pkce:
        verifier = code_verifier or generate_token(64)
        params += [("code_challenge", create_s256_code_challenge(verifier)), ("code_challenge_method", "S256")]
    return AuthorizationStart(add_params_to_uri(_setting(spec, "OAUTH_URL"), params), state, verifier)


def exchange_code(platform, *, code, redirect_uri, code_verifier="", now=None):
    """The callback's code → Credentials (with expires_at and the account id publishing needs)."""
    spec = _platform(platform)
    now = now or http.now()
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if spec.pkce:
        form["code_verifier"] = code_verifier
    data = _token_call(platform, spec, form)
    if platform == "instagram":
        return _instagram_long_lived(spec, data, now)
    credentials = _credentials(data, now)
    return replace(credentials, account_id=_account_id(platform, spec, data, credentials))


def refresh(platform, credentials, *, now=None):
    """Fresh credentials; keeps the refresh token (and the account) when the platform sends no new one."""
    spec = _platform(platform)
    now = now or http.now()
    if platform == "instagram":
        with http.client() as api:
            response = http.send(
                api,
                "GET",
                f"{settings.INSTAGRAM_API_URL}/refresh_access_token",
                params={"grant_type": "ig_refresh_token", "access_token": credentials.access_token},
                platform=platform,
                label=spec.label,
            )
        data = _token_answer(platform, spec, response)
    else:
        if not credentials.refresh_token:
            raise PublishError(
                f"{spec.label} gave this channel no refresh token: reconnect it before the access token expires.",
                kind="auth",
                platform=platform,
                code="no_refresh_token",
            )
        data = _token_call(platform, spec, {"grant_type": "refresh_token", "refresh_token": credentials.refresh_token})
    fresh = _credentials(data, now)
    return replace(
        credentials,
        access_token=fresh.access_token,
        refresh_token=fresh.refresh_token or credentials.refresh_token,
        expires_at=fresh.expires_at,
        extra={**credentials.extra, **fresh.extra},
    )


def needs_refresh(credentials, now, margin=timedelta(minutes=10)):
    """True when the access token expires within `margin` (or already has); tokens without an expiry never do.
    Use refresh_margin(platform) for the sweep: a week for 60-day tokens, minutes for X's two-hour ones."""
    return credentials.expires_at is not None and credentials.expires_at - margin <= now


def refresh_margin(platform):
    return _platform(platform).refresh_margin


# The token endpoint and what each platform answers.


def _token_call(platform, spec, form):
    client_id, secret = _client_id(spec), _setting(spec, "CLIENT_SECRET")
    auth = None
    if platform == "x":
        auth = httpx.BasicAuth(client_id, secret)  # a confidential client; client_id also goes in the body
        form = {**form, "client_id": client_id}
    else:
        form = {**form, spec.client_param: client_id, "client_secret": secret}
    with http.client() as api:
        response = http.send(
            api, "POST", _setting(spec, "TOKEN_URL"), data=form, auth=auth, platform=platform, label=spec.label
        )
    return _token_answer(platform, spec, response)


def _token_answer(platform, spec, response):
    data = http.body(response)
    if platform == "instagram" and isinstance(data.get("data"), list) and data["data"]:
        data = data["data"][0]  # the code exchange answers {"data": [{access_token, user_id, permissions}]}
    if response.status_code >= 500:
        raise PublishError(
            f"{spec.label}'s sign-in service is having trouble (HTTP {response.status_code}); try again shortly.",
            kind="outage",
            platform=platform,
            code=str(response.status_code),
        )
    if response.status_code != 200 or not data.get("access_token"):
        error = data.get("error")
        if isinstance(error, dict):  # Meta's {"error": {"message", "code"}}
            detail = error.get("message", "")
        else:
            detail = data.get("error_description") or data.get("error_message") or error or response.text[:200]
        raise PublishError(
            f"{spec.label} refused the sign-in ({detail}). Reconnect the channel.",
            kind="auth",
            platform=platform,
            code=str(error if isinstance(error, str) else response.status_code),
        )
    return data


def _credentials(data, now):
    expires_in = data.get("expires_in")
    extra = {}
    if data.get("scope"):
        extra["scope"] = data["scope"]
    if data.get("refresh_expires_in") or data.get("refresh_token_expires_in"):
        seconds = int(data.get("refresh_expires_in") or data.get("refresh_token_expires_in"))
        extra["refresh_expires_at"] = (now + timedelta(seconds=seconds)).isoformat()
    return Credentials(
        access_token=data["access_token"],
        refresh_token=data.get("refresh_token") or "",
        expires_at=now + timedelta(seconds=int(expires_in)) if expires_in else None,
        account_id=str(data.get("open_id") or data.get("user_id") or ""),
        extra=extra,
    )


def _instagram_long_lived(spec, data, now):
    """The code gives a one-hour token; swap it at once for the 60-day one publishing uses."""
    with http.client() as api:
        response = http.send(
            api,
            "GET",
            f"{settings.INSTAGRAM_API_URL}/access_token",
            params={
                "grant_type": "ig_exchange_token",
                "client_secret": settings.INSTAGRAM_CLIENT_SECRET,
                "access_token": data["access_token"],
            },
            platform="instagram",
            label=spec.label,
        )
    long_lived = _credentials(_token_answer("instagram", spec, response), now)
    permissions = data.get("permissions")
    extra = {"permissions": permissions} if permissions else {}
    return replace(long_lived, account_id=str(data.get("user_id") or ""), extra={**long_lived.extra, **extra})


def _account_id(platform, spec, data, credentials):
    """Who publishes: LinkedIn's person URN, X's user id, TikTok's open_id."""
    if platform == "tiktok":
        return credentials.account_id
    if platform == "linkedin":
        url, pick = f"{settings.LINKEDIN_API_URL}/v2/userinfo", lambda d: f"urn:li:person:{d['sub']}"
    else:
        url, pick = f"{settings.X_API_URL}/2/users/me", lambda d: d["data"]["id"]
    with http.client(headers={"Authorization": f"Bearer {credentials.access_token}"}) as api:
        response = http.send(api, "GET", url, platform=platform, label=spec.label)
    try:
        return pick(response.json())
    except (ValueError, KeyError, TypeError):
        raise PublishError(
            f"{spec.label} signed in but would not say which account it is (HTTP {response.status_code}).",
            kind="auth",
            platform=platform,
            code="account",
        ) from None
