"""A local fake of TikTok's Content Posting API (Direct Post of photos and videos) and Login Kit OAuth.

Every answer has TikTok's envelope {"data": {…}, "error": {"code": "ok" | …, "message", "log_id"}}. Endpoints:
POST /v2/post/publish/creator_info/query/ (privacy_level_options, comment/duet/stitch_disabled and
max_video_post_duration_sec — the `max_video_seconds` knob, 600 unless set; `audited` False still lists every level,
but posting anything but SELF_ONLY is refused with unaudited_client_can_only_post_to_private_accounts), POST
/v2/post/publish/content/init/ (DIRECT_POST PHOTO with PULL_FROM_URL: privacy level must be one of the options,
≤ 35 photo_images on a verified URL prefix, each fetched and JPEG/WebP, title ≤ 90, description ≤ 4000), POST
/v2/post/publish/video/init/ (PULL_FROM_URL only: privacy level as above, title — a video's caption — ≤ 2200,
video_url on a verified URL prefix, fetched and read as a transcoder does: not a video → file_format_check_failed,
under 3 s or over the creator's limit → duration_check_failed; answers a v_pub_url~ publish_id), POST
/v2/post/publish/status/fetch/ (PROCESSING_DOWNLOAD for `processing_polls` reads, then PUBLISH_COMPLETE; at once
when it is 0), POST /v2/video/list/ (needs the video.list scope; title and video_description cut at 150 characters
as TikTok documents, a video's caption under both). The fake refuses at init what TikTok may only report later as
a FAILED status. Tokens: 401 access_token_invalid. OAuth: GET /v2/auth/authorize/ (client_key), POST
/v2/oauth/token/ (authorization_code, refresh_token — the refresh token is returned unchanged unless
`return_refresh_token` is False). Counters are keyed by caption (a photo post's description, a video's title);
`posts` records each post with its `kind` ("photo" or "video").
"""

import secrets
import threading
import time

from tests.fakes.social import Answer, FakePlatform, Refusal, fetch, identify, main, probe_video

OPTIONS = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"]
LISTED_MAX = 150  # the Video Object's title and video_description


def _ok(data):
    return Answer(200, {"data": data, "error": {"code": "ok", "message": "", "log_id": secrets.token_hex(10)}})


def _refuse(status, code, message):
    return Refusal(status, {"data": {}, "error": {"code": code, "message": message, "log_id": secrets.token_hex(10)}})


