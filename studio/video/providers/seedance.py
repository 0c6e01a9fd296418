"""Seedance image-to-video on BytePlus ModelArk or Volcengine Ark over HTTP, with a Bearer API key.

POST /contents/generations/tasks (model, content [text, first-frame image_url], resolution, ratio, duration, seed,
camera_fixed, watermark, callback_url) → {id}; GET /contents/generations/tasks/{id} → {id, model, status, content:
{video_url}, error, created_at, …}; DELETE cancels a queued task. Errors are {error:{code, message}}. Task data and
video links last 24 hours.

Ark has no idempotency handle like Kling's external_task_id, so `lookup(external_id=…)` cannot work. A create whose
answer was lost is recovered with `recover()`: Ark's task listing (GET /contents/generations/tasks, filter.model,
last 7 days) searched for the one task of this model created since the submission began whose parameters are this
shot's (duration, ratio, resolution, seed; and its callback URL when the listing carries one). None found: it was
never created and may be sent again. More than one: kind "unknown", never a guess. The pipeline must therefore save
Ark's task id in the same transaction as the shot's state change.
"""

import base64

import httpx

from studio.video.providers.base import ShotSubmission, TaskState, VideoProviderError
from studio.video.providers.http import GATEWAY_STATUSES, download_clip, lost_behind_gateway, network_failure

LABEL = "Seedance"
PATH = "/contents/generations/tasks"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
RECOVERY_PAGE_SIZE = 100
CLOCK_SLACK_SECONDS = 120  # created_at is Ark's clock; ours may be behind

STATUSES = {"queued", "running", "succeeded", "failed", "cancelled", "expired"}


def _kind_for(status, code):
    code = code or ""
    if status == 401 or code.startswith("Authentication") or code in {"InvalidApiKey", "InvalidAccessKey"}:
        return "auth"
    if code in {"AccountOverdueError", "QuotaExceeded", "SetLimitExceeded", "InsufficientBalance"}:
        return "quota"
    if status == 403:
        return "auth" if code in {"AccessDenied", "PermissionDenied"} else "quota"
    if status == 429 or code in {"RateLimitExceeded", "ServerOverloaded", "RequestBurstTooFast"}:
        return "rate"
    if status == 404 or code in {"ResourceNotFound", "NotFound"}:
        return "not_found"
    if status >= 500 or code in {"InternalServiceError", "ServiceUnavailable"}:
        return "outage"
    return "user"


def _has_error_body(response):
    try:
        return isinstance((response.json() or {}).get("error"), dict)
    except (ValueError, AttributeError):
        return False


def _error(response, *, reading_task_id=False):
    try:
        error = (response.json() or {}).get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    code, message = error.get("code") or None, error.get("message") or response.reason_phrase or "no message"
    kind = _kind_for(response.status_code, code)
    if kind == "not_found" and reading_task_id:
        kind = "expired"  # a task id we saved that Ark no longer knows: its 24 hours are over
    texts = {
        "auth": f"Ark refused the key: {message} ({code or response.status_code}). Check the key under Team → "
        "Provider keys.",
        "quota": f"Ark refused for the account: {message} ({code or response.status_code}).",
        "rate": f"Seedance is busy ({message}); trying again shortly.",
        "outage": f"Ark had a server error ({code or response.status_code}); trying again shortly.",
        "expired": f"Ark no longer has this task: task data lasts 24 hours ({message}).",
        "not_found": f"Ark has no such task: {message}.",
        "user": f"Seedance refused the shot: {message} ({code or response.status_code}).",
    }
    retry_after = None
    if kind in {"rate", "outage"}:
        try:
            retry_after = max(float(response.headers.get("Retry-After", 5)), 1.0)
        except ValueError:
            retry_after = 5.0
    return VideoProviderError(texts[kind], kind=kind, provider="seedance", code=code, retry_after=retry_after)


def task_state(data):
    """An Ark task object → TaskState."""
    status = data.get("status", "")
    error = data.get("error") or {}
    content = data.get("content") or {}
    duration = data.get("duration")
    return TaskState(
        task_id=str(data.get("id", "")),
        status=status if status in STATUSES else "running",
        message=(error.get("message") or "") if isinstance(error, dict) else str(error),
        video_url=content.get("video_url") or "",
        duration=float(duration) if isinstance(duration, int | float) else None,
        raw=data,
    )


