"""The LinkedIn publisher against the fake /rest API over real HTTP."""

import pytest

from scheduling.publishers.base import Credentials, PublishError, PublishMedia, PublishRequest
from scheduling.publishers.http import now
from scheduling.publishers.linkedin import LinkedInPublisher
from tests.fakes.social import pdf_bytes, photo

pytestmark = pytest.mark.usefixtures("fast_publishing")


@pytest.fixture
def credentials(fake_linkedin):
    return Credentials(access_token=fake_linkedin.issue_token(), account_id=fake_linkedin.authorize_as)


def test_it_publishes_an_image_post_with_the_version_headers_on_every_call(fake_linkedin, media_host, credentials):
    request = PublishRequest("post-1-li", "Launch day (finally) — see [the deck]", (photo(media_host, alt_text="Hi"),))

    result = LinkedInPublisher().publish(credentials, request)

    assert result.remote_id.startswith("urn:li:share:") and result.url.endswith(f"{result.remote_id}/")
    for sent in fake_linkedin.requests_to(r"^/rest/"):
        assert sent.headers["linkedin-version"] == "202611"
        assert sent.headers["x-restli-protocol-version"] == "2.0.0"
    (post,) = fake_linkedin.requests_to(r"^/rest/posts$")
    assert post.json["content"]["media"]["altText"] == "Hi"
    assert post.json["visibility"] == "PUBLIC" and post.json["distribution"]["feedDistribution"] == "MAIN_FEED"
    # Escaped little text: LinkedIn keeps the whole commentary instead of cutting it at "(".
    assert fake_linkedin.posts[0]["commentary"] == r"Launch day \(finally\) — see \[the deck\]"
    assert len(fake_linkedin.requests_to(r"^/dms-uploads/")) == 1


def test_it_posts_several_images_as_a_multi_image_post(fake_linkedin, media_host, credentials):
    images = tuple(photo(media_host, alt_text=f"Slide {i}") for i in range(3))

    LinkedInPublisher().publish(credentials, PublishRequest("post-2-li", "Three", images))

    (post,) = fake_linkedin.requests_to(r"^/rest/posts$")
    assert [image["altText"] for image in post.json["content"]["multiImage"]["images"]] == [
        "Slide 0",
        "Slide 1",
        "Slide 2",
    ]


def test_it_posts_a_pdf_carousel_as_a_document(fake_linkedin, media_host, credentials):
    data = pdf_bytes(4)
    document = PublishMedia(
        url=media_host.add(data, "application/pdf"), kind="pdf", mime="application/pdf", size=len(data), pages=4
    )
    request = PublishRequest("post-3-li", "Our guide", (document,), options={"document_title": "Guide"})

    LinkedInPublisher().publish(credentials, request)

    assert fake_linkedin.requests_to(r"^/rest/documents$")
    (post,) = fake_linkedin.requests_to(r"^/rest/posts$")
    assert post.json["content"]["media"]["title"] == "Guide"
    assert post.json["content"]["media"]["id"].startswith("urn:li:document:")


def test_a_repeat_is_a_duplicate_and_confirm_finds_the_first_post(fake_linkedin, credentials):
    request = PublishRequest("post-4-li", "Same words")
    first = LinkedInPublisher().publish(credentials, request)

    with pytest.raises(PublishError) as repeat:
        LinkedInPublisher().publish(credentials, request)

    assert repeat.value.kind == "duplicate" and repeat.value.partial == {"remote_id": first.remote_id}
    assert LinkedInPublisher().confirm(credentials, request).remote_id == first.remote_id
    assert fake_linkedin.published["Same words"] == 1 and fake_linkedin.duplicates["Same words"] == 1


def test_a_lost_answer_is_unconfirmed_and_confirm_finds_the_post(fake_linkedin, credentials):
    fake_linkedin.lose_answers(1, stall=5)
    request = PublishRequest("post-5-li", "Answer lost (really)")

    with pytest.raises(PublishError) as lost:
        LinkedInPublisher().publish(credentials, request)

    assert lost.value.kind == "unconfirmed"
    found = LinkedInPublisher().confirm(credentials, request)
    assert found is not None and found.remote_id == fake_linkedin.posts[0]["id"]
    assert "author=urn%3Ali%3Aperson%3Aabc123" in fake_linkedin.requests_to(r"^/rest/posts$")[-1].raw_query


def test_confirm_says_no_when_nothing_was_posted(fake_linkedin, credentials):
    assert LinkedInPublisher().confirm(credentials, PublishRequest("post-6-li", "Never sent")) is None


def test_confirm_says_it_cannot_tell_without_permission_to_read_posts(fake_linkedin):
    token = fake_linkedin.issue_token(scopes=["openid", "profile", "w_member_social"])
    credentials = Credentials(access_token=token, account_id=fake_linkedin.authorize_as)

    with pytest.raises(PublishError) as unknown:
        LinkedInPublisher().confirm(credentials, PublishRequest("post-10-li", "Can't look"))

    assert unknown.value.kind == "unconfirmed" and unknown.value.code == "cannot_confirm"


def test_a_sunset_version_says_to_move_linkedin_version_on(fake_linkedin, credentials):
    with pytest.raises(PublishError) as sunset:
        LinkedInPublisher(version="202301").publish(credentials, PublishRequest("post-7-li", "Old"))

    assert sunset.value.code == "NONEXISTENT_VERSION"
    assert "LINKEDIN_VERSION" in sunset.value.message and "202301" in sunset.value.message
    assert not fake_linkedin.posts


def test_a_revoked_token_is_an_auth_failure(fake_linkedin, credentials):
    fake_linkedin.revoke(credentials.access_token)

    with pytest.raises(PublishError) as refused:
        LinkedInPublisher().publish(credentials, PublishRequest("post-8-li", "Revoked"))

    assert refused.value.kind == "auth"


def test_a_rate_limit_defers_until_retry_after(fake_linkedin, credentials):
    fake_linkedin.rate_limit(120)

    with pytest.raises(PublishError) as limited:
        LinkedInPublisher().publish(credentials, PublishRequest("post-9-li", "Busy"))

    assert limited.value.kind == "rate"
    assert 100 < (limited.value.retry_at - now()).total_seconds() <= 125
