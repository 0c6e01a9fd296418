"""A local fake of the Instagram API with Instagram Login (graph.instagram.com and api.instagram.com's OAuth).

Content publishing: POST /{ig-user-id}/media (image_url fetched from the URL and checked: JPEG only, aspect
4:5–1.91:1, ≤ 8 MiB; is_carousel_item; media_type=CAROUSEL with 2–10 children; media_type=REELS with video_url
fetched and read as a video: MP4/MOV, 3 s–15 min, ≤ 300 MB), GET /{container}?fields=status_code (IN_PROGRESS for
`processing_polls` reads — `video_processing_polls` for a Reel — then FINISHED, or ERROR for a Reel when
`fail_video_processing`; PUBLISHED once published), POST /{ig-user-id}/media_publish
(creation_id; a container publishes once), GET /{ig-user-id}/content_publishing_limit, GET /{ig-user-id}/media,
GET /{media-id}?fields=permalink. Tokens as a Bearer header or access_token parameter; a bad one answers Meta's
OAuthException code 190. OAuth: GET /oauth/authorize, POST /oauth/access_token (short-lived token),
GET /access_token?grant_type=ig_exchange_token (long-lived), GET /refresh_access_token?grant_type=ig_refresh_token.
Counters are keyed by caption. An optional /vNN.N prefix is accepted on Graph paths.
"""

import secrets
import threading
import time
from datetime import UTC, datetime

from tests.fakes.social import Answer, FakePlatform, Refusal, fetch, identify, main, probe_video

MAX_BYTES = 8 * 1024 * 1024
MAX_VIDEO_BYTES = 300 * 1024 * 1024


def _error(message, code, subcode=None, *, status=400, kind="OAuthException", transient=False):
    error = {"message": message, "type": kind, "code": code, "fbtrace_id": secrets.token_hex(8)}
    if subcode:
        error |= {"error_subcode": subcode, "error_user_msg": message}
    if transient:
        error["is_transient"] = True
    return Refusal(status, {"error": error})


