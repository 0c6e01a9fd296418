"""Reads for the public API: tokens, the token a secret belongs to, generations and files as the API shows them."""

from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.db.models.fields.json import KT
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse

from library import selectors as library_selectors
from library.forms import FilterForm
from library.models import Asset, Board, BoardItem
from library.selectors import DOWNLOAD_EXTENSIONS, download_filename, variant_key
from library.storage import file_stream, file_url, is_remote
from studio.api.errors import ApiError
from studio.api.models import TOKEN_PREFIX, ApiToken, hash_secret
from studio.core.streaming import streamed_response
from studio.generation.models import GenerationJob, JobOutput
from studio.teams.models import Membership
from studio.teams.scoping import get_scoped_or_404, scoped


def team_api_tokens(team):
    """The team's tokens, active ones first, newest first within each group; `creator_left` marks dead ones."""
    return (
        scoped(ApiToken, team)
        .select_related("created_by")
        .annotate(creator_left=Q(created_by__isnull=False) & ~Exists(_creator_membership()))
        .order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-id")
    )


def active_token_for_secret(secret):
    """The unrevoked token whose secret this is, or None.

    Looked up by the secret's hash across teams: the secret itself is what names the team.
    """
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    return (
        ApiToken.objects.select_related("team", "created_by")
        .filter(secret_hash=hash_secret(secret), revoked_at=None)
        .filter(Q(created_by=None) | Exists(_creator_membership()))
        .first()
    )


def _creator_membership():
    # A token stops working when the admin who made it leaves the team: they must not keep a way in.
    return Membership.objects.filter(team=OuterRef("team"), user=OuterRef("created_by"))


# Generations and files, as the API shows them -------------------------------------------------------------


def api_generation(*, team, generation_id, absolute=str):
    """The API's view of one of the team's generations; 404 for an unknown id or another team's.

    `absolute` turns a path into the URL a client should call (request.build_absolute_uri).
    """
    job = get_scoped_or_404(
        GenerationJob.objects.select_related("parent")
        .defer("mask_png", "latest_frame")
        .prefetch_related(
            Prefetch("job_outputs", queryset=JobOutput.objects.select_related("asset").order_by("position"))
        ),
        team,
        uuid=generation_id,
    )
    return generation_as_api(job, absolute=absolute)


def generation_as_api(job, *, absolute=str):
    error = None
    if job.status in (GenerationJob.Status.FAILED, GenerationJob.Status.CANCELLED):
        kind = job.error_kind or ("cancelled" if job.status == GenerationJob.Status.CANCELLED else "internal")
        error = {"kind": kind, "message": job.error_message or "The generation did not finish."}
    return {
        "id": job.uuid,
        "status": job.status,
        "model": job.model_id,
        "prompt": job.prompt,
        "partialCount": job.partial_count,
        "error": error,
        "cost": {"estimated": job.credits_estimated, "captured": job.credits_captured},
        "outputs": [
            {
                "assetId": output.asset.pk,
                "url": absolute(reverse("api:asset_file", kwargs={"asset_id": output.asset.pk})),
                "width": output.asset.width,
                "height": output.asset.height,
                "format": output.asset.format,
            }
            for output in job.job_outputs.all()
        ],
        "previousGenerationId": job.parent.uuid if job.parent else None,
        "createdAt": job.submitted_at,
        "finishedAt": job.finished_at,
    }


def api_asset_file_response(*, team, asset_id, variant="original"):
    """A file of one of the team's assets (the original or a WebP rendition): streamed, or a short-lived S3 link."""
    asset = get_scoped_or_404(Asset, team, pk=asset_id)
    key = variant_key(asset, variant)
    fmt = asset.format if key == asset.file else "webp"
    # The library's own rule for what a stored file says: an SVG original is an attachment under its sandbox policy.
    headers = library_selectors.file_headers(asset, key)
    content_type = headers["content_type"]
    suffix = "" if key == asset.file else f"-{variant}"
    filename = download_filename(asset, DOWNLOAD_EXTENSIONS.get(fmt, fmt)).replace(".", f"{suffix}.", 1)
    disposition = f'{"attachment" if headers["attachment"] else "inline"}; filename="{filename}"'
    if is_remote():
        response = HttpResponseRedirect(file_url(key, content_type=content_type, disposition=disposition))
    else:
        try:
            size, chunks = file_stream(key)
        except FileNotFoundError:
            raise Http404("This file is missing from storage.") from None
        response = streamed_response(chunks, content_type=content_type, size=size)
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = headers["policy"]
    return response


# The library, as the API shows it -------------------------------------------------------------------------------

