"""The public JSON API at /api/v1: team tokens as Bearer auth, generations, and their output files."""

import functools
import logging
from uuid import UUID

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, re_path, reverse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer

from studio.api import selectors, services
from studio.api.errors import ApiError, field_name, in_union_member, pydantic_message, union_message
from studio.api.idempotency import KEY_MAX_CHARS, idempotent
from studio.api.library import router as library_router
from studio.api.schemas import ERRORS as SHARED_ERRORS
from studio.api.schemas import (
    SINGLE_LINE_PATTERN,
    ErrorsOut,
    FileVariant,
    GenerationAccepted,
    GenerationIn,
    GenerationOut,
)

DESCRIPTION = """
Generate images for your team and work with its library from scripts and tools, with the same models, validation,
credits and checks as the Studio.

**Authentication.** Every call carries a team token: `Authorization: Bearer pf_live_…`. Admins create and revoke
tokens under Team → API tokens. An unknown or revoked token answers `401`. A token acts with the role of the admin
who created it: reading needs Viewer, generating and changing the library need Member.

**Generations.** `POST /generations` answers `202` with the generation's id; poll `GET /generations/{id}` until
`status` is `succeeded` (or `failed`), then download each output `url` with the same token.

**Library.** `GET /assets` lists and searches the team's assets with the library grid's filters (`q`, `kind`,
`source`, `model`, `member`, `board`, `tag`, `rating`, `dateFrom`, `dateTo`), newest first, `limit` at a time: pass
the answer's `nextCursor` as `cursor` for the next page. `GET /assets/{id}` adds provenance and boards;
`GET /assets/{id}/file` downloads the original (or `?variant=thumb|preview`). `POST /assets` uploads one PNG, JPEG or
WebP as multipart `file`, checked exactly like the library's upload page (SVG, HTML and other files are refused,
metadata is stripped); `201` for a new asset, `200` when the team already had the image. Boards: `GET /boards`,
`POST /boards`, `GET /boards/{id}`, `POST /boards/{id}/assets` and `DELETE /boards/{id}/assets/{assetId}`.

**Retries.** Send an `Idempotency-Key` header (a UUID of yours) with any `POST` to retry it safely: within 24 hours a
repeat with the same key and body answers the first response again, with `Idempotent-Replayed: true`, and creates
nothing and spends nothing; the same key with a different body answers `422`. Keys are per team. Only successful
answers are kept, so a refused request can be fixed and retried with its key.

**Errors** always look like `{"errors": [{"field": "prompt", "message": "…"}]}` (`field` is null when the whole
request is at fault): `400` invalid input, `401` no valid token, `402` not enough credits, `403` the model or role is
not allowed, `404` an id that is not this team's or a path that does not exist, `405` a method the path does not
take, `413` a body over the limit, `422` an Idempotency-Key reused for another request. Text fields refuse control
characters (a prompt keeps tabs and line breaks). A refused request saves nothing and spends no credits.
"""


class TeamToken(HttpBearer):
    """Bearer auth with a team's API token; the token (and its team) become request.auth and request.team."""

    def authenticate(self, request, token):
        api_token = selectors.active_token_for_secret(token)
        if api_token is None:
            return None
        services.api_token_touch(token=api_token)
        request.team = api_token.team
        return api_token


class StudioSwagger(Swagger):
    """Swagger UI from ninja's bundled files, on a page of ours whose scripts carry the CSP nonce."""

    template = "api/docs.html"


logger = logging.getLogger(__name__)

IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "Any unique string of yours, such as a UUID, to retry this request safely: a repeat with the same "
    "key and body within 24 hours answers the first response (with `Idempotent-Replayed: true`) and does nothing "
    "again; the same key with another body answers 422. Only successful answers are kept.",
    "schema": {"type": "string", "minLength": 1, "maxLength": KEY_MAX_CHARS, "pattern": SINGLE_LINE_PATTERN},
}


class StudioApi(NinjaAPI):
    """NinjaAPI whose every URL answers in the API's error shape and honours Idempotency-Key on POSTs.

    Ninja answers a wrong method with a plain-text 405, and a path its routes (or their converters, such as
    `{int:asset_id}` given `-1`) do not match falls through to Django's HTML 404; both become JSON here.
    """

    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_errors(idempotent(pattern.callback, refuse=_refuse))
        return [*patterns, re_path(r"^", _unknown_path, name="unknown")]

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The schema, with the Idempotency-Key header that every POST takes (added around the views, not in them)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            if "post" in operations:
                operations["post"].setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
        return schema


api = StudioApi(
    title="Postframe API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TeamToken(),
    docs=StudioSwagger(settings={"persistAuthorization": False, "tryItOutEnabled": False, "deepLinking": False}),
)


