"""Library pages: the grid with search and filters, uploads, an asset's detail, files and downloads, and boards."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.http import push_url

from library import grid_cache, selectors, services
from library.forms import (
    BoardForm,
    DownloadForm,
    FilterForm,
    MoveForm,
    RatingForm,
    RenameForm,
    ReorderForm,
    SelectionForm,
    TagsForm,
    UploadForm,
)
from library.storage import UNSATISFIABLE, byte_range, file_size, file_stream, file_url, is_remote
from library.validators import UploadRejected, too_large
from studio.core.http import post_only, toast
from studio.core.streaming import streamed_response
from studio.teams.permissions import can, team_required

# Variants are replaced often (renditions can be remade), originals never; a browser may keep either briefly.
FILE_CACHE_SECONDS = 3600
# What an upload's row says of its outcome, beside its message (the JSON answer carries it too).
UPLOAD_OUTCOMES = {"ok": "Added", "duplicate": "Already in the library", "refused": "Refused"}


def _in_team(request, asset_id=None, board_id=None, **_):
    """The URL's asset and board, looked up in the team scope (404 otherwise): post_only's lookup."""
    if asset_id is not None:
        selectors.asset_detail(request.team, asset_id)
    if board_id is not None:
        selectors.board_detail(request.team, board_id)


def _back(request, fallback="library"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and target.startswith("/"):
        return target
    return reverse(fallback)


# The grid ---------------------------------------------------------------------------------------------------


def _grid(request, params, *, selection=None, upload_results=None, status=200):
    """The grid page, or for htmx its results region or next tiles."""
    can_edit = can(request.membership, "edit")
    context = _grid_context(request, params, can_edit=can_edit, selection=selection, upload_results=upload_results)
    if not (request.htmx and request.method == "GET"):
        return render(request, "library/grid.html", context, status=status)
    if params.get("cursor"):
        return render(request, "library/grid.html#grid-page", context)
    response = render(request, "library/grid.html#results", context)
    # The address bar shows the filters in use, not every empty field of the form.
    used = QueryDict(mutable=True)
    for name, value in params.items():
        if value and name in FilterForm.base_fields:
            used[name] = value
    return push_url(response, f"{reverse('library')}?{used.urlencode()}" if used else reverse("library"))


def _grid_context(request, params, *, can_edit, selection, upload_results):
    team = request.team
    options = selectors.filter_options(team)
    filter_form = FilterForm(params, team=team, options=options)
    filters = filter_form.filters()
    queryset = selectors.assets_filtered(team, filters)
    cursor = params.get("cursor")
    page = selectors.assets_page(queryset, cursor)
    query = params.copy()
    query.pop("cursor", None)
    # Tiles show a selection's ticks only after a POST; those pages are never cached.
    cached = selection is None and upload_results is None and grid_cache.grid_cache_seconds() > 0
    return {
        "nav": "library",
        "page": page,
        "total": selectors.assets_count(queryset) if not cursor else None,
        "count_cap": selectors.COUNT_CAP,
        "filter_form": filter_form,
        "filtering": bool(filters),
        "narrowing": sum(1 for name in filters if name != "q"),
        "query": query.urlencode(),
        "options": options,
        "can_edit": can_edit,
        "selection": selection or SelectionForm(team=team),
        "selected": {str(pk) for pk in (selection.data.getlist("asset") if selection else [])},
        "upload_form": UploadForm(),
        "upload_results": upload_results,
        "here": request.get_full_path() if request.method == "GET" else _back(request),
        "tiles_cache_seconds": grid_cache.grid_cache_seconds(),
        "tiles_key": grid_cache.grid_fragment_key(team, can_edit=can_edit, filters=filters, cursor=cursor)
        if cached
        else None,
    }


@team_required("view")
def asset_grid(request):
    return _grid(request, request.GET)


@team_required("edit")
@require_POST
def asset_upload(request):
    """One file per request from the page's uploader (JSON back), or many from the plain form (a results page)."""
    form = UploadForm(request.POST, request.FILES)
    results = [_ingest(request, upload) for upload in form.cleaned_data["files"]] if form.is_valid() else []
    if "application/json" in request.headers.get("Accept", ""):
        if not results:
            refused = {"status": "refused", "label": UPLOAD_OUTCOMES["refused"], "message": form.errors["files"][0]}
            return JsonResponse(refused, status=422)
        return JsonResponse(results[0], status=422 if results[0]["status"] == "refused" else 200)
    if not results:
        messages.error(request, form.errors["files"][0])
        return redirect("library")
    return _grid(request, request.GET, upload_results=results)


