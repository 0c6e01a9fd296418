"""A local fake of LinkedIn's Community Management API (/rest) and its OAuth.

Every /rest call needs LinkedIn-Version (missing → 400 VERSION_MISSING, not in `active_versions` → 426
NONEXISTENT_VERSION) and X-Restli-Protocol-Version: 2.0.0 (missing → 400). Endpoints:
POST /rest/images?action=initializeUpload and /rest/documents?action=initializeUpload (→ value.uploadUrl and the
image/document URN), PUT /dms-uploads/{id} (the bytes: images must be JPEG/PNG/GIF, documents PDF ≤ 300 pages).
Videos: POST /rest/videos?action=initializeUpload (owner: the token's member or an organisation, else 403;
fileSizeBytes 75 KB–500 MB, else 400) answers the video URN, an uploadToken and uploadInstructions, one uploadUrl
on this fake per part of `video_part_size` bytes (4 MiB, the last smaller); PUT /dms-uploads/videos/{id}/{part}
takes exactly that part's bytes (else 400) and answers an ETag; POST /rest/videos?action=finalizeUpload needs the
uploadToken and every part's ETag in order (else 400), then reads the whole file: not an MP4, or shorter than 3 s
or longer than 30 min → status PROCESSING_FAILED (with a processingFailureReason), else PROCESSING until
`video_processing_polls` reads of GET /rest/videos/{encoded URN} (an unencoded URN → 400, an unknown one → 404),
then AVAILABLE. POST /rest/posts (201, x-restli-id; its media must be uploaded, a video AVAILABLE, multiImage images
only, else 422; the same commentary by the same author again → 422 DUPLICATE_POST; an unescaped little-text
reserved character cuts the stored commentary there, as LinkedIn does; each post records its `media_kinds`), GET
/rest/posts?author=<encoded URN>&q=author (a member's posts only with r_member_social when the token has scopes).
Tokens: 401 EXPIRED_ACCESS_TOKEN / REVOKED_ACCESS_TOKEN. OAuth: GET /oauth/v2/authorization, POST
/oauth/v2/accessToken (authorization_code, refresh_token: the refresh token is returned again unless
`return_refresh_token` is False), GET /v2/userinfo. Counters are keyed by commentary.
"""

import io
import re
import secrets
import time
from urllib.parse import unquote

from pypdf import PdfReader

from tests.fakes.social import Answer, FakePlatform, Refusal, identify, main, probe_video

UNESCAPED = re.compile(r"(?<!\\)[|{}@\[\]()<>*_~]")
VIDEO_BYTES = (75 * 1024, 500 * 1024 * 1024)
VIDEO_MS = (3_000, 30 * 60_000)


