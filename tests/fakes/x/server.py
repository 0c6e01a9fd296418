"""A local fake of the X API v2 (posts, media upload) and its OAuth 2.0 with PKCE.

Media: POST /2/media/upload/initialize (JSON media_type, total_bytes, media_category: tweet_image or tweet_gif for
an image type ≤ 5 MB, tweet_video for video/mp4 or video/quicktime ≤ 512 MB; any other pairing → 400), POST
/2/media/upload/{id}/append (multipart media + segment_index), POST /2/media/upload/{id}/finalize (the bytes must
add up to total_bytes and be the declared image type, or a video X reads of 0.5–140 s; an image answers
processing_info "pending" for `processing_polls` STATUS reads when set, a video always: in_progress until
`video_processing_polls` reads, then succeeded — or failed when `fail_video_processing`), GET
/2/media/upload?command=STATUS&media_id=…, POST /2/media/metadata (alt text). Posts: POST /2/tweets (201; text ≤
280; ≤ 4 media ids, each processed, and a video only alone — else 400 "Your media IDs are invalid."; the same text
again → 403 duplicate content; media posts get a t.co link appended, and &, <, > come back escaped as X does; each
post records its `media_kinds`), GET /2/users/{id}/tweets, GET /2/users/me.
Rate limit: 429 with x-rate-limit-reset. OAuth: GET /i/oauth2/authorize (PKCE S256 required), POST
/2/oauth2/token (HTTP Basic client auth; refresh tokens only with offline.access, rotated on every refresh: the
old one stops working). Counters are keyed by the text as sent.
"""

import base64
import html
import secrets
import string
import threading
import time
from datetime import UTC, datetime

from tests.fakes.social import Answer, FakePlatform, Refusal, identify, main, probe_video

IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}
VIDEO_TYPES = ("video/mp4", "video/quicktime")
# The categories each kind of file may be uploaded under, and how large it may be.
CATEGORIES = {"image": ("tweet_image", "tweet_gif"), "video": ("tweet_video",)}
MAX_BYTES = {"image": 5 * 1024 * 1024, "video": 512 * 1024 * 1024}
VIDEO_MS = (500, 140_000)


def _problem(status, title, detail, **more):
    return Refusal(status, {"title": title, "detail": detail, "type": "about:blank", "status": status, **more})


def _invalid(message, **more):
    """X's 400 for a request it will not take, the reason in errors[0].message."""
    return _problem(
        400,
        "Invalid Request",
        "One or more parameters to your request was invalid.",
        errors=[{"message": message, **more}],
    )


def _invalid_media(media_ids):
    return _invalid("Your media IDs are invalid.", parameters={"media.media_ids": list(media_ids)})


def _seconds(ms):
    """X's way of writing a length: 2.minutes+29.seconds+350.milliseconds."""
    minutes, rest = divmod(ms, 60_000)
    seconds, millis = divmod(rest, 1000)
    parts = [f"{minutes}.minutes"] * bool(minutes) + [f"{seconds}.seconds"] * bool(seconds)
    return "+".join(parts + [f"{millis}.milliseconds"] * bool(millis)) or "0.seconds"