# The grid form's field names, as the API calls them.
FILTER_FIELDS = {"date_from": "dateFrom", "date_to": "dateTo"}


def asset_as_api(asset, *, absolute=str):
    """One asset as the API lists it; `asset.tags` should be prefetched."""
    file_url_path = reverse("api:asset_file", kwargs={"asset_id": asset.pk})
    return {
        "id": asset.pk,
        "name": asset.name,
        "kind": asset.kind,
        "source": asset.source,
        "format": asset.format,
        "width": asset.width,
        "height": asset.height,
        "bytes": asset.bytes,
        "durationMs": asset.duration_ms,
        "sha256": asset.sha256,
        "rating": asset.rating,
        "tags": [tag.name for tag in asset.tags.all()],
        "model": asset.model_id or None,
        "prompt": _prompt(asset),
        "parentId": asset.parent_id,
        "createdAt": asset.created_at,
        "url": absolute(file_url_path),
        "thumbnailUrl": absolute(f"{file_url_path}?variant=thumb"),
    }


def _prompt(asset):
    # A list defers provenance (kilobytes per asset) and annotates the prompt alone.
    prompt = getattr(asset, "provenance_prompt", None)
    if not hasattr(asset, "provenance_prompt"):
        prompt = (asset.provenance or {}).get("prompt")
    return prompt if isinstance(prompt, str) else ""


def api_assets_page(*, team, filters, absolute=str):
    """A page of the team's assets narrowed by the grid's filters, newest first, with the grid's own query.

    Filters are checked by the grid's form; a bad one is a 400 naming it (404 for a board of another team).
    """
    data = {
        "q": filters.q or "",
        "kind": filters.kind or "",
        "source": filters.source or "",
        "model": filters.model or "",
        "member": filters.member or "",
        "board": filters.board or "",
        "tag": filters.tag or "",
        "rating": filters.rating or "",
        "date_from": filters.dateFrom or "",
        "date_to": filters.dateTo or "",
    }
    form = FilterForm(data, team=team, options=library_selectors.filter_options(team))
    if not form.is_valid():
        if "board" in form.errors:
            raise ApiError.one(404, "board", f"There is no board {filters.board} in this team.")
        raise ApiError(400, [(FILTER_FIELDS.get(name, name), errors[0]) for name, errors in form.errors.items()])
    if filters.cursor and library_selectors.decode_cursor(filters.cursor) is None:
        raise ApiError.one(400, "cursor", "This is not a cursor the API gave; start again without one.")
    queryset = library_selectors.assets_filtered(team, form.filters())
    listed = queryset.prefetch_related("tags").annotate(provenance_prompt=KT("provenance__prompt"))
    page = library_selectors.assets_page(listed, filters.cursor, size=filters.limit)
    total = library_selectors.assets_count(queryset)
    return {
        "items": [asset_as_api(asset, absolute=absolute) for asset in page.items],
        "nextCursor": page.next_cursor,
        "total": min(total, library_selectors.COUNT_CAP),
        "totalIsCapped": total > library_selectors.COUNT_CAP,
    }


def api_asset(*, team, asset_id, absolute=str):
    """One of the team's assets with its provenance and boards; 404 for an unknown id or another team's."""
    asset = library_selectors.asset_detail(team, asset_id)
    board_ids = list(
        BoardItem.objects.filter(asset=asset, board__team=team)
        .order_by("board__name", "board_id")
        .values_list("board_id", flat=True)
    )
    return {**asset_as_api(asset, absolute=absolute), "provenance": asset.provenance or {}, "boardIds": board_ids}


def board_as_api(board, *, asset_ids=None):
    """A board as the API shows it; from library.selectors.boards_of (annotated), or with its asset ids."""
    if asset_ids is None:
        count, cover = board.item_count, board.cover_id
    else:
        count, cover = len(asset_ids), (asset_ids[0] if asset_ids else None)
    shown = {
        "id": board.pk,
        "name": board.name,
        "assetCount": count,
        "coverAssetId": cover,
        "createdAt": board.created_at,
        "updatedAt": board.updated_at,
    }
    if asset_ids is not None:
        shown["assetIds"] = asset_ids
    return shown


def api_boards(*, team):
    return [board_as_api(board) for board in library_selectors.boards_of(team)]


def api_board(*, team, board_id):
    """One of the team's boards with its assets in order; 404 for an unknown id or another team's."""
    board = get_scoped_or_404(Board, team, pk=board_id)
    return board_as_api(board, asset_ids=[item.asset_id for item in library_selectors.board_items(board)])
