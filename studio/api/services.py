"""Writes for the public API: team tokens (create, revoke, mark used) and generations submitted by token."""

import base64
import binascii
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from library import services as library_services
from library.models import STILLS, Asset
from library.selectors import asset_bytes
from library.services import LibraryError, Origin, asset_ingest
from library.storage import files_delete
from library.validators import UploadRejected, too_large
from studio.api.errors import ApiError
from studio.api.models import SHOWN_CHARS, ApiToken, IdempotentRequest, hash_secret, new_secret
from studio.api.remote import FetchedImage, RemoteFetchRefused, image_format, remote_image_fetch
from studio.api.schemas import refusal_message, refused_character
from studio.core.services import audit_record
from studio.credits.services import InsufficientCredits
from studio.engines.capabilities import image_models
from studio.generation.models import GenerationJob
from studio.generation.selectors import allowed_model_ids, default_model_id
from studio.generation.services import GenerationRejected, generation_refine, generation_submit
from studio.teams.models import Membership, Role
from studio.teams.permissions import PERMISSIONS, can
from studio.teams.scoping import scoped

# How long a POST's Idempotency-Key keeps answering with the first response (Stripe's window).
IDEMPOTENCY_WINDOW = timedelta(hours=24)
# A token's last use is written at most this often, so a busy client does not turn every call into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenError(Exception):
    """A refused change to a token, with a message fit to show the user."""


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret; the secret exists only here, shown once and never stored."""

    token: ApiToken
    secret: str


@transaction.atomic
def api_token_create(*, team, user, name):
    """Issue a token for `team`; `user` is the admin who made it (None when made from the command line)."""
    name = (name or "").strip()
    if not name:
        raise ApiTokenError("Give the token a name, such as the tool or script that will use it.")
    secret = new_secret()
    token = ApiToken.objects.create(
        team=team, name=name[:80], prefix=secret[:SHOWN_CHARS], secret_hash=hash_secret(secret), created_by=user
    )
    who = user.email if user else "An operator (command line)"
    audit_record(
        team=team,
        actor=user,
        action="api_token.created",
        summary=f"{who} created the API token {token.name} ({token.shown})",
        detail={"token": token.pk, "prefix": token.prefix},
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, token, user):
    """Revoke `token` for good; revoking it again changes nothing and writes no second audit entry."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    if revoked:
        audit_record(
            team=token.team,
            actor=user,
            action="api_token.revoked",
            summary=f"{user.email if user else 'An operator'} revoked the API token {token.name} ({token.shown})",
            detail={"token": token.pk, "prefix": token.prefix},
        )
    return token


def api_token_touch(*, token):
    """Record that `token` was just used, to the minute: one conditional UPDATE only when the mark is stale."""
    now = timezone.now()
    stale = now - LAST_USED_RESOLUTION
    if token.last_used_at is not None and token.last_used_at >= stale:
        return
    ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale), pk=token.pk).update(
        last_used_at=now
    )
    token.last_used_at = now


# Idempotency keys -----------------------------------------------------------------------------------------------


@transaction.atomic
def idempotent_request_claim(*, team, key, fingerprint, method, path):
    """(the request stored under `key`, False), or (a new claim on it, True); an expired key is claimed afresh.

    Call it inside the transaction that runs the request: the claim's row stays invisible until that commits, so a
    concurrent request with the same key waits on the unique index, then reads the answer stored with the claim.
    """
    IdempotentRequest.objects.filter(team=team, key=key, created_at__lt=timezone.now() - IDEMPOTENCY_WINDOW).delete()
    return IdempotentRequest.objects.get_or_create(
        team=team,
        key=key,
        defaults={"fingerprint": fingerprint, "method": method, "path": path[:300], "created_at": timezone.now()},
    )


def idempotent_request_store(*, record, response):
    """Keep the answer a claimed request produced, for its repeats."""
    record.status_code = response.status_code
    record.content_type = response.get("Content-Type", "")[:100]
    record.location = response.get("Location", "")[:500]
    record.body = bytes(response.content)
    record.save(update_fields=["status_code", "content_type", "location", "body"])
    return record


