"""The OpenAI image engine, on the official `openai` SDK: streamed generations, edits and multi-turn refinement.

Which API a request goes to:
- No references, no refinement: Images API `images.generate(..., stream=True)`.
- References (and maybe a mask): Images API `images.edit(image=[…], mask=…, stream=True)`, sent as
  multipart `image[]` and `mask`.
- `previous_response_id` set, or `refinable=True` with n == 1: the Responses API with the
  `image_generation` tool (forced through tool_choice), driven by settings.POSTFRAME_RESPONSES_MODEL.
  Only that path answers a response id, which Final.response_id carries so the job can be refined later;
  references go along as input images and a mask as the tool's input_image_mask.

Raster formats always stream (partial_images may be 0, then only the completed events arrive). GIF and SVG
cannot stream: they go as one plain request and answer one JSON body, and never to the Responses API here.
Markup-guided edits (`markup`, GPT Image 2.5) exist only on images.edit, so they never go to the Responses API
either. Partial frames are passed on coarse to fine, only before the first finished image.
Parameters left at the API's default are not sent; `user` goes out as safety_identifier (the SDK's
current name for it); input_fidelity only where the model takes the value (never for gpt-image-2);
`complexity` (thinking) only when asked for and the model plans; moderation only to generations (the edits
endpoint has no such parameter).

Retries: the SDK's own retries are off (max_retries=0) because a generation POST is not idempotent: a
request the server accepted may be billed even if the answer is lost. The engine retries at most twice,
and only when the server cannot have started work: a 429 rate limit (not "insufficient_quota"), or a
connection that never opened (connect error or connect timeout). A 5xx, a read timeout or a dropped
stream is never retried; the pipeline reports it and the user decides.

Masked edits are composited back onto the source (compositing.composite_through_mask) so the pixels the
mask keeps are exactly the source's, whatever the provider returned.
"""

import base64
import functools
import io
import re
import time

import httpx
import httpx2
import openai
from django.conf import settings
from PIL import Image

from studio.engines.capabilities import capabilities
from studio.engines.compositing import composite_through_mask
from studio.engines.types import EngineError, Final, PartialFrame
from studio.engines.validation import UNSTREAMED_FORMATS, validate_request

DEFAULT_TIMEOUT = openai.Timeout(600, connect=10)
MAX_RETRIES = 2
RETRY_DELAYS = (1.0, 3.0)  # seconds, when the server gives no Retry-After
MAX_RETRY_WAIT = 20.0
NEVER_CONNECTED = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx.ConnectError, httpx.ConnectTimeout)
MIME_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}

NO_KEY = "No OpenAI key is set for this team; an admin can add one under Team → Provider keys."
MODERATION_MESSAGES = {
    "input": "OpenAI's safety system blocked this request because of the prompt or the images sent with it. "
    "Rephrase it and try again.",
    "output": "OpenAI's safety system blocked the image it made. Try a different prompt.",
    None: "OpenAI's safety system blocked this request. Rephrase the prompt and try again.",
}


