"""A signed outgoing webhook: the post as JSON, POSTed to the channel's URL.

Body: {"id": <delivery id = the attempt's external id>, "type": "post.publish", "text", "first_comment",
"media": [{"url", "kind", "mime", "width", "height", "alt_text"}], "options"}. Headers: X-Postframe-Delivery (the
same id), X-Postframe-Timestamp (Unix seconds) and X-Postframe-Signature: sha256=hex(HMAC-SHA256(secret,
f"{timestamp}.{body}")). Receivers check the signature, refuse stale timestamps and de-duplicate by delivery id, so
a retry always sends the same id and confirm() simply delivers again: a 2xx means the receiver has it.
"""

import hashlib
import hmac
import json
import socket
import time
from urllib.parse import urlsplit

from django.conf import settings

from scheduling.publishers import http
from scheduling.publishers.base import PlatformRules, PublishError, PublishResult
from studio.core.network import internal_reason, resolve

PLATFORM, LABEL = "webhook", "The webhook"
RULES = PlatformRules(
    caption_max=100_000, media_max=100, kinds=("image", "video", "pdf"), image_formats=("jpeg", "png", "webp", "gif")
)
TOLERANCE_SECONDS = 300


def signature(secret, timestamp, body):
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret, *, timestamp, body, header, now=None, tolerance=TOLERANCE_SECONDS):
    """What a receiver checks: the signature matches and the timestamp is recent (replays are refused)."""
    try:
        fresh = abs((now or time.time()) - int(timestamp)) <= tolerance
    except (TypeError, ValueError):
        return False
    return fresh and hmac.compare_digest(signature(secret, timestamp, body), header or "")


def address_refusal(url):
    """Why the server must not POST to `url`, or None: a receiver on a private network, loopback or link-local
    address is refused (the server would otherwise reach into its own network for whoever sets up a channel) unless
    the operator allows it with SCHEDULING_WEBHOOK_ALLOW_PRIVATE."""
    if settings.SCHEDULING_WEBHOOK_ALLOW_PRIVATE:
        return None
    parts = urlsplit(url)
    try:
        addresses = resolve(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError, ValueError):
        return f"The receiver's host {parts.hostname or url} could not be found."
    if not addresses:
        return f"The receiver's host {parts.hostname} could not be found."
    for address in addresses:
        if (reason := internal_reason(address)) is not None:
            return (
                f"The receiver's address {address} is {reason}: webhooks go only to public internet addresses. "
                "An operator can allow private receivers with SCHEDULING_WEBHOOK_ALLOW_PRIVATE."
            )
    return None


def payload(request):
    return {
        "id": request.external_id,
        "type": "post.publish",
        "text": request.text,
        "first_comment": request.first_comment,
        "media": [
            {
                "url": item.url,
                "kind": item.kind,
                "mime": item.mime,
                "width": item.width,
                "height": item.height,
                "alt_text": item.alt_text,
            }
            for item in request.media
        ],
        "options": {key: value for key, value in request.options.items() if _plain(value)},
    }


def _plain(value):
    return isinstance(value, str | int | float | bool | type(None))


class WebhookPublisher:
    platform = PLATFORM
    label = LABEL
    rules = RULES

    def __init__(self, *, timeout=None):
        self.timeout = timeout

    def problems(self, request):
        return []

    def publish(self, credentials, request):
        url, secret = credentials.extra.get("url", ""), credentials.extra.get("secret", "")
        if not url.startswith(("http://", "https://")) or not secret:
            raise PublishError(
                "This webhook channel has no URL or secret; edit the channel.",
                kind="user",
                platform=PLATFORM,
                code="not_configured",
            )
        if (refusal := address_refusal(url)) is not None:  # checked again: what a name resolves to can change
            raise PublishError(refusal, kind="user", platform=PLATFORM, code="address")
        body = json.dumps(payload(request), separators=(",", ":"), sort_keys=True).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Postframe-Webhook/1",
            "X-Postframe-Delivery": request.external_id,
            "X-Postframe-Timestamp": timestamp,
            "X-Postframe-Signature": signature(secret, timestamp, body),
        }
        with http.client(seconds=self.timeout) as api:
            response = http.send(
                api, "POST", url, content=body, headers=headers, platform=PLATFORM, label=LABEL, irreversible=True
            )
        status = response.status_code
        if 200 <= status < 300:
            return PublishResult(remote_id=request.external_id, raw={"status": status})
        if status in (401, 403):
            raise PublishError(
                f"The webhook receiver refused the signature (HTTP {status}): check the channel's secret.",
                kind="auth",
                platform=PLATFORM,
                code=str(status),
            )
        if status == 429:
            raise http.rate_limited(
                response,
                platform=PLATFORM,
                default_seconds=60,
                saying=lambda until: (
                    f"The webhook receiver asked to slow down; the post waits until {until:%H:%M:%S} UTC."
                ),
            )
        if status >= 500 or status == 408:
            # Safe to send again: the receiver de-duplicates by delivery id.
            raise PublishError(
                f"The webhook receiver is having trouble (HTTP {status}); it will be sent again with "
                "the same delivery id.",
                kind="outage",
                platform=PLATFORM,
                code=str(status),
            )
        raise PublishError(
            f"The webhook receiver refused the post (HTTP {status}): {response.text[:200]}",
            kind="user",
            platform=PLATFORM,
            code=str(status),
        )

    def confirm(self, credentials, request):
        """Deliver again with the same id: the receiver de-duplicates, and a 2xx says it has the post."""
        try:
            return self.publish(credentials, request)
        except PublishError as error:
            if error.kind == "user":
                return None
            raise

    def refresh(self, credentials):
        return credentials
