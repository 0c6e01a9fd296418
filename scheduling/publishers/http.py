"""HTTP plumbing every publisher shares: an httpx client with timeouts set, transport failures classified the same
way for every platform, and rate-limit headers read into a time.

Classification: a connection that never opened is an "outage" (nothing reached the platform, retrying is safe). A
read timeout, a dropped connection or a gateway 5xx *after* an irreversible call was sent is "unconfirmed": the
platform may have published, so the dispatcher confirms through the read API before anything else. The same
failures on a reversible step (an upload, a container, a status read) are an "outage".

One httpx.Client per process serves every call (httpx clients are thread-safe): building one loads the CA bundle
into a new SSL context, which cost more than a webhook delivery itself (35 → 14 ms a publish). `client()` hands out
a view of it with the caller's base URL, headers and timeout; the view's `with` block closes nothing. The shared
client keeps no cookies (one channel's session must never reach another team's call) and follows no redirects. It
is made lazily, made anew in a forked child (a prefork worker must not share its parent's sockets) and closed at
exit.
"""

import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
from django.conf import settings

from scheduling.publishers.base import PublishError
from studio.core.outbound import ProcessClient, no_cookies


def now():
    return datetime.now(UTC)


def timeout(seconds=None):
    seconds = float(seconds if seconds is not None else settings.SCHEDULING_PUBLISH_TIMEOUT)
    return httpx.Timeout(seconds, connect=min(seconds, 10.0))


_shared = ProcessClient(lambda: httpx.Client(cookies=no_cookies(), follow_redirects=False, timeout=timeout()))


def shared_client():
    """This process's one httpx.Client for platform calls, made on first use."""
    return _shared.get()


class Api:
    """The shared client seen with one caller's base URL, headers and timeout; `with` closes nothing."""

    def __init__(self, *, base_url="", headers=None, seconds=None):
        self.base_url = httpx.URL(base_url) if base_url else None
        self.headers = dict(headers or {})
        self.timeout = timeout(seconds)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def url(self, url):
        """httpx's own base-URL rule: a relative URL's path goes after the base URL's path."""
        url = httpx.URL(url)
        if self.base_url is None or not url.is_relative_url:
            return url
        base = self.base_url.copy_with(raw_path=self.base_url.raw_path.rstrip(b"/") + b"/")
        return base.copy_with(raw_path=base.raw_path + url.raw_path.lstrip(b"/"))

    def request(self, method, url, *, headers=None, timeout=None, **kwargs):
        return shared_client().request(
            method,
            self.url(url),
            headers={**self.headers, **(headers or {})},
            timeout=timeout if timeout is not None else self.timeout,
            **kwargs,
        )


def client(*, base_url="", headers=None, seconds=None):
    return Api(base_url=base_url, headers=headers, seconds=seconds)


class OAuthPublisher:
    """What the OAuth platforms' publishers share: tokens refreshed through scheduling.oauth, and calls that carry the
    Bearer token plus the platform's own headers (`_headers`). Subclasses set platform, base_url and timeout."""

    platform = ""

    def refresh(self, credentials):
        from scheduling import oauth  # oauth reads the publishers' registry

        return oauth.refresh(self.platform, credentials)

    def _headers(self):
        return {}

    def _client(self, credentials):
        headers = {"Authorization": f"Bearer {credentials.access_token}", **self._headers()}
        return client(base_url=self.base_url, headers=headers, seconds=self.timeout)


def send(api, method, url, *, platform, label, irreversible=False, partial=None, **kwargs):
    """One request; transport failures become a classified PublishError (see the module docstring)."""
    try:
        return api.request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
        raise PublishError(
            f"{label} could not be reached ({type(error).__name__}); nothing was sent, it will be tried again.",
            kind="outage",
            platform=platform,
            code="connect",
        ) from error
    except httpx.TransportError as error:
        if irreversible:
            raise unconfirmed(platform, label, type(error).__name__, partial) from error
        raise PublishError(
            f"{label} stopped answering ({type(error).__name__}) before the post was sent; it will be tried again.",
            kind="outage",
            platform=platform,
            code="transport",
        ) from error


def unconfirmed(platform, label, why, partial=None):
    return PublishError(
        f"{label} did not answer after the post was sent ({why}). Postframe checks {label} for the post before "
        "trying again, so it is never posted twice.",
        kind="unconfirmed",
        platform=platform,
        code="answer_lost",
        partial=partial,
    )


def server_error(response, *, platform, label, irreversible=False, partial=None):
    """A 5xx: unconfirmed after an irreversible call (it may have gone through), an outage otherwise."""
    if irreversible:
        return unconfirmed(platform, label, f"HTTP {response.status_code}", partial)
    return PublishError(
        f"{label} is having trouble (HTTP {response.status_code}); the post will be tried again.",
        kind="outage",
        platform=platform,
        code=str(response.status_code),
        partial=partial,
    )


def rate_limited(response, *, platform, default_seconds, saying):
    """A 429: kind "rate" until the platform says (see retry_at), `saying(until)` the words for the page."""
    until = retry_at(response, default_seconds=default_seconds)
    return PublishError(saying(until), kind="rate", platform=platform, code="429", retry_at=until)


def still_processing(message, *, platform, code="media_processing", partial=None):
    """The platform is still processing the media after the bounded polls: kind "rate" a minute later, `partial`
    (what the platform holds: a container, a media id, a video URN) kept so the next attempt resumes with it."""
    return PublishError(
        message, kind="rate", platform=platform, code=code, retry_at=now() + timedelta(minutes=1), partial=partial
    )


def retry_at(response, *, default_seconds=900, at=None):
    """When a rate limit lifts: Retry-After (seconds or a date), X's x-rate-limit-reset (epoch), else a default."""
    at = at or now()
    headers = response.headers if response is not None else {}
    value = headers.get("retry-after", "").strip()
    if value.isdigit():
        return at + timedelta(seconds=int(value))
    if value:
        try:
            return parsedate_to_datetime(value).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    reset = headers.get("x-rate-limit-reset", "").strip()
    if reset.isdigit():
        return datetime.fromtimestamp(int(reset), UTC)
    return at + timedelta(seconds=default_seconds)


def body(response):
    """The JSON body as a dict; {} for an empty or non-JSON answer."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {"data": data}


def fetch_media(media, *, platform, label):
    """The bytes of a medium for platforms that take an upload: what the dispatcher passed, else its signed URL."""
    if media.data is not None:
        return media.data
    with client(seconds=None) as api:
        response = send(api, "GET", media.url, platform=platform, label="Postframe's media URL")
    if response.status_code != 200:
        raise PublishError(
            f"{label} needs the file uploaded, and its signed URL answered HTTP {response.status_code}.",
            kind="outage",
            platform=platform,
            code="media_url",
        )
    return response.content


class Poller:
    """Bounded polling: a worker waits a few short intervals, then the caller defers instead of holding it."""

    def __init__(self, *, attempts=None, interval=None, sleep=time.sleep):
        self.attempts = attempts if attempts is not None else settings.SCHEDULING_POLL_ATTEMPTS
        self.interval = interval if interval is not None else settings.SCHEDULING_POLL_INTERVAL_MS / 1000
        self.sleep = sleep

    def __iter__(self):
        for attempt in range(max(1, self.attempts)):
            if attempt:
                self.sleep(self.interval)
            yield attempt


def report(request, partial):
    """Tell the dispatcher what the platform holds now, before the next (irreversible) step."""
    if request.on_progress is not None:
        request.on_progress(dict(partial))
