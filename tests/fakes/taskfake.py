"""What the video providers' fakes share: a threaded JSON HTTP server, a request log, timed task progress, callbacks
POSTed when a task finishes, and a real small MP4 (made once by the offline animator) behind every video URL."""

import argparse
import functools
import io
import json
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from PIL import Image, ImageDraw

from studio.video import media


@functools.lru_cache(maxsize=4)
def fake_clip(duration=5):
    """A real, small H.264 MP4 of `duration` seconds (320×180), made once per process."""
    frame = Image.new("RGB", (640, 360), (32, 56, 88))
    draw = ImageDraw.Draw(frame)
    for x in range(0, 640, 40):
        draw.rectangle((x, 150, x + 18, 210), fill=(230, 160, 60))
    buffer = io.BytesIO()
    frame.save(buffer, "PNG")
    return media.animate(
        buffer.getvalue(), duration=duration, aspect="16:9", prompt="pan right", long_side=320, pixel_budget=320 * 180
    )


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    headers: dict
    json: object = None


@dataclass
class Callback:
    url: str
    body: dict
    status: int | None = None  # what the receiver answered; None when it could not be reached
    at: float = field(default_factory=time.time)


class Answer(Exception):
    """Raised by a route to answer at once: status, a JSON body, extra headers."""

    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


GATEWAY_PAGE = "<html><body><h1>502 Bad Gateway</h1></body></html>"


class TaskFake:
    """Subclasses keep `tasks`, implement route(recorded) → (status, body), status_of(task) and task_object(task),
    and name the provider's FINISHED statuses; tick() (every 20 ms) fires each finished task's callback once."""

    name = "fake"
    FINISHED = ()  # the provider's words for a task that has ended

    def __init__(self, *, host="127.0.0.1", port=0, progress_seconds=0.3, answer_delay=0.0):
        self.host, self.port = host, port
        self.progress_seconds = progress_seconds  # from creation to a finished task
        self.answer_delay = answer_delay  # a create is made, then its answer waits this long (a lost answer)
        self.gateway_error_next = 0  # a create is made, then a gateway answers 502 in the provider's place
        self.requests, self.callbacks = [], []
        self.lock = threading.RLock()
        self._server = self._thread = self._ticker = None
        self._stopping = threading.Event()

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def start(self):
        self._server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name=f"fake-{self.name}", daemon=True
        )
        self._thread.start()
        self._ticker = threading.Thread(target=self._tick_loop, name=f"fake-{self.name}-ticker", daemon=True)
        self._ticker.start()
        return self

    def stop(self):
        self._stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for thread in (self._thread, self._ticker):
            if thread:
                thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _tick_loop(self):
        while not self._stopping.wait(0.02):
            with self.lock:
                self.tick()

    def tick(self):
        """POST each task's callback once, when it has just finished, as the provider does."""
        for task in self.tasks.values():
            if not task["finished_seen"] and self.status_of(task) in self.FINISHED:
                task["finished_seen"] = True
                if task["callback_url"]:
                    self.post_callback(task["callback_url"], self.task_object(task))

    def gateway_after_create(self):
        """Called by a subclass once a create is made: answer as a failing gateway when the knob says so."""
        if self.gateway_error_next:
            self.gateway_error_next -= 1
            raise Answer(502, GATEWAY_PAGE)

    def requests_to(self, method, prefix):
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix)]

    def post_callback(self, url, body):
        """POST `body` to `url` from a thread, as the provider does when a task finishes; recorded in .callbacks."""
        record = Callback(url=url, body=body)
        self.callbacks.append(record)

        def send():
            request = urllib.request.Request(
                url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    record.status = response.status
            except urllib.error.HTTPError as exc:
                record.status = exc.code
            except OSError:
                record.status = None

        threading.Thread(target=send, daemon=True).start()

    def wait_for(self, predicate, timeout=5.0):
        """Wait until `predicate()` is true (tests use it for callbacks, which arrive from another thread)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.02)
        return False


def _handler_for(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # quiet: tests read .requests instead
            pass

        def do_GET(self):
            self._serve()

        def do_POST(self):
            self._serve()

        def do_DELETE(self):
            self._serve()

        def _serve(self):
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = None
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw
            recorded = Recorded(
                method=self.command,
                path=parts.path,
                query={k: v[0] for k, v in parse_qs(parts.query).items()},
                headers={k.lower(): v for k, v in self.headers.items()},
                json=body,
            )
            with fake.lock:
                fake.requests.append(recorded)
            headers = {}
            try:
                status, payload = fake.route(recorded)
            except Answer as answer:
                status, payload, headers = answer.status, answer.body, answer.headers
            delay = getattr(recorded, "delay", 0.0)
            if delay:
                time.sleep(delay)
            if isinstance(payload, bytes):
                data, content_type = payload, "video/mp4"
            elif isinstance(payload, str):  # a gateway's own error page
                data, content_type = payload.encode(), "text/html"
            else:
                data, content_type = json.dumps(payload).encode(), "application/json"
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a lost answer): the task exists all the same

    return Handler


class CallbackReceiver:
    """Stands in for the studio's callback URL: records each POST (path, headers, JSON) and answers 200."""

    def __init__(self):
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "json": json.loads(raw),
                    }
                )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()


def main(fake_class, *, description, default_port, greeting):
    """Run one fake by hand until Ctrl-C: `python -m tests.fakes.<provider>.server --port N`."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=default_port)
    parser.add_argument("--progress", type=float, default=3.0)
    args = parser.parse_args()
    fake = fake_class(port=args.port, progress_seconds=args.progress).start()
    print(greeting(fake))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()
