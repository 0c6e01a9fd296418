"""The LinkedIn publisher with one video, against the fake Videos and Posts APIs over real HTTP: the file PUT in the
parts LinkedIn cuts it into, finalized with their ETags, polled until AVAILABLE and posted once; a deferred attempt
resumed from its video URN; and the rules the composer checks first."""

from datetime import timedelta
from urllib.parse import quote

import httpx
import pytest
from django.utils import timezone

from scheduling.publishers.base import Credentials, PublishError, PublishMedia, PublishRequest
from scheduling.publishers.http import now
from scheduling.publishers.linkedin import LinkedInPublisher
from tests.fakes.social import image_bytes, photo, video

pytestmark = pytest.mark.usefixtures("fast_publishing")


@pytest.fixture
def credentials(fake_linkedin):
    return Credentials(access_token=fake_linkedin.issue_token(), account_id=fake_linkedin.authorize_as)


def film(media_host, seconds=4.0, **options):
    """A real H.264 MP4 over LinkedIn's 75 KB floor: uncompressed sound makes a tiny clip ~96 KB a second."""
    return video(media_host, seconds=seconds, audio="pcm_s16le", **options)


def rest(fake, credentials, method, path, **kwargs):
    headers = {
        "Authorization": f"Bearer {credentials.access_token}",
        "LinkedIn-Version": "202611",
        "X-Restli-Protocol-Version": "2.0.0",
    }
    return httpx.request(method, f"{fake.url}{path}", headers=headers, **kwargs)


def initialize(fake, credentials, size, owner=None):
    request = {"owner": owner or credentials.account_id, "fileSizeBytes": size}
    return rest(
        fake, credentials, "POST", "/rest/videos?action=initializeUpload", json={"initializeUploadRequest": request}
    )


def test_a_video_goes_out_once_after_linkedin_has_processed_it(fake_linkedin, media_host, credentials):
    clip = film(media_host)
    reported = []
    request = PublishRequest("post-1-li", "A tour of the studio", (clip,), on_progress=reported.append)

    result = LinkedInPublisher().publish(credentials, request)

    init, finalize = fake_linkedin.requests_to(r"^/rest/videos$")
    assert (init.query["action"], finalize.query["action"]) == ("initializeUpload", "finalizeUpload")
    assert init.json == {
        "initializeUploadRequest": {
            "owner": "urn:li:person:abc123",
            "fileSizeBytes": len(clip.data),
            "uploadCaptions": False,
            "uploadThumbnail": False,
        }
    }
    (urn,) = [video["urn"] for video in fake_linkedin.videos.values()]
    (part,) = fake_linkedin.requests_to(r"^/dms-uploads/videos/")
    assert part.body == clip.data and part.headers["content-type"] == "application/octet-stream"
    (etag,) = next(iter(fake_linkedin.videos.values()))["etags"].values()
    assert finalize.json["finalizeUploadRequest"]["uploadedPartIds"] == [etag]
    # PROCESSING at the first read, AVAILABLE at the second; posted only then.
    assert [read.path for read in fake_linkedin.requests_to(r"^/rest/videos/")] == [
        f"/rest/videos/{quote(urn, safe='')}"
    ] * 2
    assert reported == [{"video_urn": urn}]
    (post,) = fake_linkedin.requests_to(r"^/rest/posts$")
    assert post.json["content"] == {"media": {"id": urn}}
    for sent in fake_linkedin.requests_to(r"^/rest/"):
        assert sent.headers["linkedin-version"] == "202611" and sent.headers["x-restli-protocol-version"] == "2.0.0"
    assert fake_linkedin.posts[0]["media_kinds"] == ["video"] and fake_linkedin.published["A tour of the studio"] == 1
    assert result.remote_id == fake_linkedin.posts[0]["id"]


def test_a_video_larger_than_a_part_is_put_in_4_mib_parts_finalized_in_order(fake_linkedin, media_host, credentials):
    clip = film(media_host, seconds=100, fps=1, width=64, height=48)  # about 9.6 MB: three parts
    request = PublishRequest("post-2-li", "The long cut", (clip,), options={"video_title": "Behind the scenes"})

    LinkedInPublisher().publish(credentials, request)

    parts = fake_linkedin.requests_to(r"^/dms-uploads/videos/")
    assert [len(part.body) for part in parts] == [4 * 1024 * 1024, 4 * 1024 * 1024, len(clip.data) - 8 * 1024 * 1024]
    assert b"".join(part.body for part in parts) == clip.data
    (video,) = fake_linkedin.videos.values()
    finalize = fake_linkedin.requests_to(r"^/rest/videos$")[1].json["finalizeUploadRequest"]
    assert finalize["uploadedPartIds"] == [video["etags"][index] for index in range(3)]
    assert finalize["uploadToken"] == video["token"]
    (post,) = fake_linkedin.requests_to(r"^/rest/posts$")
    assert post.json["content"]["media"] == {"id": video["urn"], "title": "Behind the scenes"}
    assert fake_linkedin.published["The long cut"] == 1


