"""A local HTTP fake of Kling's image-to-video API, speaking its documented wire format.

POST /v1/videos/image2video creates a task; GET /v1/videos/image2video/{task_id or external_task_id} reads it;
GET /v1/videos/image2video?pageNum=&pageSize= lists tasks; GET /videos/{task_id}.mp4 serves the clip (a real MP4).
Every answer is the envelope {code, message, request_id, data}.

It verifies the Bearer JWT (HS256 with the one secret it knows, header typ JWT, iss = its access key, exp, nbf:
1001 empty, 1002 invalid, 1003 not yet valid, 1004 expired), refuses a reused external_task_id (1201: Kling
documents external ids as unique per account; its table has no code of its own for the reuse, so the invalid-
parameter code), and validates like Kling: model_name, image as raw base64 (no data: prefix) of a JPEG/PNG ≤ 10 MB
with sides ≥ 300 px and aspect 1:2.5–2.5:1, prompt and negative_prompt ≤ 2500 characters, duration the string
"5" or "10", mode std/pro. Tasks go submitted → processing → succeed after `progress_seconds`, then the callback
(the task object, unsigned) is POSTed to callback_url.

Knobs: rate_limit_next (1302, HTTP 429), concurrency_next (1303), outage_next (5000, HTTP 500), expire_tokens_next
(1004 even for a good token), refuse_policy (1301 on create), quota_exhausted (1102), fail_tasks (tasks end failed),
expire_results() (clip URLs answer 404), answer_delay (the create happens, its answer comes late: a lost answer),
gateway_error_next (the create happens, a gateway answers 502).
Counters: creates_by_external_id.

Standalone: python -m tests.fakes.kling.server --port 8766
"""

import base64
import binascii
import io
import itertools
import time
import uuid
from collections import Counter

import jwt
from PIL import Image

from tests.fakes.taskfake import Answer, TaskFake, fake_clip, main

ACCESS_KEY = "ak-test-kling-postframe"
SECRET_KEY = "sk-test-kling-postframe-secret-key-0123456789"
MODELS = (
    "kling-v1",
    "kling-v1-6",
    "kling-v2-master",
    "kling-v2-1",
    "kling-v2-1-master",
    "kling-v2-5-turbo",
    "kling-v2-6",
)
PATH = "/v1/videos/image2video"
MAX_IMAGE_BYTES = 10 * 1024 * 1024


def envelope(data=None, *, code=0, message="SUCCEED"):
    return {"code": code, "message": message, "request_id": str(uuid.uuid4()), "data": data}


def refuse(status, code, message, headers=None):
    return Answer(status, envelope(None, code=code, message=message), headers)