class SeedanceProvider:
    name = "seedance"

    def __init__(self, *, base_url, api_key, timeout=TIMEOUT, transport=None):
        self.client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            transport=transport,
            headers={"Authorization": f"Bearer {api_key}"},
        )

    def close(self):
        self.client.close()

    def _call(self, method, path, *, body=None, params=None, creating=False, reading_task_id=False):
        try:
            response = self.client.request(method, path, json=body, params=params)
        except httpx.HTTPError as exc:
            raise network_failure(exc, provider="seedance", label=LABEL, creating=creating) from exc
        if not response.is_success:
            if creating and response.status_code in GATEWAY_STATUSES and not _has_error_body(response):
                raise lost_behind_gateway(response, provider="seedance", label=LABEL)
            raise _error(response, reading_task_id=reading_task_id)
        try:
            return response.json() if response.content else {}
        except ValueError as exc:
            raise VideoProviderError(
                "Ark answered something that is not JSON; trying again shortly.",
                kind="outage" if not creating else "unknown",
                provider="seedance",
                retry_after=5,
            ) from exc

    @staticmethod
    def request_body(shot: ShotSubmission):
        image = base64.b64encode(shot.frame).decode("ascii")
        body = {
            "model": shot.model,
            "content": [
                {"type": "text", "text": shot.prompt},
                {
                    "type": "image_url",
                    "image_url": {"url": f"data:image/{shot.frame_format or 'png'};base64,{image}"},
                    "role": "first_frame",
                },
            ],
            "resolution": shot.resolution or "720p",
            "ratio": shot.aspect or "adaptive",
            "duration": int(shot.duration),
            "camera_fixed": False,
            "watermark": False,
        }
        if shot.seed is not None:
            body["seed"] = int(shot.seed)
        if shot.callback_url:
            body["callback_url"] = shot.callback_url
        return body

    def submit(self, shot: ShotSubmission) -> TaskState:
        data = self._call("POST", PATH, body=self.request_body(shot), creating=True)
        task_id = data.get("id")
        if not task_id:
            raise VideoProviderError(
                "Ark accepted the submission without a task id; it is looked up before anything is sent again.",
                kind="unknown",
                provider="seedance",
            )
        return TaskState(task_id=str(task_id), status="queued", raw=data)

    def lookup(self, *, task_id: str = "", external_id: str = "") -> TaskState:
        if not task_id:
            raise VideoProviderError(
                "Ark has no external task id to look a task up by; use recover() with the shot, or the task id saved "
                "with the submission.",
                kind="unknown",
                provider="seedance",
            )
        return task_state(self._call("GET", f"{PATH}/{task_id}", reading_task_id=True))

    def recover(self, shot: ShotSubmission, *, since: float) -> TaskState | None:
        """The task a lost create made for `shot`, from Ark's listing; None when none was made.

        `since` is the Unix time the submission began. Raises kind "unknown" when several tasks could be it.
        """
        listing = self._call(
            "GET", PATH, params={"page_num": 1, "page_size": RECOVERY_PAGE_SIZE, "filter.model": shot.model}
        )
        wanted = self.request_body(shot)
        matches = []
        for item in listing.get("items") or []:
            if item.get("model") not in (None, shot.model):
                continue
            if (item.get("created_at") or 0) < since - CLOCK_SLACK_SECONDS:
                continue
            if "callback_url" in item and wanted.get("callback_url") and item["callback_url"] != wanted["callback_url"]:
                continue
            if any(key in item and item[key] != wanted.get(key) for key in ("duration", "ratio", "resolution", "seed")):
                continue
            matches.append(item)
        if len(matches) > 1:
            raise VideoProviderError(
                f"{len(matches)} Seedance tasks could be this shot's lost submission; none is picked blindly.",
                kind="unknown",
                provider="seedance",
            )
        return task_state(matches[0]) if matches else None

    def cancel(self, *, task_id: str) -> None:
        state = self.lookup(task_id=task_id)
        if state.status != "queued":
            # Ark's DELETE on a finished task deletes its record (and the clip with it): never do that here.
            raise VideoProviderError(
                f"Seedance can cancel only a queued task; this one is {state.status}.", kind="user", provider="seedance"
            )
        self._call("DELETE", f"{PATH}/{task_id}")

    def download(self, state: TaskState) -> bytes:
        return download_clip(state.video_url, provider="seedance", label=LABEL)
