"""What the social platform fakes (instagram/, linkedin/, x/, tiktok/, webhook_receiver/) share: a threaded HTTP
server with routes, request recording, bearer tokens that expire or get revoked, an OAuth authorize/token pair,
thread-safe counters of what was published, and the knobs tests turn.

Knobs on every fake: `latency` (seconds added to every request), `lose_answers(n, stall=…)` (the next n
publishes are carried out, then the answer stalls past the client's timeout: the answer is lost, the post is
live), `rate_limit(seconds)` (publishes answer the platform's 429 until then), `fail_reads(n, status=503)` (the
next n GETs answer that status: a read API down while a lost answer is confirmed), `revoke(token)` / `expire(token)`.
Counters: `published[key]` (how many times a post with that content went live), `duplicates[key]` (repeats the
platform refused), `comments[text]` (first comments that went live), `posts` (everything live, in order). A
`MediaHost` serves the files the fakes fetch by URL.
"""

import base64
import contextlib
import hashlib
import io
import json
import re
import secrets
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import pytest
from PIL import Image


class Refusal(Exception):
    """An answer other than success: status, JSON payload, extra headers."""

    def __init__(self, status, payload, headers=None):
        super().__init__(status)
        self.status, self.payload, self.headers = status, payload, headers or {}


@dataclass
class Recorded:
    method: str
    path: str
    query: dict  # name → first value
    headers: dict  # lower-case names
    raw_query: str = ""
    body: bytes = b""
    json: dict | None = None
    form: dict = field(default_factory=dict)  # name → first value (urlencoded or multipart text fields)
    files: dict = field(default_factory=dict)  # name → bytes (multipart)

    @property
    def params(self):
        return {**self.query, **self.form, **(self.json if isinstance(self.json, dict) else {})}


@dataclass
class Token:
    account: str
    expires_at: float
    revoked: bool = False
    scopes: tuple = ()


@dataclass
class Answer:
    status: int = 200
    payload: object = None
    headers: dict = field(default_factory=dict)
    body: bytes | None = None  # raw body instead of JSON
    lose: bool = False  # a publish whose answer is to be lost


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, *args, **kwargs):
        self.open_connections, self.connections_lock = set(), threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        with self.connections_lock:
            self.open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.connections_lock:
            self.open_connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self):
        """A stopped server's kept-alive connections close too, as a real server's do when it goes away: else a
        client's pooled connection goes on talking to this fake after another took its port."""
        with self.connections_lock:
            requests = list(self.open_connections)
        for request in requests:
            with contextlib.suppress(OSError):
                request.shutdown(socket.SHUT_RDWR)