class OpenAIEngine:
    """Engine for the openai:* models; see the module docstring for the API each request uses."""

    label = "OpenAI"

    def __init__(self, *, timeout=DEFAULT_TIMEOUT, sleep=time.sleep):
        self.timeout, self.sleep = timeout, sleep

    def run(self, request, *, api_key=None):
        errors = validate_request(request)
        if errors:
            field, message = next(iter(errors.items()))
            raise EngineError(EngineError.USER, message, param=field)
        key = api_key or settings.OPENAI_API_KEY
        if not key:
            raise EngineError(EngineError.AUTH, NO_KEY)

        caps = capabilities(request.model_id)
        client = openai.OpenAI(
            api_key=key,
            base_url=settings.OPENAI_BASE_URL or None,
            timeout=self.timeout,
            max_retries=0,
            http_client=openai.DefaultHttpxClient(verify=_tls_context()),
        )
        try:
            if uses_responses_api(request):
                final = yield from self._respond(client, request, caps)
            elif request.output_format in UNSTREAMED_FORMATS:
                final = self._images_whole(client, request, caps)
            else:
                final = yield from self._images(client, request, caps)
        except openai.OpenAIError as error:
            raise engine_error(error, timeout=self.timeout) from error
        finally:
            client.close()
        yield final

    def _images(self, client, request, caps):
        if request.references:
            stream = self._with_retries(lambda: client.images.edit(**edit_params(request, caps)))
        else:
            stream = self._with_retries(lambda: client.images.generate(**generate_params(request, caps)))
        images, usage, output_format, last_frame = [], {}, request.output_format, -1
        with stream:
            for event in stream:
                if event.type.endswith(".partial_image"):
                    if not images and event.partial_image_index > last_frame:
                        last_frame = event.partial_image_index
                        yield PartialFrame(
                            index=event.partial_image_index,
                            image=base64.b64decode(event.b64_json),
                            output_format=event.output_format or output_format,
                        )
                elif event.type.endswith(".completed"):
                    images.append(base64.b64decode(event.b64_json))
                    usage = _dump(event.usage)
        if not images:
            raise EngineError(EngineError.OUTAGE, "OpenAI ended the stream without an image. Try again.")
        api = "images.edit" if request.references else "images.generate"
        return self._final(request, caps, images, usage, api=api)

    def _images_whole(self, client, request, caps):
        """GIF and SVG: one request without streaming, answered by one JSON body holding every image."""
        if request.references:
            answer = self._with_retries(lambda: client.images.edit(**edit_params(request, caps)))
        else:
            answer = self._with_retries(lambda: client.images.generate(**generate_params(request, caps)))
        images = [base64.b64decode(item.b64_json) for item in answer.data or () if item.b64_json]
        if not images:
            raise EngineError(EngineError.OUTAGE, "OpenAI answered without an image. Try again.")
        api = "images.edit" if request.references else "images.generate"
        return self._final(request, caps, images, _dump(answer.usage), api=api)

    def _respond(self, client, request, caps):
        stream = self._with_retries(lambda: client.responses.create(**responses_params(request, caps)))
        images, usage, response_id, revised, last_frame = [], {}, None, None, -1
        with stream:
            for event in stream:
                kind = event.type
                if kind == "response.created":
                    response_id = event.response.id
                elif kind == "response.image_generation_call.partial_image":
                    if not images and event.partial_image_index > last_frame:
                        last_frame = event.partial_image_index
                        yield PartialFrame(
                            index=event.partial_image_index,
                            image=base64.b64decode(event.partial_image_b64),
                            output_format=getattr(event, "output_format", None) or request.output_format,
                        )
                elif kind == "response.output_item.done" and event.item.type == "image_generation_call":
                    _raise_for_failed_call(event.item)
                    if event.item.result:
                        images.append(base64.b64decode(event.item.result))
                        revised = getattr(event.item, "revised_prompt", None) or revised
                elif kind == "response.completed":
                    response_id = event.response.id
                    usage = _dump(event.response.usage)
                    if not images:
                        for item in event.response.output or ():
                            if item.type == "image_generation_call":
                                _raise_for_failed_call(item)
                                if item.result:
                                    images.append(base64.b64decode(item.result))
                elif kind in ("response.failed", "response.incomplete"):
                    raise _response_failure(event.response)
                elif kind == "error":
                    raise error_from_code(event.code, event.message, getattr(event, "param", None))
        if not images:
            raise EngineError(
                EngineError.OUTAGE, "OpenAI answered without an image. Try again or rephrase the request."
            )
        return self._final(
            request, caps, images, usage, api="responses", response_id=response_id, revised_prompt=revised
        )

    def _final(self, request, caps, images, usage, *, api, response_id=None, revised_prompt=None):
        if request.mask:
            source = request.references[0].data
            images = [
                composite_through_mask(
                    source,
                    image,
                    request.mask,
                    output_format=request.output_format,
                    compression=request.output_compression,
                )
                for image in images
            ]
        return Final(
            images=tuple(images),
            usage={
                "engine": "openai",
                "model": caps.api_model,
                "api": api,
                "images": len(images),
                "provider_usage": usage,
            },
            response_id=response_id,
            output_format=request.output_format,
            revised_prompt=revised_prompt,
        )

    def _with_retries(self, call):
        """The call, retried at most MAX_RETRIES times when the server cannot have started work on it."""
        for attempt in range(MAX_RETRIES + 1):
            try:
                return call()
            except openai.RateLimitError as error:
                if error.code == "insufficient_quota" or attempt == MAX_RETRIES:
                    raise
                delay = _retry_after(error.response)
                delay = RETRY_DELAYS[attempt] if delay is None else delay
            except openai.APIConnectionError as error:
                if not isinstance(error.__cause__, NEVER_CONNECTED) or attempt == MAX_RETRIES:
                    raise
                delay = RETRY_DELAYS[attempt]
            self.sleep(min(delay, MAX_RETRY_WAIT))
        raise AssertionError("unreachable")


