"""Writes about the library: ingesting files, editing assets, tags and boards. Keyword-only and atomic.

Every write calls library_changed, which replaces the team's library version once it commits (the key of the
grid's cached tiles).

Files are written before their row and removed again if the row cannot be saved; files of deleted assets are
removed only once the deletion has committed. Whatever still escapes (a caller's transaction rolled back after an
ingest, a process killed between a write and its commit) is found by orphan_files_sweep, which beat runs hourly.
"""

import hashlib
import logging
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.postgres.search import SearchVector
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from library.grid_cache import library_changed
from library.models import CONTENT_TYPES, Asset, Board, BoardItem, Tag
from library.storage import file_save, files_delete, new_key, team_files_listed
from library.thumbnails import renditions
from library.validators import GENERATED_FORMATS, UPLOAD_FORMATS, validate_image
from library.video import validate_video
from studio.engines.capabilities import image_models
from studio.teams.scoping import scoped

logger = logging.getLogger(__name__)

SEARCH_CONFIG = "english"
MAX_TAGS_PER_ASSET = 30
EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp", "gif": "gif", "svg": "svg", "mp4": "mp4"}


class LibraryError(Exception):
    """A refused change, with a message fit to show the user."""


EMPTY_BULK_TAGS = "Type a tag to add to the selection."


@dataclass(frozen=True)
class Origin:
    """Where an incoming file comes from: an upload unless said otherwise, with its provenance and parent."""

    source: str = Asset.Source.UPLOAD
    provenance: dict = field(default_factory=dict)
    parent: Asset | int | None = None  # the asset it was made from (a refinement, an edit), or its id
    name: str | None = None  # the title; otherwise from the file's name or the prompt

    def __post_init__(self):
        if self.source not in Asset.Source.values:
            raise ValueError(f"Unknown asset source {self.source!r}")


UPLOADED = Origin()


@transaction.atomic
def asset_ingest(
    *, team, user, data: bytes, filename: str, origin: Origin = UPLOADED, renditions_later: bool = False
) -> Asset:
    """Validate, strip, store and index one image; uploads that the team already has return the existing asset.

    The returned asset carries `created` (False when it is an earlier upload of the same pixels) and `notes`
    (what was changed on the way in, e.g. metadata removed). Raises UploadRejected, storing nothing, on bad input.
    Generated images are never de-duplicated: each keeps its own provenance. A generated file may also be an
    animated GIF (kept whole) or an SVG (kept as it came, rasterised for its tile and preview); uploads may not.

    `renditions_later` skips waiting for the grid tile and the preview: a task makes them once this commits. The
    generation pipeline uses it to show a finished image at once; until they exist the file view serves the
    original for them (selectors.variant_key), so the asset is complete from the start.
    """
    formats = GENERATED_FORMATS if origin.source == Asset.Source.GENERATED else UPLOAD_FORMATS
    clean = validate_image(data, filename=filename, formats=formats)
    # Validating an SVG has drawn its raster already, so its renditions cost next to nothing: made now.
    later = renditions_later and clean.format != "svg"
    return _store(
        team=team,
        user=user,
        clean=clean,
        kind=Asset.Kind.IMAGE,
        picture=clean.image,
        filename=filename,
        origin=origin,
        renditions_later=later,
    )


@transaction.atomic
def video_ingest(*, team, user, data: bytes, filename: str, origin: Origin = UPLOADED) -> Asset:
    """Validate, store and index one video (MP4/MOV with H.264): kept as it came, its first frame the poster.

    Like asset_ingest: the asset carries `created` and `notes`, uploads of a video the team already has return the
    existing asset, generated ones are never de-duplicated, and UploadRejected stores nothing.
    """
    clean = validate_video(data)
    return _store(
        team=team,
        user=user,
        clean=clean,
        kind=Asset.Kind.VIDEO,
        picture=clean.poster,
        filename=filename,
        origin=origin,
        renditions_later=False,
    )


