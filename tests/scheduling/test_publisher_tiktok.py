"""The TikTok publisher against the fake Content Posting API over real HTTP."""

import pytest

from scheduling.publishers.base import Credentials, PublishError, PublishRequest
from scheduling.publishers.tiktok import TikTokPublisher
from tests.fakes.social import photo

pytestmark = pytest.mark.usefixtures("fast_publishing")


@pytest.fixture
def credentials(fake_tiktok, media_host):
    fake_tiktok.verified_prefixes.append(f"{media_host.url}/media/")
    return Credentials(access_token=fake_tiktok.issue_token(), account_id=fake_tiktok.authorize_as)


def post(media_host, text="Photo mode", *, privacy="PUBLIC_TO_EVERYONE", fmt="JPEG", **options):
    return PublishRequest(
        "post-tt", text, (photo(media_host, fmt=fmt), photo(media_host)), options={"privacy_level": privacy, **options}
    )


def test_it_publishes_a_photo_post_pulled_from_urls(fake_tiktok, media_host, credentials):
    seen = []
    request = post(media_host, title="Drop", photo_cover_index=1)
    request = PublishRequest(
        request.external_id, request.text, request.media, options=request.options, on_progress=seen.append
    )

    result = TikTokPublisher().publish(credentials, request)

    (init,) = fake_tiktok.requests_to(r"content/init")
    assert init.json["post_mode"] == "DIRECT_POST" and init.json["media_type"] == "PHOTO"
    assert init.json["source_info"]["photo_images"] == [item.url for item in request.media]
    assert init.json["post_info"]["title"] == "Drop" and init.json["source_info"]["photo_cover_index"] == 1
    assert seen == [{"publish_id": result.raw["publish_id"]}]
    assert fake_tiktok.published["Photo mode"] == 1
    assert sum(media_host.fetches.values()) == 2


def test_a_privacy_level_the_creator_lacks_is_refused_before_posting(fake_tiktok, media_host, credentials):
    fake_tiktok.privacy_level_options = ["FOLLOWER_OF_CREATOR", "SELF_ONLY"]

    with pytest.raises(PublishError) as refused:
        TikTokPublisher().publish(credentials, post(media_host))

    assert refused.value.kind == "user" and "followers, only me" in refused.value.message
    assert not fake_tiktok.requests_to(r"content/init")


def test_an_unaudited_app_may_post_only_to_self(fake_tiktok, media_host, credentials):
    fake_tiktok.audited = False

    with pytest.raises(PublishError) as refused:
        TikTokPublisher().publish(credentials, post(media_host))

    assert refused.value.code == "unaudited_client_can_only_post_to_private_accounts"
    TikTokPublisher().publish(credentials, post(media_host, privacy="SELF_ONLY"))
    assert fake_tiktok.published["Photo mode"] == 1


def test_photos_on_an_unverified_domain_are_refused(fake_tiktok, media_host, credentials):
    fake_tiktok.verified_prefixes.clear()

    with pytest.raises(PublishError) as refused:
        TikTokPublisher().publish(credentials, post(media_host))

    assert refused.value.kind == "user" and refused.value.code == "url_ownership_unverified"


def test_tiktok_refuses_png_photos(fake_tiktok, media_host, credentials):
    with pytest.raises(PublishError) as refused:
        TikTokPublisher().publish(credentials, post(media_host, fmt="PNG"))

    assert refused.value.kind == "user" and "JPEG" in refused.value.message


def test_a_post_still_processing_is_unconfirmed_until_status_says_complete(fake_tiktok, media_host, credentials):
    fake_tiktok.processing_polls = 4  # three reads while publishing, one in the first confirm

    with pytest.raises(PublishError) as pending:
        TikTokPublisher().publish(credentials, post(media_host))

    assert pending.value.kind == "unconfirmed" and pending.value.partial["publish_id"]
    request = post(media_host, **pending.value.partial)
    with pytest.raises(PublishError):
        TikTokPublisher().confirm(credentials, request)  # one more read: still processing
    assert TikTokPublisher().confirm(credentials, request) is not None
    assert fake_tiktok.published["Photo mode"] == 1


def test_a_lost_init_answer_is_confirmed_through_the_video_list(fake_tiktok, media_host, credentials):
    fake_tiktok.lose_answers(1, stall=5)

    with pytest.raises(PublishError) as lost:
        TikTokPublisher().publish(credentials, post(media_host))

    assert lost.value.kind == "unconfirmed" and not lost.value.partial
    found = TikTokPublisher().confirm(credentials, post(media_host))
    assert found is not None and found.url.startswith("https://www.tiktok.com/@postframe/photo/")
    assert TikTokPublisher().confirm(credentials, post(media_host, "Never sent")) is None


def test_a_revoked_token_is_an_auth_failure(fake_tiktok, media_host, credentials):
    fake_tiktok.revoke(credentials.access_token)

    with pytest.raises(PublishError) as refused:
        TikTokPublisher().publish(credentials, post(media_host))

    assert refused.value.kind == "auth"