def _errors(request, status, errors, headers=None):
    response = api.create_response(request, {"errors": errors}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _refuse(request, status, field, message, headers=None):
    return _errors(request, status, [{"field": field, "message": message}], headers)


def _json_errors(view):
    """`view` answering in the API's shape what ninja answers outside its operations: 404, 405 and failures."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:  # ninja's own root view (/api/v1/) raises it
            return _unknown_path(request)
        except Exception as exc:  # e.g. the database failing while an Idempotency-Key is claimed
            return _server_error(request, exc)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            message = f"{request.method} is not allowed on {request.path}; it takes {allowed}."
            return _refuse(request, 405, None, message, {"Allow": allowed})
        return response

    wrapper.csrf_exempt = getattr(view, "csrf_exempt", False)
    return wrapper


@csrf_exempt
def _unknown_path(request):
    message = f"There is nothing at {request.path}; /api/v1/docs lists the API's endpoints and the ids they take."
    return _refuse(request, 404, None, message)


@api.exception_handler(Exception)
def _server_error(request, exc):
    logger.exception("API request %s %s failed", request.method, request.path)
    message = "Something went wrong on our side and the request was not completed. Try again in a moment."
    return _refuse(request, 500, None, message)


@api.exception_handler(ApiError)
def _api_error(request, exc):
    return _errors(request, exc.status, exc.errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    message = (
        "This API token is unknown or revoked, or the admin who created it has left the team. Send a valid team "
        "token as `Authorization: Bearer pf_live_…`; admins manage tokens under Team → API tokens."
        if request.headers.get("Authorization")
        else "Send a team API token as `Authorization: Bearer pf_live_…`."
    )
    return _errors(request, 401, [{"field": None, "message": message}], {"WWW-Authenticate": 'Bearer realm="api"'})


@api.exception_handler(HttpError)
def _http_error(request, exc):
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = "The body must be a JSON object; /api/v1/docs shows its fields."
    return _errors(request, exc.status_code, [{"field": None, "message": message}])


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    messages = {}
    for error in exc.errors:
        loc = tuple(error.get("loc", ()))
        field = field_name(loc)
        if error.get("type") == "extra_forbidden":
            message = "This field is not part of the API; /api/v1/docs lists the fields a generation takes."
        elif error.get("type") == "missing":
            message = "This field is required."
        elif error.get("type") == "json_invalid" or field is None:
            field, message = None, "The body must be a JSON object; /api/v1/docs shows its fields."
        elif error.get("type") == "control_character":
            message = error["msg"]
        elif in_union_member(loc):
            message = union_message(field, error.get("msg", ""))
        else:
            message = pydantic_message(field, error)
        messages.setdefault(field, message)
    # A mistake inside {image, role} says more than "matched none of the shapes" about the whole item.
    fields = [f for f in messages if not any(o != f and o and f and o.startswith(f + ".") for o in messages)]
    return _errors(request, 400, [{"field": field, "message": messages[field]} for field in fields])


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    limit = f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024):.3g} MB"
    message = (
        f"The request body is larger than {limit}. Send large images as http(s) URLs, or upload them to the library "
        "and send their asset ids."
    )
    return _errors(request, 413, [{"field": None, "message": message}])


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _errors(request, 404, [{"field": None, "message": "Not found in this team."}])


ERRORS = {**SHARED_ERRORS, 402: ErrorsOut}


@api.post(
    "/generations",
    response={202: GenerationAccepted, **ERRORS},
    summary="Start a generation",
    tags=["generations"],
)
def generation_create(request, payload: GenerationIn, response: HttpResponse):
    """Validate, price and reserve credits, then queue the job; the same rules as the Studio's Generate button."""
    job = services.api_generation_submit(token=request.auth, payload=payload)
    url = request.build_absolute_uri(reverse("api:generation_detail", kwargs={"generation_id": job.uuid}))
    response["Location"] = url
    return Status(202, {"id": job.uuid, "status": job.status, "url": url, "creditsReserved": job.credits_estimated})


@api.get(
    "/generations/{uuid:generation_id}",
    response={200: GenerationOut, 401: ErrorsOut, 404: ErrorsOut},
    url_name="generation_detail",
    summary="A generation's state and outputs",
    tags=["generations"],
)
def generation_detail(request, generation_id: UUID):
    """Status, partial frames so far, error, cost and output URLs; poll it until the status is final."""
    return selectors.api_generation(team=request.team, generation_id=generation_id, absolute=request.build_absolute_uri)


@api.get(
    "/assets/{int:asset_id}/file",
    response={200: None, 400: ErrorsOut, 401: ErrorsOut, 404: ErrorsOut},
    url_name="asset_file",
    summary="Download an asset's file",
    tags=["library"],
)
def asset_file(request, asset_id: int, options: Query[FileVariant]):
    """The original file of one of the team's assets (a generation's output, an upload, an import), or one of its
    WebP renditions."""
    return selectors.api_asset_file_response(team=request.team, asset_id=asset_id, variant=options.variant)


api.add_router("/", library_router)
api.add_router("/", "influencers.api.router")
api.add_router("/", "slides.api.router")
api.add_router("/", "studio.video.api.router")
api.add_router("/", "scheduling.api.router")