def _store(*, team, user, clean, kind, picture, filename, origin, renditions_later):
    """The ingest both kinds share: de-duplicate uploads, write the files, then the row; on failure, no file left."""
    source, parent, name = origin.source, origin.parent, origin.name
    sha256 = hashlib.sha256(clean.data).hexdigest()
    deduplicate = source != Asset.Source.GENERATED
    if deduplicate and (existing := _same_file(team, sha256)) is not None:
        return _mark(existing, created=False, notes=clean.notes)
    parent_asset = _parent_in_team(team, parent)
    provenance = dict(origin.provenance or {})
    if parent_asset is not None:
        provenance.setdefault("parent_asset_id", parent_asset.pk)

    stem = new_key(team.pk)
    made = None if renditions_later else renditions(picture)
    stored = []
    try:
        stored.append(file_save(f"{stem}.{EXTENSIONS[clean.format]}", clean.data, CONTENT_TYPES[clean.format]))
        if made:
            stored.append(file_save(f"{stem}-preview.webp", made["preview"], "image/webp"))
            stored.append(file_save(f"{stem}-thumb.webp", made["thumb"], "image/webp"))
        with transaction.atomic():
            asset = Asset.objects.create(
                team=team,
                name=_asset_name(name, filename, provenance),
                kind=kind,
                source=source,
                file=stored[0],
                preview=stored[1] if made else "",
                thumb=stored[2] if made else "",
                format=clean.format,
                bytes=len(clean.data),
                width=clean.width,
                height=clean.height,
                duration_ms=getattr(clean, "duration_ms", None),
                sha256=sha256,
                created_by=user,
                provenance=provenance,
                model_id=str(provenance.get("model_id") or "")[:80],
                parent=parent_asset,
            )
            _search_refresh([asset.pk])
        library_changed(team)
    except IntegrityError:
        files_delete(stored)
        # Two uploads of the same file raced; the other one won and is the answer.
        if deduplicate and (existing := _same_file(team, sha256)) is not None:
            return _mark(existing, created=False, notes=clean.notes)
        raise
    except BaseException:
        files_delete(stored)
        raise
    if not made:
        transaction.on_commit(lambda: _renditions_enqueue(asset.pk))
    return _mark(asset, created=True, notes=clean.notes)


def _renditions_enqueue(asset_id):
    from library.tasks import asset_renditions_remake

    try:
        asset_renditions_remake.delay(asset_id)
    except Exception:
        # The asset stays whole without them: its tile and preview are served from the original.
        logger.exception("could not queue the renditions of asset %s", asset_id)


def _same_file(team, sha256):
    return scoped(Asset, team).filter(sha256=sha256).order_by("created_at", "id").first()


def _mark(asset, *, created, notes):
    asset.created = created
    asset.notes = notes
    return asset


def _parent_in_team(team, parent):
    """The parent asset inside the team; a parent deleted meanwhile (or of another team) links to nothing."""
    if parent is None:
        return None
    parent_id = parent.pk if isinstance(parent, Asset) else parent
    return scoped(Asset, team).filter(pk=parent_id).first()


def _asset_name(name, filename, provenance):
    """The title people see: the one given, else the prompt's first words, else the uploaded file's name."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", filename.replace("\\", "/").rsplit("/", 1)[-1])
    candidates = [name, Asset.title_from_prompt(provenance.get("prompt"), **_image_of(provenance)), stem]
    for candidate in candidates:
        cleaned = " ".join(str(candidate or "").split())
        if cleaned:
            return cleaned[:200] if len(cleaned) <= 200 else cleaned[:199] + "…"
    return "Untitled"


def _image_of(provenance):
    """Which image of how many a generated file is, to tell a job's images apart in their titles."""
    parameters = provenance.get("parameters") if isinstance(provenance.get("parameters"), dict) else {}
    index, count = provenance.get("image_index"), parameters.get("n")
    if isinstance(index, int) and isinstance(count, int) and count > 1:
        return {"number": index + 1}
    return {}


def _search_text(asset):
    provenance = asset.provenance or {}
    model = image_models().get(asset.model_id)
    parts = [
        asset.name,
        str(provenance.get("prompt") or ""),
        str(provenance.get("revised_prompt") or ""),
        " ".join(tag.name for tag in asset.tags.all()),
        model.label if model else asset.model_id,
    ]
    return "\n".join(part for part in parts if part)


def _search_refresh(asset_ids):
    """Rebuild the searchable text (and on PostgreSQL its tsvector) of these assets after a change."""
    assets = list(Asset.objects.filter(pk__in=asset_ids).prefetch_related("tags"))
    for asset in assets:
        asset.search_text = _search_text(asset)
    Asset.objects.bulk_update(assets, ["search_text"])
    if connection.vendor == "postgresql":
        Asset.objects.filter(pk__in=asset_ids).update(search_vector=SearchVector("search_text", config=SEARCH_CONFIG))