class FakeInstagram(FakePlatform):
    name = "instagram"
    V = r"(?:/v\d+\.\d+)?"
    routes = (
        ("GET", "/oauth/authorize", "authorize"),
        ("POST", "/oauth/access_token", "token"),
        ("GET", "/access_token", "long_lived"),
        ("GET", "/refresh_access_token", "refresh"),
        ("GET", V + r"/me", "me"),
        ("POST", V + r"/(\d+)/media", "create_container"),
        ("POST", V + r"/(\d+)/media_publish", "media_publish"),
        ("GET", V + r"/(\d+)/content_publishing_limit", "publishing_limit"),
        ("GET", V + r"/(\d+)/media", "list_media"),
        ("POST", V + r"/(\d+)/comments", "create_comment"),
        ("GET", V + r"/(\d+)/comments", "list_comments"),
        ("GET", V + r"/(\w+)", "read_object"),
    )

    def __init__(self, *, processing_polls=0, video_processing_polls=2, quota_total=100, fetch_media=True, **kwargs):
        super().__init__(**kwargs)
        self.authorize_as = "17841400000000001"
        self.processing_polls, self.quota_total, self.fetch_media = processing_polls, quota_total, fetch_media
        self.video_processing_polls, self.fail_video_processing = video_processing_polls, False
        self.containers = {}  # id → {owner, params, children, status, reads, media_id}
        self.media = {}  # media id → {id, caption, timestamp, owner, permalink}
        self._ids = iter(range(18000000000000000, 19000000000000000))
        self._id_lock = threading.Lock()

    def next_id(self):
        with self._id_lock:
            return str(next(self._ids))

    def expire_container(self, container_id):
        """Containers Instagram did not publish within 24 hours expire."""
        with self._lock:
            self.containers[container_id]["status"] = "EXPIRED"

    # Auth.

    def account(self, request, user=None):
        token = self.bearer(request) or request.params.get("access_token", "")
        found, why = self.check_token(token)
        if found is None:
            subcode = {"expired": 463, "revoked": 460}.get(why)
            raise _error(
                f"Error validating access token: the session is {why or 'invalid'}.",
                190,
                subcode,
                status=400 if why == "missing" else 401,
            )
        if user and user != found.account:
            raise _error("Unsupported request - method type: post", 100, 33)
        return found

    def authorize(self, request):
        return self.new_code(request)

    def token(self, request):
        params = request.params
        if params.get("client_secret") != self.client_secret:
            raise Refusal(400, {"error_type": "OAuthException", "code": 400, "error_message": "Invalid client secret"})
        grant, why = self.redeem_code(request, client_id=self.client_id)
        if grant is None:
            raise Refusal(400, {"error_type": "OAuthException", "code": 400, "error_message": why})
        token = self.issue_token(grant["account"], lifetime=3600)
        return Answer(
            200, {"data": [{"access_token": token, "user_id": grant["account"], "permissions": grant["scopes"]}]}
        )

    def long_lived(self, request):
        params = request.params
        if params.get("grant_type") != "ig_exchange_token" or params.get("client_secret") != self.client_secret:
            raise _error("Invalid grant_type or client_secret", 100)
        found = self.account(request)
        return Answer(
            200,
            {
                "access_token": self.issue_token(found.account),
                "token_type": "bearer",
                "expires_in": self.token_lifetime,
            },
        )

    def refresh(self, request):
        if request.params.get("grant_type") != "ig_refresh_token":
            raise _error("Invalid grant_type", 100)
        found = self.account(request)
        return Answer(
            200,
            {
                "access_token": self.issue_token(found.account),
                "token_type": "bearer",
                "expires_in": self.token_lifetime,
            },
        )

    def me(self, request):
        found = self.account(request)
        return Answer(200, {"user_id": found.account, "username": "postframe_demo", "id": found.account})

    # Publishing.

    def create_container(self, request, user):
        self.account(request, user)
        params = request.params
        if params.get("media_type") == "CAROUSEL":
            children = [child for child in params.get("children", "").split(",") if child]
            if not 2 <= len(children) <= 10:
                raise _error("The carousel must have between 2 and 10 children.", 100, 2207021)
            with self._lock:
                unknown = [
                    child
                    for child in children
                    if child not in self.containers or not self.containers[child]["params"].get("is_carousel_item")
                ]
            if unknown:
                raise _error(f"Invalid children: {', '.join(unknown)}", 100, 2207002)
            return self._container(user, params, children)
        if params.get("media_type") == "REELS":
            return self._reel(user, params)
        if params.get("media_type") not in (None, "IMAGE"):
            raise _error(f"The media_type {params['media_type']} is not supported here.", 100, 2207023)
        if not params.get("image_url"):
            raise _error("The parameter image_url is required.", 100)
        if self.fetch_media:
            self._check_image(params["image_url"])
        if params.get("caption") and len(params["caption"]) > 2200:
            raise _error("The caption is too long.", 100, 2207010)
        return self._container(user, params, [])

    def _reel(self, user, params):
        """media_type=REELS: one video at video_url, never a carousel item; Meta fetches and reads it."""
        if not params.get("video_url") or params.get("image_url"):
            raise _error("A Reel takes video_url (and no image_url).", 100, 2207023)
        if params.get("is_carousel_item"):
            raise _error("Reels cannot be carousel items.", 100, 2207023)
        if params.get("caption") and len(params["caption"]) > 2200:
            raise _error("The caption is too long.", 100, 2207010)
        if self.fetch_media:
            try:
                data, _ = fetch(params["video_url"])
            except ValueError:
                raise _error(
                    "Media download has failed. The media URI doesn't meet our requirements.", 9004, 2207052
                ) from None
            container, _, _, duration_ms = probe_video(data)
            if container != "mp4":
                raise _error("The video format is not supported. Use MOV or MP4.", 2207026, 2207026)
            if len(data) > MAX_VIDEO_BYTES:
                raise _error("The video file is too large.", 9004, 2207004)
            if not 3_000 <= duration_ms <= 15 * 60_000:
                raise _error("The video duration is not supported: 3 seconds to 15 minutes.", 9004, 2207017)
        return self._container(user, params, [])

    def _check_image(self, url):
        try:
            data, _ = fetch(url)
        except ValueError:
            raise _error(
                "Media download has failed. The media URI doesn't meet our requirements.", 9004, 2207052
            ) from None
        fmt, width, height = identify(data)
        if fmt != "JPEG":
            raise _error("The image format is not supported. Only JPEG images are accepted.", 9004, 2207026)
        if len(data) > MAX_BYTES:
            raise _error("The image is larger than 8 MB.", 9004, 2207004)
        if not 0.8 - 0.001 <= width / height <= 1.91 + 0.001:
            raise _error("The aspect ratio is not supported.", 36003, 2207009)

    def _container(self, user, params, children):
        container = self.next_id()
        with self._lock:
            self.containers[container] = {
                "owner": user,
                "params": dict(params),
                "children": children,
                "status": "IN_PROGRESS",
                "reads": 0,
                "media_id": None,
            }
        return Answer(200, {"id": container})

    def read_object(self, request, object_id):
        self.account(request)
        with self._lock:
            container = self.containers.get(object_id)
            media = self.media.get(object_id)
            if container is not None:
                container["reads"] += 1
                reel = container["params"].get("media_type") == "REELS"
                polls = self.video_processing_polls if reel else self.processing_polls
                if container["status"] == "IN_PROGRESS" and container["reads"] > polls:
                    container["status"] = "ERROR" if reel and self.fail_video_processing else "FINISHED"
                if container["status"] == "ERROR":
                    return Answer(
                        200,
                        {
                            "id": object_id,
                            "status_code": "ERROR",
                            "status": "Error: 2207076: The video could not be processed.",
                        },
                    )
                return Answer(200, {"id": object_id, "status_code": container["status"]})
        if media is not None:
            return Answer(200, {"id": object_id, "permalink": media["permalink"]})
        raise _error(f"Unsupported get request. Object with ID '{object_id}' does not exist.", 100, 33)

    def publishing_limit(self, request, user):
        self.account(request, user)
        day_ago = time.time() - 86400
        with self._lock:
            used = sum(1 for media in self.media.values() if media["owner"] == user and media["at"] > day_ago)
        return Answer(
            200, {"data": [{"quota_usage": used, "config": {"quota_total": self.quota_total, "quota_duration": 86400}}]}
        )

    def media_publish(self, request, user):
        self.account(request, user)
        if self.rate_limited():
            raise _error("Application request limit reached", 4, status=400, transient=True)
        creation_id = request.params.get("creation_id", "")
        with self._lock:
            container = self.containers.get(creation_id)
            if container is None or container["owner"] != user:
                raise _error(f"Invalid creation_id {creation_id}", 100, 2207006)
            if container["status"] == "PUBLISHED":
                raise _error("The media has already been published.", 9004, 2207008)
            if container["status"] != "FINISHED":
                raise _error("The media is not ready for publishing, please wait for a moment.", 9007, 2207027)
            used = sum(
                1 for media in self.media.values() if media["owner"] == user and media["at"] > time.time() - 86400
            )
            if used >= self.quota_total:
                raise _error("You reached maximum number of posts that is allowed to be published.", 9, 2207042)
            media_id = self.next_id()
            caption = container["params"].get("caption", "")
            container["status"], container["media_id"] = "PUBLISHED", media_id
            record = {
                "id": media_id,
                "caption": caption,
                "owner": user,
                "at": time.time(),
                "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
                "permalink": f"https://www.instagram.com/p/{secrets.token_urlsafe(8)}/",
                "children": container["children"],
                "media_type": _media_type(container["params"]),
                "media_product_type": "REELS" if container["params"].get("media_type") == "REELS" else "FEED",
            }
            self.media[media_id] = record
        self.count_published(caption, record)
        return Answer(200, {"id": media_id}, lose=self.take_lost_answer())

    def create_comment(self, request, media_id):
        """POST /{ig-media-id}/comments with `message`: a comment as the account that owns the token."""
        found = self.account(request)
        message = request.params.get("message", "")
        with self._lock:
            media = self.media.get(media_id)
        if media is None:
            raise _error(f"Unsupported post request. Object with ID '{media_id}' does not exist.", 100, 33)
        if not message.strip():
            raise _error("(#100) The parameter message is required", 100)
        if len(message) > 2200:
            raise _error("(#100) The comment is too long.", 100)
        if self.rate_limited():
            raise _error("Application request limit reached", 4, status=400, transient=True)
        with self._lock:
            comment = {"id": self.next_id(), "text": message, "from": found.account, "timestamp": media["timestamp"]}
            media.setdefault("comments", []).append(comment)
        self.count_comment(message)
        return Answer(200, {"id": comment["id"]}, lose=self.take_lost_answer())

    def list_comments(self, request, media_id):
        self.account(request)
        with self._lock:
            media = self.media.get(media_id)
            comments = list((media or {}).get("comments", []))
        if media is None:
            raise _error(f"Unsupported get request. Object with ID '{media_id}' does not exist.", 100, 33)
        shown = [{"id": c["id"], "text": c["text"], "timestamp": c["timestamp"]} for c in comments]
        return Answer(200, {"data": shown})

    def list_media(self, request, user):
        self.account(request, user)
        limit = int(request.params.get("limit", 25))
        with self._lock:
            mine = [media for media in self.media.values() if media["owner"] == user]
        mine.sort(key=lambda media: media["at"], reverse=True)
        fields = [name for name in request.params.get("fields", "id").split(",") if name]
        return Answer(
            200, {"data": [{name: media.get(name) for name in fields if name in media} for media in mine[:limit]]}
        )


def _media_type(params):
    """What GET /{ig-user-id}/media says a published container became: a Reel reads as VIDEO."""
    kind = params.get("media_type")
    return {"REELS": "VIDEO", "CAROUSEL": "CAROUSEL_ALBUM"}.get(kind, "IMAGE")


if __name__ == "__main__":
    main(FakeInstagram)