class FakeX(FakePlatform):
    name = "x"
    token_lifetime = 7200
    routes = (
        ("GET", "/i/oauth2/authorize", "authorize"),
        ("POST", "/2/oauth2/token", "token"),
        ("GET", "/2/users/me", "me"),
        ("POST", "/2/media/upload/initialize", "media_initialize"),
        ("POST", r"/2/media/upload/(\d+)/append", "media_append"),
        ("POST", r"/2/media/upload/(\d+)/finalize", "media_finalize"),
        ("GET", "/2/media/upload", "media_status"),
        ("POST", "/2/media/metadata", "media_metadata"),
        ("POST", "/2/tweets", "create_tweet"),
        ("GET", r"/2/users/(\d+)/tweets", "user_tweets"),
    )

    def __init__(self, *, processing_polls=0, video_processing_polls=2, fail_video_processing=False, **kwargs):
        super().__init__(**kwargs)
        self.authorize_as = "1500000000000000001"
        self.processing_polls = processing_polls
        self.video_processing_polls, self.fail_video_processing = video_processing_polls, fail_video_processing
        self.uploads = {}  # media id → {type, kind, category, total, chunks, state, reads, alt, duration_ms}
        self.tweets = {}  # id → {id, text, author_id, created_at, media, media_kinds}
        self._texts = {}  # (author, text as sent) → id: the duplicate check
        self._next = 1880000000000000000
        self._id_lock = threading.Lock()

    def next_id(self):
        with self._id_lock:
            self._next += 1
            return str(self._next)

    def not_found(self, request):
        return {
            "title": "Not Found Error",
            "detail": f"Could not find {request.path}",
            "type": "about:blank",
            "status": 404,
        }

    def user(self, request):
        found, why = self.check_token(self.bearer(request))
        if found is None:
            raise _problem(401, "Unauthorized", "Unauthorized")
        return found

    # OAuth.

    def authorize(self, request):
        query = request.query
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            raise Refusal(400, {"error": "invalid_request", "error_description": "PKCE (S256) is required"})
        return self.new_code(request)

    def _client_auth(self, request):
        header = request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            raise Refusal(401, {"error": "unauthorized_client", "error_description": "Missing valid authorization"})
        client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        if client_id != self.client_id or secret != self.client_secret:
            raise Refusal(401, {"error": "unauthorized_client", "error_description": "Missing valid authorization"})

    def token(self, request):
        self._client_auth(request)
        params = request.params
        if params.get("grant_type") == "refresh_token":
            with self._lock:
                account = self.refresh_tokens.pop(params.get("refresh_token", ""), None)  # rotation: used once
            if account is None:
                raise Refusal(
                    400, {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}
                )
            return Answer(200, self._tokens(account, "tweet.read tweet.write users.read media.write offline.access"))
        grant, why = self.redeem_code(request, client_id=self.client_id, verifier=params.get("code_verifier"))
        if grant is None:
            raise Refusal(400, {"error": "invalid_request", "error_description": why})
        return Answer(200, self._tokens(grant["account"], grant["scopes"]))

    def _tokens(self, account, scopes):
        answer = {
            "token_type": "bearer",
            "expires_in": self.token_lifetime,
            "scope": scopes,
            "access_token": self.issue_token(account, scopes=scopes.split()),
        }
        if "offline.access" in scopes.split():
            answer["refresh_token"] = self.issue_refresh_token(account)
        return answer

    def me(self, request):
        found = self.user(request)
        return Answer(200, {"data": {"id": found.account, "name": "Postframe Demo", "username": "postframe_demo"}})

    # Media.

    def media_initialize(self, request):
        self.user(request)
        params = request.json or {}
        media_type, category = params.get("media_type"), params.get("media_category")
        kind = "image" if media_type in IMAGE_TYPES else "video" if media_type in VIDEO_TYPES else None
        if kind is None or not params.get("total_bytes"):
            raise _invalid("media_type must be an image or video type and total_bytes set")
        if category not in CATEGORIES[kind] and (category or kind == "video"):
            raise _invalid(f"media_category {category or '(none)'} does not take media_type {media_type}.")
        if int(params["total_bytes"]) > MAX_BYTES[kind]:
            raise _problem(400, "Invalid Request", f"{kind.title()}s must be {MAX_BYTES[kind] >> 20} MB or smaller.")
        media_id = self.next_id()
        with self._lock:
            self.uploads[media_id] = {
                "type": media_type,
                "kind": kind,
                "category": category,
                "total": int(params["total_bytes"]),
                "chunks": {},
                "state": "initialized",
                "reads": 0,
                "alt": "",
                "duration_ms": 0,
            }
        key = f"{7 if kind == 'video' else 3}_{media_id}"
        return Answer(200, {"data": {"id": media_id, "media_key": key, "expires_after_secs": 86400}})

    def _upload(self, media_id):
        with self._lock:
            upload = self.uploads.get(media_id)
        if upload is None:
            raise _problem(400, "Invalid Request", f"Media id {media_id} not found.")
        return upload

    def media_append(self, request, media_id):
        self.user(request)
        upload = self._upload(media_id)
        if "media" not in request.files or "segment_index" not in request.form:
            raise _problem(400, "Invalid Request", "media and segment_index are required.")
        with self._lock:
            upload["chunks"][int(request.form["segment_index"])] = request.files["media"]
        return Answer(200, {"data": {"expires_at": int(time.time()) + 86400}})

    def media_finalize(self, request, media_id):
        self.user(request)
        upload = self._upload(media_id)
        data = b"".join(chunk for _, chunk in sorted(upload["chunks"].items()))
        if len(data) != upload["total"]:
            raise _problem(400, "Invalid Request", "File size does not match total_bytes.")
        video = upload["kind"] == "video"
        duration_ms = self._check_video(data) if video else self._check_image(data, upload["type"])
        key = f"{7 if video else 3}_{media_id}"
        answer = {"id": media_id, "media_key": key, "size": len(data), "expires_after_secs": 86400}
        pending = video or bool(self.processing_polls)
        with self._lock:
            upload["state"] = "pending" if pending else "succeeded"
            upload["duration_ms"] = duration_ms
        if pending:
            answer["processing_info"] = {"state": "pending", "check_after_secs": 1}
        return Answer(200, {"data": answer})

    def _check_image(self, data, media_type):
        fmt, _, _ = identify(data)
        if fmt != IMAGE_TYPES[media_type]:
            raise _problem(400, "Invalid Request", "The media is not the declared media_type.")
        return 0

    def _check_video(self, data):
        """The video's length in ms, or X's refusal: not a video it can read, or outside 0.5–140 s."""
        container, _, _, duration_ms = probe_video(data)
        if container != "mp4":
            raise _invalid("Unsupported media: the file is not a video X can read (MP4 or MOV).")
        shortest, longest = VIDEO_MS
        if duration_ms > longest:
            raise _invalid(f"Duration {_seconds(duration_ms)} exceeds max duration of {_seconds(longest)}")
        if duration_ms < shortest:
            raise _invalid(f"Duration {_seconds(duration_ms)} is below min duration of {_seconds(shortest)}")
        return duration_ms

    def media_status(self, request):
        self.user(request)
        if request.query.get("command") != "STATUS":
            raise _problem(400, "Invalid Request", "command must be STATUS")
        upload = self._upload(request.query.get("media_id", ""))
        with self._lock:
            upload["reads"] += 1
            if upload["kind"] == "video":
                self._process_video(upload)
            elif upload["state"] == "pending" and upload["reads"] >= self.processing_polls:
                upload["state"] = "succeeded"
            state = upload["state"]
        info = {"state": state}
        if state == "failed":
            error = {"code": 1, "name": "InvalidMedia", "message": "Unsupported video: it could not be transcoded"}
            info |= {"progress_percent": 100, "error": error}
        elif state != "succeeded":
            info |= {"check_after_secs": 1, "progress_percent": 50}
        return Answer(200, {"data": {"id": request.query["media_id"], "processing_info": info}})

    def _process_video(self, upload):
        """pending → in_progress → succeeded (or failed) after `video_processing_polls` reads. Under the lock."""
        if upload["state"] not in ("pending", "in_progress"):
            return
        if upload["reads"] < self.video_processing_polls:
            upload["state"] = "in_progress"
        else:
            upload["state"] = "failed" if self.fail_video_processing else "succeeded"

    def media_metadata(self, request):
        self.user(request)
        params = request.json or {}
        upload = self._upload(str(params.get("id", "")))
        with self._lock:
            upload["alt"] = ((params.get("metadata") or {}).get("alt_text") or {}).get("text", "")
        return Answer(200, {"data": {"id": params["id"], "associated_metadata": True}})

    # Posts.

    def create_tweet(self, request):
        found = self.user(request)
        if "tweet.write" not in found.scopes and found.scopes:
            raise _problem(403, "Forbidden", "You are not permitted to perform this action (missing scope).")
        params = request.json or {}
        text = params.get("text", "")
        media_ids = (params.get("media") or {}).get("media_ids") or []
        if len(text) > 280:
            raise _invalid("Tweet text is too long.")
        if len(media_ids) > 4:
            raise _invalid("Tweets can have at most 4 media items.")
        with self._lock:
            uploads = [self.uploads.get(str(media_id)) for media_id in media_ids]
        if any(upload is None or upload["state"] != "succeeded" for upload in uploads):
            raise _invalid_media(media_ids)  # X says no more than this for unknown, unprocessed or failed media
        media_kinds = [upload["kind"] for upload in uploads]
        if "video" in media_kinds and len(media_kinds) > 1:
            raise _invalid_media(media_ids)
        replied_to = str((params.get("reply") or {}).get("in_reply_to_tweet_id") or "")
        if replied_to and replied_to not in self.tweets:
            raise _problem(400, "Invalid Request", "The Tweet you are replying to does not exist or was deleted.")
        if self.rate_limited():
            reset = int(time.time() + self.rate_limited()) + 1
            raise Refusal(
                429,
                {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
                {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
            )
        shown = html.escape(text, quote=False)
        if media_ids:
            shown += " https://t.co/" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(10))
        with self._lock:
            duplicate = (found.account, text) in self._texts
            if not duplicate:
                tweet_id = self.next_id()
                record = {
                    "id": tweet_id,
                    "text": shown,
                    "sent": text,
                    "author_id": found.account,
                    "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "media": media_ids,
                    "media_kinds": media_kinds,
                    "edit_history_tweet_ids": [tweet_id],
                }
                if replied_to:
                    record["referenced_tweets"] = [{"type": "replied_to", "id": replied_to}]
                self.tweets[tweet_id] = record
                self._texts[(found.account, text)] = tweet_id
        if duplicate:
            self.count_duplicate(text)
            raise _problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        if replied_to:
            self.count_comment(text)
        else:
            self.count_published(text, record)
        return Answer(
            201,
            {"data": {"id": tweet_id, "text": shown, "edit_history_tweet_ids": [tweet_id]}},
            lose=self.take_lost_answer(),
        )

    def user_tweets(self, request, user_id):
        self.user(request)
        count = min(int(request.query.get("max_results", 10)), 100)
        with self._lock:
            mine = [tweet for tweet in self.tweets.values() if tweet["author_id"] == user_id]
        mine.sort(key=lambda tweet: int(tweet["id"]), reverse=True)
        fields = {"id", "text", "edit_history_tweet_ids"} | set(request.query.get("tweet.fields", "").split(","))
        data = [{name: tweet[name] for name in fields if name in tweet} for tweet in mine[:count]]
        return Answer(
            200, {"data": data, "meta": {"result_count": len(data)}} if data else {"meta": {"result_count": 0}}
        )


if __name__ == "__main__":
    main(FakeX)
