"""Fixtures of the scheduling tests."""

import pytest


@pytest.fixture
def short_platform_timeouts(settings):
    """A lost answer stalls 3 s in the platform fakes: past this timeout. Polls come quickly."""
    settings.SCHEDULING_PUBLISH_TIMEOUT = 1
    settings.SCHEDULING_POLL_INTERVAL_MS = 10
