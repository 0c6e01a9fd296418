"""Fetches reference images named by URL in API requests, without letting a URL reach inside the network.

Every hop (the URL and each of at most three redirects) is checked the same way: http or https only, the host
resolved once, every address it resolves to checked with `ipaddress`, and the connection made to that checked
address (the Host header and TLS server name still carry the host name), so a DNS answer that changes between
the check and the connection cannot send the request somewhere internal. The body is read as a stream and cut
off at settings.POSTFRAME_REMOTE_FETCH_MAX_BYTES, the whole fetch at settings.POSTFRAME_REMOTE_FETCH_TIMEOUT
seconds, and what arrives must decode as a PNG, JPEG or WebP image.
"""

import io
import socket
import time
import warnings
from dataclasses import dataclass

import httpx
from django.conf import settings
from PIL import Image

from studio.core.network import internal_reason, resolve

MAX_REDIRECTS = 3
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}
# A fetched reference is opened here only to check what it is; the library's validator does the full job.
MAX_PIXELS = 40_000_000


class RemoteFetchRefused(Exception):
    """A URL that was not fetched, with a message fit to show the API client."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FetchedImage:
    url: str  # the URL the client gave
    final_url: str  # where the image came from after redirects
    data: bytes
    format: str  # png | jpeg | webp

    @property
    def filename(self):
        name = httpx.URL(self.final_url).path.rsplit("/", 1)[-1] or "reference"
        stem = name.rsplit(".", 1)[0][:80] or "reference"
        return f"{stem}.{'jpg' if self.format == 'jpeg' else self.format}"


def _max_bytes():
    return settings.POSTFRAME_REMOTE_FETCH_MAX_BYTES


def _megabytes(n):
    return f"{n / (1024 * 1024):.3g} MB"


def _checked_address(host, port):
    """The address to connect to for `host`, after every address it resolves to has passed the check."""
    try:
        addresses = resolve(host, port)
    except (socket.gaierror, UnicodeError):
        raise RemoteFetchRefused(f"The host {host} could not be found.")
    if not addresses:
        raise RemoteFetchRefused(f"The host {host} could not be found.")
    if not settings.POSTFRAME_REMOTE_FETCH_ALLOW_PRIVATE:
        for address in addresses:
            if (reason := internal_reason(address)) is not None:
                named = "" if host.strip("[]") == str(address) else f" of {host}"
                raise RemoteFetchRefused(
                    f"The address {address}{named} is private ({reason}): Postframe fetches reference images "
                    "only from public internet addresses. Upload the image to the library instead."
                )
    return addresses[0]


def _parse(url):
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise RemoteFetchRefused("This is not a valid URL.")
    if parsed.scheme not in ("http", "https"):
        raise RemoteFetchRefused("Only http:// and https:// URLs can be fetched.")
    if not parsed.host:
        raise RemoteFetchRefused("The URL has no host.")
    if parsed.userinfo:
        raise RemoteFetchRefused("URLs with a user name or password are not accepted.")
    return parsed


def _pinned_request(client, parsed):
    """A GET of `parsed` sent to its checked address, keeping the host name for Host and TLS."""
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    address = _checked_address(parsed.host, port)
    extensions = {"sni_hostname": parsed.host} if parsed.scheme == "https" else {}
    host_header = parsed.netloc.decode("ascii")
    return client.build_request(
        "GET",
        parsed.copy_with(host=str(address)),
        headers={"Host": host_header, "Accept": "image/png, image/jpeg, image/webp"},
        extensions=extensions,
    )


def _read_capped(response, deadline):
    limit = _max_bytes()
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise RemoteFetchRefused(f"The image is {_megabytes(int(declared))}; the limit is {_megabytes(limit)}.")
    buffer = bytearray()
    for chunk in response.iter_bytes():
        buffer.extend(chunk)
        if len(buffer) > limit:
            raise RemoteFetchRefused(f"The image is larger than {_megabytes(limit)}, the limit.")
        if time.monotonic() > deadline:
            raise RemoteFetchRefused(_too_slow())
    return bytes(buffer)


def _too_slow():
    return f"The server did not send the image within {settings.POSTFRAME_REMOTE_FETCH_TIMEOUT:g} seconds."


def image_format(data):
    """png, jpeg or webp when `data` decodes as one of them; raises RemoteFetchRefused otherwise."""
    refusal = RemoteFetchRefused("This is not a PNG, JPEG or WebP image.")
    if not data:
        raise refusal
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise RemoteFetchRefused(
                        f"The image is {image.width}×{image.height}, more than {MAX_PIXELS // 1_000_000} megapixels."
                    )
                image.verify()
                return IMAGE_FORMATS[image.format]
    except RemoteFetchRefused:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning, KeyError):
        raise refusal


def remote_image_fetch(url):
    """Fetch one reference image by URL; raises RemoteFetchRefused with the reason when it cannot."""
    timeout = settings.POSTFRAME_REMOTE_FETCH_TIMEOUT
    deadline = time.monotonic() + timeout
    current = _parse(url)
    # trust_env=False: a proxy from the environment would make the connection somewhere other than the checked address.
    with httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5)), trust_env=False) as client:
        for hop in range(MAX_REDIRECTS + 1):
            if time.monotonic() > deadline:
                raise RemoteFetchRefused(_too_slow())
            request = _pinned_request(client, current)
            try:
                response = client.send(request, stream=True, follow_redirects=False)
            except httpx.TimeoutException:
                raise RemoteFetchRefused(_too_slow())
            except httpx.HTTPError as exc:
                raise RemoteFetchRefused(f"Could not fetch the image from {current.host}: {exc.__class__.__name__}.")
            try:
                if response.status_code in REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if not location:
                        raise RemoteFetchRefused(f"{current.host} answered a redirect without a Location.")
                    if hop == MAX_REDIRECTS:
                        raise RemoteFetchRefused(f"The URL redirected more than {MAX_REDIRECTS} times.")
                    current = _parse(str(current.join(location)))
                    continue
                if response.status_code != 200:
                    raise RemoteFetchRefused(
                        f"{current.host} answered {response.status_code} {response.reason_phrase} instead of an image."
                    )
                try:
                    data = _read_capped(response, deadline)
                except httpx.TimeoutException:
                    raise RemoteFetchRefused(_too_slow())
                except httpx.HTTPError as exc:
                    raise RemoteFetchRefused(f"The download from {current.host} broke off: {exc.__class__.__name__}.")
            finally:
                response.close()
            return FetchedImage(url=url, final_url=str(current), data=data, format=image_format(data))
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover
