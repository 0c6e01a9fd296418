"""TikTok (Content Posting API, Direct Post): a photo post of up to 35 JPEG/WebP images, or one MP4/MOV/WebM video
of 3 s to 10 min, pulled by TikTok from URLs on a domain verified in the TikTok developer portal.

publish(): POST /v2/post/publish/creator_info/query/ (the privacy levels this creator may use — the post's
options["privacy_level"] must be one of them, the composer shows them, see creator_info() — whether comments, duets
and stitches are off for this creator, and the longest video it may post), then the irreversible call:
- photos: POST /v2/post/publish/content/init/ (post_mode DIRECT_POST, media_type PHOTO, source_info PULL_FROM_URL
  with photo_images and photo_cover_index; the caption goes in description, up to 4,000 characters, and
  options["title"] in title, up to 90);
- a video: POST /v2/post/publish/video/init/ (source_info PULL_FROM_URL with video_url; the caption goes in title,
  which is a video's caption, up to 2,200 characters; options["title"] is not sent). A video longer than
  max_video_post_duration_sec is refused before this call.
Its publish_id goes to request.on_progress, then POST /v2/post/publish/status/fetch/ is polled a bounded number of
times: PUBLISH_COMPLETE → published, FAILED → kind "user" with TikTok's reason, still processing → kind
"unconfirmed" with publish_id in .partial, and confirm() asks status/fetch again later. Without a publish_id (the init
answer was lost) confirm() looks the post up in /v2/video/list/ by its caption (a photo post's video_description, a
video's video_description or title; TikTok lists both cut at 150 characters); without the video.list scope it
cannot tell and says so.

Apps TikTok has not audited may post only as SELF_ONLY: TikTok refuses anything else, and so does problems() when
options["audited"] is False.
"""

from django.conf import settings

from scheduling.publishers import checks, http
from scheduling.publishers.base import PlatformRules, PublishError, PublishResult

PLATFORM, LABEL = "tiktok", "TikTok"
RULES = PlatformRules(
    caption_max=4000,  # a photo post's description
    media_max=35,
    media_min=1,
    kinds=("image", "video"),
    image_formats=("jpeg", "webp"),
    max_bytes=20 * 1024 * 1024,
    video_formats=("mp4", "mov", "webm"),
    video_min_ms=3_000,
    video_max_ms=600_000,  # the most any creator gets; publish() checks this creator's own limit
    video_max_bytes=4 * 1024**3,
    video_caption_max=2200,  # a video's caption is its title
)
TITLE_MAX = 90
LISTED_MAX = 150  # /v2/video/list/ cuts title and video_description to this many characters
AUTH_CODES = {"access_token_invalid", "scope_not_authorized", "scope_permission_missed", "token_expired"}
RATE_CODES = {
    "rate_limit_exceeded",
    "spam_risk_too_many_posts",
    "spam_risk_too_many_pending_share",
    "reached_active_user_cap",
}
PROCESSING = {"PROCESSING_DOWNLOAD", "PROCESSING_UPLOAD", "SEND_TO_USER_INBOX"}
PRIVACY_WORDS = {
    "PUBLIC_TO_EVERYONE": "everyone",
    "MUTUAL_FOLLOW_FRIENDS": "friends",
    "FOLLOWER_OF_CREATOR": "followers",
    "SELF_ONLY": "only me",
}


