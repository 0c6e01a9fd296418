"""Kling image-to-video over HTTP: a fresh HS256 JWT per request, tasks created with an external_task_id and read
back by task id or by that external id, Kling's result codes mapped to VideoProviderError kinds.

Wire format: POST /v1/videos/image2video, GET /v1/videos/image2video/{task_id or external_task_id}; envelope
{code, message, request_id, data:{task_id, task_status, task_status_msg, task_info:{external_task_id},
task_result:{videos:[{id, url, duration}]}}}.
"""

import base64

import httpx

from studio.engines.video import kling_token
from studio.video.providers.base import ShotSubmission, TaskState, VideoProviderError
from studio.video.providers.http import GATEWAY_STATUSES, download_clip, lost_behind_gateway, network_failure

LABEL = "Kling"
PATH = "/v1/videos/image2video"

TIMEOUT = httpx.Timeout(30.0, connect=10.0)

STATUSES = {"submitted": "queued", "processing": "running", "succeed": "succeeded", "failed": "failed"}

# Kling's result codes (its "Error codes" table) → our kinds. 1004 (token expired) is re-signed once first.
AUTH_CODES = {1000, 1001, 1002, 1003, 1004, 1103, 1304}
QUOTA_CODES = {1100, 1101, 1102}
RATE_CODES = {1302: 2, 1303: 5}  # code → seconds to wait at least
OUTAGE_CODES = {5000: 5, 5001: 10, 5002: 5}
NOT_FOUND_CODE = 1203


def _retry_after(response, floor):
    try:
        return max(float(response.headers.get("Retry-After", floor)), floor, 1.0)
    except ValueError:
        return max(floor, 1.0)


def _error(code, message, response, *, reading_task_id=False):
    """The VideoProviderError for a non-zero Kling code."""
    said = message or "no message"
    if code in RATE_CODES:
        return VideoProviderError(
            f"Kling is busy ({said}, code {code}); trying again shortly.",
            kind="rate",
            provider="kling",
            code=str(code),
            retry_after=_retry_after(response, RATE_CODES[code]),
        )
    if code in OUTAGE_CODES:
        return VideoProviderError(
            f"Kling had a server error ({said}, code {code}); trying again shortly.",
            kind="outage",
            provider="kling",
            code=str(code),
            retry_after=_retry_after(response, OUTAGE_CODES[code]),
        )
    if code in AUTH_CODES:
        return VideoProviderError(
            f"Kling refused the key: {said} (code {code}). Check the access key and secret key under Team → "
            "Provider keys.",
            kind="auth",
            provider="kling",
            code=str(code),
        )
    if code in QUOTA_CODES:
        return VideoProviderError(
            f"Kling refused for the account: {said} (code {code}).", kind="quota", provider="kling", code=str(code)
        )
    if code == NOT_FOUND_CODE:
        # A task id we saved that Kling no longer knows has expired; an external id it never saw was never created.
        return VideoProviderError(
            f"Kling has no such task: {said} (code {code}).",
            kind="expired" if reading_task_id else "not_found",
            provider="kling",
            code=str(code),
        )
    if code is not None and 1200 <= code < 1400:
        return VideoProviderError(
            f"Kling refused the shot: {said} (code {code}).", kind="user", provider="kling", code=str(code)
        )
    if response.status_code >= 500:
        return VideoProviderError(
            f"Kling answered {response.status_code} ({said}); trying again shortly.",
            kind="outage",
            provider="kling",
            code=str(code) if code is not None else None,
            retry_after=5,
        )
    if response.status_code == 429:
        return VideoProviderError(
            f"Kling is busy ({said}); trying again shortly.", kind="rate", provider="kling", retry_after=5
        )
    if response.status_code in (401, 403):
        return VideoProviderError(f"Kling refused the key: {said}.", kind="auth", provider="kling")
    return VideoProviderError(
        f"Kling refused the request: {said} (code {code}, HTTP {response.status_code}).",
        kind="user",
        provider="kling",
        code=str(code) if code is not None else None,
    )


def task_state(data):
    """A Kling task object → TaskState."""
    result = data.get("task_result") or {}
    videos = result.get("videos") or []
    video = videos[0] if videos else {}
    try:
        duration = float(video["duration"]) if video.get("duration") not in (None, "") else None
    except (TypeError, ValueError):
        duration = None
    return TaskState(
        task_id=str(data.get("task_id", "")),
        status=STATUSES.get(data.get("task_status", ""), "running"),
        message=data.get("task_status_msg") or "",
        video_url=video.get("url") or "",
        duration=duration,
        raw=data,
    )


class KlingProvider:
    name = "kling"

    def __init__(self, *, base_url, access_key, secret_key, timeout=TIMEOUT, transport=None):
        self.access_key, self.secret_key = access_key, secret_key
        self.client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)

    def close(self):
        self.client.close()

    def _headers(self):
        return {"Authorization": f"Bearer {kling_token(self.access_key, self.secret_key)}"}

    def _call(self, method, path, *, body=None, creating=False, reading_task_id=False):
        """The envelope's data; one fresh signature and one more try when Kling says the token expired (1004)."""
        for attempt in (1, 2):
            try:
                response = self.client.request(method, path, json=body, headers=self._headers())
            except httpx.HTTPError as exc:
                raise network_failure(exc, provider="kling", label=LABEL, creating=creating) from exc
            try:
                envelope = response.json()
            except ValueError:
                envelope = {}
            code = envelope.get("code") if isinstance(envelope, dict) else None
            if response.is_success and code == 0:
                return envelope.get("data") or {}
            # 1004 refuses the token before anything else happens, so even a create is safe to sign and send again.
            if code == 1004 and attempt == 1:
                continue
            if creating and code is None and response.status_code in GATEWAY_STATUSES:
                raise lost_behind_gateway(response, provider="kling", label=LABEL)
            message = envelope.get("message", "") if isinstance(envelope, dict) else ""
            raise _error(code, message or response.reason_phrase, response, reading_task_id=reading_task_id)
        raise AssertionError("unreachable")

    def submit(self, shot: ShotSubmission) -> TaskState:
        body = {
            "model_name": shot.model,
            "image": base64.b64encode(shot.frame).decode("ascii"),  # raw base64: Kling refuses a data: prefix
            "prompt": shot.prompt,
            "mode": shot.mode or "std",
            "duration": str(shot.duration),
            "external_task_id": shot.external_id,
        }
        if shot.negative_prompt:
            body["negative_prompt"] = shot.negative_prompt
        if shot.callback_url:
            body["callback_url"] = shot.callback_url
        return task_state(self._call("POST", PATH, body=body, creating=True))

    def lookup(self, *, task_id: str = "", external_id: str = "") -> TaskState:
        if not task_id and not external_id:
            raise ValueError("lookup needs a task id or an external id")
        return task_state(self._call("GET", f"{PATH}/{task_id or external_id}", reading_task_id=bool(task_id)))

    def cancel(self, *, task_id: str) -> None:
        raise VideoProviderError(
            "Kling cannot cancel a task once it is submitted; the shot is stopped here and its result ignored.",
            kind="user",
            provider="kling",
        )

    def download(self, state: TaskState) -> bytes:
        return download_clip(state.video_url, provider="kling", label=LABEL)
