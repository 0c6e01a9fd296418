"""A local HTTP fake of OpenAI's image endpoints, speaking the documented wire format closely enough for the SDK.

Endpoints: POST /v1/images/generations (JSON), POST /v1/images/edits (multipart: image[], mask, markup),
POST /v1/responses (JSON, image_generation tool or a json_schema text format, remembers response ids),
GET /v1/models. With `stream: true` they answer text/event-stream (`event: <type>` / `data: <json>`),
otherwise JSON.

It rejects what the real API rejects, with OpenAI's error shape {"error": {message, type, param, code}}:
a missing or unknown bearer key (401 invalid_api_key), a size the model cannot make, n outside 1–10,
partial_images above 3, input_fidelity for gpt-image-2 (and any value a model does not take: gpt-image-1-mini
takes only low), a transparent background for gpt-image-2 or outside PNG/WebP, a mask that is not a PNG with
alpha of the first image's size, an unknown previous_response_id; per model (IMAGE_MODELS): a quality it lacks
(xhigh/max outside the 2.5 line), a format it cannot make (gif/svg outside the 2.5 line), complexity where it
does not plan, markup where it is not offered, markup with a mask, markup not a PNG of Image 1's size with
transparent pixels; SVG with n > 1; streaming, partial images or compression with SVG or GIF; a mask with GIF;
a retired model (gpt-image-1, DALL·E: 404 model_not_found).

Magic words in a prompt provoke failures: "[moderation]" (400 moderation_blocked at the input stage),
"[moderation-output]" (the same at the output stage), "[rate-limit]" (429 every time), "[rate-limit-once]"
(429 the first time that prompt is seen), "[quota]" (429 insufficient_quota), "[outage]" (500),
"[stream-error]" (an accepted stream that ends in an error event), "[slow]" (waits `slow_seconds`).

Every request is recorded (method, path, headers, JSON body or multipart fields and files) so tests can
assert exactly what the SDK sent. Images are real PNG/JPEG/WebP files of the requested size.

Standalone: python -m tests.fakes.openai.server --port 8765 [--any-key] [--frame-delay 0.5]
"""

import argparse
import base64
import hashlib
import io
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

DEFAULT_API_KEY = "sk-test-postframe-fake-key"
FIXED_SIZES = ("1024x1024", "1536x1024", "1024x1536")
BASE_QUALITIES = ("low", "medium", "high", "auto")
RICH_QUALITIES = ("low", "medium", "high", "xhigh", "max", "auto")
RASTER = ("png", "jpeg", "webp")
ALL_FORMATS = ("png", "jpeg", "webp", "gif", "svg")


def _spec(sizes="fixed", transparent=True, fidelity=(), qualities=BASE_QUALITIES, formats=RASTER, **more):
    return {
        "sizes": sizes,
        "transparent": transparent,
        "fidelity": fidelity,
        "qualities": qualities,
        "formats": formats,
        "complexity": more.get("complexity", True),
        "markup": more.get("markup", False),
    }


# What each model accepts, as the SDK documents it (see studio/engines/capabilities.py for the sources).
_GPT_IMAGE_2 = _spec("custom", transparent=False)
_GPT_IMAGE_25 = _spec("custom", qualities=RICH_QUALITIES, formats=ALL_FORMATS, markup=True)
IMAGE_MODELS = {
    "gpt-image-2": _GPT_IMAGE_2,
    "gpt-image-2-2026-04-21": _GPT_IMAGE_2,
    "gpt-image-2.5-sunburst": _GPT_IMAGE_25,
    "gpt-image-2.5-sunburst-2026-09-08": _GPT_IMAGE_25,
    "gpt-image-2.5-flare": _GPT_IMAGE_25,
    "gpt-image-2.5-flare-2026-09-08": _GPT_IMAGE_25,
    "gpt-image-2.6-sunburst": _spec(),
    "gpt-image-2.6-flare": _spec(),
    "chatgpt-image-latest": _spec(),
    "gpt-image-1.5": _spec(fidelity=("low", "high"), complexity=False),
    "gpt-image-1-mini": _spec(fidelity=("low",), complexity=False),
}
# Shut down: the API answers as it does for any model it no longer serves.
RETIRED_MODELS = {
    "gpt-image-1": "GPT Image 1 was shut down on October 23, 2026. Use gpt-image-2.5-sunburst or gpt-image-2.5-flare "
    "instead.",
    "dall-e-2": "This model was retired on May 12, 2026. Use a GPT image model instead.",
    "dall-e-3": "This model was retired on May 12, 2026. Use a GPT image model instead.",
}
QUALITIES = RICH_QUALITIES
FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP", "gif": "GIF", "svg": "SVG"}
UNSTREAMED = ("gif", "svg")