class TikTokPublisher(http.OAuthPublisher):
    platform = PLATFORM
    label = LABEL
    rules = RULES

    def __init__(self, *, base_url=None, timeout=None, poller=None):
        self.base_url = (base_url or settings.TIKTOK_API_URL).rstrip("/")
        self.timeout, self.poller = timeout, poller

    def problems(self, request):
        video = _video(request)
        problems = checks.check(RULES, request, label=LABEL)
        counted = len(request.text.encode("utf-16-le")) // 2  # how TikTok counts a video's title
        if video and len(request.text) <= RULES.video_caption_max < counted:
            problems.append(
                checks.Problem(
                    f"TikTok counts an emoji as two characters, so this caption is {counted:,} of the "
                    f"{RULES.video_caption_max:,} a video takes."
                )
            )
        if video and (too_long := _too_long(video, request.options.get("max_video_post_duration_sec"))):
            problems.append(checks.Problem(too_long))
        title = request.options.get("title", "")
        if not video and len(title) > TITLE_MAX:
            problems.append(
                checks.Problem(f"TikTok takes titles up to {TITLE_MAX} characters: this one is {len(title)}.")
            )
        privacy = request.options.get("privacy_level")
        allowed = request.options.get("privacy_level_options")
        if not privacy:
            problems.append(checks.Problem("Choose who can see this TikTok post (TikTok requires a privacy level)."))
        elif allowed and privacy not in allowed:
            problems.append(checks.Problem(f"This TikTok account can post to: {_privacy_words(allowed)}."))
        elif request.options.get("audited") is False and privacy != "SELF_ONLY":
            problems.append(checks.Problem('TikTok has not audited this app yet, so it posts as "only me".'))
        return problems

    def creator_info(self, credentials):
        """The creator's name and the privacy levels it may post with (the composer offers exactly these)."""
        with self._client(credentials) as api:
            return self._call(api, "/v2/post/publish/creator_info/query/", {})

    def publish(self, credentials, request):
        with self._client(credentials) as api:
            if request.options.get("publish_id"):
                return self._wait(api, request.options["publish_id"])
            info = self._call(api, "/v2/post/publish/creator_info/query/", {})
            path, post = _video_post(info, request) if _video(request) else _photo_post(info, request)
            publish_id = self._call(api, path, post, irreversible=True)["publish_id"]
            http.report(request, {"publish_id": publish_id})
            return self._wait(api, publish_id)

    def confirm(self, credentials, request):
        with self._client(credentials) as api:
            publish_id = request.options.get("publish_id")
            if publish_id:
                status = self._status(api, publish_id)
                if status.get("status") == "PUBLISH_COMPLETE":
                    return _result(publish_id, status)
                if status.get("status") == "FAILED":
                    return None
                raise http.unconfirmed(PLATFORM, LABEL, "still processing", {"publish_id": publish_id})
            try:
                videos = self._call(
                    api, "/v2/video/list/?fields=id,title,video_description,create_time,share_url", {"max_count": 20}
                )
            except PublishError as error:
                if error.kind != "auth":
                    raise
                raise PublishError(
                    "TikTok cannot be asked whether this post went through (the channel lacks the "
                    "video.list permission): check the TikTok app before posting it again.",
                    kind="unconfirmed",
                    platform=PLATFORM,
                    code="cannot_confirm",
                ) from error
            # A video's caption went out as its title: TikTok may list it under either field.
            fields = ("video_description", "title") if _video(request) else ("video_description",)
            for video in videos.get("videos", []):
                if any(_same_caption(video.get(field) or "", request.text) for field in fields):
                    return PublishResult(remote_id=video["id"], url=video.get("share_url", ""), raw={"found": "list"})
            return None

    # Steps.

    def _headers(self):
        return {"Content-Type": "application/json; charset=UTF-8"}

    def _status(self, api, publish_id):
        return self._call(api, "/v2/post/publish/status/fetch/", {"publish_id": publish_id})

    def _wait(self, api, publish_id):
        partial = {"publish_id": publish_id}
        for _ in self.poller or http.Poller():
            status = self._status(api, publish_id)
            if status.get("status") == "PUBLISH_COMPLETE":
                return _result(publish_id, status)
            if status.get("status") == "FAILED":
                raise PublishError(
                    f"TikTok could not publish the post ({status.get('fail_reason') or 'no reason'}).",
                    kind="user",
                    platform=PLATFORM,
                    code=status.get("fail_reason"),
                    partial=partial,
                )
        raise http.unconfirmed(PLATFORM, LABEL, "still processing", partial)

    def _call(self, api, path, payload, *, irreversible=False):
        response = http.send(api, "POST", path, json=payload, platform=PLATFORM, label=LABEL, irreversible=irreversible)
        answer = http.body(response)
        error = answer.get("error") or {}
        code = error.get("code", "ok" if response.status_code < 400 else str(response.status_code))
        if response.status_code < 400 and code == "ok":
            return answer.get("data") or {}
        message = error.get("message") or f"HTTP {response.status_code}"
        if code in AUTH_CODES or response.status_code == 401:
            raise PublishError(
                f"TikTok no longer accepts this channel's sign-in ({message}). Reconnect the channel.",
                kind="auth",
                platform=PLATFORM,
                code=code,
            )
        if code in RATE_CODES or response.status_code == 429:
            until = http.retry_at(response, default_seconds=86400 if code.startswith("spam_risk") else 60)
            raise PublishError(
                f"TikTok is limiting posts for this account ({message}); the post waits until "
                f"{until:%Y-%m-%d %H:%M} UTC.",
                kind="rate",
                platform=PLATFORM,
                code=code,
                retry_at=until,
            )
        if response.status_code >= 500:
            raise http.server_error(response, platform=PLATFORM, label=LABEL, irreversible=irreversible)
        raise PublishError(f"TikTok refused the post: {message} ({code}).", kind="user", platform=PLATFORM, code=code)


