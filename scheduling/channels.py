"""Writes about a team's channels: connect by pasted token (checked against the platform's read endpoint) or through
OAuth, refresh ahead of expiry keeping the refresh token it has, mark a channel whose token stopped working and tell
the team's admins, disconnect. Every step is audited.
"""

import logging
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urlparse

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from scheduling import oauth
from scheduling.models import Channel, Platform
from scheduling.publishers import http, webhook
from scheduling.publishers.base import Credentials, PublishError
from scheduling.publishers.registry import publisher_for
from studio.core.services import audit_record
from studio.credits.notifications import team_admin_emails

logger = logging.getLogger(__name__)

SESSION_KEY = "scheduling_oauth"  # {state: {"platform", "verifier", "team", "kind"}} until the callback comes back
TOKEN_PLATFORMS = (Platform.INSTAGRAM, Platform.LINKEDIN, Platform.X, Platform.TIKTOK)
ACCOUNT_ID_MAX = 200


class ChannelError(Exception):
    """A refusal: {field: message}; "__all__" for the whole form."""

    def __init__(self, errors):
        self.errors = errors if isinstance(errors, dict) else {"__all__": str(errors)}
        super().__init__("; ".join(str(message) for message in self.errors.values()))


@dataclass(frozen=True)
class Account:
    """Who a token speaks for, as the platform's read endpoint says, and what it tells about the account."""

    account_id: str
    name: str
    config: dict = field(default_factory=dict)  # TikTok: the privacy levels this creator may post with


def platform_label(platform):
    return Platform(platform).label


# Credentials -------------------------------------------------------------------------------------------------------


def channel_credentials(channel) -> Credentials:
    """What a publisher needs from a channel: its decrypted tokens, its account, and a webhook's URL and secret."""
    stored = channel.credentials
    extra = dict(stored.get("extra") or {})
    if channel.platform == Platform.WEBHOOK:
        extra.update(url=channel.config.get("url", ""), secret=stored.get("secret", ""))
    return Credentials(
        access_token=stored.get("access_token", ""),
        refresh_token=stored.get("refresh_token", ""),
        expires_at=channel.expires_at,
        account_id=channel.account_id,
        extra=extra,
    )


def _store(channel, credentials: Credentials, *, secret=""):
    channel.credentials = {
        "access_token": credentials.access_token,
        "refresh_token": credentials.refresh_token,
        "extra": {key: value for key, value in credentials.extra.items() if key not in ("url", "secret")},
        **({"secret": secret} if secret else {}),
    }
    channel.expires_at = credentials.expires_at
    refresh_expires = credentials.extra.get("refresh_expires_at")
    if refresh_expires:
        channel.refresh_expires_at = datetime.fromisoformat(refresh_expires)


# Asking the platform who a token is --------------------------------------------------------------------------------


def _read_endpoint(platform):
    from django.conf import settings

    return {
        Platform.INSTAGRAM: (
            f"{settings.INSTAGRAM_API_URL}/me",
            {"fields": "user_id,username"},
            lambda d: Account(str(d.get("user_id") or d["id"]), "@" + d["username"]),
        ),
        Platform.LINKEDIN: (
            f"{settings.LINKEDIN_API_URL}/v2/userinfo",
            {},
            lambda d: Account(f"urn:li:person:{d['sub']}", d.get("name") or d["sub"]),
        ),
        Platform.X: (
            f"{settings.X_API_URL}/2/users/me",
            {},
            lambda d: Account(d["data"]["id"], "@" + d["data"]["username"]),
        ),
    }[platform]


def _tiktok_account(access_token):
    """TikTok's read endpoint for a posting token is creator_info: the creator's name, allowed privacy levels and
    longest video (the token answer, not this, carries the open_id)."""
    info = publisher_for(Platform.TIKTOK).creator_info(Credentials(access_token=access_token))
    username = info.get("creator_username") or ""
    return Account(
        username,
        info.get("creator_nickname") or (f"@{username}" if username else "TikTok"),
        {
            "privacy_level_options": list(info.get("privacy_level_options") or []),
            "max_video_post_duration_sec": int(info.get("max_video_post_duration_sec") or 0),
        },
    )


