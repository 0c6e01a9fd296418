"""Shared fixtures: the real services this suite needs, and users in teams with each role."""

import os
import socket
from urllib.parse import urlparse

import pytest

from tests.factories import MembershipFactory, TeamFactory

pytest_plugins = [
    "tests.fakes.openai.fixtures",
    "tests.fakes.kling.fixtures",
    "tests.fakes.ark.fixtures",
    "tests.fakes.social",
    "tests.fakes.instagram.fixtures",
    "tests.fakes.linkedin.fixtures",
    "tests.fakes.x.fixtures",
    "tests.fakes.tiktok.fixtures",
    "tests.fakes.webhook_receiver.fixtures",
]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _reachable(url, default_port):
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def pytest_configure(config):
    missing = []
    if not _reachable(os.environ.get("DATABASE_URL", "postgres://127.0.0.1:5432/"), 5432):
        missing.append("PostgreSQL (DATABASE_URL)")
    if not _reachable(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"), 6379):
        missing.append("Redis (REDIS_URL)")
    config._postframe_missing = missing
    if missing:
        message = "Postframe's suite needs " + " and ".join(missing) + ", and cannot reach it."
        if IN_CI or "PostgreSQL (DATABASE_URL)" in missing:
            pytest.exit(message + " Start it, or point DATABASE_URL / REDIS_URL at one, and run again.", returncode=3)


def pytest_collection_modifyitems(config, items):
    # Tests that run real processes flush the database when they end (seeded rows included), so they run
    # last: every other test still sees what migrations seeded. They are also the slowest.
    items.sort(key=lambda item: "integration" in item.keywords or "e2e" in item.keywords)
    missing = getattr(config, "_postframe_missing", [])
    if not missing:
        return
    skip = pytest.mark.skip(reason="needs " + ", ".join(missing))
    for item in items:
        if "integration" in item.keywords or "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def keep_the_test_connection(monkeypatch):
    """For websocket tests (tests/websockets.py): Channels keeps the test's database connection between calls."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Every test gets its own Redis channel layer. Each async_to_sync in a test runs on a new event loop, and
    the layer keeps one asyncio.Lock per process-wide channel prefix: once a receive contended it on one test's
    loop, the next test's contended receive raised "bound to a different event loop". Daphne runs one loop, so
    only the suite needs this."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def team():
    return TeamFactory()


@pytest.fixture
def make_member(team):
    def make(role="member", team_=None):
        return MembershipFactory(team=team_ or team, role=role).user

    return make


@pytest.fixture
def owner(make_member):
    return make_member("owner")


@pytest.fixture
def admin_user(make_member):
    return make_member("admin")


@pytest.fixture
def member(make_member):
    return make_member("member")


@pytest.fixture
def viewer(make_member):
    return make_member("viewer")


@pytest.fixture
def other_team():
    return TeamFactory(name="Rival Studio")


@pytest.fixture
def outsider(other_team):
    """An owner of another team: every id of `team` must answer 404 to them."""
    return MembershipFactory(team=other_team, role="owner").user


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login
