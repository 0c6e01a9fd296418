"""LinkedIn (Posts API, /rest): text, up to 20 images, one PDF document (a carousel) or one video, by a member or a
page.

Every call carries LinkedIn-Version (settings.LINKEDIN_VERSION, YYYYMM) and X-Restli-Protocol-Version 2.0.0; a
sunset version answers 426 and the message says to move LINKEDIN_VERSION on. Media are uploaded, not fetched:
POST /rest/images?action=initializeUpload (or /rest/documents for a PDF) then a PUT of the bytes to uploadUrl. A
video goes through the Videos API: POST /rest/videos?action=initializeUpload (owner, fileSizeBytes) answers the
video URN, an uploadToken and uploadInstructions (one uploadUrl per 4 MiB part, firstByte–lastByte); each part is
PUT to its URL and answers an ETag; POST /rest/videos?action=finalizeUpload takes the ETags in order. LinkedIn then
processes the video: GET /rest/videos/{encoded URN} is polled (bounded) until its status is AVAILABLE; still
PROCESSING after the polls → kind "rate", a minute later; PROCESSING_FAILED → kind "user". The URN is reported
(partial {"video_urn"}) once finalized, and a deferred attempt resumes from options["video_urn"] instead of
uploading the file again, unless LinkedIn failed it or no longer knows it. MP4 only, 3 s to 30 min, 75 KB to
500 MB (LinkedIn's limits for videos posted through the API).
POST /rest/posts is the irreversible call; it answers 201 with the post URN in x-restli-id. A repeat answers 422
DUPLICATE_POST: kind "duplicate", and confirm() finds the earlier post by its commentary through
GET /rest/posts?author=…&q=author. Reading a member's posts needs r_member_social, which LinkedIn grants only to
approved apps: without it confirm() says it cannot tell (kind "unconfirmed", code "cannot_confirm"), and the post
stays unconfirmed for a person to check. Organisation pages read theirs with r_organization_social.

The commentary is LinkedIn's "little text": reserved characters are escaped, or LinkedIn silently cuts the post at
the first one.
"""

import re
from urllib.parse import quote

from django.conf import settings

from scheduling.publishers import checks, http
from scheduling.publishers.base import PlatformRules, PublishError, PublishResult

PLATFORM, LABEL = "linkedin", "LinkedIn"
RULES = PlatformRules(
    caption_max=3000,
    media_max=20,
    kinds=("image", "pdf", "video"),
    image_formats=("jpeg", "png", "gif"),
    max_bytes=None,
    comment_max=1250,
    video_formats=("mp4",),
    video_min_ms=3_000,
    video_max_ms=30 * 60_000,
    video_max_bytes=500 * 1024 * 1024,
    video_min_bytes=75 * 1024,
)
DOCUMENT_MAX_BYTES = 100 * 1024 * 1024
DOCUMENT_MAX_PAGES = 300
RESERVED = re.compile(r"([\\|{}@\[\]()<>*_~])")
URN = re.compile(r"urn:li:(?:share|ugcPost):\d+")


def little_text(text):
    """The commentary as LinkedIn's little-text format wants it: reserved characters backslash-escaped."""
    return RESERVED.sub(r"\\\1", text)


