"""remote_image_fetch against a real local HTTP server: what it fetches and each refusal a client would see."""

import socket

import pytest

from studio.api import remote
from studio.api.remote import RemoteFetchRefused, remote_image_fetch


def test_it_fetches_a_png_from_an_allowed_address(image_server, allow_private):
    fetched = remote_image_fetch(f"{image_server.url}/image.png")
    assert fetched.data == image_server.image
    assert fetched.format == "png" and fetched.filename == "image.png"


def test_it_refuses_a_loopback_address_and_never_connects(image_server, settings):
    settings.POSTFRAME_REMOTE_FETCH_ALLOW_PRIVATE = False
    with pytest.raises(RemoteFetchRefused) as refused:
        remote_image_fetch(f"{image_server.url}/image.png")
    assert "The address 127.0.0.1 is private (loopback)" in refused.value.message
    assert image_server.requests == []


def test_it_refuses_a_host_name_that_resolves_to_a_private_address(image_server, settings):
    settings.POSTFRAME_REMOTE_FETCH_ALLOW_PRIVATE = False
    with pytest.raises(RemoteFetchRefused) as refused:
        remote_image_fetch(f"http://localhost:{image_server.port}/image.png")
    assert "of localhost is private" in refused.value.message
    assert image_server.requests == []


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("10.1.2.3", "a private network"),
        ("192.168.0.10", "a private network"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("[::1]", "loopback"),
        ("[::ffff:127.0.0.1]", "loopback"),
        ("100.64.0.1", "not a public internet address"),
    ],
)
def test_it_refuses_every_kind_of_internal_address(settings, address, reason):
    settings.POSTFRAME_REMOTE_FETCH_ALLOW_PRIVATE = False
    with pytest.raises(RemoteFetchRefused) as refused:
        remote_image_fetch(f"http://{address}/cat.png")
    assert f"is private ({reason})" in refused.value.message


def test_it_refuses_a_redirect_to_a_private_address(image_server, settings, monkeypatch):
    # Pretend the image server's own address is public, so only the redirect's target is internal.
    settings.POSTFRAME_REMOTE_FETCH_ALLOW_PRIVATE = False
    checks = remote.internal_reason
    monkeypatch.setattr(remote, "internal_reason", lambda ip: None if str(ip) == "127.0.0.1" else checks(ip))
    with pytest.raises(RemoteFetchRefused) as refused:
        remote_image_fetch(f"{image_server.url}/to?url=http://127.0.0.2:{image_server.port}/image.png")
    assert "The address 127.0.0.2 is private (loopback)" in refused.value.message
    assert [r["path"] for r in image_server.requests] == [f"/to?url=http://127.0.0.2:{image_server.port}/image.png"]


def test_it_connects_to_the_address_it_checked_and_sends_the_host_name(image_server, allow_private, monkeypatch):
    # A second lookup could answer differently (DNS rebinding): the fetcher must resolve once and connect there.
    real = socket.getaddrinfo
    lookups = []

    def resolve(host, *args, **kwargs):
        lookups.append(host)
        return real("127.0.0.1" if host == "images.example.test" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    fetched = remote_image_fetch(f"http://images.example.test:{image_server.port}/image.png")
    assert fetched.data == image_server.image
    # The connection itself looks up only the literal address it was given.
    assert [host for host in lookups if host != "127.0.0.1"] == ["images.example.test"]
    assert image_server.requests[0]["host"] == f"images.example.test:{image_server.port}"


def test_it_follows_up_to_three_redirects(image_server, allow_private):
    fetched = remote_image_fetch(f"{image_server.url}/redirect/3")
    assert fetched.data == image_server.image
    assert fetched.final_url.endswith("/image.png")


def test_it_refuses_a_fourth_redirect(image_server, allow_private):
    with pytest.raises(RemoteFetchRefused) as refused:
        remote_image_fetch(f"{image_server.url}/redirect/4")
    assert "redirected more than 3 times" in refused.value.message


def test_it_stops_reading_a_body_larger_than_the_cap(image_server, allow_private):
    allow_private.POSTFRAME_REMOTE_FETCH_MAX_BYTES = 1024 * 1024
    with pytest.raises(RemoteFetchRefused) as refused:
        remote_image_fetch(f"{image_server.url}/huge")
    assert "larger than 1 MB, the limit" in refused.value.message


def test_it_refuses_a_declared_size_over_the_cap_before_reading(image_server, allow_private):
    with pytest.raises(RemoteFetchRefused) as refused:
        remote_image_fetch(f"{image_server.url}/huge-declared")
    assert "the limit is 50 MB" in refused.value.message


def test_it_refuses_a_body_that_is_not_an_image_whatever_its_content_type(image_server, allow_private):
    with pytest.raises(RemoteFetchRefused) as refused:
        remote_image_fetch(f"{image_server.url}/page.html")
    assert refused.value.message == "This is not a PNG, JPEG or WebP image."


def test_it_reports_a_missing_file_with_the_servers_status(image_server, allow_private):
    with pytest.raises(RemoteFetchRefused) as refused:
        remote_image_fetch(f"{image_server.url}/nothing-here.png")
    assert "answered 404 Not Found" in refused.value.message


def test_it_gives_up_on_a_slow_server(image_server, allow_private):
    allow_private.POSTFRAME_REMOTE_FETCH_TIMEOUT = 1
    with pytest.raises(RemoteFetchRefused) as refused:
        remote_image_fetch(f"{image_server.url}/slow")
    assert "within 1 seconds" in refused.value.message


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/a.png", "Only http:// and https:// URLs"),
        ("file:///etc/passwd", "Only http:// and https:// URLs"),
        ("http://user:pw@example.com/a.png", "user name or password"),
        ("http://no-such-host.invalid/a.png", "could not be found"),
    ],
)
def test_it_refuses_urls_it_will_not_fetch(url, message):
    with pytest.raises(RemoteFetchRefused) as refused:
        remote_image_fetch(url)
    assert message in refused.value.message
