"""X (API v2): a post of up to 280 characters with up to four photos or one video.

Media go through the v2 media upload — POST /2/media/upload/initialize (media_category tweet_image, tweet_gif or
tweet_video), /2/media/upload/{id}/append (multipart, segment_index, 4 MiB a segment), /2/media/upload/{id}/finalize,
and GET /2/media/upload?command=STATUS while processing_info says so (bounded: still processing after the polls →
kind "rate", a minute later; "failed" → kind "user" with X's reason). A video is always processed: its media id is
reported (partial {"media_ids": [id]}) as soon as it is uploaded, and a deferred attempt resumes from
options["media_ids"] instead of uploading the file again, unless X has failed or forgotten it (media expire a day
after upload). POST /2/tweets with media.media_ids is the irreversible call (201). Identical text is refused (403
"duplicate content") → kind "duplicate"; confirm() reads GET /2/users/{id}/tweets and matches the text (X appends a
t.co link for media and escapes &, < and >).

The 280 limit is counted as X counts it (x_text.weighted_length: emoji and wide scripts weigh 2, a link 23), for
the caption and for the first comment.
"""

import html
import re

from django.conf import settings

from scheduling.publishers import checks, http
from scheduling.publishers.base import PlatformRules, PublishError, PublishResult
from scheduling.publishers.x_text import weighted_length

PLATFORM, LABEL = "x", "X"
RULES = PlatformRules(
    caption_max=280,
    length=weighted_length,
    length_note="X counts an emoji or a CJK character as 2 and a link as 23",
    media_max=4,
    kinds=("image", "video"),
    image_formats=("jpeg", "png", "webp", "gif"),
    max_bytes=5 * 1024 * 1024,
    comment_max=280,
    video_formats=("mp4", "mov"),
    video_min_ms=500,
    video_max_ms=140_000,  # 2 min 20 s: X's limit for videos uploaded through the API
    video_max_bytes=512 * 1024 * 1024,
)
CHUNK = 4 * 1024 * 1024  # X's append takes up to 5 MB a segment
# How the processing messages name what X is processing: (one that failed, all that are still processing).
PROCESSED = {"image": ("a photo", "the photos"), "video": ("the video", "the video")}
TRAILING_LINKS = re.compile(r"(\s*https://t\.co/\S+)+\s*$")


def same_text(published, wanted):
    return TRAILING_LINKS.sub("", html.unescape(published or "")).strip() == wanted.strip()