class FakeTikTok(FakePlatform):
    name = "tiktok"
    token_lifetime = 86400
    routes = (
        ("GET", "/v2/auth/authorize/", "authorize"),
        ("POST", "/v2/oauth/token/", "token"),
        ("POST", "/v2/post/publish/creator_info/query/", "creator_info"),
        ("POST", "/v2/post/publish/content/init/", "content_init"),
        ("POST", "/v2/post/publish/video/init/", "video_init"),
        ("POST", "/v2/post/publish/status/fetch/", "status_fetch"),
        ("POST", "/v2/video/list/", "video_list"),
    )

    def __init__(self, *, audited=True, processing_polls=0, verified_prefixes=(), return_refresh_token=True, **kwargs):
        super().__init__(**kwargs)
        self.authorize_as = "open-id-000111"
        self.audited, self.processing_polls = audited, processing_polls
        self.verified_prefixes = list(verified_prefixes)
        self.return_refresh_token = return_refresh_token
        self.privacy_level_options = list(OPTIONS)
        self.max_video_seconds = 600  # creator_info's max_video_post_duration_sec
        self.publishes = {}  # publish_id → {status, reads, post, owner}
        self._id_lock = threading.Lock()
        self._count = 0

    def not_found(self, request):
        return {"data": {}, "error": {"code": "not_found", "message": request.path, "log_id": ""}}

    def creator(self, request):
        found, why = self.check_token(self.bearer(request))
        if found is None:
            raise _refuse(
                401, "access_token_invalid", f"The access token is invalid or not found in the request ({why})."
            )
        return found

    # OAuth.

    def authorize(self, request):
        if request.query.get("client_key") != self.client_id:
            raise Refusal(400, {"error": "invalid_client_key"})
        return self.new_code(request)

    def token(self, request):
        params = request.params
        if params.get("client_key") != self.client_id or params.get("client_secret") != self.client_secret:
            raise Refusal(
                400,
                {
                    "error": "invalid_client",
                    "error_description": "Client key or secret is incorrect.",
                    "log_id": secrets.token_hex(10),
                },
            )
        if params.get("grant_type") == "refresh_token":
            refresh = params.get("refresh_token", "")
            with self._lock:
                account = self.refresh_tokens.get(refresh)
            if account is None:
                raise Refusal(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "Refresh token is invalid or expired.",
                        "log_id": "",
                    },
                )
            scopes = "user.info.basic,video.publish,video.list"
        else:
            grant, why = self.redeem_code(request, client_id=self.client_id, verifier=params.get("code_verifier"))
            if grant is None:
                raise Refusal(400, {"error": "invalid_grant", "error_description": why, "log_id": ""})
            account, scopes, refresh = grant["account"], grant["scopes"], self.issue_refresh_token(grant["account"])
        answer = {
            "access_token": self.issue_token(account, scopes=scopes.split(",")),
            "expires_in": self.token_lifetime,
            "open_id": account,
            "refresh_expires_in": 31536000,
            "scope": scopes,
            "token_type": "Bearer",
        }
        if self.return_refresh_token or params.get("grant_type") != "refresh_token":
            answer["refresh_token"] = refresh
        return Answer(200, answer)

    # Posting.

    def creator_info(self, request):
        self.creator(request)
        return _ok(
            {
                "creator_avatar_url": "https://p16.tiktokcdn.com/avatar.jpeg",
                "creator_username": "postframe",
                "creator_nickname": "Postframe Demo",
                "privacy_level_options": self.privacy_level_options,
                "comment_disabled": False,
                "duet_disabled": False,
                "stitch_disabled": True,
                "max_video_post_duration_sec": self.max_video_seconds,
            }
        )

    def content_init(self, request):
        found = self.creator(request)
        body = request.json or {}
        info, source = body.get("post_info") or {}, body.get("source_info") or {}
        if body.get("media_type") != "PHOTO" or body.get("post_mode") not in ("DIRECT_POST", "MEDIA_UPLOAD"):
            raise _refuse(400, "invalid_params", "media_type must be PHOTO and post_mode DIRECT_POST or MEDIA_UPLOAD")
        privacy = self.privacy(info)
        if len(info.get("title", "")) > 90 or len(info.get("description", "")) > 4000:
            raise _refuse(400, "invalid_params", "title is limited to 90 and description to 4000 characters")
        images = source.get("photo_images") or []
        if source.get("source") != "PULL_FROM_URL" or not 1 <= len(images) <= 35:
            raise _refuse(400, "invalid_params", "photo_images takes 1 to 35 URLs with source PULL_FROM_URL")
        if not 0 <= int(source.get("photo_cover_index", 0)) < len(images):
            raise _refuse(400, "invalid_params", "photo_cover_index is out of range")
        for url in images:
            if identify(self.pull(url, "photo"))[0] not in ("JPEG", "WEBP"):
                raise _refuse(400, "file_format_check_failed", "Photos must be JPEG or WebP.")
        description = info.get("description", "")
        post = {"kind": "photo", "title": info.get("title", ""), "video_description": description}
        return self.accept(found, "p_pub_url", privacy, description, {**post, "photo_images": images})

    def video_init(self, request):
        found = self.creator(request)
        body = request.json or {}
        info, source = body.get("post_info") or {}, body.get("source_info") or {}
        privacy = self.privacy(info)
        title = info.get("title", "")
        if len(title.encode("utf-16-le")) // 2 > 2200:  # TikTok counts UTF-16 code units
            raise _refuse(400, "invalid_params", "title is limited to 2200 UTF-16 runes")
        if source.get("source") != "PULL_FROM_URL" or not source.get("video_url"):
            raise _refuse(400, "invalid_params", "this fake takes a video_url with source PULL_FROM_URL")
        container, _, _, duration_ms = probe_video(self.pull(source["video_url"], "video"))
        if container not in ("mp4", "matroska", "webm"):  # probe_video names MOV "mp4" and WebM "matroska"
            raise _refuse(400, "file_format_check_failed", "The file at video_url is not an MP4, MOV or WebM video.")
        if not 3000 <= duration_ms <= self.max_video_seconds * 1000:
            raise _refuse(
                400,
                "duration_check_failed",
                f"Videos run 3 s to max_video_post_duration_sec ({self.max_video_seconds} s): "
                f"this one is {duration_ms / 1000:.1f} s.",
            )
        post = {"kind": "video", "title": title, "video_description": title}
        extra = {"video_url": source["video_url"], "duration_ms": duration_ms}
        for interaction in ("comment", "duet", "stitch"):
            extra[f"disable_{interaction}"] = bool(info.get(f"disable_{interaction}"))
        return self.accept(found, "v_pub_url", privacy, title, {**post, **extra})

    def privacy(self, info):
        """The post's privacy level, refused as TikTok does when the creator or an unaudited app may not use it."""
        privacy = info.get("privacy_level")
        if privacy not in self.privacy_level_options:
            raise _refuse(
                400, "privacy_level_option_mismatch", "privacy_level is not one of the creator's privacy_level_options"
            )
        if not self.audited and privacy != "SELF_ONLY":
            raise _refuse(
                403,
                "unaudited_client_can_only_post_to_private_accounts",
                "Unaudited clients can only post to private accounts (SELF_ONLY).",
            )
        return privacy

    def pull(self, url, what):
        """PULL_FROM_URL: the bytes at `url`, which must be on a verified URL prefix."""
        if not any(url.startswith(prefix) for prefix in self.verified_prefixes):
            raise _refuse(
                403,
                "url_ownership_unverified",
                f"The URL prefix or domain of the {what} is not verified for this app.",
            )
        try:
            data, _ = fetch(url)
        except ValueError as error:
            raise _refuse(400, "invalid_params", f"{what} could not be downloaded: {error}") from None
        return data

    def accept(self, found, prefix, privacy, caption, post):
        """A post TikTok took: a publish_id that status/fetch follows, counted once under its caption."""
        if self.rate_limited():
            raise _refuse(429, "rate_limit_exceeded", "API rate limit was exceeded.")
        with self._id_lock:
            self._count += 1
            number = self._count
        publish_id = f"{prefix}~v2.{7_400_000_000_000_000_000 + number}"
        record = {
            "id": publish_id,
            "post_id": str(7_500_000_000_000_000_000 + number),
            "privacy_level": privacy,
            "owner": found.account,
            "create_time": int(time.time()),
            **post,
        }
        with self._lock:
            status = "PROCESSING_DOWNLOAD" if self.processing_polls else "PUBLISH_COMPLETE"
            self.publishes[publish_id] = {"status": status, "reads": 0, "post": record}
        self.count_published(caption, record)
        return Answer(
            200,
            {
                "data": {"publish_id": publish_id},
                "error": {"code": "ok", "message": "", "log_id": secrets.token_hex(10)},
            },
            lose=self.take_lost_answer(),
        )

    def status_fetch(self, request):
        self.creator(request)
        publish_id = (request.json or {}).get("publish_id", "")
        with self._lock:
            found = self.publishes.get(publish_id)
            if found is None:
                raise _refuse(400, "invalid_publish_id", "publish_id does not exist")
            found["reads"] += 1
            if found["status"] == "PROCESSING_DOWNLOAD" and found["reads"] > self.processing_polls:
                found["status"] = "PUBLISH_COMPLETE"
            status, post = found["status"], found["post"]
        data = {"status": status, "uploaded_bytes": 0}
        if status == "PUBLISH_COMPLETE":
            public = post["privacy_level"] == "PUBLIC_TO_EVERYONE"
            data["publicaly_available_post_id"] = [int(post["post_id"])] if public else []
        return _ok(data)

    def video_list(self, request):
        found = self.creator(request)
        if found.scopes and "video.list" not in found.scopes:
            raise _refuse(401, "scope_not_authorized", "The user did not authorize the scope required (video.list).")
        with self._lock:
            mine = [
                item["post"]
                for item in self.publishes.values()
                if item["post"]["owner"] == found.account and item["status"] == "PUBLISH_COMPLETE"
            ]
        count = int((request.json or {}).get("max_count", 20))
        mine.sort(key=lambda post: post["create_time"], reverse=True)
        videos = [
            {
                "id": post["post_id"],
                "title": post["title"][:LISTED_MAX],
                "video_description": post["video_description"][:LISTED_MAX],
                "create_time": post["create_time"],
                "share_url": f"https://www.tiktok.com/@postframe/{post['kind']}/{post['post_id']}",
            }
            for post in mine[:count]
        ]
        return _ok({"videos": videos, "cursor": 0, "has_more": False})


if __name__ == "__main__":
    main(FakeTikTok)