@transaction.atomic
def asset_renditions_remake(*, asset):
    """Make the grid tile and preview again from the original (after a change of their sizes). Safe to repeat."""
    from library.selectors import asset_bytes

    data = asset_bytes(asset)
    if asset.kind == Asset.Kind.VIDEO:
        picture = validate_video(data).poster
    else:
        formats = GENERATED_FORMATS if asset.source == Asset.Source.GENERATED else UPLOAD_FORMATS
        picture = validate_image(data, filename=asset.file, formats=formats).image
    made = renditions(picture)
    stem = new_key(asset.team_id)
    new = {"preview": file_save(f"{stem}-preview.webp", made["preview"], "image/webp")}
    new["thumb"] = file_save(f"{stem}-thumb.webp", made["thumb"], "image/webp")
    old = [asset.preview, asset.thumb]
    Asset.objects.filter(pk=asset.pk).update(**new)
    library_changed(asset.team)
    transaction.on_commit(lambda: files_delete(old))
    return new


@transaction.atomic
def asset_rename(*, asset, name):
    name = " ".join(name.split())
    if not name:
        raise LibraryError("Give the asset a title.")
    asset.name = name[:200]
    asset.save(update_fields=["name"])
    _search_refresh([asset.pk])
    library_changed(asset.team)
    return asset


MAX_TAG_LENGTH = 40
TAGS_TEXT_MAX_LENGTH = 1000


def tag_names(names):
    """Tags as a person typed them (one line separated by commas, or a list), cleaned and checked.

    The one validation of tags, for the asset page, a bulk action on a selection and the API alike: spaces are
    collapsed, a leading # dropped, repeats (ignoring case) merged. Raises LibraryError with a message for the user.
    """
    if isinstance(names, str):
        names = split_tags(names)
    seen, result = set(), []
    for raw in names:
        name = " ".join(str(raw).replace(",", " ").split()).lstrip("#")
        if not name:
            continue
        if any(unicodedata.category(char) == "Cc" for char in name):
            raise LibraryError("Tags cannot contain control characters; type them as plain text.")
        if len(name) > MAX_TAG_LENGTH:
            raise LibraryError(f"“{name[:20]}…” is too long for a tag; keep tags under {MAX_TAG_LENGTH} characters.")
        if name.lower() not in seen:
            seen.add(name.lower())
            result.append(name)
    if len(result) > MAX_TAGS_PER_ASSET:
        raise LibraryError(f"An asset can carry up to {MAX_TAGS_PER_ASSET} tags; you typed {len(result)}.")
    return result


def split_tags(text):
    """Tags typed as one line: separated by commas (a tag may hold spaces)."""
    return [part for part in (text or "").split(",") if part.strip()]


def _tags_for(team, names):
    tags = []
    for name in names:
        tag = scoped(Tag, team).filter(name__iexact=name).first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(team=team, name=name)
            except IntegrityError:
                tag = scoped(Tag, team).get(name__iexact=name)
        tags.append(tag)
    return tags


@transaction.atomic
def asset_tags_set(*, asset, names):
    """Replace the asset's tags with `names` (case-insensitive, new tags are made for the team)."""
    tags = _tags_for(asset.team, tag_names(names))
    asset.tags.set(tags)
    _search_refresh([asset.pk])
    library_changed(asset.team)
    return tags


@transaction.atomic
def assets_tag(*, team, assets, names):
    """Add tags to every asset of a selection; returns the tags. Refuses, changing nothing, past the tag limit."""
    names = tag_names(names)
    if not names:
        raise LibraryError(EMPTY_BULK_TAGS)
    asset_ids = list(scoped(Asset, team).filter(pk__in=[a.pk for a in assets]).values_list("pk", flat=True))
    through = Asset.tags.through
    current = defaultdict(set)
    for asset_id, tag_name in through.objects.filter(asset_id__in=asset_ids).values_list("asset_id", "tag__name"):
        current[asset_id].add(tag_name.lower())
    wanted = {name.lower() for name in names}
    crowded = sum(1 for asset_id in asset_ids if len(current[asset_id] | wanted) > MAX_TAGS_PER_ASSET)
    if crowded:
        which = "One selected asset" if crowded == 1 else f"{crowded} selected assets"
        raise LibraryError(
            f"{which} would carry more than {MAX_TAGS_PER_ASSET} tags; an asset can carry up to "
            f"{MAX_TAGS_PER_ASSET}. Remove some tags first, or add fewer."
        )
    tags = _tags_for(team, names)
    existing = set(through.objects.filter(asset_id__in=asset_ids).values_list("asset_id", "tag_id"))
    through.objects.bulk_create(
        [
            through(asset_id=asset_id, tag_id=tag.pk)
            for asset_id in asset_ids
            for tag in tags
            if (asset_id, tag.pk) not in existing
        ]
    )
    _search_refresh(asset_ids)
    library_changed(team)
    return tags


