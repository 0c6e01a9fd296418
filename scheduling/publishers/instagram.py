"""Instagram (Instagram API with Instagram Login, graph.instagram.com): a photo, a carousel of up to ten JPEGs, or
one video as a Reel (media_type=REELS with video_url, shared to the feed).

publish(): read content_publishing_limit (quota used up → "rate" until the 24-hour window has passed), make the
container(s) — POST /{ig-user-id}/media with image_url (Meta fetches it from Postframe's signed URL), caption and
alt_text, or media_type=REELS with video_url; carousel items with is_carousel_item, then media_type=CAROUSEL with
children — report the container id through request.on_progress (and PublishError.partial), poll
GET /{container}?fields=status_code a bounded number of times (a Reel usually needs a deferral or two), then
POST /{ig-user-id}/media_publish with creation_id: the one irreversible call.

A used-up publishing limit defers the post until the oldest post inside the rolling 24 hours leaves it (read from
GET /{ig-user-id}/media), or a full day when the list cannot tell.

A container still IN_PROGRESS after the polls raises kind="rate" (code "container_in_progress") with retry_at a
minute away and the container id in .partial: the dispatcher defers the post, and the next publish() with
options["container_id"] resumes at the status poll instead of making a second container (a fresh one only if that
container expired unpublished).

Instagram takes no client id, so confirm() asks the container (options["container_id"]): status PUBLISHED means it
went through, and the media is found in GET /{ig-user-id}/media by caption; any other status means it surely did
not. Without a container id it matches the caption among media published since options["attempted_at"].
"""

from datetime import datetime, timedelta

from django.conf import settings

from scheduling.publishers import checks, http
from scheduling.publishers.base import PlatformRules, PublishError, PublishResult

PLATFORM, LABEL = "instagram", "Instagram"
RULES = PlatformRules(
    caption_max=2200,
    media_max=10,
    media_min=1,
    kinds=("image", "video"),
    image_formats=("jpeg",),
    min_aspect=4 / 5,
    max_aspect=1.91,
    max_bytes=8 * 1024 * 1024,
    comment_max=2200,
    # Reels: MP4 or MOV, 3 seconds to 15 minutes, up to 300 MB; any aspect (9:16 fills the screen).
    video_formats=("mp4", "mov"),
    video_min_ms=3_000,
    video_max_ms=15 * 60_000,
    video_max_bytes=300 * 1024 * 1024,
)
AUTH_CODES = {190, 102, 463, 467}
RATE_CODES = {4, 17, 32, 613, 80002}
PUBLISHING_LIMIT_SUBCODE = 2207042


