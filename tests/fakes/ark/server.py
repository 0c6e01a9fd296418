"""A local HTTP fake of Ark's content generation tasks (Seedance on BytePlus ModelArk / Volcengine Ark).

Under /api/v3: POST /contents/generations/tasks creates a task → {id}; GET /contents/generations/tasks/{id} reads it;
GET /contents/generations/tasks?page_num=&page_size=&filter.status=&filter.model=&filter.task_ids= lists tasks
(newest first, {items, total}); DELETE /contents/generations/tasks/{id} cancels a queued task (deletes the record of a
finished one, refuses a running one). Clips: GET /videos/{id}.mp4 (a real MP4). Errors are {error:{code, message}}.

It checks the Bearer key (401 AuthenticationError), the model, the content (one text, one image_url with role
first_frame as a data: URL of a JPEG/PNG/WebP ≤ 10 MB, sides ≥ 300 px, aspect 0.4–2.5), resolution, ratio, duration
(an integer: 5 or 10), seed, camera_fixed and watermark. Tasks go queued → running → succeeded after
`progress_seconds`; the finished task object is POSTed to callback_url.

Knobs: rate_limit_next (429 RateLimitExceeded), outage_next (500 InternalServiceError), refuse_policy (400
InputTextSensitiveContentDetected), quota_exhausted (403 AccountOverdueError), fail_tasks (tasks end failed with
OutputVideoSensitiveContentDetected), hold_queued (tasks stay queued), expire_results() (task data and clips gone, as
after 24 hours: 404), answer_delay (a lost answer), gateway_error_next (created, then a gateway's 502).
Counter: creates_by_fingerprint (model, prompt, image, duration,
ratio, resolution, seed).

Standalone: python -m tests.fakes.ark.server --port 8767
"""

import base64
import binascii
import hashlib
import io
import itertools
import time
from collections import Counter

from PIL import Image

from tests.fakes.taskfake import Answer, TaskFake, fake_clip, main

API_KEY = "ark-test-postframe-key"
MODELS = ("seedance-1-0-pro-250528", "seedance-1-0-lite-i2v-250428", "seedance-1-5-pro-251215")
RESOLUTIONS = ("480p", "720p", "1080p")
RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive")
PREFIX = "/api/v3"
PATH = PREFIX + "/contents/generations/tasks"
MAX_IMAGE_BYTES = 10 * 1024 * 1024


def refuse(status, code, message, headers=None):
    return Answer(status, {"error": {"code": code, "message": message}}, headers)