@transaction.atomic
def asset_rate(*, asset, rating):
    if not isinstance(rating, int) or not 0 <= rating <= 5:
        raise LibraryError("A rating is 0 to 5 stars.")
    asset.rating = rating
    asset.save(update_fields=["rating"])
    library_changed(asset.team)
    return asset


@transaction.atomic
def assets_delete(*, team, assets):
    """Delete assets and, once that has committed, their files. Their children stay, with no parent."""
    doomed = list(scoped(Asset, team).filter(pk__in=[asset.pk for asset in assets]))
    keys = [key for asset in doomed for key in asset.storage_keys]
    scoped(Asset, team).filter(parent__in=doomed).update(parent=None)
    scoped(Asset, team).filter(pk__in=[asset.pk for asset in doomed]).delete()
    library_changed(team)
    transaction.on_commit(lambda: files_delete(keys))
    return len(doomed)


@transaction.atomic
def asset_delete(*, asset):
    return assets_delete(team=asset.team, assets=[asset])


def orphan_files_sweep(*, older_than_seconds: int) -> int:
    """Delete stored library files that no asset refers to and that are older than `older_than_seconds`.

    Ingests write files before their row commits, so a young file without a row may be one whose transaction is
    still open: only files older than any transaction lasts are taken. Returns how many files were deleted.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    by_team = defaultdict(list)
    for team_id, key in team_files_listed("assets", older_than=cutoff):
        by_team[team_id].append(key)
    orphans = []
    for team_id, keys in by_team.items():
        kept = set()
        for row in Asset.objects.filter(team_id=team_id).values_list("file", "thumb", "preview").iterator():
            kept.update(row)
        orphans += [key for key in keys if key not in kept]
    files_delete(orphans)
    if orphans:
        logger.info("removed %d library files that no asset refers to", len(orphans))
    return len(orphans)


def _board_name(name):
    name = " ".join((name or "").split())
    if not name:
        raise LibraryError("Give the board a name.")
    if len(name) > 80:
        raise LibraryError("Keep a board's name under 80 characters.")
    return name


@transaction.atomic
def board_create(*, team, user, name):
    return Board.objects.create(team=team, name=_board_name(name), created_by=user)


@transaction.atomic
def board_rename(*, board, name):
    board.name = _board_name(name)
    board.save(update_fields=["name", "updated_at"])
    return board


@transaction.atomic
def board_delete(*, board):
    """Delete a board; its assets stay in the library."""
    board.delete()
    library_changed(board.team)


@transaction.atomic
def board_assets_add(*, board, assets, user):
    """Append assets of the board's team that it does not hold yet; returns how many were added."""
    Board.objects.select_for_update().filter(pk=board.pk).first()  # one writer of positions at a time
    present = set(BoardItem.objects.filter(board=board).values_list("asset_id", flat=True))
    candidates = scoped(Asset, board.team).filter(pk__in=[asset.pk for asset in assets]).order_by("-created_at", "-id")
    fresh = [asset for asset in candidates if asset.pk not in present]
    last = BoardItem.objects.filter(board=board).aggregate(last=Max("position"))["last"]
    start = 0 if last is None else last + 1
    BoardItem.objects.bulk_create(
        [BoardItem(board=board, asset=asset, position=start + i, added_by=user) for i, asset in enumerate(fresh)]
    )
    if fresh:
        board.save(update_fields=["updated_at"])
    library_changed(board.team)
    return len(fresh)


@transaction.atomic
def board_asset_remove(*, board, asset):
    removed, _ = BoardItem.objects.filter(board=board, asset=asset).delete()
    library_changed(board.team)
    return bool(removed)


@transaction.atomic
def board_item_move(*, board, asset, direction):
    """Swap an asset with its neighbour before ("up") or after ("down") it on the board."""
    if direction not in ("up", "down"):
        raise LibraryError("Move an asset up or down.")
    items = list(BoardItem.objects.select_for_update().filter(board=board).order_by("position", "id"))
    index = next((i for i, item in enumerate(items) if item.asset_id == asset.pk), None)
    if index is None:
        raise LibraryError("That asset is not on this board.")
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
        _renumber(items)
    return items


@transaction.atomic
def board_reorder(*, board, asset_ids):
    """Put the board's assets in the given order; assets not named keep their relative order after them."""
    items = list(BoardItem.objects.select_for_update().filter(board=board).order_by("position", "id"))
    rank = {asset_id: i for i, asset_id in enumerate(dict.fromkeys(asset_ids))}
    items.sort(key=lambda item: (rank.get(item.asset_id, len(rank)), item.position, item.pk))
    _renumber(items)
    return items


def _renumber(items):
    for position, item in enumerate(items):
        item.position = position
    BoardItem.objects.bulk_update(items, ["position"])