def idempotent_requests_expire():
    """Delete the stored answers older than the window; returns how many. Run hourly by beat."""
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=timezone.now() - IDEMPOTENCY_WINDOW).delete()
    return deleted


# Generations --------------------------------------------------------------------------------------------------

# The Studio's field names, as the API calls them in its errors.
API_FIELDS = {
    "model_id": "model",
    "references": "referenceImages",
    "output_format": "outputFormat",
    "output_compression": "outputCompression",
    "input_fidelity": "inputFidelity",
    "complexity": "thinking",
    "partial_images": "partialImages",
    "credits": None,
}
# A caller of the API does not watch frames arrive; each partial frame also costs the provider's time.
API_PARTIAL_IMAGES = 0


def acting_user(token, permission="generate"):
    """Who a token acts as: the admin who made it, or the team's owner for a command-line token.

    403 when that member has left, or their role does not allow `permission` (generate, edit…).
    """
    membership = (
        Membership.objects.filter(team=token.team, user=token.created_by).select_related("user").first()
        if token.created_by_id
        else Membership.objects.filter(team=token.team, role=Role.OWNER).select_related("user").first()
    )
    if membership is None:
        raise ApiError.one(
            403, None, "The member who created this token has left the team; an admin can issue a new token."
        )
    if not can(membership, permission):
        doing = {"generate": "generating", "edit": "changing the library"}.get(permission, permission)
        raise ApiError.one(
            403,
            None,
            f"This token acts as {membership.user.email}, whose role is {membership.get_role_display()}; "
            f"{doing} needs {PERMISSIONS[permission].label} or above.",
        )
    return membership.user


def _data_uri(value):
    """The bytes of a base64 data: URI; raises RemoteFetchRefused when it is not one we can read."""
    header, _, encoded = value.partition(",")
    if not header.endswith(";base64"):
        raise RemoteFetchRefused("A data: URI must be base64-encoded (data:image/png;base64,…).")
    if len(encoded) > settings.POSTFRAME_REMOTE_FETCH_MAX_BYTES * 4 // 3 + 4:
        raise RemoteFetchRefused("The image is larger than the limit for one reference.")
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise RemoteFetchRefused("The data: URI is not valid base64.")


def _is_url(value):
    return isinstance(value, str) and value.strip().split(":", 1)[0].lower() in ("http", "https")