class FakeArk(TaskFake):
    name = "ark"
    FINISHED = ("succeeded", "failed", "cancelled")

    def __init__(self, *, api_key=API_KEY, **kwargs):
        super().__init__(**kwargs)
        self.api_key = api_key
        self.tasks = {}
        self.creates_by_fingerprint = Counter()
        self.rate_limit_next = self.outage_next = 0
        self.refuse_policy = self.quota_exhausted = self.fail_tasks = self.hold_queued = False
        self._ids = itertools.count(1)

    @property
    def url(self):
        return f"http://{self.host}:{self.port}{PREFIX}"

    @property
    def root(self):
        return f"http://{self.host}:{self.port}"

    def expire_results(self):
        """Everything older than now is gone, as task data and links are after 24 hours."""
        with self.lock:
            for task in self.tasks.values():
                task["gone"] = True

    def route(self, recorded):
        if recorded.method == "GET" and recorded.path.startswith("/videos/"):
            return self.serve_video(recorded.path)
        with self.lock:
            if recorded.headers.get("authorization", "") != f"Bearer {self.api_key}":
                raise refuse(
                    401, "AuthenticationError", "The API key in the request is missing or invalid. Request id: fake"
                )
            if self.rate_limit_next:
                self.rate_limit_next -= 1
                raise refuse(
                    429, "RateLimitExceeded", "Your account has exceeded the rate limit.", {"Retry-After": "1"}
                )
            if self.outage_next:
                self.outage_next -= 1
                raise refuse(500, "InternalServiceError", "The service encountered an unexpected internal error.")
            if recorded.method == "POST" and recorded.path == PATH:
                return self.create(recorded)
            if recorded.method == "GET" and recorded.path == PATH:
                return self.listing(recorded.query)
            if recorded.path.startswith(PATH + "/"):
                task = self.find(recorded.path[len(PATH) + 1 :])
                if recorded.method == "GET":
                    return 200, self.task_object(task)
                if recorded.method == "DELETE":
                    return self.delete(task)
        raise refuse(404, "NotFound", "The requested path does not exist.")

    def find(self, task_id):
        task = self.tasks.get(task_id)
        if task is None or task.get("gone") or task.get("deleted"):
            raise refuse(404, "ResourceNotFound", f"The specified task {task_id} is not found.")
        return task

    def validate(self, body):
        if not isinstance(body, dict):
            raise refuse(400, "InvalidParameter", "The request body is not JSON.")
        if body.get("model") not in MODELS:
            raise refuse(404, "InvalidEndpointOrModel.NotFound", f"The model {body.get('model')} does not exist.")
        content = body.get("content")
        if not isinstance(content, list) or not content:
            raise refuse(400, "InvalidParameter", "The parameter `content` is required.")
        texts = [c for c in content if c.get("type") == "text"]
        images = [c for c in content if c.get("type") == "image_url"]
        if len(texts) > 1 or not images:
            raise refuse(400, "InvalidParameter", "`content` takes one text and an image_url for image to video.")
        first = [c for c in images if c.get("role", "first_frame") == "first_frame"]
        if len(first) != 1:
            raise refuse(400, "InvalidParameter", "Exactly one image_url with role first_frame is required.")
        url = (first[0].get("image_url") or {}).get("url", "")
        if not url.startswith("data:image/") or ";base64," not in url:
            raise refuse(400, "InvalidParameter", "image_url.url must be a data:image/<format>;base64, URL here.")
        try:
            data = base64.b64decode(url.split(";base64,", 1)[1], validate=True)
        except (binascii.Error, ValueError):
            raise refuse(400, "InvalidParameter", "image_url.url is not valid base64.") from None
        if len(data) > MAX_IMAGE_BYTES:
            raise refuse(400, "InvalidParameter", "The image must not exceed 10 MB.")
        try:
            picture = Image.open(io.BytesIO(data))
            picture.verify()
        except Exception:
            raise refuse(400, "InvalidImage", "The image cannot be decoded.") from None
        if picture.format not in ("JPEG", "PNG", "WEBP"):
            raise refuse(400, "InvalidImage", f"The image format {picture.format} is not supported.")
        width, height = picture.size
        if min(width, height) < 300:
            raise refuse(400, "InvalidImage", "The image's width and height must be at least 300 px.")
        if not 0.4 - 1e-6 <= width / height <= 2.5 + 1e-6:
            raise refuse(400, "InvalidImage", "The image's aspect ratio (width/height) must be between 0.4 and 2.5.")
        if body.get("resolution", "720p") not in RESOLUTIONS:
            raise refuse(400, "InvalidParameter", f"resolution must be one of {', '.join(RESOLUTIONS)}.")
        if body.get("ratio", "adaptive") not in RATIOS:
            raise refuse(400, "InvalidParameter", f"ratio must be one of {', '.join(RATIOS)}.")
        duration = body.get("duration", 5)
        if not isinstance(duration, int) or isinstance(duration, bool) or duration not in (5, 10):
            raise refuse(400, "InvalidParameter", "duration must be the integer 5 or 10.")
        seed = body.get("seed", -1)
        if not isinstance(seed, int) or not -1 <= seed <= 2**32 - 1:
            raise refuse(400, "InvalidParameter", "seed must be an integer in [-1, 2^32-1].")
        for flag in ("camera_fixed", "watermark"):
            if not isinstance(body.get(flag, False), bool):
                raise refuse(400, "InvalidParameter", f"{flag} must be true or false.")
        text = texts[0].get("text", "") if texts else ""
        return text, data

    def create(self, recorded):
        body = recorded.json
        text, image = self.validate(body)
        if self.quota_exhausted:
            raise refuse(403, "AccountOverdueError", "Your account has an overdue balance.")
        if self.refuse_policy:
            raise refuse(
                400,
                "InputTextSensitiveContentDetected",
                "The request failed because the input text may contain sensitive information.",
            )
        fingerprint = hashlib.sha256(
            repr(
                (
                    body["model"],
                    text,
                    hashlib.sha256(image).hexdigest(),
                    body.get("duration", 5),
                    body.get("ratio", "adaptive"),
                    body.get("resolution", "720p"),
                    body.get("seed", -1),
                )
            ).encode()
        ).hexdigest()
        task_id = f"cgt-20261130{next(self._ids):06d}-fake"
        self.tasks[task_id] = {
            "id": task_id,
            "model": body["model"],
            "created": time.time(),
            "duration": body.get("duration", 5),
            "ratio": body.get("ratio", "adaptive"),
            "resolution": body.get("resolution", "720p"),
            "seed": body.get("seed", -1),
            "callback_url": body.get("callback_url") or "",
            "fails": self.fail_tasks,
            "held": self.hold_queued,
            "cancelled": False,
            "finished_seen": False,
            "fingerprint": fingerprint,
        }
        self.creates_by_fingerprint[fingerprint] += 1
        self.gateway_after_create()
        recorded.delay = self.answer_delay
        return 200, {"id": task_id}

    def status_of(self, task):
        if task["cancelled"]:
            return "cancelled"
        if task["held"]:
            return "queued"
        elapsed = time.time() - task["created"]
        if elapsed < self.progress_seconds / 3:
            return "queued"
        if elapsed < self.progress_seconds:
            return "running"
        return "failed" if task["fails"] else "succeeded"

    def task_object(self, task):
        status = self.status_of(task)
        data = {
            "id": task["id"],
            "model": task["model"],
            "status": status,
            "error": None,
            "content": None,
            "usage": None,
            "created_at": int(task["created"]),
            "updated_at": int(time.time()),
            "seed": task["seed"],
            "resolution": task["resolution"],
            "ratio": task["ratio"],
            "duration": task["duration"],
            "framespersecond": 24,
        }
        if status == "succeeded":
            data["content"] = {"video_url": f"{self.root}/videos/{task['id']}.mp4"}
            data["usage"] = {"completion_tokens": 108900, "total_tokens": 108900}
        if status == "failed":
            data["error"] = {
                "code": "OutputVideoSensitiveContentDetected",
                "message": "The request failed because the output video may contain sensitive information.",
            }
        return data

    def listing(self, query):
        page, size = int(query.get("page_num", 1)), int(query.get("page_size", 10))
        if not (1 <= page <= 500 and 1 <= size <= 500):
            raise refuse(400, "InvalidParameter", "page_num and page_size must be between 1 and 500.")
        tasks = [t for t in self.tasks.values() if not t.get("gone") and not t.get("deleted")]
        if query.get("filter.status"):
            tasks = [t for t in tasks if self.status_of(t) == query["filter.status"]]
        if query.get("filter.model"):
            tasks = [t for t in tasks if t["model"] == query["filter.model"]]
        if query.get("filter.task_ids"):
            tasks = [t for t in tasks if t["id"] == query["filter.task_ids"]]
        tasks.sort(key=lambda t: t["created"], reverse=True)
        items = [self.task_object(t) for t in tasks[(page - 1) * size : page * size]]
        return 200, {"items": items, "total": len(tasks)}

    def delete(self, task):
        status = self.status_of(task)
        if status == "queued":
            task["cancelled"] = True
            return 200, {}
        if status == "running":
            raise refuse(400, "InvalidParameter.OperationDenied", "A running task cannot be cancelled or deleted.")
        task["deleted"] = True
        return 200, {}

    def serve_video(self, path):
        task_id = path.rsplit("/", 1)[-1].removesuffix(".mp4")
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None or task.get("gone") or self.status_of(task) != "succeeded":
                return 404, {"error": {"code": "NotFound", "message": "The link has expired."}}
            duration = task["duration"]
        return 200, fake_clip(duration)


if __name__ == "__main__":
    main(
        FakeArk,
        description=__doc__.splitlines()[0],
        default_port=8767,
        greeting=lambda fake: f"Fake Ark on {fake.url} (API key {fake.api_key})",
    )