def _ingest(request, upload):
    """Ingest one uploaded file and describe the outcome for its row: ok, duplicate, or refused and why."""
    row = {"name": upload.name, "status": "refused", "label": UPLOAD_OUTCOMES["refused"]}
    if upload.size > settings.POSTFRAME_UPLOAD_MAX_BYTES:
        row["message"] = too_large(upload.size)  # refused before a byte of it is read
        return row
    try:
        asset = services.asset_ingest(team=request.team, user=request.user, data=upload.read(), filename=upload.name)
    except UploadRejected as refusal:
        row["message"] = refusal.message
        return row
    status = "ok" if asset.created else "duplicate"
    row.update(
        status=status,
        label=UPLOAD_OUTCOMES[status],
        message=" ".join(asset.notes) if asset.created else f"Already in the library as “{asset.name}”.",
        asset_id=asset.pk,
        url=reverse("library_asset", args=[asset.pk]),
        card=render_to_string(
            "library/_asset_card.html", {"asset": asset, "selectable": True, "fresh": asset.created}, request=request
        ),
    )
    return row


# One asset --------------------------------------------------------------------------------------------------


def _detail(request, asset, *, partial="", status=200, **forms):
    context = {
        "nav": "library",
        "asset": asset,
        "can_edit": can(request.membership, "edit"),
        "provenance": selectors.provenance_for(asset),
        "ancestors": selectors.asset_ancestors(asset),
        "children": selectors.asset_children(asset),
        "rename_form": forms.get("rename_form") or RenameForm(initial={"name": asset.name}),
        "tags_form": forms.get("tags_form") or TagsForm(initial={"tags": ", ".join(t.name for t in asset.tags.all())}),
        "rating_form": forms.get("rating_form") or RatingForm(initial={"rating": asset.rating}),
        "download_form": forms.get("download_form") or DownloadForm(asset=asset),
        "download_sizes": [
            size for size in (4096, 2048, 1920, 1080, 1024, 512) if size < max(asset.width or 0, asset.height or 0)
        ],
    }
    return render(request, f"library/asset.html{partial}", context, status=status)


@team_required("view")
def asset_detail(request, asset_id):
    return _detail(request, selectors.asset_detail(request.team, asset_id))


def _edit(request, asset_id, form_class, partial, apply):
    """The shape every small edit of an asset shares: find it, validate, apply, answer with its region."""
    asset = selectors.asset_detail(request.team, asset_id)
    form = form_class(request.POST)
    form_name = {RenameForm: "rename_form", TagsForm: "tags_form", RatingForm: "rating_form"}[form_class]
    if form.is_valid():
        try:
            apply(asset, form.cleaned_data)
        except services.LibraryError as error:
            form.add_error(None if form_class is RatingForm else next(iter(form.fields)), str(error))
    if form.errors:
        return _detail(request, asset, partial=f"#{partial}" if request.htmx else "", status=422, **{form_name: form})
    if not request.htmx:
        return redirect("library_asset", asset.pk)
    asset = selectors.asset_detail(request.team, asset.pk)
    return _detail(request, asset, partial=f"#{partial}", **({form_name: form} if form_class is RatingForm else {}))


@team_required("edit")
@post_only(lookup=_in_team)
def asset_rename(request, asset_id):
    return _edit(
        request, asset_id, RenameForm, "asset-name", lambda a, d: services.asset_rename(asset=a, name=d["name"])
    )


@team_required("edit")
@post_only(lookup=_in_team)
def asset_tags(request, asset_id):
    return _edit(
        request, asset_id, TagsForm, "asset-tags", lambda a, d: services.asset_tags_set(asset=a, names=d["tags"])
    )


@team_required("edit")
@post_only(lookup=_in_team)
def asset_rating(request, asset_id):
    return _edit(
        request, asset_id, RatingForm, "asset-rating", lambda a, d: services.asset_rate(asset=a, rating=d["rating"])
    )


@team_required("edit")
@post_only(lookup=_in_team)
def asset_delete(request, asset_id):
    asset = selectors.asset_detail(request.team, asset_id)
    children = asset.children.count()
    services.asset_delete(asset=asset)
    kept = {0: "", 1: " The asset made from it stays in the library."}.get(
        children, f" The {children} assets made from it stay in the library."
    )
    messages.success(request, f"Deleted “{asset.name}”.{kept}")
    return redirect("library")