def _asset_id(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


class _Images:
    """Resolves the images a request names (asset ids, URLs, data: URIs) and collects every error by field.

    URLs are fetched a few at a time, so a request naming 16 slow URLs waits for about four fetches, not sixteen.
    """

    PARALLEL_FETCHES = 4

    def __init__(self, team):
        self.team = team
        self.errors = []  # (status, field, message)

    def resolve_all(self, named):
        """{field: Asset or FetchedImage} for [(field, value)]; fields with an error are left out."""
        found, urls = {}, {}
        for field, value in named:
            if _is_url(value):
                urls[field] = value.strip()
            elif (image := self._resolve_here(field, value)) is not None:
                found[field] = image
        if urls:
            with ThreadPoolExecutor(max_workers=min(self.PARALLEL_FETCHES, len(urls))) as pool:
                fetches = {field: pool.submit(remote_image_fetch, url) for field, url in urls.items()}
            for field, fetch in fetches.items():
                try:
                    found[field] = fetch.result()
                except RemoteFetchRefused as refused:
                    self.errors.append((400, field, refused.message))
        order = [field for field, _ in named]
        self.errors.sort(key=lambda error: order.index(error[1]))
        return found

    def _resolve_here(self, field, value):
        if (asset_id := _asset_id(value)) is not None:
            asset = scoped(Asset, self.team).filter(STILLS, pk=asset_id).first()
            if asset is None:
                self.errors.append((404, field, f"There is no image {asset_id} in this team's library."))
            return asset
        try:
            if isinstance(value, str) and value.strip().lower().startswith("data:"):
                data = _data_uri(value.strip())
                kind = image_format(data)
                return FetchedImage(url="data:", final_url=f"data:/reference.{kind}", data=data, format=kind)
            raise RemoteFetchRefused("Give an asset id, an http(s) URL or a data: URI.")
        except RemoteFetchRefused as refused:
            self.errors.append((400, field, refused.message))
            return None


def _reference_items(payload):
    for index, item in enumerate(payload.referenceImages):
        if hasattr(item, "image"):
            yield f"referenceImages[{index}]", item.image, item.role
        else:
            yield f"referenceImages[{index}]", item, "object"


def _rejection(rejected, data):
    """The ApiError for a GenerationRejected: 402 when the credits ran short, else 400 by field."""
    # generation_submit raises GenerationRejected "from None" while handling InsufficientCredits.
    status = 402 if isinstance(rejected.__context__, InsufficientCredits) else 400
    errors = []
    for field, message in rejected.errors.items():
        name = API_FIELDS.get(field, field)
        if field == "size" and not data.get("size"):
            name = "aspectRatio"
        errors.append((name, message))
    return ApiError(status, errors)


def _studio_data(payload, *, model_id):
    data = {
        "model_id": model_id,
        "prompt": payload.prompt,
        "quality": payload.quality,
        "n": payload.n,
        "output_format": payload.outputFormat,
        "output_compression": payload.outputCompression,
        "background": payload.background,
        "input_fidelity": payload.inputFidelity,
        "complexity": payload.thinking,
        "partial_images": API_PARTIAL_IMAGES if payload.partialImages is None else payload.partialImages,
        "seed": payload.seed,
    }
    if payload.size:
        data["size"] = payload.size
    else:
        data["aspect"] = payload.aspectRatio or "1:1"
        data["tier"] = payload.resolution
    return data


def _refine(*, team, user, payload):
    """A refinement of an earlier generation's first image, through the Studio's own refine service."""
    parent = scoped(GenerationJob, team).filter(uuid=payload.previousGenerationId).first()
    if parent is None:
        raise ApiError.one(404, "previousGenerationId", "There is no generation with this id in this team.")
    if payload.referenceImages or payload.mask is not None or payload.markup is not None:
        raise ApiError.one(
            400,
            "previousGenerationId",
            "A refinement starts from the earlier generation's image; send referenceImages and mask without "
            "previousGenerationId to start a new edit instead.",
        )
    output = parent.job_outputs.select_related("asset").order_by("position").first()
    if output is None:
        raise ApiError.one(
            400, "previousGenerationId", f"That generation is {parent.status} and has no image to refine yet."
        )
    try:
        return generation_refine(team=team, user=user, asset=output.asset, prompt=payload.prompt)
    except GenerationRejected as rejected:
        raise _rejection(rejected, {}) from None


def api_generation_submit(*, token, payload):
    """Check and queue a generation sent to the API, as the Studio's Generate button would.

    Images named by URL are fetched first, outside any transaction; they are imported into the library in the
    same transaction that creates the job, so a refused request leaves no imported asset (nor its files) behind.
    Raises ApiError with the status and {field, message} errors a client should see.
    """
    team = token.team
    user = acting_user(token)
    model_id = payload.model or default_model_id(team)
    if model_id in image_models() and model_id not in allowed_model_ids(team):
        label = image_models()[model_id].label
        raise ApiError.one(
            403, "model", f"{label} is not enabled for {team.name}; an admin can enable it under Team → Models."
        )
    if payload.previousGenerationId is not None:
        return _refine(team=team, user=user, payload=payload)

    images = _Images(team)
    items = list(_reference_items(payload))
    named = [(field, value) for field, value, _ in items]
    for field in ("mask", "markup"):
        if getattr(payload, field) is not None:
            named.append((field, getattr(payload, field)))
    found = images.resolve_all(named)
    references = [(field, found.get(field), role) for field, _, role in items]
    mask, markup = found.get("mask"), found.get("markup")
    if images.errors:
        status = 404 if any(status == 404 for status, _, _ in images.errors) else 400
        raise ApiError(status, [(field, message) for _, field, message in images.errors])

    data = _studio_data(payload, model_id=model_id)
    imported = []
    try:
        with transaction.atomic():
            data["references"] = []
            for field, image, role in references:
                asset = _imported(team, user, token, field, image, imported)
                data["references"].append({"asset_id": asset.pk, "role": role})
            if mask is not None:
                data["mask"] = asset_bytes(mask) if isinstance(mask, Asset) else mask.data
            if markup is not None:
                data["markup"] = asset_bytes(markup) if isinstance(markup, Asset) else markup.data
            return generation_submit(team=team, user=user, data=data)
    except GenerationRejected as rejected:
        files_delete([key for asset in imported for key in asset.storage_keys])
        raise _rejection(rejected, data) from None
    except BaseException:
        files_delete([key for asset in imported for key in asset.storage_keys])
        raise


def _imported(team, user, token, field, image, imported):
    """The library asset for one reference: as it is, or imported now from what was fetched."""
    if isinstance(image, Asset):
        return image
    try:
        asset = asset_ingest(
            team=team,
            user=user,
            data=image.data,
            filename=image.filename,
            origin=Origin(
                source=Asset.Source.IMPORTED,
                provenance={"imported_from": image.url, "fetched_from": image.final_url, "api_token": token.prefix},
            ),
        )
    except UploadRejected as rejected:
        raise ApiError.one(400, field, rejected.message) from None
    if getattr(asset, "created", True):
        imported.append(asset)
    return asset


# The library ----------------------------------------------------------------------------------------------------


def api_asset_upload(*, token, upload, name=None):
    """Add one uploaded file to the library with the upload page's checks and messages; 400 on `file` otherwise.

    Returns the asset, carrying `created` (False for an image the team already had) and `notes`.
    """
    user = acting_user(token, "edit")
    if upload is None:
        raise ApiError.one(400, "file", "Choose an image to upload, sent as the multipart field `file`.")
    if upload.size > settings.POSTFRAME_UPLOAD_MAX_BYTES:
        raise ApiError.one(400, "file", too_large(upload.size))  # refused before a byte of it is read
    filename = upload.name or ""
    if (char := refused_character(filename)) is not None:
        raise ApiError.one(400, "file", "The file's name: " + refusal_message(char))
    try:
        return asset_ingest(
            team=token.team, user=user, data=upload.read(), filename=filename, origin=Origin(name=name or None)
        )
    except UploadRejected as rejected:
        raise ApiError.one(400, "file", rejected.message) from None


def api_board_create(*, token, name):
    user = acting_user(token, "edit")
    try:
        return library_services.board_create(team=token.team, user=user, name=name)
    except LibraryError as refused:
        raise ApiError.one(400, "name", str(refused)) from None


def api_board_assets_add(*, token, board, asset_ids):
    """Add assets of the team to `board` (after its last one); 404 naming the first id that is not the team's."""
    user = acting_user(token, "edit")
    found = scoped(Asset, token.team).in_bulk(asset_ids)
    missing = [(index, asset_id) for index, asset_id in enumerate(asset_ids) if asset_id not in found]
    if missing:
        raise ApiError(
            404,
            [(f"assetIds[{i}]", f"There is no asset {asset_id} in this team's library.") for i, asset_id in missing],
        )
    return library_services.board_assets_add(board=board, assets=list(found.values()), user=user)


def api_board_asset_remove(*, token, board, asset):
    acting_user(token, "edit")
    if not library_services.board_asset_remove(board=board, asset=asset):
        raise ApiError.one(404, None, f"Asset {asset.pk} is not on the board {board.name}.")
