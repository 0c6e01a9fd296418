"""The signed webhook publisher against a receiver over real HTTP, and the download bundle."""

import json
import time

import pytest

from scheduling.publishers import webhook
from scheduling.publishers.base import Credentials, PublishError, PublishRequest
from scheduling.publishers.bundle import BundlePublisher
from scheduling.publishers.webhook import WebhookPublisher
from tests.fakes.social import photo

pytestmark = pytest.mark.usefixtures("fast_publishing")


@pytest.fixture
def channel(webhook_receiver):
    return Credentials(access_token="", extra={"url": webhook_receiver.hook_url(), "secret": webhook_receiver.secret})


def test_it_delivers_the_post_signed_with_its_delivery_id(webhook_receiver, media_host, channel):
    request = PublishRequest("delivery-1", "Hello receivers", (photo(media_host, alt_text="Alt"),), "First!")

    result = WebhookPublisher().publish(channel, request)

    assert result.remote_id == "delivery-1" and webhook_receiver.deliveries == {"delivery-1": 1}
    body = webhook_receiver.bodies["delivery-1"]
    assert body["text"] == "Hello receivers" and body["first_comment"] == "First!"
    assert body["media"][0]["alt_text"] == "Alt" and body["media"][0]["url"] == request.media[0].url
    (sent,) = webhook_receiver.requests
    assert webhook.verify(
        webhook_receiver.secret,
        timestamp=sent.headers["x-postframe-timestamp"],
        body=sent.body,
        header=sent.headers["x-postframe-signature"],
    )


def test_verify_refuses_a_changed_body_another_secret_and_a_stale_timestamp():
    body, stamp = json.dumps({"id": "d"}).encode(), str(int(time.time()))
    header = webhook.signature("secret", stamp, body)
    assert webhook.verify("secret", timestamp=stamp, body=body, header=header)
    assert not webhook.verify("secret", timestamp=stamp, body=body + b" ", header=header)
    assert not webhook.verify("other", timestamp=stamp, body=body, header=header)
    old = str(int(time.time()) - 3600)
    assert not webhook.verify("secret", timestamp=old, body=body, header=webhook.signature("secret", old, body))


def test_a_wrong_secret_is_an_auth_failure_and_nothing_is_delivered(webhook_receiver, channel):
    wrong = Credentials(access_token="", extra={**channel.extra, "secret": "not-it"})

    with pytest.raises(PublishError) as refused:
        WebhookPublisher().publish(wrong, PublishRequest("delivery-2", "Hi"))

    assert refused.value.kind == "auth" and "secret" in refused.value.message
    assert not webhook_receiver.deliveries and webhook_receiver.refused["signature"] == 1


def test_a_lost_answer_is_unconfirmed_and_confirm_redelivers_the_same_id(webhook_receiver, channel):
    webhook_receiver.lose_answers(1, stall=5)
    request = PublishRequest("delivery-3", "Lost")

    with pytest.raises(PublishError) as lost:
        WebhookPublisher().publish(channel, request)

    assert lost.value.kind == "unconfirmed"
    assert WebhookPublisher().confirm(channel, request).remote_id == "delivery-3"
    assert webhook_receiver.deliveries["delivery-3"] == 1 and webhook_receiver.duplicates["delivery-3"] == 1


def test_a_receiver_error_is_an_outage_and_the_retry_keeps_the_delivery_id(webhook_receiver, channel):
    webhook_receiver.fail_next(1, 503)
    request = PublishRequest("delivery-4", "Retry me")

    with pytest.raises(PublishError) as failed:
        WebhookPublisher().publish(channel, request)

    assert failed.value.kind == "outage"
    WebhookPublisher().publish(channel, request)
    assert webhook_receiver.deliveries == {"delivery-4": 1}
    assert {sent.headers["x-postframe-delivery"] for sent in webhook_receiver.requests} == {"delivery-4"}


def test_a_channel_without_a_url_is_refused_before_sending():
    with pytest.raises(PublishError) as refused:
        WebhookPublisher().publish(Credentials(access_token=""), PublishRequest("delivery-5", "Hi"))
    assert refused.value.kind == "user"


def test_the_bundle_lists_the_files_for_the_zip_in_order(media_host):
    request = PublishRequest("post-1-bundle", "Caption", (photo(media_host), photo(media_host, fmt="PNG")), "First")

    result = BundlePublisher().publish(Credentials(access_token=""), request)

    assert result.remote_id == "bundle-post-1-bundle"
    assert [entry["name"] for entry in result.raw["files"]] == ["01.jpg", "02.png"]
    assert result.raw["caption"] == "Caption" and result.raw["first_comment"] == "First"
    assert BundlePublisher().confirm(Credentials(access_token=""), request) == result
