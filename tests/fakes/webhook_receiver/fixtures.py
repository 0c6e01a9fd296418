"""The `webhook_receiver` fixture: a WebhookReceiver per test (.hook_url(), .secret, .deliveries, .duplicates)."""

import pytest

from tests.fakes.webhook_receiver.server import WebhookReceiver


@pytest.fixture
def webhook_receiver():
    with WebhookReceiver() as receiver:
        yield receiver
