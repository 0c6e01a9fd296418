"""The library in the public API: list and search assets, one asset, uploads, boards; files are in api.py."""

from django.http import HttpResponse
from django.urls import reverse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from library.models import Asset, Board
from studio.api import selectors, services
from studio.api.schemas import (
    ERRORS,
    AssetDetailOut,
    AssetFilters,
    AssetPageOut,
    AssetUploaded,
    BoardAssetsAdded,
    BoardAssetsIn,
    BoardDetailOut,
    BoardIn,
    BoardOut,
    Line,
    json_body,
    parsed_body,
)
from studio.teams.scoping import get_scoped_or_404

router = Router(tags=["library"])


@router.get("/assets", response={200: AssetPageOut, **ERRORS}, summary="List and search the library")
def asset_list(request, filters: Query[AssetFilters]):
    """The library grid's search and filters, newest first, a page at a time: pass `nextCursor` as `cursor`."""
    return selectors.api_assets_page(team=request.team, filters=filters, absolute=request.build_absolute_uri)


@router.post("/assets", response={200: AssetUploaded, 201: AssetUploaded, **ERRORS}, summary="Upload an image")
def asset_upload(
    request,
    response: HttpResponse,
    file: File[UploadedFile] = None,
    name: Form[Line | None] = None,
):
    """A PNG, JPEG or WebP as multipart `file`, checked like the library's upload page. 201 with the new asset;
    200 with the existing one when the team already has the same image."""
    asset = services.api_asset_upload(token=request.auth, upload=file, name=name)
    shown = selectors.asset_as_api(asset, absolute=request.build_absolute_uri)
    response["Location"] = shown["url"].removesuffix("/file")
    return Status(201 if asset.created else 200, {**shown, "created": asset.created, "notes": asset.notes})


@router.get(
    "/assets/{int:asset_id}", response={200: AssetDetailOut, **ERRORS}, url_name="asset_detail", summary="One asset"
)
def asset_detail(request, asset_id: int):
    """An asset with its tags, boards and provenance (prompt, model, parameters, references, seed, cost)."""
    return selectors.api_asset(team=request.team, asset_id=asset_id, absolute=request.build_absolute_uri)


@router.get("/boards", response={200: list[BoardOut], **ERRORS}, summary="The team's boards")
def board_list(request):
    """Every board of the team by name, with its size and first asset."""
    return selectors.api_boards(team=request.team)


@router.post("/boards", response={201: BoardDetailOut, **ERRORS}, summary="Create a board")
def board_create(request, payload: BoardIn, response: HttpResponse):
    board = services.api_board_create(token=request.auth, name=payload.name)
    response["Location"] = request.build_absolute_uri(reverse("api:board_detail", kwargs={"board_id": board.pk}))
    return Status(201, selectors.api_board(team=request.team, board_id=board.pk))


@router.get(
    "/boards/{int:board_id}", response={200: BoardDetailOut, **ERRORS}, url_name="board_detail", summary="One board"
)
def board_detail(request, board_id: int):
    """A board and its asset ids in order; list them with `GET /assets?board={id}`."""
    return selectors.api_board(team=request.team, board_id=board_id)


@router.post(
    "/boards/{int:board_id}/assets",
    response={200: BoardAssetsAdded, **ERRORS},
    summary="Add assets",
    openapi_extra=json_body(BoardAssetsIn),
)
def board_assets_add(request, board_id: int):
    """Add assets after the board's last one; assets already on it stay where they are."""
    board = get_scoped_or_404(Board, request.team, pk=board_id)  # another team's board: 404 whatever the body
    payload = parsed_body(request, BoardAssetsIn)
    added = services.api_board_assets_add(token=request.auth, board=board, asset_ids=payload.assetIds)
    return {**selectors.api_board(team=request.team, board_id=board.pk), "added": added}


@router.delete(
    "/boards/{int:board_id}/assets/{int:asset_id}", response={204: None, **ERRORS}, summary="Remove an asset"
)
def board_asset_remove(request, board_id: int, asset_id: int):
    """Take an asset off the board; it stays in the library."""
    board = get_scoped_or_404(Board, request.team, pk=board_id)
    asset = get_scoped_or_404(Asset, request.team, pk=asset_id)
    services.api_board_asset_remove(token=request.auth, board=board, asset=asset)
    return Status(204, None)