@team_required("view")
def asset_file(request, asset_id, variant):
    """An asset's file, to members of its team only: streamed from local storage, or a short-lived S3 link."""
    asset = selectors.asset_detail(request.team, asset_id)
    if variant not in selectors.VARIANTS:
        raise Http404("Unknown file variant.")
    key = selectors.variant_key(asset, variant)
    headers = selectors.file_headers(asset, key)
    extension = key.rsplit(".", 1)[-1]
    disposition = content_disposition_header(headers["attachment"], selectors.download_filename(asset, extension))
    if is_remote():
        response = HttpResponseRedirect(file_url(key, content_type=headers["content_type"], disposition=disposition))
        response["Cache-Control"] = "private, max-age=240"  # shorter than the link it points to lives
        return response
    response = _file_response(key, content_type=headers["content_type"], range_header=request.headers.get("Range"))
    response["Content-Disposition"] = disposition
    return _private(response, policy=headers["policy"])


def _file_response(key, *, content_type, filename=None, as_attachment=False, range_header=None):
    """A stored file, streamed (never read whole into memory); a file missing from storage is a 404.

    With a Range header (a video player seeking) it answers one range with 206, or 416 for one past the end.
    """
    try:
        if range_header:
            total = file_size(key)
            wanted = byte_range(range_header, total)
            if wanted == UNSATISFIABLE:
                response = HttpResponse(status=416, content_type=content_type)
                response["Content-Range"] = f"bytes */{total}"
                return response
            if wanted is not None:
                start, end = wanted
                size, chunks = file_stream(key, start=start, length=end - start + 1)
                response = streamed_response(chunks, content_type=content_type, size=size)
                response.status_code = 206
                response["Content-Range"] = f"bytes {start}-{end}/{total}"
                response["Accept-Ranges"] = "bytes"
                return response
        size, chunks = file_stream(key)
    except FileNotFoundError:
        raise Http404("This file is missing from storage.") from None
    response = streamed_response(
        chunks, content_type=content_type, filename=filename, as_attachment=as_attachment, size=size
    )
    response["Accept-Ranges"] = "bytes"
    return response


def _private(response, *, policy=selectors.FILE_POLICY):
    response["Cache-Control"] = f"private, max-age={FILE_CACHE_SECONDS}"
    response["X-Content-Type-Options"] = "nosniff"
    # Should a file ever be misread as a page, it can run nothing and reach nothing.
    response["Content-Security-Policy"] = policy
    return response


@team_required("view")
def asset_download(request, asset_id):
    """The original, or a PNG, JPEG or WebP copy at the original size or a chosen long edge."""
    asset = selectors.asset_detail(request.team, asset_id)
    form = DownloadForm(request.GET or None, asset=asset)
    if not form.is_valid():
        return _detail(request, asset, download_form=form, status=400 if request.GET else 200)
    fmt, edge = form.cleaned_data["format"], form.cleaned_data["long_edge"]
    name = selectors.download_filename(asset, selectors.DOWNLOAD_EXTENSIONS[fmt])
    if fmt == asset.format and not edge:
        response = _file_response(asset.file, content_type=asset.content_type, filename=name, as_attachment=True)
        return _private(response, policy=selectors.file_headers(asset, asset.file)["policy"])
    data = selectors.asset_rendition(asset, fmt=fmt, long_edge=edge)
    response = HttpResponse(data, content_type=selectors.DOWNLOAD_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, name)
    return _private(response)


# Selections -------------------------------------------------------------------------------------------------


def _selection(request):
    return SelectionForm(request.POST, team=request.team)


def _grid_again(request, selection):
    """The grid the selection was made in, with the selection kept and the errors next to their fields."""
    target = _back(request)
    query = QueryDict(target.split("?", 1)[1] if "?" in target else "")
    return _grid(request, query, selection=selection, status=422)


@team_required("edit")
@require_POST
def selection_apply(request):
    """Add the selection to a board, or tag it."""
    selection = _selection(request)
    if not selection.is_valid() or not selection.cleaned_data.get("action"):
        if selection.is_bound and not selection.errors:
            selection.add_error("action", "Choose what to do with the selection.")
        return _grid_again(request, selection)
    assets, data = selection.cleaned_data["asset"], selection.cleaned_data
    if data["action"] == "board":
        added = services.board_assets_add(board=data["board"], assets=assets, user=request.user)
        messages.success(request, f"Added {added} of {len(assets)} to “{data['board'].name}”.")
    else:
        try:
            tags = services.assets_tag(team=request.team, assets=assets, names=data["tags"])
        except services.LibraryError as error:
            selection.add_error("tags", str(error))
            return _grid_again(request, selection)
        messages.success(request, f"Tagged {len(assets)} with {', '.join(tag.name for tag in tags)}.")
    return HttpResponseRedirect(_back(request))


