"""What the HTTP providers share: telling a request that surely never left from one whose answer was lost, and
downloading a finished clip.

Clips are downloaded through one httpx.Client per process (thread-safe), made on first use, made anew in a forked
child and closed at exit: a client per clip built a new SSL context each time (50–70 ms a shot); the context is
what is reused, connections are not kept between clips. It is not the provider's API client, which carries the
provider's key in its headers: a clip's URL is a CDN's, which must never see that key. It keeps no cookies and
follows redirects (result URLs often redirect to storage).
"""

import httpx

from studio.core.outbound import ProcessClient, no_cookies
from studio.video.providers.base import VideoProviderError

CLIP_MAX_BYTES = 500 * 1024 * 1024
DOWNLOAD_TIMEOUT = httpx.Timeout(120.0, connect=10.0)

# Raised before the request could have reached the provider whole: the connection never opened, no pooled
# connection was free, or the body could not be written out entirely. Anything else may have been received.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteTimeout, httpx.UnsupportedProtocol)


def network_failure(exc, *, provider, label, creating):
    """The VideoProviderError for a request that failed on the wire.

    A read is safe to repeat, so it is an outage. A create that surely never left is an outage too; one whose
    answer was lost is "unknown": the task may exist, so the caller looks it up before submitting again.
    """
    if isinstance(exc, NOT_SENT) or not creating:
        reason = "no answer in time" if isinstance(exc, httpx.TimeoutException) else "the connection failed"
        return VideoProviderError(
            f"{label} could not be reached ({reason}); trying again shortly.",
            kind="outage",
            provider=provider,
            retry_after=5,
        )
    return VideoProviderError(
        f"{label} did not answer the submission ({type(exc).__name__}); it may have been accepted, so it is looked "
        "up before anything is sent again.",
        kind="unknown",
        provider=provider,
    )


# A gateway's own error without the provider's answer: the request may have reached the provider behind it.
GATEWAY_STATUSES = (502, 504)


def lost_behind_gateway(response, *, provider, label):
    """The "unknown" error for a create answered by a gateway (502/504) instead of the provider itself."""
    return VideoProviderError(
        f"{label}'s gateway answered {response.status_code} to the submission; it may have been accepted, so it is "
        "looked up before anything is sent again.",
        kind="unknown",
        provider=provider,
        code=str(response.status_code),
    )


# One download a shot: a connection kept alive would rarely be reused, and one kept to a host that went away (a CDN
# node, a test's fake) must not answer the next clip.
_downloads = ProcessClient(
    lambda: httpx.Client(
        timeout=DOWNLOAD_TIMEOUT,
        follow_redirects=True,
        limits=httpx.Limits(max_keepalive_connections=0),
        cookies=no_cookies(),
    )
)


def download_client():
    """This process's one client for clip downloads, made on first use."""
    return _downloads.get()


def download_clip(url, *, provider, label, client=None):
    """The bytes at a provider's result URL; kind "expired" when the URL is gone (these links expire)."""
    if not url:
        raise VideoProviderError(f"{label} reported no video for this task.", kind="expired", provider=provider)
    client = client or download_client()
    try:
        with client.stream("GET", url) as response:
            if response.status_code in (403, 404, 410):
                raise VideoProviderError(
                    f"{label}'s link to the clip has expired ({response.status_code}); the clip must be made again.",
                    kind="expired",
                    provider=provider,
                    code=str(response.status_code),
                )
            if response.status_code >= 500 or response.status_code == 429:
                raise VideoProviderError(
                    f"{label} could not hand over the clip ({response.status_code}); trying again shortly.",
                    kind="outage",
                    provider=provider,
                    retry_after=5,
                )
            if not response.is_success:
                raise VideoProviderError(
                    f"{label} refused the clip download ({response.status_code}).",
                    kind="outage",
                    provider=provider,
                    retry_after=5,
                )
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > CLIP_MAX_BYTES:
                    raise VideoProviderError(
                        f"{label}'s clip is larger than {CLIP_MAX_BYTES // (1024 * 1024)} MB.",
                        kind="user",
                        provider=provider,
                    )
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as exc:
        raise network_failure(exc, provider=provider, label=label, creating=False) from exc
