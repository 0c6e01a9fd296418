"""A zip of several hundred MB streams out of daphne as it is written, and other pages still answer meanwhile.

Django's ASGI handler would read a synchronous iterator whole (400 MB here) before the first byte left; the async
iterator sends the first byte while the server has grown by little. Past that, what daphne holds depends on how
fast the client reads: daphne (Twisted) buffers whatever the client has not taken yet, with no backpressure, so
the peak is recorded but only bounded below the whole zip (see the README on large downloads).
"""

import os
import threading
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.factories import MembershipFactory
from tests.library.factories import AssetFactory
from tests.processes import child_environment, free_port, seed_reference_data, start_web

pytestmark = pytest.mark.integration

FILES = 4
FILE_BYTES = 100 * 1024 * 1024  # 400 MB in all


def _rss_bytes(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.fixture
def big_selection(transactional_db, tmp_path):
    seed_reference_data()
    membership = MembershipFactory(role="member")
    media = tmp_path / "media"
    assets = []
    for n in range(FILES):
        key = f"teams/{membership.team_id}/assets/big-{n}.png"
        path = media / key
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            handle.truncate(FILE_BYTES)  # sparse: costs no disk, reads as zeros
        assets.append(AssetFactory(team=membership.team, file=key, bytes=FILE_BYTES, name=f"Big {n}"))
    client = Client()
    client.force_login(membership.user)
    return {"media": media, "assets": assets, "session": client.cookies[django_settings.SESSION_COOKIE_NAME].value}


def test_a_large_zip_streams_with_flat_memory_while_other_pages_answer(big_selection):
    port = free_port()
    server = start_web(child_environment(MEDIA_ROOT=big_selection["media"]), port)
    base = f"http://127.0.0.1:{port}"
    cookies = {django_settings.SESSION_COOKIE_NAME: big_selection["session"], "csrftoken": "a" * 32}
    headers = {"X-CSRFToken": "a" * 32, "Referer": f"{base}/library/"}
    try:
        with httpx.Client(base_url=base, cookies=cookies, timeout=60) as browser:
            assert browser.get("/library/").status_code == 200  # warm: the studio is loaded before measuring
            baseline = _rss_bytes(server.pid)
            peak, received, others, at_first_byte = baseline, 0, [], None
            stop = threading.Event()

            def sample():
                nonlocal peak
                while not stop.is_set():
                    peak = max(peak, _rss_bytes(server.pid))
                    time.sleep(0.05)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            data = {"asset": [asset.pk for asset in big_selection["assets"]]}
            with browser.stream("POST", "/library/selection/download/", data=data, headers=headers) as response:
                assert response.status_code == 200
                assert response.headers["content-type"] == "application/zip"
                for chunk in response.iter_bytes(1024 * 1024):
                    if at_first_byte is None:
                        at_first_byte = _rss_bytes(server.pid)
                    received += len(chunk)
                    if len(others) < 3 and received > (len(others) + 1) * 60 * 1024 * 1024:
                        # Mid-stream: another request on another connection is answered.
                        page = httpx.get(f"{base}/library/", cookies=cookies, timeout=20)
                        others.append((page.status_code, "Big 0" in page.text))
            stop.set()
            sampler.join()
    finally:
        server.stop()

    assert received > FILES * FILE_BYTES  # every byte, plus the zip's headers
    assert others == [(200, True)] * 3
    # The whole zip is 400 MB; a server that buffered it would have grown by that much before sending a byte.
    assert at_first_byte - baseline < 64 * 1024 * 1024, f"grew {(at_first_byte - baseline) >> 20} MB before sending"
    assert peak - baseline < FILES * FILE_BYTES, f"daphne grew by {(peak - baseline) >> 20} MB: the whole zip"
    assert os.path.getsize(big_selection["media"] / big_selection["assets"][0].file) == FILE_BYTES