def test_a_video_still_processing_defers_and_resumes_without_a_second_upload(fake_linkedin, media_host, credentials):
    fake_linkedin.video_processing_polls = 10
    clip = film(media_host)
    reported = []
    request = PublishRequest("post-3-li", "Worth the wait", (clip,), on_progress=reported.append)

    with pytest.raises(PublishError) as deferred:
        LinkedInPublisher().publish(credentials, request)

    assert deferred.value.kind == "rate" and deferred.value.code == "media_processing"
    assert deferred.value.message == "LinkedIn is still processing the video; the post is retried in a minute."
    assert now() + timedelta(seconds=50) < deferred.value.retry_at < now() + timedelta(seconds=70)
    (video,) = fake_linkedin.videos.values()
    assert deferred.value.partial == {"video_urn": video["urn"]} and reported == [deferred.value.partial]
    assert len(fake_linkedin.requests_to(r"^/rest/videos/")) == 3  # the poller's attempts, then it gives up
    assert not fake_linkedin.requests_to(r"^/rest/posts$") and not fake_linkedin.published

    fake_linkedin.video_processing_polls = 4  # LinkedIn is done at the next read
    retry = PublishRequest("post-3-li", "Worth the wait", (clip,), options=dict(deferred.value.partial))
    LinkedInPublisher().publish(credentials, retry)

    assert len(fake_linkedin.videos) == 1 and len(fake_linkedin.requests_to(r"^/dms-uploads/videos/")) == 1
    (post,) = fake_linkedin.requests_to(r"^/rest/posts$")
    assert post.json["content"]["media"]["id"] == video["urn"]
    assert fake_linkedin.published["Worth the wait"] == 1


def test_a_video_urn_linkedin_does_not_know_is_uploaded_again(fake_linkedin, media_host, credentials):
    forgotten = {"video_urn": "urn:li:video:D4E0000000000000000"}
    retry = PublishRequest("post-4-li", "Second go", (film(media_host),), options=forgotten)

    LinkedInPublisher().publish(credentials, retry)

    (video,) = fake_linkedin.videos.values()
    (post,) = fake_linkedin.requests_to(r"^/rest/posts$")
    assert post.json["content"]["media"]["id"] == video["urn"] != forgotten["video_urn"]
    assert fake_linkedin.posts[0]["media_kinds"] == ["video"]


def test_a_video_linkedin_cannot_process_is_the_users_to_fix_and_nothing_is_posted(
    fake_linkedin, media_host, credentials
):
    short = film(media_host, seconds=2.0)
    unknown_length = PublishMedia(**{**short.__dict__, "duration_ms": 0})  # the composer could not tell

    with pytest.raises(PublishError) as refused:
        LinkedInPublisher().publish(credentials, PublishRequest("post-5-li", "Too quick", (unknown_length,)))

    assert refused.value.kind == "user" and refused.value.code == "video_failed"
    assert refused.value.message == (
        "LinkedIn could not process the video (The video is 2.0 seconds long; videos must be at least 3 seconds). "
        "LinkedIn takes MP4 videos of 3 s to 30 min: check that the file plays, then post it again."
    )
    assert next(iter(fake_linkedin.videos.values()))["status"] == "PROCESSING_FAILED"
    assert not fake_linkedin.requests_to(r"^/rest/posts$") and not fake_linkedin.published


def test_a_file_that_is_not_an_mp4_fails_processing(fake_linkedin, credentials):
    data = image_bytes(1600, 1600, "PNG") + bytes(80 * 1024)  # a picture padded past the 75 KB floor
    fake = PublishMedia(url="unused", kind="video", mime="video/mp4", size=len(data), data=data)

    with pytest.raises(PublishError) as refused:
        LinkedInPublisher().publish(credentials, PublishRequest("post-6-li", "Not a film", (fake,)))

    assert refused.value.kind == "user" and "(The file is not an MP4 video)" in refused.value.message
    assert not fake_linkedin.published