class LinkedInPublisher(http.OAuthPublisher):
    platform = PLATFORM
    label = LABEL
    rules = RULES

    def __init__(self, *, base_url=None, version=None, timeout=None, poller=None):
        self.base_url = (base_url or settings.LINKEDIN_API_URL).rstrip("/")
        self.version, self.timeout, self.poller = version or settings.LINKEDIN_VERSION, timeout, poller

    def problems(self, request):
        problems = checks.check(RULES, request, label=LABEL)
        documents = [item for item in request.media if item.kind == "pdf"]
        videos = [item for item in request.media if item.kind == "video"]
        # With a video in the post, the shared "a video goes alone" problem already says what to remove.
        if documents and (len(documents) > 1 or len(request.media) > 1) and not videos:
            problems.append(
                checks.Problem("LinkedIn takes either images or one PDF document in a post, not both or several PDFs.")
            )
        for document in documents:
            if document.size > DOCUMENT_MAX_BYTES:
                problems.append(
                    checks.Problem(
                        f"LinkedIn takes documents up to 100 MB: this PDF is {document.size / (1024 * 1024):.0f} MB."
                    )
                )
            if document.pages > DOCUMENT_MAX_PAGES:
                problems.append(
                    checks.Problem(f"LinkedIn takes documents up to 300 pages: this PDF has {document.pages}.")
                )
        return problems

    def publish(self, credentials, request):
        author = credentials.account_id
        with self._client(credentials) as api:
            content = self._content(api, author, request)
            post = {
                "author": author,
                "commentary": little_text(request.text),
                "visibility": request.options.get("visibility", "PUBLIC"),
                "distribution": {
                    "feedDistribution": "MAIN_FEED",
                    "targetEntities": [],
                    "thirdPartyDistributionChannels": [],
                },
                "lifecycleState": "PUBLISHED",
                "isReshareDisabledByAuthor": False,
            }
            if content:
                post["content"] = content
            response = self._call(api, "POST", "/rest/posts", json=post, irreversible=True)
        urn = response.headers.get("x-restli-id", "")
        return PublishResult(remote_id=urn, url=post_url(urn), raw={"author": author})

    def confirm(self, credentials, request):
        author = credentials.account_id
        # Rest.li 2.0 wants the URN encoded in the query string.
        path = f"/rest/posts?author={quote(author, safe='')}&q=author&count=50&sortBy=LAST_MODIFIED"
        with self._client(credentials) as api:
            response = http.send(api, "GET", path, platform=PLATFORM, label=LABEL)
        if response.status_code == 403:
            # Reading a member's posts needs r_member_social, which LinkedIn grants only to approved apps.
            raise PublishError(
                "LinkedIn does not let Postframe read this account's posts, so it cannot tell whether the post went "
                "through: check LinkedIn before posting it again.",
                kind="unconfirmed",
                platform=PLATFORM,
                code="cannot_confirm",
            )
        answer = http.body(self._check(response))
        wanted = little_text(request.text).strip()
        for element in answer.get("elements", []):
            if (element.get("commentary") or "").strip() == wanted:
                return PublishResult(remote_id=element["id"], url=post_url(element["id"]), raw={"found": "posts"})
        return None

    # The first comment: POST /rest/socialActions/{post URN}/comments as the post's author; read back from the same
    # collection.

    def comment(self, credentials, remote_id, text):
        comment = {"actor": credentials.account_id, "object": remote_id, "message": {"text": text}}
        with self._client(credentials) as api:
            response = self._call(api, "POST", self._comments(remote_id), json=comment, irreversible=True)
        return PublishResult(remote_id=response.headers.get("x-restli-id", "") or http.body(response).get("id", ""))

    def find_comment(self, credentials, remote_id, text):
        with self._client(credentials) as api:
            answer = http.body(self._call(api, "GET", self._comments(remote_id)))
        for element in answer.get("elements", []):
            if ((element.get("message") or {}).get("text") or "").strip() == text.strip():
                return PublishResult(remote_id=element.get("$URN") or element.get("id", ""), raw={"found": "comments"})
        return None

    @staticmethod
    def _comments(remote_id):
        return f"/rest/socialActions/{quote(remote_id, safe='')}/comments"

    # Steps.

    def _headers(self):
        return {"LinkedIn-Version": self.version, "X-Restli-Protocol-Version": "2.0.0"}

    def _content(self, api, author, request):
        media = list(request.media)
        if not media:
            return None
        if any(item.kind == "video" for item in media) and len(media) > 1:
            # The post's content holds one video and nothing else: never post it without the rest silently.
            raise PublishError(
                f"LinkedIn posts a video on its own: this post has {len(media)} items. Keep the video alone, or post "
                "the images without it.",
                kind="user",
                platform=PLATFORM,
                code="video_not_alone",
            )
        if media[0].kind == "pdf":
            urn = self._upload(api, author, media[0], "documents", "document")
            title = request.options.get("document_title") or (request.text.strip().splitlines() or ["Document"])[0]
            return {"media": {"title": title[:200], "id": urn}}
        if media[0].kind == "video":
            video = {"id": self._video(api, author, request, media[0])}
            if request.options.get("video_title"):
                video["title"] = request.options["video_title"][:200]
            return {"media": video}
        images = [
            {"id": self._upload(api, author, item, "images", "image"), "altText": item.alt_text} for item in media
        ]
        if len(images) == 1:
            return {"media": {"id": images[0]["id"], "altText": images[0]["altText"]}}
        return {"multiImage": {"images": images}}

    def _upload(self, api, author, media, collection, key):
        answer = http.body(
            self._call(
                api,
                "POST",
                f"/rest/{collection}?action=initializeUpload",
                json={"initializeUploadRequest": {"owner": author}},
            )
        )
        value = answer.get("value") or {}
        data = http.fetch_media(media, platform=PLATFORM, label=LABEL)
        self._call(api, "PUT", value["uploadUrl"], content=data, headers={"Content-Type": "application/octet-stream"})
        return value[key]

    def _video(self, api, author, request, media):
        """The video's URN once LinkedIn has processed it: the one a deferred attempt left, else a fresh upload."""
        earlier = request.options.get("video_urn")
        if earlier and self._wait_video(api, earlier, partial={"video_urn": earlier}, resuming=True):
            return earlier
        urn = self._upload_video(api, author, media)
        partial = {"video_urn": urn}
        http.report(request, partial)
        self._wait_video(api, urn, partial=partial)
        return urn

    def _upload_video(self, api, author, media):
        """initializeUpload, a PUT per part as LinkedIn's uploadInstructions cut the file, finalizeUpload: the URN."""
        data = http.fetch_media(media, platform=PLATFORM, label=LABEL)
        request = {"owner": author, "fileSizeBytes": len(data), "uploadCaptions": False, "uploadThumbnail": False}
        answer = http.body(
            self._call(api, "POST", "/rest/videos?action=initializeUpload", json={"initializeUploadRequest": request})
        )
        value = answer.get("value") or {}
        urn = value["video"]
        etags = []
        for part in value.get("uploadInstructions") or []:
            response = self._call(
                api,
                "PUT",
                part["uploadUrl"],
                content=data[part["firstByte"] : part["lastByte"] + 1],
                headers={"Content-Type": "application/octet-stream"},
            )
            etags.append(response.headers.get("etag", ""))
        finalize = {"video": urn, "uploadToken": value.get("uploadToken", ""), "uploadedPartIds": etags}
        self._call(api, "POST", "/rest/videos?action=finalizeUpload", json={"finalizeUploadRequest": finalize})
        return urn

    def _wait_video(self, api, urn, *, partial, resuming=False):
        """True once the video is AVAILABLE. Resuming, False when it is no use any more (failed, never uploaded or
        unknown: upload it again); otherwise those raise."""
        for _ in self.poller or http.Poller():
            answer = self._video_status(api, urn)
            status = answer.get("status", "")
            if status == "AVAILABLE":
                return True
            if resuming and status != "PROCESSING":
                return False
            if status == "PROCESSING_FAILED":
                reason = answer.get("processingFailureReason")
                raise PublishError(
                    f"LinkedIn could not process the video{f' ({reason})' if reason else ''}. LinkedIn takes MP4 "
                    "videos of 3 s to 30 min: check that the file plays, then post it again.",
                    kind="user",
                    platform=PLATFORM,
                    code="video_failed",
                )
            if status != "PROCESSING":
                # LinkedIn took the finalize but has no file (WAITING_UPLOAD) or no video: the next try uploads again.
                raise PublishError(
                    f"LinkedIn lost the video after its upload ({status or 'not found'}); it is uploaded again at the "
                    "next try.",
                    kind="outage",
                    platform=PLATFORM,
                    code="video_lost",
                    partial=partial,
                )
        raise http.still_processing(
            "LinkedIn is still processing the video; the post is retried in a minute.",
            platform=PLATFORM,
            partial=partial,
        )

    def _video_status(self, api, urn):
        """GET /rest/videos/{URN}: LinkedIn's answer, {} when it does not know the video."""
        response = http.send(api, "GET", f"/rest/videos/{quote(urn, safe='')}", platform=PLATFORM, label=LABEL)
        if response.status_code == 404:
            return {}
        return http.body(self._check(response))

    def _call(self, api, method, url, *, irreversible=False, **kwargs):
        response = http.send(api, method, url, platform=PLATFORM, label=LABEL, irreversible=irreversible, **kwargs)
        return self._check(response, irreversible=irreversible)

    def _check(self, response, *, irreversible=False):
        if response.status_code < 400:
            return response
        answer = http.body(response)
        message = answer.get("message") or f"HTTP {response.status_code}"
        codes = {answer.get("code")} | {
            error.get("code") for error in (answer.get("errorDetails") or {}).get("inputErrors", [])
        }
        status = response.status_code
        if status == 426 or "NONEXISTENT_VERSION" in codes or "VERSION_MISSING" in codes:
            raise PublishError(
                f"LinkedIn no longer serves API version {self.version} ({message}). Set LINKEDIN_VERSION to a "
                "current month (YYYYMM) and publish again.",
                kind="user",
                platform=PLATFORM,
                code="NONEXISTENT_VERSION",
            )
        if status in (401, 403):
            raise PublishError(
                f"LinkedIn no longer accepts this channel's sign-in ({message}). Reconnect the channel.",
                kind="auth",
                platform=PLATFORM,
                code=answer.get("code") or str(status),
            )
        if status == 422 and "DUPLICATE_POST" in codes:
            found = URN.search(message)
            raise PublishError(
                "LinkedIn already has this post (same text); it is not posted twice.",
                kind="duplicate",
                platform=PLATFORM,
                code="DUPLICATE_POST",
                partial={"remote_id": found.group(0)} if found else None,
            )
        if status == 429:
            raise http.rate_limited(
                response,
                platform=PLATFORM,
                default_seconds=3600,
                saying=lambda until: f"LinkedIn is limiting requests; the post waits until {until:%Y-%m-%d %H:%M} UTC.",
            )
        if status >= 500:
            raise http.server_error(response, platform=PLATFORM, label=LABEL, irreversible=irreversible)
        raise PublishError(f"LinkedIn refused the post: {message}", kind="user", platform=PLATFORM, code=str(status))


def post_url(urn):
    return f"https://www.linkedin.com/feed/update/{urn}/" if urn else ""