class FakeLinkedIn(FakePlatform):
    name = "linkedin"
    routes = (
        ("GET", "/oauth/v2/authorization", "authorize"),
        ("POST", "/oauth/v2/accessToken", "token"),
        ("GET", "/v2/userinfo", "userinfo"),
        ("POST", r"/rest/(images|documents)", "initialize_upload"),
        ("PUT", r"/dms-uploads/([\w-]+)", "upload"),
        ("POST", "/rest/videos", "video_action"),
        ("PUT", r"/dms-uploads/videos/([\w-]+)/(\d+)", "upload_video_part"),
        ("GET", r"/rest/videos/([^/]+)", "video_status"),
        ("POST", "/rest/posts", "create_post"),
        ("GET", "/rest/posts", "find_posts"),
        ("POST", r"/rest/socialActions/([^/]+)/comments", "create_comment"),
        ("GET", r"/rest/socialActions/([^/]+)/comments", "list_comments"),
    )

    def __init__(
        self,
        *,
        active_versions=(
            "202510",
            "202511",
            "202512",
            "202601",
            "202602",
            "202603",
            "202604",
            "202605",
            "202606",
            "202607",
            "202608",
            "202609",
            "202610",
            "202611",
        ),
        return_refresh_token=True,
        video_processing_polls=2,
        video_part_size=4 * 1024 * 1024,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.authorize_as = "urn:li:person:abc123"
        self.active_versions, self.return_refresh_token = set(active_versions), return_refresh_token
        self.video_processing_polls, self.video_part_size = video_processing_polls, video_part_size
        self.uploads = {}  # upload id → {urn, kind, owner, data}
        # video id → {urn, owner, size, token, parts [(first, last)], etags {part: etag}, data {part: bytes},
        # status, reads, reason, finalized}
        self.videos = {}
        self.posts_by_id = {}
        self._texts = {}  # (author, commentary) → post URN: the duplicate check

    def not_found(self, request):
        return {"status": 404, "code": "NOT_FOUND", "message": f"No resource at {request.path}"}

    # Checks every /rest call goes through.

    def member(self, request):
        found, why = self.check_token(self.bearer(request))
        if found is None:
            code = {"expired": "EXPIRED_ACCESS_TOKEN", "revoked": "REVOKED_ACCESS_TOKEN"}.get(
                why, "INVALID_ACCESS_TOKEN"
            )
            raise Refusal(
                401,
                {
                    "status": 401,
                    "serviceErrorCode": 65600,
                    "code": code,
                    "message": f"The token used in the request is {why or 'invalid'}",
                },
            )
        return found

    def rest(self, request):
        version = request.headers.get("linkedin-version")
        if not version:
            raise Refusal(
                400,
                {
                    "status": 400,
                    "code": "VERSION_MISSING",
                    "message": "A version must be present. Please specify a version by adding the "
                    "LinkedIn-Version header.",
                },
            )
        if version not in self.active_versions:
            raise Refusal(
                426,
                {"status": 426, "code": "NONEXISTENT_VERSION", "message": f"Requested version {version} is not active"},
            )
        if request.headers.get("x-restli-protocol-version") != "2.0.0":
            raise Refusal(
                400,
                {
                    "status": 400,
                    "code": "ILLEGAL_ARGUMENT",
                    "message": "Rest.li protocol 2.0.0 is required (X-Restli-Protocol-Version).",
                },
            )
        return self.member(request)

    # OAuth.

    def authorize(self, request):
        return self.new_code(request)

    def token(self, request):
        params = request.params
        if params.get("client_id") != self.client_id or params.get("client_secret") != self.client_secret:
            raise Refusal(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        if params.get("grant_type") == "refresh_token":
            with self._lock:
                account = self.refresh_tokens.get(params.get("refresh_token", ""))
            if account is None:
                raise Refusal(
                    400, {"error": "invalid_request", "error_description": "The provided refresh token is invalid"}
                )
            answer = {"access_token": self.issue_token(account), "expires_in": self.token_lifetime}
            if self.return_refresh_token:
                answer |= {"refresh_token": params["refresh_token"], "refresh_token_expires_in": 31536000}
            return Answer(200, answer)
        grant, why = self.redeem_code(request, client_id=self.client_id)
        if grant is None:
            raise Refusal(400, {"error": "invalid_grant", "error_description": why})
        return Answer(
            200,
            {
                "access_token": self.issue_token(grant["account"], scopes=grant["scopes"].split()),
                "expires_in": self.token_lifetime,
                "refresh_token": self.issue_refresh_token(grant["account"]),
                "refresh_token_expires_in": 31536000,
                "scope": grant["scopes"],
            },
        )

    def userinfo(self, request):
        found = self.member(request)
        return Answer(200, {"sub": found.account.rsplit(":", 1)[-1], "name": "Demo Member"})

    # Uploads.

    def initialize_upload(self, request, collection):
        found = self.rest(request)
        if request.query.get("action") != "initializeUpload":
            raise Refusal(400, {"status": 400, "message": "Unsupported action"})
        owner = ((request.json or {}).get("initializeUploadRequest") or {}).get("owner")
        if owner != found.account and not (owner or "").startswith("urn:li:organization:"):
            raise Refusal(
                403, {"status": 403, "code": "ACCESS_DENIED", "message": f"Not enough permissions to upload as {owner}"}
            )
        upload_id = secrets.token_hex(8)
        kind = "image" if collection == "images" else "document"
        urn = f"urn:li:{kind}:C4E{upload_id.upper()}"
        with self._lock:
            self.uploads[upload_id] = {"urn": urn, "kind": kind, "owner": owner, "data": None}
        return Answer(
            200,
            {
                "value": {
                    "uploadUrlExpiresAt": int(time.time() * 1000) + 3600_000,
                    "uploadUrl": f"{self.url}/dms-uploads/{upload_id}",
                    kind: urn,
                }
            },
        )

    def upload(self, request, upload_id):
        self.member(request)
        with self._lock:
            upload = self.uploads.get(upload_id)
        if upload is None:
            raise Refusal(404, self.not_found(request))
        if upload["kind"] == "image":
            fmt, _, _ = identify(request.body)
            if fmt not in ("JPEG", "PNG", "GIF"):
                raise Refusal(400, {"status": 400, "message": "Unsupported image format"})
        else:
            try:
                pages = len(PdfReader(io.BytesIO(request.body)).pages)
            except Exception:  # anything pypdf cannot read is not a document to LinkedIn
                raise Refusal(400, {"status": 400, "message": "The document is not a readable PDF"}) from None
            if pages > 300 or len(request.body) > 100 * 1024 * 1024:
                raise Refusal(400, {"status": 400, "message": "Documents are limited to 300 pages and 100 MB"})
        with self._lock:
            upload["data"] = request.body
        return Answer(201, body=b"")

    # Videos.

    def video_action(self, request):
        found = self.rest(request)
        action = request.query.get("action")
        if action == "initializeUpload":
            return self._initialize_video(found, (request.json or {}).get("initializeUploadRequest") or {})
        if action == "finalizeUpload":
            return self._finalize_video((request.json or {}).get("finalizeUploadRequest") or {})
        raise Refusal(400, {"status": 400, "message": "Unsupported action"})

    def _initialize_video(self, found, params):
        owner = params.get("owner")
        if owner != found.account and not (owner or "").startswith("urn:li:organization:"):
            raise Refusal(
                403, {"status": 403, "code": "ACCESS_DENIED", "message": f"Not enough permissions to upload as {owner}"}
            )
        size = params.get("fileSizeBytes")
        smallest, largest = VIDEO_BYTES
        if not isinstance(size, int) or not smallest <= size <= largest:
            raise Refusal(
                400,
                {
                    "status": 400,
                    "code": "ILLEGAL_ARGUMENT",
                    "message": f"fileSizeBytes must be between {smallest} and {largest}, was {size}",
                },
            )
        video_id = secrets.token_hex(8)
        urn = f"urn:li:video:D4E{video_id.upper()}"
        step = self.video_part_size
        parts = [(first, min(first + step, size) - 1) for first in range(0, size, step)]
        video = {
            "urn": urn,
            "owner": owner,
            "size": size,
            "token": secrets.token_urlsafe(12),
            "parts": parts,
            "etags": {},
            "data": {},
            "status": "WAITING_UPLOAD",
            "reads": 0,
            "reason": "",
        }
        with self._lock:
            self.videos[video_id] = video
        instructions = [
            {"uploadUrl": f"{self.url}/dms-uploads/videos/{video_id}/{index}", "firstByte": first, "lastByte": last}
            for index, (first, last) in enumerate(parts)
        ]
        return Answer(
            200,
            {
                "value": {
                    "uploadUrlsExpireAt": int(time.time() * 1000) + 3600_000,
                    "video": urn,
                    "uploadInstructions": instructions,
                    "uploadToken": video["token"],
                }
            },
        )

    def upload_video_part(self, request, video_id, index):
        self.member(request)
        with self._lock:
            video = self.videos.get(video_id)
        if video is None or int(index) >= len(video["parts"]):
            raise Refusal(404, self.not_found(request))
        first, last = video["parts"][int(index)]
        if len(request.body) != last - first + 1:
            raise Refusal(
                400,
                {"status": 400, "message": f"Part {index} takes {last - first + 1} bytes, {len(request.body)} sent"},
            )
        etag = f"/ambry-video/{secrets.token_urlsafe(16)}"
        with self._lock:
            video["data"][int(index)] = request.body
            video["etags"][int(index)] = etag
        return Answer(200, body=b"", headers={"ETag": etag})

    def _finalize_video(self, params):
        with self._lock:
            video = next((v for v in self.videos.values() if v["urn"] == params.get("video")), None)
        if video is None:
            raise Refusal(404, {"status": 404, "code": "NOT_FOUND", "message": f"No video {params.get('video')}"})
        if params.get("uploadToken", "") != video["token"]:
            raise Refusal(400, {"status": 400, "code": "ILLEGAL_ARGUMENT", "message": "Invalid uploadToken"})
        expected = [video["etags"].get(index) for index in range(len(video["parts"]))]
        if None in expected or params.get("uploadedPartIds") != expected:
            raise Refusal(
                400,
                {
                    "status": 400,
                    "code": "ILLEGAL_ARGUMENT",
                    "message": "uploadedPartIds must list every part's ETag, in order",
                },
            )
        data = b"".join(video["data"][index] for index in range(len(video["parts"])))
        container, _, _, duration_ms = probe_video(data)
        shortest, longest = VIDEO_MS
        reason = ""
        if container != "mp4" or not duration_ms:
            reason = "The file is not an MP4 video"
        elif duration_ms < shortest:
            reason = f"The video is {duration_ms / 1000:.1f} seconds long; videos must be at least 3 seconds"
        elif duration_ms > longest:
            reason = f"The video is {duration_ms / 60_000:.1f} minutes long; videos must be at most 30 minutes"
        with self._lock:
            video["status"] = "PROCESSING_FAILED" if reason else "PROCESSING"
            video["reason"], video["reads"] = reason, 0
        return Answer(200, {})

    def video_status(self, request, encoded):
        self.rest(request)
        if ":" in encoded:
            raise Refusal(
                400,
                {"status": 400, "code": "ILLEGAL_ARGUMENT", "message": "Invalid URN in path (URNs must be encoded)"},
            )
        urn = unquote(encoded)
        with self._lock:
            video = next((v for v in self.videos.values() if v["urn"] == urn), None)
            if video is None:
                raise Refusal(404, {"status": 404, "code": "NOT_FOUND", "message": f"Video {urn} not found"})
            video["reads"] += 1
            if video["status"] == "PROCESSING" and video["reads"] >= self.video_processing_polls:
                video["status"] = "AVAILABLE"
            answer = {"id": urn, "owner": video["owner"], "status": video["status"]}
            if video["reason"]:
                answer["processingFailureReason"] = video["reason"]
        return Answer(200, answer)

    # Posts.

    def _uploaded(self, urn):
        with self._lock:
            if urn.startswith("urn:li:video:"):
                return any(video["urn"] == urn and video["status"] == "AVAILABLE" for video in self.videos.values())
            return any(upload["urn"] == urn and upload["data"] is not None for upload in self.uploads.values())

    def create_post(self, request):
        found = self.rest(request)
        post = request.json or {}
        author = post.get("author", "")
        if author != found.account and not author.startswith("urn:li:organization:"):
            raise Refusal(403, {"status": 403, "code": "ACCESS_DENIED", "message": f"Cannot post as {author}"})
        missing = [
            name
            for name in ("author", "commentary", "visibility", "distribution", "lifecycleState")
            if name not in post
        ]
        if missing:
            raise Refusal(422, {"status": 422, "message": f"Missing fields: {', '.join(missing)}"})
        content = post.get("content") or {}
        urns = (
            [content["media"]["id"]]
            if "media" in content
            else [image["id"] for image in (content.get("multiImage") or {}).get("images", [])]
        )
        if "multiImage" in content and not 2 <= len(urns) <= 20:
            raise Refusal(422, {"status": 422, "message": "multiImage takes 2 to 20 images"})
        if "multiImage" in content and any(not urn.startswith("urn:li:image:") for urn in urns):
            raise Refusal(422, {"status": 422, "message": "multiImage takes images only"})
        if any(not self._uploaded(urn) for urn in urns):
            raise Refusal(422, {"status": 422, "message": "Media not found or upload not complete"})
        if self.rate_limited():
            raise Refusal(
                429,
                {"status": 429, "message": "Resource level throttle limit reached"},
                {"Retry-After": str(int(self.rate_limited()) + 1)},
            )
        commentary = post["commentary"]
        cut = UNESCAPED.search(commentary)
        stored = commentary[: cut.start()] if cut else commentary
        with self._lock:
            existing = self.posts_by_id.get(self._texts.get((author, stored), ""))
            if existing is None:
                urn = f"urn:li:share:{7_300_000_000_000_000_000 + len(self.posts_by_id)}"
                record = {
                    "id": urn,
                    "author": author,
                    "commentary": stored,
                    "content": content,
                    "createdAt": int(time.time() * 1000),
                    "lifecycleState": "PUBLISHED",
                    "visibility": post["visibility"],
                    "media_kinds": [urn.split(":")[2] for urn in urns],
                }
                self.posts_by_id[urn] = record
                self._texts[(author, stored)] = urn
        if existing is not None:
            self.count_duplicate(stored)
            raise Refusal(
                422,
                {
                    "errorDetailType": "com.linkedin.common.error.BadRequest",
                    "message": f"Content is a duplicate of {existing['id']}",
                    "errorDetails": {
                        "inputErrors": [
                            {"description": "Duplicate post is detected", "input": {}, "code": "DUPLICATE_POST"}
                        ]
                    },
                    "status": 422,
                },
            )
        self.count_published(stored, record)
        return Answer(201, body=b"", headers={"x-restli-id": urn, "x-linkedin-id": urn}, lose=self.take_lost_answer())

    def create_comment(self, request, target):
        """POST /rest/socialActions/{post URN, encoded}/comments: {actor, object, message: {text}} → 201."""
        found = self.rest(request)
        urn = unquote(target)
        comment = request.json or {}
        actor = comment.get("actor", "")
        if actor != found.account and not actor.startswith("urn:li:organization:"):
            raise Refusal(403, {"status": 403, "code": "ACCESS_DENIED", "message": f"Cannot comment as {actor}"})
        if comment.get("object") != urn:
            raise Refusal(400, {"status": 400, "message": "object must be the URN in the path"})
        text = (comment.get("message") or {}).get("text", "")
        if not text.strip() or len(text) > 1250:
            raise Refusal(422, {"status": 422, "message": "message.text must have 1 to 1250 characters"})
        with self._lock:
            post = self.posts_by_id.get(urn)
            if post is None:
                raise Refusal(404, {"status": 404, "message": f"Post {urn} not found"})
            number = sum(len(p.get("comments", [])) for p in self.posts_by_id.values()) + 1
            record = {"id": str(number), "$URN": f"urn:li:comment:({urn},{number})", "actor": actor, "object": urn}
            record["message"] = {"text": text}
            post.setdefault("comments", []).append(record)
        self.count_comment(text)
        return Answer(201, record, {"x-restli-id": record["$URN"]}, lose=self.take_lost_answer())

    def list_comments(self, request, target):
        self.rest(request)
        urn = unquote(target)
        with self._lock:
            post = self.posts_by_id.get(urn)
            comments = list((post or {}).get("comments", []))
        if post is None:
            raise Refusal(404, {"status": 404, "message": f"Post {urn} not found"})
        return Answer(200, {"elements": comments, "paging": {"count": len(comments), "start": 0}})

    def find_posts(self, request):
        found = self.rest(request)
        person = unquote(request.query.get("author", "")).startswith("urn:li:person:")
        if found.scopes and person and "r_member_social" not in found.scopes:
            raise Refusal(
                403,
                {
                    "status": 403,
                    "code": "ACCESS_DENIED",
                    "serviceErrorCode": 100,
                    "message": "Not enough permissions to access: partnerApiPostsExternal.FINDER-author",
                },
            )
        if request.query.get("q") != "author":
            raise Refusal(400, {"status": 400, "message": "Only the author finder is supported"})
        if "author=urn:" in request.raw_query:
            raise Refusal(
                400,
                {
                    "status": 400,
                    "code": "ILLEGAL_ARGUMENT",
                    "message": "Invalid query parameters passed to request (URNs must be encoded)",
                },
            )
        author = unquote(request.query.get("author", ""))
        count = int(request.query.get("count", 10))
        with self._lock:
            mine = [post for post in self.posts_by_id.values() if post["author"] == author]
        mine.sort(key=lambda post: post["createdAt"], reverse=True)
        return Answer(200, {"elements": mine[:count], "paging": {"start": 0, "count": count, "total": len(mine)}})


if __name__ == "__main__":
    main(FakeLinkedIn)