@dataclass
class UploadedFile:
    filename: str
    content_type: str
    data: bytes

    @property
    def image(self):
        return Image.open(io.BytesIO(self.data))


@dataclass
class RecordedRequest:
    """One request as the fake received it: `json` for JSON bodies, `fields`/`files` for multipart."""

    method: str
    path: str
    headers: dict
    json: dict | None = None
    fields: dict = field(default_factory=dict)  # name → [str, …]
    files: dict = field(default_factory=dict)  # name → [UploadedFile, …]

    @property
    def params(self):
        """The request's parameters whatever the encoding: JSON values, or the first value of each field."""
        if self.json is not None:
            return self.json
        return {name: values[0] for name, values in self.fields.items()}


class ApiError(Exception):
    def __init__(self, status, message, *, type="invalid_request_error", param=None, code=None, extra=None):
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type, param, code
        self.extra = extra or {}

    def body(self):
        return {
            "error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code, **self.extra}
        }


class FakeOpenAI:
    """The fake server: start() it, point OPENAI_BASE_URL at .url, read .requests, stop() it."""

    def __init__(
        self,
        *,
        host="127.0.0.1",
        port=0,
        api_key=DEFAULT_API_KEY,
        accept_any_key=False,
        slow_seconds=3.0,
        frame_delay=0.0,
    ):
        self.host, self.port, self.api_key, self.accept_any_key = host, port, api_key, accept_any_key
        self.slow_seconds, self.frame_delay = slow_seconds, frame_delay
        self.requests = []
        self.responses = {}  # response id → what it made, so previous_response_id can be checked
        self._seen_prompts = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = None
        self._thread = None

    @property
    def url(self):
        return f"http://{self.host}:{self.port}/v1"

    def start(self):
        self._server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        # A short poll interval so stop() returns at once: tests start and stop a fake each.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def reset(self):
        with self._lock:
            self.requests.clear()

    def requests_to(self, path):
        """The recorded requests whose path ends with `path` ("/images/edits")."""
        return [request for request in self.requests if request.path.endswith(path)]

    # Request handling, called from the handler threads.

    def record(self, recorded):
        with self._lock:
            self.requests.append(recorded)

    def check_key(self, headers):
        auth = headers.get("authorization", "")
        key = auth[7:] if auth.lower().startswith("bearer ") else ""
        if not key:
            raise ApiError(
                401,
                "You didn't provide an API key. You need to provide your API key in an Authorization header "
                "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                code="invalid_api_key",
            )
        if not self.accept_any_key and key != self.api_key:
            raise ApiError(
                401,
                f"Incorrect API key provided: {key[:3]}****{key[-4:]}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                code="invalid_api_key",
            )

    def magic(self, prompt):
        """Failures that tests provoke through words in the prompt."""
        if "[slow]" in prompt:
            self._stopping.wait(self.slow_seconds)
        if "[moderation-output]" in prompt:
            raise _moderation("output")
        if "[moderation]" in prompt:
            raise _moderation("input")
        if "[quota]" in prompt:
            raise ApiError(
                429,
                "You exceeded your current quota, please check your plan and billing details.",
                type="insufficient_quota",
                code="insufficient_quota",
            )
        once = "[rate-limit-once]" in prompt
        if once:
            with self._lock:
                first = prompt not in self._seen_prompts
                self._seen_prompts.add(prompt)
        if "[rate-limit]" in prompt or (once and first):
            raise ApiError(
                429,
                "Rate limit reached for images per minute. Please try again in 0s.",
                type="requests",
                code="rate_limit_exceeded",
                extra={"_headers": {"retry-after": "0"}},
            )
        if "[outage]" in prompt:
            raise ApiError(
                500,
                "The server had an error while processing your request. Sorry about that!",
                type="server_error",
            )

    def remember(self, response_id, record):
        with self._lock:
            self.responses[response_id] = record

    def knows(self, response_id):
        with self._lock:
            return response_id in self.responses