class FakeKling(TaskFake):
    name = "kling"
    FINISHED = ("succeed", "failed")

    def __init__(self, *, access_key=ACCESS_KEY, secret_key=SECRET_KEY, **kwargs):
        super().__init__(**kwargs)
        self.access_key, self.secret_key = access_key, secret_key
        self.tasks = {}  # task_id → task record
        self.by_external_id = {}
        self.creates_by_external_id = Counter()
        self.rate_limit_next = self.concurrency_next = self.outage_next = self.expire_tokens_next = 0
        self.refuse_policy = self.quota_exhausted = self.fail_tasks = False
        self.results_expired = False
        self._ids = itertools.count(860_000_000_000_000_001)

    def expire_results(self):
        self.results_expired = True

    # Authentication

    def check_token(self, headers):
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer ") or not auth[7:].strip():
            raise refuse(401, 1001, "Authorization is empty")
        if self.expire_tokens_next:
            self.expire_tokens_next -= 1
            raise refuse(401, 1004, "Authorization is expired")
        token = auth[7:].strip()
        try:
            header = jwt.get_unverified_header(token)
            if header.get("typ") != "JWT" or header.get("alg") != "HS256":
                raise jwt.InvalidTokenError("header")
            claims = jwt.decode(
                token,
                self.secret_key,
                algorithms=["HS256"],
                options={"require": ["iss", "exp", "nbf"], "verify_nbf": False, "verify_exp": False},
            )
        except jwt.InvalidTokenError:
            raise refuse(401, 1002, "Authorization is invalid") from None
        now = time.time()
        if claims["iss"] != self.access_key:
            raise refuse(401, 1002, "Authorization is invalid")
        if claims["nbf"] > now:
            raise refuse(401, 1003, "Authorization is not yet valid")
        if claims["exp"] <= now:
            raise refuse(401, 1004, "Authorization is expired")

    def throttle(self):
        if self.rate_limit_next:
            self.rate_limit_next -= 1
            raise refuse(429, 1302, "API request is too fast, please slow down", {"Retry-After": "1"})
        if self.concurrency_next:
            self.concurrency_next -= 1
            raise refuse(429, 1303, "Concurrency or QPS exceeds the prepaid resource package limit")
        if self.outage_next:
            self.outage_next -= 1
            raise refuse(500, 5000, "Server internal error")

    # Routes

    def route(self, recorded):
        if recorded.method == "GET" and recorded.path.startswith("/videos/"):
            return self.serve_video(recorded.path)
        with self.lock:
            self.check_token(recorded.headers)
            self.throttle()
            if recorded.method == "POST" and recorded.path == PATH:
                return self.create(recorded)
            if recorded.method == "GET" and recorded.path == PATH:
                return self.listing(recorded.query)
            if recorded.method == "GET" and recorded.path.startswith(PATH + "/"):
                return 200, envelope(self.task_object(self.find(recorded.path[len(PATH) + 1 :])))
        raise refuse(404, 1202, "Invalid request method or path")

    def find(self, identifier):
        task = self.tasks.get(identifier)
        if task is None and identifier in self.by_external_id:
            task = self.tasks[self.by_external_id[identifier]]
        if task is None:
            raise refuse(404, 1203, "The requested resource does not exist")
        return task

    def validate(self, body):
        if not isinstance(body, dict):
            raise refuse(400, 1200, "Invalid request parameters: the body is not JSON")
        if body.get("model_name", "kling-v1") not in MODELS:
            raise refuse(400, 1201, f"Invalid parameter: model_name {body.get('model_name')!r} is not supported")
        image = body.get("image")
        if not image:
            raise refuse(400, 1201, "Invalid parameter: image is required")
        if image.startswith("data:"):
            raise refuse(400, 1201, "Invalid parameter: image must be a URL or raw base64 without a data: prefix")
        try:
            data = base64.b64decode(image, validate=True)
        except (binascii.Error, ValueError):
            raise refuse(400, 1201, "Invalid parameter: image is not valid base64") from None
        if len(data) > MAX_IMAGE_BYTES:
            raise refuse(400, 1201, "Invalid parameter: image must not exceed 10MB")
        try:
            picture = Image.open(io.BytesIO(data))
            picture.verify()
        except Exception:
            raise refuse(400, 1201, "Invalid parameter: image is not a readable jpg/png") from None
        if picture.format not in ("JPEG", "PNG"):
            raise refuse(400, 1201, "Invalid parameter: image must be jpg, jpeg or png")
        width, height = picture.size
        if min(width, height) < 300:
            raise refuse(400, 1201, "Invalid parameter: image width and height must be at least 300px")
        if not (1 / 2.5 - 1e-6 <= width / height <= 2.5 + 1e-6):
            raise refuse(400, 1201, "Invalid parameter: image aspect ratio must be between 1:2.5 and 2.5:1")
        for name in ("prompt", "negative_prompt"):
            if len(body.get(name) or "") > 2500:
                raise refuse(400, 1201, f"Invalid parameter: {name} cannot exceed 2500 characters")
        if body.get("duration", "5") not in ("5", "10"):
            raise refuse(400, 1201, 'Invalid parameter: duration must be the string "5" or "10"')
        if body.get("mode", "std") not in ("std", "pro"):
            raise refuse(400, 1201, "Invalid parameter: mode must be std or pro")

    def create(self, recorded):
        body = recorded.json
        self.validate(body)
        if self.quota_exhausted:
            raise refuse(429, 1102, "Resource pack depleted or expired")
        if self.refuse_policy:
            raise refuse(400, 1301, "Trigger the content security policy of the platform")
        external_id = body.get("external_task_id") or ""
        if external_id and external_id in self.by_external_id:
            raise refuse(400, 1201, f"Invalid parameter: external_task_id {external_id} already exists")
        task_id = str(next(self._ids))
        now = time.time()
        self.tasks[task_id] = {
            "task_id": task_id,
            "external_task_id": external_id,
            "model_name": body.get("model_name", "kling-v1"),
            "duration": body.get("duration", "5"),
            "callback_url": body.get("callback_url") or "",
            "created": now,
            "fails": self.fail_tasks,
            "finished_seen": False,
        }
        if external_id:
            self.by_external_id[external_id] = task_id
            self.creates_by_external_id[external_id] += 1
        self.gateway_after_create()
        recorded.delay = self.answer_delay
        return 200, envelope(self.task_object(self.tasks[task_id]))

    def status_of(self, task):
        elapsed = time.time() - task["created"]
        if elapsed < self.progress_seconds / 3:
            return "submitted"
        if elapsed < self.progress_seconds:
            return "processing"
        return "failed" if task["fails"] else "succeed"

    def task_object(self, task):
        status = self.status_of(task)
        data = {
            "task_id": task["task_id"],
            "task_status": status,
            "task_status_msg": "Failure to pass the risk control system" if status == "failed" else "",
            "task_info": {"external_task_id": task["external_task_id"]},
            "created_at": int(task["created"] * 1000),
            "updated_at": int(time.time() * 1000),
        }
        if status == "succeed":
            data["task_result"] = {
                "videos": [
                    {
                        "id": f"video-{task['task_id']}",
                        "url": f"{self.url}/videos/{task['task_id']}.mp4",
                        "duration": task["duration"],
                    }
                ]
            }
        return data

    def listing(self, query):
        page, size = int(query.get("pageNum", 1)), int(query.get("pageSize", 30))
        tasks = sorted(self.tasks.values(), key=lambda t: t["created"], reverse=True)
        return 200, envelope([self.task_object(t) for t in tasks[(page - 1) * size : page * size]])

    def serve_video(self, path):
        task_id = path.rsplit("/", 1)[-1].removesuffix(".mp4")
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None or self.results_expired or self.status_of(task) != "succeed":
                return 404, {"error": "not found"}
            duration = int(task["duration"])
        return 200, fake_clip(duration)


if __name__ == "__main__":
    main(
        FakeKling,
        description=__doc__.splitlines()[0],
        default_port=8766,
        greeting=lambda fake: f"Fake Kling on {fake.url} (access key {fake.access_key}, secret key {fake.secret_key})",
    )