def account_lookup(platform, access_token) -> Account:
    """The account behind `access_token`, from the platform's read endpoint; a refused token raises kind="auth"."""
    if platform == Platform.TIKTOK:
        return _tiktok_account(access_token)
    url, params, pick = _read_endpoint(platform)
    label = platform_label(platform)
    headers = {"Authorization": f"Bearer {access_token}"}
    with http.client(headers=headers) as api:
        response = http.send(api, "GET", url, params=params, platform=platform, label=label)
    if response.status_code in (400, 401, 403):
        raise PublishError(
            f"{label} refused this token (HTTP {response.status_code}): paste a current access token.",
            kind="auth",
            platform=platform,
            code=str(response.status_code),
        )
    if response.status_code >= 300:
        raise PublishError(
            f"{label} could not check the token (HTTP {response.status_code}); try again in a moment.",
            kind="outage",
            platform=platform,
            code=str(response.status_code),
        )
    try:
        return pick(response.json())
    except (ValueError, KeyError, TypeError):
        raise PublishError(
            f"{label} accepted the token but did not say which account it is.",
            kind="outage",
            platform=platform,
            code="account",
        ) from None


# Connecting --------------------------------------------------------------------------------------------------------


def _webhook_refusal(url, secret):
    errors = {}
    parts = urlparse(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        errors["webhook_url"] = "Enter the receiver's address, starting with https:// (or http:// on a closed network)."
    elif (refusal := webhook.address_refusal(url)) is not None:
        errors["webhook_url"] = refusal
    if secret and len(secret) < 16:
        errors["webhook_secret"] = "Use a secret of at least 16 characters, or leave it empty to have one made."
    return errors


@transaction.atomic
def _save(*, team, user, platform, account, credentials, account_kind, secret="", config=None, how):
    """Create the team's channel for this account, or reconnect the one it has (keeping its refresh token)."""
    channel = Channel.objects.select_for_update().filter(team=team, platform=platform, account_id=account.account_id)
    channel = channel.first()
    reconnect = channel is not None
    if channel is None:
        channel = Channel(team=team, platform=platform, account_id=account.account_id)
    else:
        kept = channel_credentials(channel)
        if not credentials.refresh_token and kept.refresh_token:
            # A reconnect that brought no refresh token keeps the one the channel has (Postiz PR #1884).
            credentials = replace(credentials, refresh_token=kept.refresh_token)
    channel.name = account.name[:120]
    channel.account_kind = account_kind
    channel.status = Channel.Status.CONNECTED
    channel.status_message = ""
    channel.connected_by = user
    if config is not None:
        channel.config = {**channel.config, **config}
    _store(channel, credentials, secret=secret)
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError:
        raise ChannelError("This account was connected at the same moment by someone else; reload the page.") from None
    verb = "reconnected" if reconnect else "connected"
    audit_record(
        team=team,
        actor=user,
        action=f"channel.{verb}",
        summary=f"{_who(user)} {verb} {channel} ({how})",
        detail={"channel_id": channel.pk, "platform": platform, "account_id": account.account_id},
    )
    return channel


def channel_connect_token(
    *,
    team,
    user,
    platform,
    access_token="",
    refresh_token="",
    expires_at=None,
    account_id="",
    name="",
    account_kind=Channel.AccountKind.PERSON,
    webhook_url="",
    webhook_secret="",
):
    """Connect (or reconnect) a channel from a pasted token, after the platform's read endpoint accepted it.

    A webhook channel takes a URL and a secret instead (one is made when none is given); a download bundle nothing.
    The platform is asked outside any transaction; only the save is atomic.
    """
    if platform not in Platform.values:
        raise ChannelError({"platform": "Pick one of the platforms in the list."})
    access_token, account_id, name = access_token.strip(), account_id.strip(), name.strip()
    if platform == Platform.WEBHOOK:
        if errors := _webhook_refusal(webhook_url, webhook_secret):
            raise ChannelError(errors)
        host = urlparse(webhook_url).netloc
        account = Account(account_id or webhook_url[:ACCOUNT_ID_MAX], name or f"Webhook to {host}")
        secret = webhook_secret or secrets.token_urlsafe(32)
        credentials = Credentials(access_token="")
        return _save(
            team=team, user=user, platform=platform, account=account, credentials=credentials,
            account_kind=account_kind, secret=secret, config={"url": webhook_url}, how="webhook",
        )  # fmt: skip
    if platform == Platform.BUNDLE:
        account = Account(account_id or "bundle", name or "Download bundle")
        return _save(
            team=team, user=user, platform=platform, account=account, credentials=Credentials(access_token=""),
            account_kind=account_kind, how="download bundle",
        )  # fmt: skip
    if not access_token:
        raise ChannelError({"access_token": f"Paste the {platform_label(platform)} access token."})
    if len(account_id) > ACCOUNT_ID_MAX:
        raise ChannelError({"account_id": f"An account id has at most {ACCOUNT_ID_MAX} characters."})
    try:
        account = account_lookup(platform, access_token)
    except PublishError as error:
        raise ChannelError({"access_token": error.message}) from None
    if account_id and (account_kind == Channel.AccountKind.ORGANIZATION or platform == Platform.TIKTOK):
        # A LinkedIn page posts as the organisation the member administers: its URN is given, not looked up;
        # TikTok's open_id comes only with the OAuth token answer.
        account = Account(account_id, name or account.name, account.config)
    elif account_id and account_id != account.account_id:
        raise ChannelError(
            {"account_id": f"This token belongs to {account.name} ({account.account_id}), not to {account_id}."}
        )
    elif name:
        account = Account(account.account_id, name, account.config)
    if not account.account_id:
        raise ChannelError({"account_id": f"{platform_label(platform)} did not say the account id: enter it."})
    credentials = Credentials(access_token=access_token, refresh_token=refresh_token.strip(), expires_at=expires_at)
    return _save(
        team=team, user=user, platform=platform, account=account, credentials=credentials,
        account_kind=account_kind, config=account.config, how="pasted token",
    )  # fmt: skip


def channel_oauth_start(*, team, session, platform, redirect_uri, account_kind=Channel.AccountKind.PERSON):
    """The platform's consent URL; the state and PKCE verifier wait in the session for the callback."""
    if platform not in oauth.PLATFORMS:
        raise ChannelError({"platform": f"{platform_label(platform)} connects by pasting a token or a URL."})
    if not oauth.is_configured(platform):
        raise ChannelError(
            {
                "platform": f"The operator has not set up a {platform_label(platform)} app here: "
                "paste an access token instead."
            }
        )
    scopes = None
    if platform == Platform.LINKEDIN and account_kind == Channel.AccountKind.ORGANIZATION:
        scopes = oauth.PLATFORMS[platform].scopes + oauth.LINKEDIN_ORGANIZATION_SCOPES
    start = oauth.authorization_url(platform, redirect_uri=redirect_uri, scopes=scopes)
    pending = dict(session.get(SESSION_KEY) or {})
    pending = dict(list(pending.items())[-4:])  # a few tabs at once, not an ever-growing session
    pending[start.state] = {
        "platform": platform,
        "verifier": start.code_verifier,
        "team": team.pk,
        "kind": account_kind,
    }
    session[SESSION_KEY] = pending
    return start.url


def channel_oauth_finish(*, team, user, session, state, code, redirect_uri, error=""):
    """The callback: the state must be one this session started for this team; the code becomes credentials."""
    pending = dict(session.get(SESSION_KEY) or {})
    started = pending.pop(state or "", None)
    session[SESSION_KEY] = pending
    if started is None or started.get("team") != team.pk:
        raise ChannelError("This sign-in was not started here, or has already been used: connect the channel again.")
    platform = started["platform"]
    if error:
        raise ChannelError(f"{platform_label(platform)} did not connect the channel ({error}).")
    if not code:
        raise ChannelError(f"{platform_label(platform)} sent no authorization code back: connect again.")
    try:
        credentials = oauth.exchange_code(
            platform, code=code, redirect_uri=redirect_uri, code_verifier=started.get("verifier", "")
        )
        account = account_lookup(platform, credentials.access_token)
    except PublishError as exc:
        raise ChannelError(exc.message) from None
    if credentials.account_id:  # the token answer's id (TikTok's open_id, Instagram's user id) is the one to use
        account = replace(account, account_id=credentials.account_id)
    return _save(
        team=team,
        user=user,
        platform=platform,
        account=account,
        credentials=credentials,
        account_kind=started.get("kind") or Channel.AccountKind.PERSON,
        config=account.config,
        how="OAuth",
    )


def oauth_redirect_uri(request):
    return request.build_absolute_uri(reverse("scheduling_channel_oauth_callback"))


# Keeping it connected ----------------------------------------------------------------------------------------------


def channel_refresh(*, channel, now=None):
    """Fresh tokens ahead of expiry (the refresh token kept when none comes back); a refused refresh marks the
    channel expired and tells the admins. Returns the channel; an outage leaves it as it was for the next try."""
    now = now or timezone.now()
    credentials = channel_credentials(channel)
    try:
        fresh = publisher_for(channel.platform).refresh(credentials)
    except PublishError as error:
        if error.kind == "auth":
            channel_mark_unusable(channel=channel, status=Channel.Status.EXPIRED, message=error.message)
            channel.refresh_from_db()
        else:
            logger.warning("refreshing %s failed for now: %s", channel, error.message)
        return channel
    with transaction.atomic():
        locked = Channel.objects.select_for_update().get(pk=channel.pk)
        if locked.status != Channel.Status.CONNECTED:
            return locked  # disconnected meanwhile: do not bring it back
        if not fresh.refresh_token and credentials.refresh_token:
            fresh = replace(fresh, refresh_token=credentials.refresh_token)
        stored = locked.credentials
        _store(locked, fresh, secret=stored.get("secret", ""))
        locked.save(update_fields=["credentials_ciphertext", "expires_at", "refresh_expires_at", "updated_at"])
    return locked


def channel_usable(*, channel, now=None):
    """The channel ready to publish, refreshed first when its token is about to expire; None (and the channel
    marked) when it cannot be used. Called before every publish."""
    now = now or timezone.now()
    if channel.status != Channel.Status.CONNECTED:
        return None
    if channel.platform in oauth.PLATFORMS and channel.expires_at is not None:
        credentials = channel_credentials(channel)
        if oauth.needs_refresh(credentials, now, oauth.refresh_margin(channel.platform)):
            channel = channel_refresh(channel=channel, now=now)
        if channel.status == Channel.Status.CONNECTED and channel.expires_at and channel.expires_at <= now:
            channel_mark_unusable(
                channel=channel,
                status=Channel.Status.EXPIRED,
                message=f"The {platform_label(channel.platform)} token expired and could not be refreshed: "
                "reconnect the channel.",
            )
            return None
    return channel if channel.status == Channel.Status.CONNECTED else None


def channel_mark_unusable(*, channel, status, message):
    """Mark a connected channel expired or revoked (once) and e-mail the team's admins after the commit."""
    with transaction.atomic():
        changed = Channel.objects.filter(pk=channel.pk, status=Channel.Status.CONNECTED).update(
            status=status, status_message=message[:500], updated_at=timezone.now()
        )
        if not changed:
            return False
        label = Channel.Status(status).label.lower()
        audit_record(
            team=channel.team,
            actor=None,
            action=f"channel.{status}",
            summary=f"{channel}: {label}. {message}",
            detail={"channel_id": channel.pk},
        )
        transaction.on_commit(lambda: _notify_admins(channel, status, message))
    return True


def _notify_admins(channel, status, message):
    from django.conf import settings

    recipients = team_admin_emails(channel.team)
    if not recipients:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("scheduling_channels")
    label = Channel.Status(status).label.lower()
    try:
        send_mail(
            subject=f"{channel} on {channel.team.name}: {label}",
            message=f"{message}\n\nPosts to this channel wait until an admin reconnects it:\n{link}\n",
            from_email=None,
            recipient_list=recipients,
        )
    except Exception:  # a mail outage is logged; the channel page shows the state anyway
        logger.exception("could not tell the admins of %s that %s is %s", channel.team, channel, status)


def tokens_refresh_due(*, now=None):
    """The beat's sweep: refresh every connected channel whose token is inside its platform's margin."""
    now = now or timezone.now()
    refreshed = 0
    for channel in Channel.objects.filter(
        status=Channel.Status.CONNECTED, platform__in=list(oauth.PLATFORMS), expires_at__isnull=False
    ).select_related("team"):
        if oauth.needs_refresh(channel_credentials(channel), now, oauth.refresh_margin(channel.platform)):
            channel_usable(channel=channel, now=now)
            refreshed += 1
    return refreshed


@transaction.atomic
def channel_disconnect(*, channel, user):
    """Forget the channel's tokens; its scheduled posts are blocked (with a message) until it is reconnected."""
    channel.status = Channel.Status.DISCONNECTED
    channel.status_message = f"Disconnected by {_who(user)}."
    channel.credentials = {}
    channel.expires_at = None
    channel.save(update_fields=["status", "status_message", "credentials_ciphertext", "expires_at", "updated_at"])
    audit_record(
        team=channel.team,
        actor=user,
        action="channel.disconnected",
        summary=f"{_who(user)} disconnected {channel}",
        detail={"channel_id": channel.pk},
    )
    return channel


def _who(user):
    return (user.email or user.get_username()) if user else "Postframe"
