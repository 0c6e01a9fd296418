"""The public JSON API at /api/v1: team tokens as Bearer auth, generations, and their output files."""

from uuid import UUID

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse
from django.urls import reverse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer

from studio.api import selectors, services
from studio.api.errors import UNION_MEMBERS, ApiError, field_name, union_message
from studio.api.schemas import ErrorsOut, GenerationAccepted, GenerationIn, GenerationOut

DESCRIPTION = """
Generate images for your team from scripts and tools, with the same models, validation and credits as the Studio.

**Authentication.** Every call carries a team token: `Authorization: Bearer pf_live_…`. Admins create and revoke
tokens under Team → API tokens. An unknown or revoked token answers `401`.

**Errors** always look like `{"errors": [{"field": "prompt", "message": "…"}]}` (`field` is null when the whole
request is at fault): `400` invalid input, `401` no valid token, `402` not enough credits, `403` the model or role is
not allowed, `404` an id that is not this team's. A refused request saves nothing and spends no credits.

**Flow.** `POST /generations` answers `202` with the generation's id; poll `GET /generations/{id}` until `status`
is `succeeded` (or `failed`), then download each output `url` with the same token.
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


api = NinjaAPI(
    title="Postframe API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TeamToken(),
    docs=StudioSwagger(settings={"persistAuthorization": False, "tryItOutEnabled": False}),
)


def _errors(request, status, errors, headers=None):
    response = api.create_response(request, {"errors": errors}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


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
        elif any(part in UNION_MEMBERS for part in loc if isinstance(part, str)):
            message = union_message(field, error.get("msg", ""))
        else:
            message = error.get("msg", "This value is not valid.")
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


ERRORS = {400: ErrorsOut, 401: ErrorsOut, 402: ErrorsOut, 403: ErrorsOut, 404: ErrorsOut, 413: ErrorsOut}


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
    return 202, {"id": job.uuid, "status": job.status, "url": url, "creditsReserved": job.credits_estimated}


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
    response={200: None, 401: ErrorsOut, 404: ErrorsOut},
    url_name="asset_file",
    summary="Download an asset's file",
    tags=["assets"],
)
def asset_file(request, asset_id: int):
    """The original file of one of the team's assets (a generation's output, an upload, an import)."""
    return selectors.api_asset_file_response(team=request.team, asset_id=asset_id)