def _video(request):
    """The post's video, or None for a photo post (a video goes alone: see checks._video_problems)."""
    return next((item for item in request.media if item.kind == "video"), None)


def _privacy(info, request):
    """The post's privacy level, refused before anything is sent when this creator may not use it."""
    allowed = info.get("privacy_level_options") or []
    privacy = request.options.get("privacy_level", "")
    if privacy not in allowed:
        raise PublishError(
            f"This TikTok account can post to: {_privacy_words(allowed)}; choose one of them.",
            kind="user",
            platform=PLATFORM,
            code="privacy_level_option_mismatch",
        )
    return privacy


def _privacy_words(allowed):
    return ", ".join(PRIVACY_WORDS.get(option, option) for option in allowed)


def _disabled(info, request, interaction):
    """Whether comments, duets or stitches go out turned off: the post may turn them off, and so may the creator,
    whose choice in TikTok's settings the post cannot turn back on."""
    return bool(request.options.get(f"disable_{interaction}")) or bool(info.get(f"{interaction}_disabled"))


def _photo_post(info, request):
    return "/v2/post/publish/content/init/", {
        "post_info": {
            "title": request.options.get("title", "")[:TITLE_MAX],
            "description": request.text,
            "privacy_level": _privacy(info, request),
            "disable_comment": _disabled(info, request, "comment"),
            "auto_add_music": bool(request.options.get("auto_add_music", True)),
        },
        "source_info": {
            "source": "PULL_FROM_URL",
            "photo_images": [item.url for item in request.media],
            "photo_cover_index": int(request.options.get("photo_cover_index", 0)),
        },
        "post_mode": "DIRECT_POST",
        "media_type": "PHOTO",
    }


def _video_post(info, request):
    privacy, video = _privacy(info, request), _video(request)
    if too_long := _too_long(video, info.get("max_video_post_duration_sec")):
        raise PublishError(too_long, kind="user", platform=PLATFORM, code="duration_check_failed")
    post_info = {
        "title": request.text,
        "privacy_level": privacy,
        "disable_comment": _disabled(info, request, "comment"),
        "disable_duet": _disabled(info, request, "duet"),
        "disable_stitch": _disabled(info, request, "stitch"),
    }
    if request.options.get("video_cover_timestamp_ms") is not None:
        post_info["video_cover_timestamp_ms"] = int(request.options["video_cover_timestamp_ms"])
    return "/v2/post/publish/video/init/", {
        "post_info": post_info,
        "source_info": {"source": "PULL_FROM_URL", "video_url": video.url},
    }


def _too_long(video, longest_seconds):
    """Why the video is longer than this creator may post (creator_info's max_video_post_duration_sec), or None."""
    longest = int(longest_seconds or 0)
    if longest and video.duration_ms > longest * 1000:
        return f"This TikTok account can post videos up to {longest} s: this one is {_seconds(video.duration_ms)} s."
    return None


def _seconds(ms):
    return f"{ms / 1000:.1f}".removesuffix(".0")


def _same_caption(listed, text):
    """Whether a caption /v2/video/list/ shows is this post's: it lists only the first LISTED_MAX characters."""
    shown, text = listed.strip(), text.strip()
    if not shown:
        return False
    return shown == text or (len(listed) >= LISTED_MAX and text.startswith(shown))


def _result(publish_id, status):
    ids = status.get("publicaly_available_post_id") or []  # sic: TikTok's spelling
    return PublishResult(remote_id=str(ids[0]) if ids else publish_id, raw={"publish_id": publish_id})