@team_required("edit")
@require_POST
def selection_delete(request):
    """Ask first (a page that lists what goes and what stays), then delete."""
    selection = _selection(request)
    if not selection.is_valid():
        return _grid_again(request, selection)
    assets = list(selection.cleaned_data["asset"])
    if request.POST.get("confirmed") != "yes":
        context = {"nav": "library", "assets": assets, "next": _back(request)}
        context["children"] = selectors.children_outside(request.team, assets)
        return render(request, "library/confirm_delete.html", context)
    deleted = services.assets_delete(team=request.team, assets=assets)
    messages.success(request, f"Deleted {deleted} asset{'s' if deleted != 1 else ''}.")
    return HttpResponseRedirect(_back(request))


@team_required("view")
@require_POST
def selection_download(request):
    """The selected originals as one zip, streamed as it is written."""
    selection = _selection(request)
    if not selection.is_valid():
        return _grid_again(request, selection)
    assets = list(selection.cleaned_data["asset"].order_by("-created_at", "-id"))
    response = streamed_response(
        selectors.assets_zip_stream(assets),
        content_type="application/zip",
        filename=f"{request.team.slug}-assets.zip",
        as_attachment=True,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# Boards -----------------------------------------------------------------------------------------------------


@team_required("view")
def board_list(request):
    form = BoardForm(request.POST or None)
    if request.method == "POST":
        if not can(request.membership, "edit"):
            raise PermissionDenied("Making boards needs the Member role or above.")
        if form.is_valid():
            board = services.board_create(team=request.team, user=request.user, name=form.cleaned_data["name"])
            messages.success(request, f"Board “{board.name}” is ready. Select assets in the library to add them.")
            return redirect("library_board", board.pk)
    context = {"nav": "library", "boards": selectors.boards_of(request.team), "form": form}
    context["can_edit"] = can(request.membership, "edit")
    return render(request, "library/boards.html", context, status=422 if form.errors else 200)


def _board_page(request, board, *, status=200, **extra):
    context = {"nav": "library", "board": board, "items": selectors.board_items(board)}
    context["can_edit"] = can(request.membership, "edit")
    context["rename_form"] = extra.get("rename_form") or BoardForm(initial={"name": board.name})
    return render(request, f"library/board.html{extra.get('partial', '')}", context, status=status)


@team_required("view")
def board_detail(request, board_id):
    return _board_page(request, selectors.board_detail(request.team, board_id))


@team_required("edit")
@post_only(lookup=_in_team)
def board_rename(request, board_id):
    board = selectors.board_detail(request.team, board_id)
    form = BoardForm(request.POST)
    if not form.is_valid():
        return _board_page(request, board, rename_form=form, status=422)
    services.board_rename(board=board, name=form.cleaned_data["name"])
    messages.success(request, f"Renamed the board to “{board.name}”.")
    return redirect("library_board", board.pk)


@team_required("edit")
@post_only(lookup=_in_team)
def board_delete(request, board_id):
    board = selectors.board_detail(request.team, board_id)
    services.board_delete(board=board)
    messages.success(request, f"Deleted the board “{board.name}”. Its assets are still in the library.")
    return redirect("library_boards")


@team_required("edit")
@post_only(lookup=_in_team)
def board_item_remove(request, board_id, asset_id):
    board = selectors.board_detail(request.team, board_id)
    asset = selectors.asset_detail(request.team, asset_id)
    if services.board_asset_remove(board=board, asset=asset):
        messages.success(request, f"Removed “{asset.name}” from this board. It is still in the library.")
    else:
        messages.info(request, f"“{asset.name}” was not on this board.")
    return redirect("library_board", board.pk)


@team_required("edit")
@post_only(lookup=_in_team)
def board_item_move(request, board_id, asset_id):
    board = selectors.board_detail(request.team, board_id)
    asset = selectors.asset_detail(request.team, asset_id)
    form = MoveForm(request.POST)
    problem = "Move an asset up or down." if not form.is_valid() else None
    if problem is None:
        try:
            services.board_item_move(board=board, asset=asset, direction=form.cleaned_data["direction"])
        except services.LibraryError as error:
            problem = str(error)
    if request.htmx:
        response = _board_page(request, board, partial="#board-items")
        return toast(response, problem, "error") if problem else response
    if problem:
        messages.error(request, problem)
    return redirect("library_board", board.pk)


@team_required("edit")
@post_only(lookup=_in_team)
def board_reorder(request, board_id):
    board = selectors.board_detail(request.team, board_id)
    form = ReorderForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"message": form.errors["order"][0]}, status=422)
    services.board_reorder(board=board, asset_ids=form.cleaned_data["order"])
    return _board_page(request, board, partial="#board-items")