def test_a_video_urn_whose_processing_failed_is_not_reused(fake_linkedin, media_host, credentials):
    short = PublishMedia(**{**film(media_host, seconds=2.0).__dict__, "duration_ms": 0})
    with pytest.raises(PublishError) as failed:
        LinkedInPublisher().publish(credentials, PublishRequest("post-7-li", "Fixed", (short,)))
    (failed_urn,) = [video["urn"] for video in fake_linkedin.videos.values()]

    retry = PublishRequest("post-7-li", "Fixed", (film(media_host),), options={"video_urn": failed_urn})
    LinkedInPublisher().publish(credentials, retry)

    assert failed.value.kind == "user" and len(fake_linkedin.videos) == 2
    (post,) = fake_linkedin.requests_to(r"^/rest/posts$")
    assert post.json["content"]["media"]["id"] != failed_urn
    assert fake_linkedin.published["Fixed"] == 1


# What the fake refuses, as LinkedIn does.


def test_the_fake_refuses_a_video_size_outside_75_kb_to_500_mb_and_another_members_upload(fake_linkedin, credentials):
    too_small = initialize(fake_linkedin, credentials, 70 * 1024)
    too_large = initialize(fake_linkedin, credentials, 501 * 1024 * 1024)
    someone_else = initialize(fake_linkedin, credentials, 100 * 1024, owner="urn:li:person:other")
    page = initialize(fake_linkedin, credentials, 9 * 1024 * 1024, owner="urn:li:organization:42")

    assert too_small.status_code == too_large.status_code == 400
    assert too_small.json()["code"] == "ILLEGAL_ARGUMENT"
    assert someone_else.status_code == 403 and someone_else.json()["code"] == "ACCESS_DENIED"
    instructions = page.json()["value"]["uploadInstructions"]
    assert [(part["firstByte"], part["lastByte"]) for part in instructions] == [
        (0, 4194303),
        (4194304, 8388607),
        (8388608, 9 * 1024 * 1024 - 1),
    ]


def test_the_fake_refuses_a_wrong_part_size_and_etags_out_of_order_or_a_wrong_token(fake_linkedin, credentials):
    fake_linkedin.video_part_size = 64 * 1024
    data = bytes(100 * 1024)
    value = initialize(fake_linkedin, credentials, len(data)).json()["value"]
    first, second = value["uploadInstructions"]
    short = rest(fake_linkedin, credentials, "PUT", first["uploadUrl"].removeprefix(fake_linkedin.url), content=b"x")
    etags = [
        rest(
            fake_linkedin,
            credentials,
            "PUT",
            part["uploadUrl"].removeprefix(fake_linkedin.url),
            content=data[part["firstByte"] : part["lastByte"] + 1],
        ).headers["etag"]
        for part in (first, second)
    ]

    def finalize(token, part_ids):
        request = {"video": value["video"], "uploadToken": token, "uploadedPartIds": part_ids}
        return rest(
            fake_linkedin,
            credentials,
            "POST",
            "/rest/videos?action=finalizeUpload",
            json={"finalizeUploadRequest": request},
        )

    assert short.status_code == 400
    assert finalize(value["uploadToken"], etags[::-1]).status_code == 400
    assert finalize(value["uploadToken"], etags[:1]).json()["message"] == (
        "uploadedPartIds must list every part's ETag, in order"
    )
    assert finalize("not-the-token", etags).status_code == 400
    assert finalize(value["uploadToken"], etags).status_code == 200


def test_the_fake_refuses_a_post_of_a_video_it_has_not_processed(fake_linkedin, media_host, credentials):
    fake_linkedin.video_processing_polls = 10
    with pytest.raises(PublishError) as deferred:
        LinkedInPublisher().publish(credentials, PublishRequest("post-8-li", "Too soon", (film(media_host),)))
    post = {
        "author": credentials.account_id,
        "commentary": "Too soon",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED"},
        "lifecycleState": "PUBLISHED",
        "content": {"media": {"id": deferred.value.partial["video_urn"]}},
    }

    answer = rest(fake_linkedin, credentials, "POST", "/rest/posts", json=post)
    unencoded = rest(fake_linkedin, credentials, "GET", f"/rest/videos/{deferred.value.partial['video_urn']}")

    assert answer.status_code == 422 and answer.json()["message"] == "Media not found or upload not complete"
    assert unencoded.status_code == 400
    assert not fake_linkedin.published


# Through the dispatcher: what the post's channel row says, and the resumed attempt.