class XPublisher(http.OAuthPublisher):
    platform = PLATFORM
    label = LABEL
    rules = RULES

    def __init__(self, *, base_url=None, timeout=None, poller=None):
        self.base_url = (base_url or settings.X_API_URL).rstrip("/")
        self.timeout, self.poller = timeout, poller

    def problems(self, request):
        problems = checks.check(RULES, request, label=LABEL)
        if not request.text.strip() and not request.media:
            problems.append(checks.Problem("An X post needs text, a photo or a video."))
        return problems

    def publish(self, credentials, request):
        with self._client(credentials) as api:
            media_ids = [self._upload(api, request, item) for item in request.media]
            tweet = {"text": request.text}
            if media_ids:
                tweet["media"] = {"media_ids": media_ids}
            response = self._call(api, "POST", "/2/tweets", json=tweet, irreversible=True)
        tweet_id = http.body(response).get("data", {}).get("id", "")
        return PublishResult(remote_id=tweet_id, url=f"https://x.com/i/web/status/{tweet_id}", raw={})

    def confirm(self, credentials, request):
        params = {"max_results": 50, "tweet.fields": "created_at", "exclude": "replies,retweets"}
        with self._client(credentials) as api:
            answer = http.body(self._call(api, "GET", f"/2/users/{credentials.account_id}/tweets", params=params))
        for tweet in answer.get("data") or []:
            if same_text(tweet.get("text"), request.text):
                return PublishResult(
                    remote_id=tweet["id"], url=f"https://x.com/i/web/status/{tweet['id']}", raw={"found": "timeline"}
                )
        return None

    # The first comment is a reply to the post: POST /2/tweets with reply.in_reply_to_tweet_id; found again among the
    # account's recent posts by its text and the post it replies to.

    def comment(self, credentials, remote_id, text):
        with self._client(credentials) as api:
            reply = {"text": text, "reply": {"in_reply_to_tweet_id": remote_id}}
            response = self._call(api, "POST", "/2/tweets", json=reply, irreversible=True)
        tweet_id = http.body(response).get("data", {}).get("id", "")
        return PublishResult(remote_id=tweet_id, url=f"https://x.com/i/web/status/{tweet_id}")

    def find_comment(self, credentials, remote_id, text):
        params = {"max_results": 50, "tweet.fields": "created_at,referenced_tweets", "exclude": "retweets"}
        with self._client(credentials) as api:
            answer = http.body(self._call(api, "GET", f"/2/users/{credentials.account_id}/tweets", params=params))
        for tweet in answer.get("data") or []:
            replied = {ref.get("id") for ref in tweet.get("referenced_tweets") or [] if ref.get("type") == "replied_to"}
            if remote_id in replied and same_text(tweet.get("text"), text):
                return PublishResult(remote_id=tweet["id"], url=f"https://x.com/i/web/status/{tweet['id']}")
        return None

    # Steps.

    def _upload(self, api, request, media):
        if media.kind == "video":
            return self._upload_video(api, request, media)
        media_id, processing = self._send_file(
            api, media, category="tweet_gif" if media.mime == "image/gif" else "tweet_image"
        )
        if processing:
            self._wait(api, media_id, kind="image")
        if media.alt_text:
            self._call(
                api,
                "POST",
                "/2/media/metadata",
                json={"id": media_id, "metadata": {"alt_text": {"text": media.alt_text[:1000]}}},
            )
        return media_id

    def _upload_video(self, api, request, media):
        """The video's media id once X has processed it: the one a deferred attempt left, else a fresh upload."""
        earlier = (request.options.get("media_ids") or [""])[0]
        if earlier:
            try:
                self._wait(api, earlier, kind="video", partial={"media_ids": [earlier]})
                return earlier
            except PublishError as error:
                if error.kind != "user":  # still processing (rate), or X unreachable: not a reason to upload again
                    raise
                # X failed it or no longer knows it (expired): upload the file again.
        media_id, _ = self._send_file(api, media, category="tweet_video")
        partial = {"media_ids": [media_id]}
        http.report(request, partial)
        self._wait(api, media_id, kind="video", partial=partial)
        return media_id

    def _send_file(self, api, media, *, category):
        """INITIALIZE, APPEND in chunks, FINALIZE: (media id, the processing_info X answered, if any)."""
        data = http.fetch_media(media, platform=PLATFORM, label=LABEL)
        init = http.body(
            self._call(
                api,
                "POST",
                "/2/media/upload/initialize",
                json={"media_type": media.mime, "total_bytes": len(data), "media_category": category},
            )
        )
        media_id = init["data"]["id"]
        for index, start in enumerate(range(0, len(data), CHUNK)):
            self._call(
                api,
                "POST",
                f"/2/media/upload/{media_id}/append",
                data={"segment_index": str(index)},
                files={"media": ("blob", data[start : start + CHUNK], "application/octet-stream")},
            )
        final = http.body(self._call(api, "POST", f"/2/media/upload/{media_id}/finalize")).get("data", {})
        return media_id, final.get("processing_info")

    def _wait(self, api, media_id, *, kind, partial=None):
        failed_one, processing_all = PROCESSED[kind]
        for _ in self.poller or http.Poller():
            answer = http.body(
                self._call(api, "GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id})
            )
            info = answer.get("data", {}).get("processing_info") or {"state": "succeeded"}
            if info.get("state") == "succeeded":
                return
            if info.get("state") == "failed":
                error = info.get("error") or {}
                raise PublishError(
                    f"X could not process {failed_one}: {error.get('message') or 'no reason given'}.",
                    kind="user",
                    platform=PLATFORM,
                    code="media_failed",
                )
        raise http.still_processing(
            f"X is still processing {processing_all}; the post is retried in a minute.",
            platform=PLATFORM,
            partial=partial,
        )

    def _call(self, api, method, url, *, irreversible=False, **kwargs):
        response = http.send(api, method, url, platform=PLATFORM, label=LABEL, irreversible=irreversible, **kwargs)
        if response.status_code < 400:
            return response
        answer = http.body(response)
        detail = answer.get("detail") or answer.get("title") or f"HTTP {response.status_code}"
        errors = answer.get("errors") or []
        if errors and isinstance(errors[0], dict):
            detail = errors[0].get("message") or detail
        status = response.status_code
        if status == 401:
            raise PublishError(
                f"X no longer accepts this channel's sign-in ({detail}). Reconnect the channel.",
                kind="auth",
                platform=PLATFORM,
                code="401",
            )
        if status == 403 and "duplicate" in detail.lower():
            raise PublishError(
                "X already has a post with exactly this text; it is not posted twice.",
                kind="duplicate",
                platform=PLATFORM,
                code="duplicate_content",
            )
        if status == 429:
            raise http.rate_limited(
                response,
                platform=PLATFORM,
                default_seconds=900,
                saying=lambda until: f"X is limiting posts for this account; the post waits until {until:%H:%M} UTC.",
            )
        if status >= 500:
            raise http.server_error(response, platform=PLATFORM, label=LABEL, irreversible=irreversible)
        if status == 403:
            raise PublishError(
                f"X refused the post: {detail}",
                kind="auth" if "scope" in detail.lower() else "user",
                platform=PLATFORM,
                code="403",
            )
        raise PublishError(f"X refused the post: {detail}", kind="user", platform=PLATFORM, code=str(status))
