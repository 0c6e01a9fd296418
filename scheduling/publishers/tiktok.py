"""TikTok (Content Posting API): a photo post of up to 35 JPEG/WebP images, pulled by TikTok from URLs on a
domain verified in the TikTok developer portal.

publish(): POST /v2/post/publish/creator_info/query/ (the privacy levels this creator may use; the post's
options["privacy_level"] must be one of them — the composer shows them, see creator_info()), then
POST /v2/post/publish/content/init/ (post_mode DIRECT_POST, media_type PHOTO, source_info PULL_FROM_URL with
photo_images and photo_cover_index): the irreversible call. Its publish_id goes to request.on_progress, then
POST /v2/post/publish/status/fetch/ is polled a bounded number of times: PUBLISH_COMPLETE → published, FAILED →
kind "user" with TikTok's reason, still processing → kind "unconfirmed" with publish_id in .partial, and confirm()
asks status/fetch again later. Without a publish_id (the init answer was lost) confirm() looks the post up in
/v2/video/list/ by its description; without the video.list scope it cannot tell and says so.

Apps TikTok has not audited may post only as SELF_ONLY: TikTok refuses anything else, and so does problems() when
options["audited"] is False.
"""

from django.conf import settings

from scheduling.publishers import checks, http
from scheduling.publishers.base import PlatformRules, PublishError, PublishResult

PLATFORM, LABEL = "tiktok", "TikTok"
RULES = PlatformRules(
    caption_max=4000,
    media_max=35,
    media_min=1,
    kinds=("image",),
    image_formats=("jpeg", "webp"),
    max_bytes=20 * 1024 * 1024,
)
TITLE_MAX = 90
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
        problems = checks.check(RULES, request, label=LABEL)
        title = request.options.get("title", "")
        if len(title) > TITLE_MAX:
            problems.append(
                checks.Problem(f"TikTok takes titles up to {TITLE_MAX} characters: this one is {len(title)}.")
            )
        privacy = request.options.get("privacy_level")
        allowed = request.options.get("privacy_level_options")
        if not privacy:
            problems.append(checks.Problem("Choose who can see this TikTok post (TikTok requires a privacy level)."))
        elif allowed and privacy not in allowed:
            words = ", ".join(PRIVACY_WORDS.get(option, option) for option in allowed)
            problems.append(checks.Problem(f"This TikTok account can post to: {words}."))
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
            allowed = info.get("privacy_level_options") or []
            privacy = request.options.get("privacy_level", "")
            if privacy not in allowed:
                words = ", ".join(PRIVACY_WORDS.get(option, option) for option in allowed)
                raise PublishError(
                    f"This TikTok account can post to: {words}; choose one of them.",
                    kind="user",
                    platform=PLATFORM,
                    code="privacy_level_option_mismatch",
                )
            post = {
                "post_info": {
                    "title": request.options.get("title", "")[:TITLE_MAX],
                    "description": request.text,
                    "privacy_level": privacy,
                    "disable_comment": bool(request.options.get("disable_comment", info.get("comment_disabled"))),
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
            publish_id = self._call(api, "/v2/post/publish/content/init/", post, irreversible=True)["publish_id"]
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
            for video in videos.get("videos", []):
                if (video.get("video_description") or "").strip() == request.text.strip():
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


def _result(publish_id, status):
    ids = status.get("publicaly_available_post_id") or []  # sic: TikTok's spelling
    return PublishResult(remote_id=str(ids[0]) if ids else publish_id, raw={"publish_id": publish_id})