@functools.cache
def _tls_context():
    """The TLS settings of every client this process makes: the SDK's defaults, with the CA bundle loaded once.

    A client left to build its own loads the bundle each time, tens of milliseconds before each job's request;
    each run still gets a client (and connections) of its own, closed when the run ends.
    """
    return httpx2.create_ssl_context()


def uses_responses_api(request):
    """Whether the request goes to the Responses API: a refinement, or one streamed image that may be refined."""
    if request.previous_response_id:
        return True
    streamable = request.output_format not in UNSTREAMED_FORMATS
    return request.refinable and request.n == 1 and not request.markup and streamable


def generate_params(request, caps):
    """Keyword arguments for client.images.generate: what the request sets beyond the API's defaults."""
    params = _common_params(request, caps)
    if request.moderation != "auto":
        params["moderation"] = request.moderation
    return params


def edit_params(request, caps):
    """Keyword arguments for client.images.edit; the images go as multipart image[] and mask."""
    params = _common_params(request, caps)
    params["image"] = [
        _upload(reference.data, reference.name, number) for number, reference in enumerate(request.references, start=1)
    ]
    if request.mask:
        params["mask"] = ("mask.png", request.mask, "image/png")
    if request.markup:
        params["markup"] = ("markup.png", request.markup, "image/png")
    if request.input_fidelity in caps.fidelities:
        params["input_fidelity"] = request.input_fidelity
    return params


def responses_params(request, caps):
    """Keyword arguments for client.responses.create with the image_generation tool forced."""
    tool = {
        "type": "image_generation",
        "model": caps.api_model,
        "size": request.size,
        "quality": request.quality,
        "output_format": request.output_format,
        "partial_images": 0 if request.output_format in UNSTREAMED_FORMATS else request.partial_images,
    }
    if request.background != "auto":
        tool["background"] = request.background
    if request.complexity and caps.complexity:
        tool["complexity"] = request.complexity
    if request.output_compression is not None:
        tool["output_compression"] = request.output_compression
    if request.moderation != "auto":
        tool["moderation"] = request.moderation
    if request.input_fidelity in caps.fidelities:
        tool["input_fidelity"] = request.input_fidelity
    if request.mask:
        tool["input_image_mask"] = {"image_url": _data_url(request.mask)}

    if request.references:
        content = [{"type": "input_text", "text": request.prompt}]
        content += [{"type": "input_image", "image_url": _data_url(reference.data)} for reference in request.references]
        prompt_input = [{"role": "user", "content": content}]
    else:
        prompt_input = request.prompt
    params = {
        "model": settings.POSTFRAME_RESPONSES_MODEL,
        "input": prompt_input,
        "tools": [tool],
        "tool_choice": {"type": "image_generation"},
        "stream": True,
    }
    if request.previous_response_id:
        params["previous_response_id"] = request.previous_response_id
    if request.user:
        params["safety_identifier"] = request.user
    return params


def _common_params(request, caps):
    params = {
        "model": caps.api_model,
        "prompt": request.prompt,
        "n": request.n,
        "size": request.size,
        "quality": request.quality,
        "output_format": request.output_format,
    }
    if request.output_format not in UNSTREAMED_FORMATS:
        # GIF and SVG cannot stream; everything else streams, with or without partial frames.
        params["partial_images"] = request.partial_images
        params["stream"] = True
    if request.complexity and caps.complexity:
        params["complexity"] = request.complexity
    if request.background != "auto":
        params["background"] = request.background
    if request.output_compression is not None:
        params["output_compression"] = request.output_compression
    if request.user:
        # safety_identifier is the current name of the deprecated `user` field.
        params["safety_identifier"] = request.user
    return params


def _image_format(data):
    return Image.open(io.BytesIO(data)).format


def _upload(data, name, number):
    kind = _image_format(data)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", name.rsplit(".", 1)[0]).strip("-") if name else ""
    return (f"{stem or f'image-{number}'}.{EXTENSIONS[kind]}", data, MIME_TYPES[kind])


def _data_url(data):
    return f"data:{MIME_TYPES[_image_format(data)]};base64,{base64.b64encode(data).decode()}"


def _dump(usage):
    return usage.model_dump(exclude_none=True) if usage is not None else {}