@pytest.mark.django_db
def test_a_library_video_still_processing_waits_and_then_goes_out_with_one_upload(team, member, fake_linkedin):
    from library.services import video_ingest
    from scheduling import dispatch
    from scheduling.models import PostTarget
    from tests.library.videos import clip
    from tests.scheduling.scheduled import due_post, target_of, token_channel

    fake_linkedin.video_processing_polls = 50
    data = clip(seconds=4, width=108, height=192, audio="aac")
    data += (100 * 1024).to_bytes(4, "big") + b"free" + bytes(100 * 1024 - 8)  # padding: over LinkedIn's 75 KB floor
    asset = video_ingest(team=team, user=member, data=data, filename="walkthrough.mp4")
    channel = token_channel(team, fake_linkedin, "linkedin")
    post = due_post(team, [channel], caption="Walk through the new studio", assets=[asset])
    target = target_of(post, channel)

    dispatch.target_publish(target_id=target.pk)
    target.refresh_from_db()

    assert target.status == PostTarget.Status.DEFERRED
    assert target.message.startswith("LinkedIn is still processing the media; trying again at ")
    assert not fake_linkedin.posts
    fake_linkedin.video_processing_polls = 0
    PostTarget.objects.filter(pk=target.pk).update(next_attempt_at=timezone.now())
    assert dispatch.dispatch_due() == 1
    dispatch.target_publish(target_id=target.pk)
    target.refresh_from_db()
    assert target.status == PostTarget.Status.PUBLISHED, target.message
    assert fake_linkedin.published["Walk through the new studio"] == 1
    assert fake_linkedin.posts[0]["media_kinds"] == ["video"]
    assert len(fake_linkedin.requests_to(r"^/dms-uploads/videos/")) == 1


# The rules the composer checks before saving.


def clip_of(seconds, mime="video/mp4", size=3_000_000):
    return PublishMedia(url="u", kind="video", mime=mime, size=size, duration_ms=round(seconds * 1000))


def jpeg():
    return PublishMedia(url="u", kind="image", mime="image/jpeg", width=1080, height=1080, size=500_000)


def pdf():
    return PublishMedia(url="u", kind="pdf", mime="application/pdf", size=1000, pages=4)


def problems(*media):
    return LinkedInPublisher().problems(PublishRequest("p", "Caption", media))


def test_the_composer_takes_one_mp4_of_3_s_to_30_min():
    assert problems(clip_of(3)) == [] and problems(clip_of(30 * 60)) == []
    assert problems(clip_of(2)) == ["LinkedIn takes videos from 3 s to 30 min: the video is 2 s."]
    assert problems(clip_of(31 * 60)) == ["LinkedIn takes videos from 3 s to 30 min: the video is 31 min."]
    assert problems(clip_of(4, "video/webm")) == ["LinkedIn takes MP4 videos: the video is WEBM."]
    assert problems(clip_of(4, "video/quicktime")) == ["LinkedIn takes MP4 videos: the video is MOV."]


def test_the_composer_takes_videos_of_75_kb_to_500_mb():
    assert problems(clip_of(4, size=75 * 1024)) == []
    assert problems(clip_of(4, size=40 * 1024)) == ["LinkedIn takes videos of 75 KB or more: the video is 40 KB."]
    assert problems(clip_of(4, size=600 * 1024 * 1024)) == [
        "LinkedIn takes videos up to 500.0 MB: the video is 600.0 MB."
    ]


def test_the_composer_keeps_a_video_alone_and_says_so_once():
    alone = (
        "LinkedIn posts a video on its own: this post has 2 items. Keep the video alone, or post the images without it."
    )
    assert problems(clip_of(4), jpeg()) == [alone]
    assert problems(clip_of(4), pdf()) == [alone]  # not a second message about images and PDFs
    assert problems(jpeg(), pdf()) == [
        "LinkedIn takes either images or one PDF document in a post, not both or several PDFs."
    ]
    assert problems(jpeg(), jpeg()) == [] and problems(pdf()) == []


def test_a_video_with_an_image_that_reaches_publish_is_refused_before_anything_is_uploaded(
    fake_linkedin, media_host, credentials
):
    request = PublishRequest("post-9-li", "Both", (film(media_host), photo(media_host)))

    with pytest.raises(PublishError) as refused:
        LinkedInPublisher().publish(credentials, request)

    assert refused.value.kind == "user" and refused.value.message.startswith("LinkedIn posts a video on its own")
    assert not fake_linkedin.requests and not fake_linkedin.published