class InstagramPublisher(http.OAuthPublisher):
    platform = PLATFORM
    label = LABEL
    rules = RULES

    def __init__(self, *, base_url=None, timeout=None, poller=None):
        self.base_url = (base_url or settings.INSTAGRAM_API_URL).rstrip("/")
        self.timeout, self.poller = timeout, poller

    def problems(self, request):
        problems = checks.check(RULES, request, label=LABEL)
        hashtags = sum(1 for word in request.text.split() if word.startswith("#"))
        if hashtags > 30:
            problems.append(checks.Problem(f"Instagram takes up to 30 hashtags: this caption has {hashtags}."))
        mentions = sum(1 for word in request.text.split() if word.startswith("@"))
        if mentions > 20:
            problems.append(checks.Problem(f"Instagram takes up to 20 @mentions: this caption has {mentions}."))
        return problems

    # Publishing.

    def publish(self, credentials, request):
        user = credentials.account_id
        with self._client(credentials) as api:
            self._check_quota(api, user)
            container = request.options.get("container_id") or self._make_container(api, user, request)
            partial = {"container_id": container}
            http.report(request, partial)
            try:
                status = self._wait(api, container, partial)
            except PublishError as error:
                if error.code != "EXPIRED" or not request.options.get("container_id"):
                    raise
                # A container from a deferred attempt expired (they live 24 hours) unpublished: make a fresh one.
                container = self._make_container(api, user, request)
                partial = {"container_id": container}
                http.report(request, partial)
                status = self._wait(api, container, partial)
            if status == "PUBLISHED":  # an earlier attempt published it after all
                found = self._find(api, user, request)
                if found:
                    return found
            response = self._call(
                api,
                "POST",
                f"/{user}/media_publish",
                data={"creation_id": container},
                irreversible=True,
                partial=partial,
            )
            media_id = http.body(response).get("id", "")
            return PublishResult(remote_id=media_id, url=self._permalink(api, media_id), raw=partial)

    def confirm(self, credentials, request):
        user, container = credentials.account_id, request.options.get("container_id")
        with self._client(credentials) as api:
            if container:
                status = http.body(self._call(api, "GET", f"/{container}", params={"fields": "status_code"}))
                if status.get("status_code") != "PUBLISHED":
                    return None
                return self._find(api, user, request) or PublishResult(
                    remote_id="", raw={"container_id": container, "status_code": "PUBLISHED"}
                )
            return self._find(api, user, request)

    # The first comment: POST /{ig-media-id}/comments with message; read back from GET /{ig-media-id}/comments.

    def comment(self, credentials, remote_id, text):
        with self._client(credentials) as api:
            response = self._call(api, "POST", f"/{remote_id}/comments", data={"message": text}, irreversible=True)
        return PublishResult(remote_id=http.body(response).get("id", ""))

    def find_comment(self, credentials, remote_id, text):
        with self._client(credentials) as api:
            answer = http.body(self._call(api, "GET", f"/{remote_id}/comments", params={"fields": "id,text"}))
        for comment in answer.get("data") or []:
            if (comment.get("text") or "").strip() == text.strip():
                return PublishResult(remote_id=comment.get("id", ""), raw={"found": "comments"})
        return None

    # Steps.

    def _check_quota(self, api, user):
        answer = http.body(
            self._call(api, "GET", f"/{user}/content_publishing_limit", params={"fields": "quota_usage,config"})
        )
        rows = answer.get("data") or [{}]
        usage, config = rows[0].get("quota_usage", 0), rows[0].get("config") or {}
        total, window = config.get("quota_total"), config.get("quota_duration", 86400)
        if total is not None and usage >= total:
            until = self._window_frees(api, user, total, window) or http.now() + timedelta(seconds=window)
            raise PublishError(
                f"Instagram's publishing limit ({total} posts in 24 hours) is used up for this account; the post "
                f"waits until {until:%Y-%m-%d %H:%M} UTC.",
                kind="rate",
                platform=PLATFORM,
                code="content_publishing_limit",
                retry_at=until,
            )

    def _window_frees(self, api, user, total, window):
        """When the rolling window lets one more post through: the oldest of the `total` posts inside it leaves the
        window `window` seconds after it was published (a minute's margin). None when the media list cannot tell."""
        if total < 1:
            return None
        answer = http.body(self._call(api, "GET", f"/{user}/media", params={"fields": "id,timestamp", "limit": total}))
        start = http.now() - timedelta(seconds=window)
        stamps = []
        for media in answer.get("data") or []:
            try:
                stamps.append(_when(media["timestamp"]))
            except (KeyError, TypeError, ValueError):
                continue
        inside = sorted((stamp for stamp in stamps if stamp > start), reverse=True)
        if len(inside) < total:
            return None
        return inside[total - 1] + timedelta(seconds=window, minutes=1)

    def _make_container(self, api, user, request):
        media = list(request.media)
        if len(media) == 1 and media[0].kind == "video":
            reel = {"media_type": "REELS", "video_url": media[0].url, "caption": request.text, "share_to_feed": "true"}
            return self._container(api, user, reel)
        if len(media) == 1:
            return self._container(api, user, _image(media[0], caption=request.text))
        children = [self._container(api, user, {**_image(item), "is_carousel_item": "true"}) for item in media]
        return self._container(
            api, user, {"media_type": "CAROUSEL", "children": ",".join(children), "caption": request.text}
        )

    def _container(self, api, user, params):
        return http.body(self._call(api, "POST", f"/{user}/media", data=params))["id"]

    def _wait(self, api, container, partial):
        status = ""
        for _ in self.poller or http.Poller():
            answer = http.body(self._call(api, "GET", f"/{container}", params={"fields": "status_code,status"}))
            status = answer.get("status_code", "")
            if status in ("FINISHED", "PUBLISHED"):
                return status
            if status in ("ERROR", "EXPIRED"):
                raise PublishError(
                    f"Instagram could not prepare the post ({status.lower()}: {answer.get('status') or 'no reason'}"
                    "). Check the media and schedule it again.",
                    kind="user",
                    platform=PLATFORM,
                    code=status,
                )
        raise http.still_processing(
            "Instagram is still preparing the media; the post is retried in a minute without starting over.",
            platform=PLATFORM,
            code="container_in_progress",
            partial=partial,
        )

    def _find(self, api, user, request):
        answer = http.body(
            self._call(api, "GET", f"/{user}/media", params={"fields": "id,caption,timestamp,permalink", "limit": 50})
        )
        since = request.options.get("attempted_at")
        since = datetime.fromisoformat(since) - timedelta(minutes=5) if since else None
        for media in answer.get("data", []):
            if (media.get("caption") or "").strip() != request.text.strip():
                continue
            if since and media.get("timestamp") and _when(media["timestamp"]) < since:
                continue
            return PublishResult(remote_id=media["id"], url=media.get("permalink", ""), raw={"found": "media"})
        return None

    def _permalink(self, api, media_id):
        """The post's URL; a failure here never turns a published post into a failed one."""
        try:
            return http.body(self._call(api, "GET", f"/{media_id}", params={"fields": "permalink"})).get(
                "permalink", ""
            )
        except PublishError:
            return ""

    def _call(self, api, method, path, *, irreversible=False, partial=None, **kwargs):
        response = http.send(
            api, method, path, platform=PLATFORM, label=LABEL, irreversible=irreversible, partial=partial, **kwargs
        )
        if response.status_code < 400:
            return response
        error = http.body(response).get("error") or {}
        code, subcode = error.get("code"), error.get("error_subcode")
        message = error.get("error_user_msg") or error.get("message") or f"HTTP {response.status_code}"
        if code in AUTH_CODES or error.get("type") == "OAuthException" and response.status_code == 401:
            raise PublishError(
                f"Instagram no longer accepts this channel's sign-in ({message}). Reconnect the channel.",
                kind="auth",
                platform=PLATFORM,
                code=str(code),
                partial=partial,
            )
        if code in RATE_CODES or subcode == PUBLISHING_LIMIT_SUBCODE or response.status_code == 429:
            until = http.retry_at(response, default_seconds=3600)
            raise PublishError(
                f"Instagram is limiting requests ({message}); the post waits until {until:%Y-%m-%d %H:%M} UTC.",
                kind="rate",
                platform=PLATFORM,
                code=str(code),
                retry_at=until,
                partial=partial,
            )
        if response.status_code >= 500 or error.get("is_transient") or code in (1, 2):
            raise http.server_error(
                response, platform=PLATFORM, label=LABEL, irreversible=irreversible, partial=partial
            )
        raise PublishError(
            f"Instagram refused the post: {message}",
            kind="user",
            platform=PLATFORM,
            code=str(subcode or code),
            partial=partial,
        )


def _image(media, caption=None):
    params = {"image_url": media.url}
    if media.alt_text:
        params["alt_text"] = media.alt_text
    if caption is not None:
        params["caption"] = caption
    return params


def _when(timestamp):
    return datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S%z")