def _retry_after(response):
    """Seconds the server asked us to wait (Retry-After, or OpenAI's retry-after-ms), if it said."""
    headers = getattr(response, "headers", None) or {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return float(headers[name]) * scale
        except (KeyError, ValueError):
            continue
    return None


def _raise_for_failed_call(item):
    if item.status == "failed" or getattr(item, "error", None):
        error = item.error
        if error is None:
            raise EngineError(EngineError.OUTAGE, "OpenAI could not make the image. Try again.")
        details = getattr(error, "moderation_details", None)
        raise error_from_code(error.code, error.message, error.param, stage=getattr(details, "moderation_stage", None))


def _response_failure(response):
    error = getattr(response, "error", None)
    if error is not None:
        return error_from_code(error.code, error.message, None)
    reason = getattr(getattr(response, "incomplete_details", None), "reason", None)
    if reason == "content_filter":
        return EngineError(EngineError.MODERATION, MODERATION_MESSAGES[None])
    return EngineError(EngineError.OUTAGE, "OpenAI stopped before the image was finished. Try again.")


def engine_error(error, *, timeout=DEFAULT_TIMEOUT):
    """The EngineError, with a message fit for the user, for an exception the SDK raised."""
    if isinstance(error, EngineError):
        return error
    if isinstance(error, openai.APITimeoutError):
        seconds = timeout.read or 600
        wait = f"{round(seconds / 60)} minutes" if seconds >= 120 else f"{seconds:g} seconds"
        return EngineError(
            EngineError.TIMEOUT,
            f"OpenAI did not answer within {wait}. Try again, or choose a lower quality or smaller size.",
            retryable=True,
        )
    if isinstance(error, openai.APIConnectionError):
        return EngineError(
            EngineError.OUTAGE,
            "Could not reach OpenAI. Check the server's network connection and try again.",
            retryable=True,
        )
    if isinstance(error, openai.APIStatusError):
        status, message = error.status_code, _provider_message(error)
        if status == 400:
            return error_from_code(error.code, message, error.param, stage=_stage(error))
        if status == 401:
            return EngineError(
                EngineError.AUTH,
                f"OpenAI refused the API key ({message}). An admin can check it under Team → Provider keys.",
            )
        if status == 403:
            return EngineError(
                EngineError.AUTH,
                f"OpenAI refused the API key for this request ({message}). An admin can check the key and the "
                "organisation's access under Team → Provider keys.",
            )
        if status == 429:
            return error_from_code(error.code or "rate_limit_exceeded", message, error.param)
        if status >= 500:
            return EngineError(
                EngineError.OUTAGE,
                f"OpenAI had a server error ({status}). Try again in a few minutes.",
                retryable=True,
            )
        return EngineError(EngineError.USER, f"OpenAI rejected the request: {message}", param=error.param)
    if isinstance(error, openai.APIError):
        # An error event inside an accepted stream: classified by its code.
        return error_from_code(error.code, _provider_message(error), error.param, stage=_stage(error))
    return EngineError(EngineError.OUTAGE, "Something went wrong while talking to OpenAI. Try again.")


def error_from_code(code, message, param, *, stage=None):
    """The EngineError for an OpenAI error code: moderation, quota and rate limits, or the user's input."""
    message = message or "no details given"
    if code == "moderation_blocked":
        stage = stage or _stage_from_text(message)
        return EngineError(EngineError.MODERATION, MODERATION_MESSAGES[stage], param=param)
    if code == "insufficient_quota":
        return EngineError(
            EngineError.RATE_LIMIT,
            "The OpenAI account behind this key has run out of credit (insufficient quota). "
            "An admin needs to add billing at OpenAI.",
        )
    if code in ("rate_limit_exceeded", "rate_limit_error"):
        return EngineError(
            EngineError.RATE_LIMIT, "OpenAI is rate-limiting this key right now. Try again in a minute.", retryable=True
        )
    if code in ("server_error", "internal_error"):
        return EngineError(EngineError.OUTAGE, "OpenAI had a server error. Try again in a few minutes.", retryable=True)
    return EngineError(EngineError.USER, f"OpenAI rejected the request: {message}", param=param)


def _provider_message(error):
    body = error.body if isinstance(error.body, dict) else {}
    return body.get("message") or error.message


def _stage(error):
    body = error.body if isinstance(error.body, dict) else {}
    stage = (body.get("moderation_details") or {}).get("moderation_stage")
    return stage if stage in ("input", "output") else None


def _stage_from_text(message):
    match = re.search(r"\b(input|output)\b", message or "", re.IGNORECASE)
    return match.group(1).lower() if match else None