class FakePlatform:
    """Subclasses set `name` and `routes` [(METHOD, regex, method name)] and build their answers."""

    name = "platform"
    routes = ()
    token_lifetime = 60 * 24 * 3600

    def __init__(self, *, host="127.0.0.1", port=0, latency=0.0, record=True):
        self.host, self.port, self.latency, self.record_requests = host, port, latency, record
        self.requests = []
        self.published = Counter()
        self.duplicates = Counter()
        self.comments = Counter()  # first comments that went live, by text
        self.posts = []
        self.tokens = {}
        self.codes = {}  # OAuth code → {client_id, redirect_uri, challenge, account, scopes}
        self.refresh_tokens = {}  # refresh token → account
        self.client_id, self.client_secret = f"{self.name}-client", f"{self.name}-secret"
        self.authorize_as = "account-1"  # who "signs in" on the fake's consent page
        self._lost = 0
        self._stall = 0.0
        self._failed_reads, self._read_status = 0, 503
        self._rate_limited_until = 0.0
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server = self._thread = None
        self._routes = [(method, re.compile(f"^{pattern}$"), name) for method, pattern, name in self.routes]

    # Lifecycle.

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def start(self):
        self._server = _Server((self.host, self.port), _handler_for(self))
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name=f"fake-{self.name}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_connections()
            self._server = None
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # Knobs.

    def lose_answers(self, count=1, *, stall=3.0):
        """The next `count` publishes go live but their answers stall `stall` seconds (past the client timeout)."""
        with self._lock:
            self._lost, self._stall = count, stall

    def fail_reads(self, count=1, status=503):
        """The next `count` GET requests (the read APIs a lost answer is confirmed through) answer `status`."""
        with self._lock:
            self._failed_reads, self._read_status = count, status

    def take_failed_read(self):
        with self._lock:
            if self._failed_reads > 0:
                self._failed_reads -= 1
                return self._read_status
            return 0

    def rate_limit(self, seconds):
        with self._lock:
            self._rate_limited_until = time.time() + seconds

    def rate_limited(self):
        with self._lock:
            return max(0.0, self._rate_limited_until - time.time())

    def issue_token(self, account=None, *, lifetime=None, scopes=(), token=None):
        token = token or f"{self.name}-at-{secrets.token_urlsafe(12)}"
        with self._lock:
            self.tokens[token] = Token(
                account or self.authorize_as,
                time.time() + (lifetime if lifetime is not None else self.token_lifetime),
                scopes=tuple(scopes),
            )
        return token

    def issue_refresh_token(self, account=None):
        refresh = f"{self.name}-rt-{secrets.token_urlsafe(12)}"
        with self._lock:
            self.refresh_tokens[refresh] = account or self.authorize_as
        return refresh

    def revoke(self, token):
        with self._lock:
            self.tokens[token].revoked = True

    def expire(self, token):
        with self._lock:
            self.tokens[token].expires_at = time.time() - 1

    def requests_to(self, pattern):
        return [request for request in list(self.requests) if re.search(pattern, request.path)]

    # Helpers for subclasses (called from handler threads).

    def bearer(self, request):
        header = request.headers.get("authorization", "")
        return header[7:] if header.lower().startswith("bearer ") else ""

    def check_token(self, token):
        """The Token, or why not: 'missing', 'unknown', 'expired', 'revoked'."""
        with self._lock:
            found = self.tokens.get(token)
        if not token:
            return None, "missing"
        if found is None:
            return None, "unknown"
        if found.revoked:
            return None, "revoked"
        if found.expires_at < time.time():
            return None, "expired"
        return found, ""

    def count_published(self, key, post):
        with self._lock:
            self.published[key] += 1
            self.posts.append(post)

    def count_comment(self, text):
        with self._lock:
            self.comments[text] += 1

    def count_duplicate(self, key):
        with self._lock:
            self.duplicates[key] += 1

    def take_lost_answer(self):
        with self._lock:
            if self._lost > 0:
                self._lost -= 1
                return True
            return False

    def new_code(self, request):
        """GET authorize: remember the code and redirect back, as a consenting user would."""
        query = request.query
        code = secrets.token_urlsafe(16)
        with self._lock:
            self.codes[code] = {
                "client_id": query.get("client_id") or query.get("client_key"),
                "redirect_uri": query.get("redirect_uri"),
                "challenge": query.get("code_challenge"),
                "scopes": query.get("scope", ""),
                "account": self.authorize_as,
            }
        target = f"{query.get('redirect_uri')}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        return Answer(302, {}, {"Location": target})

    def redeem_code(self, request, *, client_id, verifier=None):
        """The account behind a code, or a Refusal-worthy reason string."""
        params = request.params
        with self._lock:
            grant = self.codes.pop(params.get("code", ""), None)
        if grant is None or grant["client_id"] != client_id:
            return None, "invalid code"
        if grant["redirect_uri"] != params.get("redirect_uri"):
            return None, "redirect_uri mismatch"
        if grant["challenge"]:
            expected = base64.urlsafe_b64encode(hashlib.sha256((verifier or "").encode()).digest()).rstrip(b"=")
            if expected.decode() != grant["challenge"]:
                return None, "code_verifier does not match"
        return grant, ""

    def stall(self):
        self._stopping.wait(self._stall)

    def not_found(self, request):
        return {"error": {"message": f"Unknown path {request.path}"}}