def _moderation(stage):
    return ApiError(
        400,
        f"Your request was rejected by the safety system (moderation stage: {stage}).",
        type="image_generation_user_error",
        code="moderation_blocked",
        extra={"moderation_details": {"categories": ["test"], "moderation_stage": stage}},
    )


def _handler_for(fake):
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeOpenAI/1.0"

        def log_message(self, format, *args):  # quiet: tests read .requests instead
            pass

        def do_GET(self):
            self._serve(self._get)

        def do_POST(self):
            self._serve(self._post)

        def _serve(self, route):
            headers = {name.lower(): value for name, value in self.headers.items()}
            recorded = RecordedRequest(self.command, self.path.split("?")[0], headers)
            try:
                self._read_body(recorded)
                fake.record(recorded)
                fake.check_key(headers)
                route(recorded)
            except ApiError as error:
                self._send_error(error)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _read_body(self, recorded):
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            content_type = self.headers.get("content-type", "")
            if content_type.startswith("application/json"):
                try:
                    recorded.json = json.loads(body or b"{}")
                except json.JSONDecodeError:
                    raise ApiError(400, "We could not parse the JSON body of your request.") from None
            elif content_type.startswith("multipart/form-data"):
                message = BytesParser(policy=policy.HTTP).parsebytes(
                    b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
                )
                for part in message.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    payload = part.get_payload(decode=True) or b""
                    if part.get_filename() is not None:
                        upload = UploadedFile(part.get_filename(), part.get_content_type(), payload)
                        recorded.files.setdefault(name, []).append(upload)
                    else:
                        recorded.fields.setdefault(name, []).append(payload.decode())

        def _get(self, recorded):
            if recorded.path == "/v1/models":
                models = [*IMAGE_MODELS, "gpt-5"]
                data = [
                    {"id": name, "object": "model", "created": 1_700_000_000, "owned_by": "openai"} for name in models
                ]
                return self._send_json(200, {"object": "list", "data": data})
            raise ApiError(404, f"Invalid URL (GET {recorded.path})")

        def _post(self, recorded):
            if recorded.path == "/v1/images/generations":
                return self._images(recorded, edit=False)
            if recorded.path == "/v1/images/edits":
                return self._images(recorded, edit=True)
            if recorded.path == "/v1/responses":
                return self._responses(recorded)
            raise ApiError(404, f"Invalid URL (POST {recorded.path})")

        # Images API.

        def _images(self, recorded, *, edit):
            params = recorded.params
            prompt = _required(params, "prompt")
            model = params.get("model") or "gpt-image-1.5"
            spec = _model(model)
            options = _options(params, spec, model)
            n = _integer(params, "n", 1, 1, 10)
            if options["output_format"] == "svg" and n != 1:
                raise ApiError(400, "SVG output requires n=1.", param="n", code="invalid_value")
            sources = []
            if edit:
                images = recorded.files.get("image[]", []) + recorded.files.get("image", [])
                if not images:
                    raise ApiError(
                        400, "Missing required parameter: 'image'.", param="image", code="missing_required_parameter"
                    )
                if len(images) > 16:
                    raise ApiError(400, "You can provide up to 16 images.", param="image", code="invalid_value")
                sources = [_decode_upload(upload, "image") for upload in images]
                _check_fidelity(params, spec, model)
                masks = recorded.files.get("mask", [])
                markups = recorded.files.get("markup", [])
                if masks and markups:
                    raise ApiError(400, "markup cannot be combined with mask.", param="markup", code="invalid_request")
                if masks:
                    if options["output_format"] == "gif":
                        raise ApiError(
                            400, "GIF output does not support masks.", param="mask", code="unsupported_parameter"
                        )
                    _check_mask(masks[0], sources[0])
                if markups:
                    _check_markup(markups[0], sources[0], spec, model)
            elif "markup" in recorded.files or "markup" in params:
                raise ApiError(400, "Unrecognized request argument supplied: markup", param="markup")
            fake.magic(prompt)

            width, height = _dimensions(options["size"], sources)
            kind = "image_edit" if edit else "image_generation"
            usage = _usage(prompt, len(sources), n)
            common = {
                "background": options["background"],
                "output_format": options["output_format"],
                "quality": options["quality"],
                "size": f"{width}x{height}",
            }
            if not _stream(params):
                data = [{"b64_json": _b64(_picture(prompt, i, width, height, options))} for i in range(n)]
                return self._send_json(200, {"created": int(time.time()), "data": data, **common, "usage": usage})

            self._start_stream()
            for i in range(n):
                for index in range(options["partial_images"]):
                    self._event(
                        f"{kind}.partial_image",
                        {
                            "type": f"{kind}.partial_image",
                            "b64_json": _b64(_picture(prompt, i, width, height, options, partial=index + 1)),
                            "partial_image_index": index,
                            "created_at": int(time.time()),
                            **common,
                        },
                    )
                if "[stream-error]" in prompt:
                    return self._event(
                        "error",
                        {
                            "type": "error",
                            "error": {
                                "message": "The server had an error while streaming.",
                                "type": "server_error",
                                "param": None,
                                "code": "server_error",
                            },
                        },
                    )
                self._event(
                    f"{kind}.completed",
                    {
                        "type": f"{kind}.completed",
                        "b64_json": _b64(_picture(prompt, i, width, height, options)),
                        "created_at": int(time.time()),
                        "usage": usage,
                        **common,
                    },
                )

        # Responses API.

        def _responses(self, recorded):
            params = recorded.json or {}
            main_model = _required(params, "model")
            previous = params.get("previous_response_id")
            if previous and not fake.knows(previous):
                raise ApiError(
                    400,
                    f"Previous response with id '{previous}' not found.",
                    param="previous_response_id",
                    code="previous_response_not_found",
                )
            tools = [tool for tool in params.get("tools") or [] if tool.get("type") == "image_generation"]
            text_format = (params.get("text") or {}).get("format") or {}
            if not tools and text_format.get("type") == "json_schema":
                return self._send_json(200, _structured_response(fake, params, main_model, text_format))
            if not tools:
                raise ApiError(
                    400, "This fake answers the image_generation tool or a json_schema text format.", param="tools"
                )
            tool = tools[0]
            model = tool.get("model") or "gpt-image-1.5"
            spec = _model(model, param="tools[0].model")
            options = _options(tool, spec, model, prefix="tools[0].")
            _check_fidelity(tool, spec, model, prefix="tools[0].")
            prompt, sources = _response_input(params.get("input"))
            if not prompt:
                raise ApiError(400, "Missing required parameter: 'input'.", param="input")
            if "input_image_mask" in tool and not sources and not previous:
                raise ApiError(400, "input_image_mask needs an input image.", param="tools[0].input_image_mask")
            fake.magic(prompt)

            width, height = _dimensions(options["size"], sources)
            response_id, item_id = f"resp_{secrets.token_hex(12)}", f"ig_{secrets.token_hex(12)}"
            result = _b64(_picture(prompt, 0, width, height, options))
            item = {
                "id": item_id,
                "type": "image_generation_call",
                "status": "completed",
                "result": result,
                "revised_prompt": prompt,
                "background": options["background"],
                "output_format": options["output_format"],
                "quality": options["quality"],
                "size": f"{width}x{height}",
            }
            response = {
                "id": response_id,
                "object": "response",
                "created_at": int(time.time()),
                "status": "completed",
                "model": main_model,
                "output": [item],
                "parallel_tool_calls": True,
                "previous_response_id": previous,
                "tool_choice": params.get("tool_choice", "auto"),
                "tools": params.get("tools"),
                "error": None,
                "incomplete_details": None,
                "instructions": None,
                "metadata": {},
                "temperature": 1.0,
                "top_p": 1.0,
                "usage": {
                    "input_tokens": 50 + len(prompt) // 4,
                    "input_tokens_details": {"cached_tokens": 0},
                    "output_tokens": 120,
                    "output_tokens_details": {"reasoning_tokens": 0},
                    "total_tokens": 170 + len(prompt) // 4,
                },
            }
            fake.remember(response_id, {"prompt": prompt, "model": model, "previous_response_id": previous})
            if not params.get("stream"):
                return self._send_json(200, response)

            in_progress = {**response, "status": "in_progress", "output": [], "usage": None}
            pending = {"id": item_id, "type": "image_generation_call", "status": "in_progress", "result": None}
            sequence = iter(range(1_000_000))
            self._start_stream()
            self._event(
                "response.created",
                {"type": "response.created", "sequence_number": next(sequence), "response": in_progress},
            )
            self._event(
                "response.in_progress",
                {"type": "response.in_progress", "sequence_number": next(sequence), "response": in_progress},
            )
            self._event(
                "response.output_item.added",
                {
                    "type": "response.output_item.added",
                    "sequence_number": next(sequence),
                    "output_index": 0,
                    "item": pending,
                },
            )
            for kind in ("in_progress", "generating"):
                name = f"response.image_generation_call.{kind}"
                self._event(
                    name, {"type": name, "sequence_number": next(sequence), "output_index": 0, "item_id": item_id}
                )
            for index in range(options["partial_images"]):
                self._event(
                    "response.image_generation_call.partial_image",
                    {
                        "type": "response.image_generation_call.partial_image",
                        "sequence_number": next(sequence),
                        "output_index": 0,
                        "item_id": item_id,
                        "partial_image_index": index,
                        "partial_image_b64": _b64(_picture(prompt, 0, width, height, options, partial=index + 1)),
                        "background": options["background"],
                        "output_format": options["output_format"],
                        "quality": options["quality"],
                        "size": f"{width}x{height}",
                    },
                )
            if "[stream-error]" in prompt:
                return self._event(
                    "error",
                    {
                        "type": "error",
                        "sequence_number": next(sequence),
                        "code": "server_error",
                        "message": "The server had an error while streaming.",
                        "param": None,
                    },
                )
            name = "response.image_generation_call.completed"
            self._event(name, {"type": name, "sequence_number": next(sequence), "output_index": 0, "item_id": item_id})
            self._event(
                "response.output_item.done",
                {
                    "type": "response.output_item.done",
                    "sequence_number": next(sequence),
                    "output_index": 0,
                    "item": item,
                },
            )
            self._event(
                "response.completed",
                {"type": "response.completed", "sequence_number": next(sequence), "response": response},
            )

        # Wire helpers.

        def _send_json(self, status, payload, headers=None):
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("x-request-id", f"req_{secrets.token_hex(8)}")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _send_error(self, error):
            headers = error.extra.pop("_headers", None)
            self._send_json(error.status, error.body(), headers)

        def _start_stream(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("x-request-id", f"req_{secrets.token_hex(8)}")
            self.end_headers()  # HTTP/1.0: the stream ends when the connection closes

        def _event(self, name, data):
            if fake.frame_delay:
                fake._stopping.wait(fake.frame_delay)
            self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
            self.wfile.flush()

    return Handler


def _required(params, name):
    value = params.get(name)
    if value in (None, ""):
        raise ApiError(400, f"Missing required parameter: '{name}'.", param=name, code="missing_required_parameter")
    return value


def _model(name, param="model"):
    if name in RETIRED_MODELS:
        raise ApiError(
            404,
            f"The model '{name}' does not exist or you do not have access to it. {RETIRED_MODELS[name]}",
            param=param,
            code="model_not_found",
        )
    if name not in IMAGE_MODELS:
        raise ApiError(400, f"Invalid value for 'model' = {name}.", param=param, code="invalid_value")
    return IMAGE_MODELS[name]


def _integer(params, name, default, low, high, prefix=""):
    value = params.get(name, default)
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Invalid type for '{prefix}{name}': expected an integer.", param=prefix + name) from None
    if value < low:
        raise ApiError(
            400,
            f"Invalid '{prefix}{name}': integer below minimum value. "
            f"Expected a value >= {low}, but got {value} instead.",
            param=prefix + name,
            code="integer_below_min_value",
        )
    if value > high:
        raise ApiError(
            400,
            f"Invalid '{prefix}{name}': integer above maximum value. "
            f"Expected a value <= {high}, but got {value} instead.",
            param=prefix + name,
            code="integer_above_max_value",
        )
    return value


def _options(params, spec, model, prefix=""):
    size = params.get("size") or "auto"
    _check_size(size, spec, model, prefix)
    quality = params.get("quality") or "auto"
    if quality not in spec["qualities"]:
        raise ApiError(
            400,
            f"Invalid value: '{quality}'. Supported values for {model} are: {', '.join(spec['qualities'])}.",
            param=prefix + "quality",
            code="invalid_value",
        )
    output_format = params.get("output_format") or "png"
    if output_format not in spec["formats"]:
        raise ApiError(
            400,
            f"Invalid value: '{output_format}'. Supported values for {model} are: "
            + ", ".join(f"'{f}'" for f in spec["formats"])
            + ".",
            param=prefix + "output_format",
            code="invalid_value",
        )
    complexity = params.get("complexity")
    if complexity is not None:
        if not spec["complexity"]:
            raise ApiError(
                400,
                f"complexity is not supported for {model}; omit this parameter.",
                param=prefix + "complexity",
                code="unsupported_parameter",
            )
        if complexity not in ("low", "medium", "high"):
            raise ApiError(
                400,
                f"Invalid value: '{complexity}'. Supported values are: 'low', 'medium', and 'high'.",
                param=prefix + "complexity",
                code="invalid_value",
            )
    background = params.get("background") or "auto"
    if background == "transparent":
        if not spec["transparent"]:
            raise ApiError(
                400,
                f"Transparent backgrounds are not supported for {model}.",
                param=prefix + "background",
                code="invalid_value",
            )
        if output_format not in ("png", "webp"):
            raise ApiError(
                400,
                "Transparent background requires output_format png or webp.",
                param=prefix + "background",
                code="invalid_value",
            )
    compression = params.get("output_compression")
    if compression is not None:
        if output_format in UNSTREAMED:
            raise ApiError(
                400,
                f"output_compression is not supported with output_format {output_format}.",
                param=prefix + "output_compression",
                code="unsupported_parameter",
            )
        _integer(params, "output_compression", 100, 0, 100, prefix)
    partial_images = _integer(params, "partial_images", 0, 0, 3, prefix)
    if output_format in UNSTREAMED:
        if partial_images:
            raise ApiError(
                400,
                f"partial_images is not supported with output_format {output_format}.",
                param=prefix + "partial_images",
                code="unsupported_parameter",
            )
        if not prefix and _stream(params):
            raise ApiError(
                400,
                f"Streaming is not supported with output_format {output_format}.",
                param="stream",
                code="unsupported_parameter",
            )
    return {
        "size": size,
        "quality": quality,
        "output_format": output_format,
        "background": background,
        "compression": int(compression) if compression is not None else None,
        "partial_images": partial_images,
        "complexity": complexity,
    }


def _check_size(size, spec, model, prefix):
    if size == "auto":
        return
    if spec["sizes"] == "fixed":
        if size not in FIXED_SIZES:
            raise ApiError(
                400,
                f"Invalid value: '{size}'. Supported values are: '1024x1024', '1024x1536', '1536x1024', and 'auto'.",
                param=prefix + "size",
                code="invalid_value",
            )
        return
    try:
        width, height = (int(edge) for edge in size.split("x"))
    except ValueError:
        raise ApiError(
            400, f"Invalid size '{size}'. Use WIDTHxHEIGHT.", param=prefix + "size", code="invalid_value"
        ) from None
    problem = None
    if width % 16 or height % 16:
        problem = "width and height must both be divisible by 16"
    elif max(width, height) > 3840:
        problem = "the maximum edge is 3840 pixels"
    elif max(width, height) / min(width, height) > 3:
        problem = "the aspect ratio must be between 1:3 and 3:1"
    elif not 655_360 <= width * height <= 8_294_400:
        problem = "the total pixel count must be between 655,360 and 8,294,400"
    if problem:
        raise ApiError(
            400, f"Invalid size '{size}' for {model}: {problem}.", param=prefix + "size", code="invalid_value"
        )


def _check_markup(upload, first, spec, model):
    if not spec["markup"]:
        raise ApiError(400, f"markup is not supported for {model}.", param="markup", code="unsupported_parameter")
    try:
        markup = Image.open(io.BytesIO(upload.data), formats=("PNG",))
        markup.load()
    except OSError:
        raise ApiError(
            400, "Invalid markup image: the markup must be a PNG file.", param="markup", code="invalid_image_file"
        ) from None
    if markup.size != first.size:
        raise ApiError(
            400,
            f"Invalid markup image: it must match the first image's dimensions ({first.width}x{first.height}), "
            f"got {markup.width}x{markup.height}.",
            param="markup",
            code="invalid_image_dimensions",
        )
    has_alpha = markup.mode in ("RGBA", "LA", "PA") or "transparency" in markup.info
    if not has_alpha or markup.convert("RGBA").getchannel("A").getextrema()[0] > 0:
        raise ApiError(
            400,
            "Invalid markup image: it must contain transparent pixels.",
            param="markup",
            code="invalid_image_format",
        )


def _check_fidelity(params, spec, model, prefix=""):
    fidelity = params.get("input_fidelity")
    if fidelity is None:
        return
    if not spec["fidelity"]:
        raise ApiError(
            400,
            f"input_fidelity is not supported for {model}; omit this parameter.",
            param=prefix + "input_fidelity",
            code="unsupported_parameter",
        )
    if fidelity not in spec["fidelity"]:
        raise ApiError(
            400,
            f"Invalid value: '{fidelity}'. {model} supports: {', '.join(spec['fidelity'])}.",
            param=prefix + "input_fidelity",
            code="invalid_value",
        )


def _decode_upload(upload, param):
    if len(upload.data) >= 50 * 1024 * 1024:
        raise ApiError(400, "Each image must be smaller than 50MB.", param=param, code="invalid_value")
    try:
        image = Image.open(io.BytesIO(upload.data), formats=("PNG", "JPEG", "WEBP"))
        image.load()
    except OSError:
        raise ApiError(
            400,
            f"Invalid image file or mode for image '{upload.filename}', please check your image file.",
            param=param,
            code="invalid_image_file",
        ) from None
    return image


def _check_mask(upload, first):
    try:
        mask = Image.open(io.BytesIO(upload.data), formats=("PNG",))
        mask.load()
    except OSError:
        raise ApiError(
            400, "Invalid mask image: the mask must be a PNG file.", param="mask", code="invalid_image_file"
        ) from None
    if mask.mode not in ("RGBA", "LA") and "transparency" not in mask.info:
        raise ApiError(
            400,
            f"Invalid mask image: the mask must have an alpha channel, got {mask.mode}.",
            param="mask",
            code="invalid_image_format",
        )
    if mask.size != first.size:
        raise ApiError(
            400,
            f"Invalid mask image: it must be the same size as the first image ({first.width}x{first.height}), "
            f"got {mask.width}x{mask.height}.",
            param="mask",
            code="invalid_image_dimensions",
        )


def _structured_response(fake, params, model, text_format):
    """A Responses answer whose output_text is JSON filling `text.format`'s schema; strict schemas are checked
    the way the API checks them (every object closed, every property required)."""
    schema = text_format.get("schema")
    if not text_format.get("name") or not isinstance(schema, dict):
        raise ApiError(400, "Missing required parameter: 'text.format.name' or 'text.format.schema'.", param="text")
    if text_format.get("strict"):
        problem = _strict_problem(schema, "schema")
        if problem:
            raise ApiError(400, f"Invalid schema for response_format '{text_format['name']}': {problem}", param="text")
    prompt, _ = _response_input(params.get("input"))
    if not prompt:
        raise ApiError(400, "Missing required parameter: 'input'.", param="input")
    fake.magic(prompt)
    text = json.dumps(_schema_instance(schema, prompt.split(), 0), ensure_ascii=False)
    response_id = f"resp_{secrets.token_hex(12)}"
    fake.remember(response_id, {"prompt": prompt, "model": model, "previous_response_id": None})
    message = {
        "id": f"msg_{secrets.token_hex(12)}",
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }
    return {
        "id": response_id,
        "object": "response",
        "created_at": int(time.time()),
        "status": "completed",
        "model": model,
        "output": [message],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "text": {"format": text_format},
        "error": None,
        "incomplete_details": None,
        "instructions": params.get("instructions"),
        "metadata": {},
        "usage": {
            "input_tokens": 40 + len(prompt) // 4,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": len(text) // 4,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 40 + len(prompt) // 4 + len(text) // 4,
        },
    }


def _strict_problem(schema, where):
    if schema.get("type") == "object":
        properties = schema.get("properties") or {}
        if schema.get("additionalProperties") is not False:
            return f"In context=('{where}',), 'additionalProperties' is required to be supplied and to be false."
        missing = sorted(set(properties) - set(schema.get("required") or []))
        if missing:
            return f"In context=('{where}',), 'required' is required to include every key; missing {missing}."
        for name, sub in properties.items():
            if problem := _strict_problem(sub, f"{where}.{name}"):
                return problem
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        return _strict_problem(schema["items"], f"{where}.items")
    return None


def _schema_instance(schema, words, index):
    """A value that satisfies `schema`: enums cycle with the array index, strings quote the prompt's words."""
    if "enum" in schema:
        return schema["enum"][index % len(schema["enum"])]
    kind = schema.get("type")
    if kind == "object":
        return {name: _schema_instance(sub, words, index) for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        count = schema.get("minItems", schema.get("maxItems", 3))
        return [_schema_instance(schema.get("items") or {}, words, position) for position in range(count)]
    if kind in ("integer", "number"):
        return schema.get("minimum", index)
    if kind == "boolean":
        return False
    start = (index * 3) % max(1, len(words))
    return f"Point {index + 1}: " + " ".join((words[start:] + words[:start])[:6])


def _response_input(value):
    """The text and decoded input images of a Responses `input` (a string or a list of messages)."""
    if isinstance(value, str):
        return value, []
    texts, images = [], []
    for message in value or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            texts.append(content)
            continue
        for part in content or []:
            if part.get("type") == "input_text":
                texts.append(part.get("text", ""))
            elif part.get("type") == "input_image" and str(part.get("image_url", "")).startswith("data:"):
                data = base64.b64decode(part["image_url"].split(",", 1)[1])
                images.append(_decode_upload(UploadedFile("input_image", "", data), "input"))
    return "\n".join(texts), images


def _dimensions(size, sources):
    if size != "auto":
        width, height = size.split("x")
        return int(width), int(height)
    if sources and sources[0].size in ((1024, 1024), (1536, 1024), (1024, 1536)):
        return sources[0].size
    return 1024, 1024


def _stream(params):
    return str(params.get("stream", "false")).lower() == "true"


def _picture(prompt, number, width, height, options, partial=None):
    """A real image of the requested size and format: a colour from the prompt, darker for early frames."""
    digest = hashlib.sha256(f"{prompt}|{number}".encode()).digest()
    shade = 1.0 if partial is None else 0.4 + 0.15 * partial
    colour = tuple(int(channel * shade) for channel in digest[:3])
    if options["output_format"] == "svg":
        return _svg(prompt, width, height, colour)
    if options["output_format"] == "gif":
        return _gif(width, height, colour)
    output_format = FORMATS[options["output_format"]]
    transparent = options["background"] == "transparent" and output_format != "JPEG"
    image = Image.new("RGBA" if transparent else "RGB", (width, height), (*colour, 255) if transparent else colour)
    if transparent:
        # A transparent border so callers can see the alpha channel is real.
        inner = Image.new("RGBA", (width // 2, height // 2), (*colour, 255))
        image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        image.paste(inner, (width // 4, height // 4))
    buffer = io.BytesIO()
    if output_format == "PNG":
        image.save(buffer, "PNG", compress_level=1)
    else:
        quality = options["compression"] if options["compression"] is not None else 90
        image.save(buffer, output_format, quality=max(1, quality))
    return buffer.getvalue()


def _svg(prompt, width, height, colour):
    """A small, real SVG document of the requested size (what SVG output returns, base64-encoded)."""
    fill = "#{:02x}{:02x}{:02x}".format(*colour)
    title = prompt[:60].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{title}</title>'
        f'<rect width="{width}" height="{height}" fill="{fill}"/>'
        f'<circle cx="{width // 2}" cy="{height // 2}" r="{min(width, height) // 4}" fill="#ffffff"/></svg>'
    ).encode()


def _gif(width, height, colour, frames=9):
    """An animated GIF of the requested size: the colour fading in over the API's default nine frames."""
    pictures = [
        Image.new("RGB", (width, height), tuple(int(c * (i + 1) / frames) for c in colour)) for i in range(frames)
    ]
    buffer = io.BytesIO()
    pictures[0].save(buffer, "GIF", save_all=True, append_images=pictures[1:], duration=200, loop=0)
    return buffer.getvalue()


def _b64(data):
    return base64.b64encode(data).decode()


def _usage(prompt, images_in, n):
    text = max(1, len(prompt) // 4)
    image_tokens = 323 * images_in
    output = 1056 * n
    return {
        "input_tokens": text + image_tokens,
        "input_tokens_details": {"text_tokens": text, "image_tokens": image_tokens},
        "output_tokens": output,
        "total_tokens": text + image_tokens + output,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description="A local fake of OpenAI's image endpoints.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--any-key", action="store_true", help="accept any bearer key")
    parser.add_argument("--slow-seconds", type=float, default=3.0, help='how long a "[slow]" prompt waits')
    parser.add_argument("--frame-delay", type=float, default=0.0, help="seconds between streamed events")
    args = parser.parse_args(argv)
    fake = FakeOpenAI(
        host=args.host,
        port=args.port,
        api_key=args.api_key,
        accept_any_key=args.any_key,
        slow_seconds=args.slow_seconds,
        frame_delay=args.frame_delay,
    ).start()
    print(f"Fake OpenAI listening on {fake.url} (key: {'any' if args.any_key else fake.api_key})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
