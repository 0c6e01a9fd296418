"""LinkedIn (Posts API, /rest): text, up to 20 images, or one PDF document (a carousel), by a member or a page.

Every call carries LinkedIn-Version (settings.LINKEDIN_VERSION, YYYYMM) and X-Restli-Protocol-Version 2.0.0; a
sunset version answers 426 and the message says to move LINKEDIN_VERSION on. Media are uploaded, not fetched:
POST /rest/images?action=initializeUpload (or /rest/documents for a PDF) then a PUT of the bytes to uploadUrl.
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
    kinds=("image", "pdf"),
    image_formats=("jpeg", "png", "gif"),
    max_bytes=None,
    comment_max=1250,
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

    def __init__(self, *, base_url=None, version=None, timeout=None):
        self.base_url = (base_url or settings.LINKEDIN_API_URL).rstrip("/")
        self.version, self.timeout = version or settings.LINKEDIN_VERSION, timeout

    def problems(self, request):
        problems = checks.check(RULES, request, label=LABEL)
        documents = [item for item in request.media if item.kind == "pdf"]
        if documents and (len(documents) > 1 or len(request.media) > 1):
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
        if media[0].kind == "pdf":
            urn = self._upload(api, author, media[0], "documents", "document")
            title = request.options.get("document_title") or (request.text.strip().splitlines() or ["Document"])[0]
            return {"media": {"title": title[:200], "id": urn}}
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