def _parse(handler, fake):
    parsed = urlparse(handler.path)
    query = {name: values[0] for name, values in parse_qs(parsed.query, keep_blank_values=True).items()}
    headers = {name.lower(): value for name, value in handler.headers.items()}
    length = int(headers.get("content-length") or 0)
    body = handler.rfile.read(length) if length else b""
    request = Recorded(handler.command, parsed.path, query, headers, parsed.query, body)
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    if body and kind == "application/json":
        try:
            request.json = json.loads(body)
        except ValueError:
            raise Refusal(400, {"error": "invalid JSON body"}) from None
    elif body and kind == "application/x-www-form-urlencoded":
        request.form = {name: values[0] for name, values in parse_qs(body.decode(), keep_blank_values=True).items()}
    elif body and kind == "multipart/form-data":
        message = BytesParser(policy=policy.HTTP).parsebytes(
            f"Content-Type: {headers['content-type']}\r\n\r\n".encode() + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if part.get_filename() is not None:
                request.files[name] = part.get_payload(decode=True)
            else:
                request.form[name] = part.get_payload(decode=True).decode()
    return request


def _handler_for(fake):
    class Handler(BaseHTTPRequestHandler):
        server_version = f"Fake{fake.name.title()}/1.0"
        protocol_version = "HTTP/1.1"
        # Headers and body leave in one segment: with keep-alive, two small writes meet delayed ACKs (40 ms each).
        wbufsize = 64 * 1024
        disable_nagle_algorithm = True

        def log_message(self, format, *args):
            pass

        def do_GET(self):
            self._serve()

        def do_POST(self):
            self._serve()

        def do_PUT(self):
            self._serve()

        def do_DELETE(self):
            self._serve()

        def _serve(self):
            try:
                try:
                    request = _parse(self, fake)
                    if fake.record_requests:
                        with fake._lock:
                            fake.requests.append(request)
                    if fake.latency:
                        fake._stopping.wait(fake.latency)
                    failed = fake.take_failed_read() if request.method == "GET" else 0
                    if failed:
                        answer = Answer(failed, {"message": "Service Unavailable", "status": failed})
                    else:
                        answer = self._route(request)
                except Refusal as refusal:
                    answer = Answer(refusal.status, refusal.payload, refusal.headers)
                if answer.lose:
                    fake.stall()
                self._send(answer)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _route(self, request):
            for method, pattern, name in fake._routes:
                match = pattern.match(request.path)
                if match and method == request.method:
                    return getattr(fake, name)(request, *match.groups())
            raise Refusal(404, fake.not_found(request))

        def _send(self, answer):
            body = (
                answer.body
                if answer.body is not None
                else (json.dumps(answer.payload).encode() if answer.payload is not None else b"")
            )
            self.send_response(answer.status)
            if answer.body is None and answer.payload is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


# Media: what the fakes fetch, and what tests hand them.


def fetch(url, timeout=10.0):
    """GET a media URL as the platform would; (bytes, content type) or raises ValueError with the reason."""
    try:
        response = httpx.get(url, timeout=timeout)
    except httpx.HTTPError as error:
        raise ValueError(f"could not fetch {url}: {type(error).__name__}") from error
    if response.status_code != 200:
        raise ValueError(f"fetching {url} answered HTTP {response.status_code}")
    return response.content, response.headers.get("content-type", "")


def identify(data):
    """(format, width, height) of an image by its content ('JPEG', 'PNG', …), or (None, 0, 0)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.format, image.width, image.height
    except Exception:  # anything Pillow cannot open is "not an image" to a platform
        return None, 0, 0


def probe_video(data):
    """(container, width, height, duration in ms) of a video by its content, as a platform's transcoder reads it
    ('mp4' for MP4/MOV, 'webm', …), or (None, 0, 0, 0) when it is not a video."""
    import av

    try:
        with av.open(io.BytesIO(data)) as container:
            stream = container.streams.video[0]
            length = container.duration or 0  # microseconds
            names = set(container.format.name.split(","))
            name = "mp4" if names & {"mp4", "mov"} else sorted(names)[0]
            return name, stream.codec_context.width, stream.codec_context.height, length // 1000
    except Exception:  # anything PyAV cannot open or that has no picture is "not a video" to a platform
        return None, 0, 0, 0


def video(host, *, seconds=4.0, width=108, height=192, **options):
    """A PublishMedia: a real H.264 MP4 of `seconds` served by `host` (a MediaHost), its bytes attached for upload
    platforms."""
    from scheduling.publishers.base import PublishMedia
    from tests.library.videos import clip

    data = clip(seconds=seconds, width=width, height=height, **options)
    return PublishMedia(
        url=host.add(data, "video/mp4", name="clip.mp4"),
        kind="video",
        mime="video/mp4",
        width=width,
        height=height,
        size=len(data),
        duration_ms=round(seconds * 1000),
        data=data,
    )


def image_bytes(width=1080, height=1080, fmt="JPEG", colour=(200, 90, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, fmt)
    return buffer.getvalue()


def pdf_bytes(pages=3):
    buffer = io.BytesIO()
    sheets = [Image.new("RGB", (400, 500), (20 * i % 255, 120, 200)) for i in range(pages)]
    sheets[0].save(buffer, "PDF", save_all=True, append_images=sheets[1:])
    return buffer.getvalue()


class MediaHost(FakePlatform):
    """A stand-in for Postframe's short-lived signed media URLs: add(bytes) → a URL the fakes can fetch once it is
    served; unknown or expired paths answer 404/403 like a signed URL past its time."""

    name = "media"
    routes = (("GET", r"/media/([\w-]+)/([\w.]+)", "serve"),)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.files = {}
        self.fetches = Counter()

    def add(self, data, mime="image/jpeg", *, name=None, ttl=600):
        key = secrets.token_urlsafe(12)
        extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}
        name = name or f"file.{extension.get(mime, 'bin')}"
        with self._lock:
            self.files[key] = (data, mime, time.time() + ttl)
        return f"{self.url}/media/{key}/{name}"

    def serve(self, request, key, name):
        with self._lock:
            found = self.files.get(key)
            self.fetches[key] += 1
        if found is None:
            raise Refusal(404, {"error": "not found"})
        data, mime, expires = found
        if expires < time.time():
            raise Refusal(403, {"error": "signature expired"})
        return Answer(200, body=data, headers={"Content-Type": mime})

    def not_found(self, request):
        return {"error": "not found"}


@pytest.fixture
def media_host():
    """A MediaHost: .add(data, mime) → URL."""
    with MediaHost() as host:
        yield host


def photo(host, width=1080, height=1350, fmt="JPEG", *, alt_text="", colour=(200, 90, 40)):
    """A PublishMedia served by `host` (a MediaHost) at a URL, with its bytes attached for upload platforms."""
    from scheduling.publishers.base import PublishMedia

    mime = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}[fmt]
    data = image_bytes(width, height, fmt, colour)
    return PublishMedia(
        url=host.add(data, mime),
        kind="image",
        mime=mime,
        width=width,
        height=height,
        size=len(data),
        alt_text=alt_text,
        data=data,
    )


@pytest.fixture
def fast_publishing(settings):
    """Publishers poll without pausing and give up on an answer after a second (the fakes stall for longer)."""
    settings.SCHEDULING_POLL_INTERVAL_MS = 0
    settings.SCHEDULING_POLL_ATTEMPTS = 3
    settings.SCHEDULING_PUBLISH_TIMEOUT = 1


def main(fake_class, argv=None):
    """Run a fake standalone (benchmarks, manual runs): python -m tests.fakes.<name>.server --port 8801 --token T"""
    import argparse

    parser = argparse.ArgumentParser(description=f"A local fake of {fake_class.name}.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default="", help="an access token the fake accepts (for a fixed account)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    args = parser.parse_args(argv)
    fake = fake_class(host=args.host, port=args.port, latency=args.latency, record=False).start()
    if args.token:
        fake.issue_token(token=args.token, lifetime=10 * 365 * 86400)
    print(f"{fake_class.__name__} listening on {fake.url} as {fake.authorize_as}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
