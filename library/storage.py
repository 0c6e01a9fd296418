"""Where asset files live: local files under MEDIA_ROOT, or a private S3-compatible bucket when one is configured.

Neither is ever reachable by a public URL. Local files are streamed by a team-scoped view; on S3 that view
redirects to a presigned URL that expires after POSTFRAME_S3_URL_EXPIRY seconds.
"""

import secrets
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.dispatch import receiver

_storage = None


def is_remote():
    return bool(settings.POSTFRAME_S3_BUCKET)


def asset_storage():
    """The one storage of asset files, built once from settings."""
    global _storage
    if _storage is None:
        _storage = _build()
    return _storage


def _build():
    if not is_remote():
        # No base_url: a local asset file has no URL of its own, only the library's file view.
        return FileSystemStorage(base_url=None)
    from storages.backends.s3 import S3Storage

    return S3Storage(
        bucket_name=settings.POSTFRAME_S3_BUCKET,
        endpoint_url=settings.POSTFRAME_S3_ENDPOINT_URL or None,
        region_name=settings.POSTFRAME_S3_REGION or None,
        access_key=settings.AWS_ACCESS_KEY_ID or None,
        secret_key=settings.AWS_SECRET_ACCESS_KEY or None,
        default_acl="private",
        querystring_auth=True,
        querystring_expire=settings.POSTFRAME_S3_URL_EXPIRY,
        signature_version="s3v4",
        addressing_style="path" if settings.POSTFRAME_S3_ENDPOINT_URL else None,
        # Keys are random, so there is nothing to protect by asking the bucket first (one request saved).
        file_overwrite=True,
        # A file read through the storage spills to disk above this size instead of staying in memory.
        max_memory_size=8 * 1024 * 1024,
    )


@receiver(setting_changed)
def _forget_storage(*, setting, **kwargs):
    global _storage
    if setting.startswith(("POSTFRAME_S3_", "AWS_", "MEDIA_ROOT")):
        _storage = None


def new_key(team_id):
    """A fresh random stem for one asset's files; the user's filename never appears in it."""
    return f"teams/{team_id}/assets/{secrets.token_hex(16)}"


def file_save(key, data, content_type):
    storage = asset_storage()
    content = ContentFile(data)
    content.content_type = content_type
    return storage.save(key, content)


def files_delete(keys):
    storage = asset_storage()
    for key in keys:
        if key:
            storage.delete(key)


def team_files_listed(folder, *, older_than):
    """(team id, key) of the stored files in every team's `folder` (teams/<id>/<folder>/<name>) last modified before
    `older_than`: what the orphan sweeps look at (a younger file may belong to a transaction still open)."""
    for key, modified in files_listed("teams"):
        parts = key.split("/")
        if len(parts) == 4 and parts[1].isdigit() and parts[2] == folder and modified < older_than:
            yield int(parts[1]), key


def files_listed(prefix):
    """(key, last modified) of every file whose key starts with `prefix` + "/": one listing, no request per file."""
    storage = asset_storage()
    prefix = prefix.rstrip("/") + "/"
    if is_remote():
        for item in storage.bucket.objects.filter(Prefix=storage._normalize_name(prefix)):
            yield item.key, item.last_modified
        return
    root = Path(storage.path(prefix))
    if not root.is_dir():
        return
    for path in root.rglob("*"):
        if path.is_file():
            key = path.relative_to(storage.location).as_posix()
            yield key, datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def file_open(key):
    return asset_storage().open(key, "rb")


def file_size(key):
    """A stored file's size in bytes; FileNotFoundError when it is missing."""
    storage = asset_storage()
    if not storage.exists(key):
        raise FileNotFoundError(key)
    return storage.size(key)


def file_stream(key, chunk_size=256 * 1024, *, start=0, length=None):
    """(size in bytes, its chunks) of a stored file, or of `length` bytes of it from `start` (a range request);
    opened now, so a missing file raises FileNotFoundError here."""
    storage = asset_storage()
    ranged = start > 0 or length is not None
    if is_remote():
        from botocore.exceptions import ClientError

        extra = {"Range": f"bytes={start}-{start + length - 1 if length else ''}"} if ranged else {}
        try:
            got = storage.bucket.Object(storage._normalize_name(key)).get(**extra)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise FileNotFoundError(key) from error
            raise
        body = got["Body"]

        def remote():
            try:
                yield from body.iter_chunks(chunk_size)
            finally:
                body.close()

        return got["ContentLength"], remote()
    handle = storage.open(key, "rb")
    size = storage.size(key)
    handle.seek(start)
    left = size - start if length is None else length

    def local():
        nonlocal left
        with handle:
            while left > 0 and (chunk := handle.read(min(chunk_size, left))):
                left -= len(chunk)
                yield chunk

    return left, local()


def file_chunks(key, chunk_size=256 * 1024):
    """A file's bytes piece by piece, without holding the whole file (streamed zips, large downloads)."""
    storage = asset_storage()
    if is_remote():
        body = storage.bucket.Object(storage._normalize_name(key)).get()["Body"]
        try:
            yield from body.iter_chunks(chunk_size)
        finally:
            body.close()
        return
    with storage.open(key, "rb") as handle:
        while chunk := handle.read(chunk_size):
            yield chunk


def file_url(key, *, content_type, disposition):
    """A short-lived signed URL of a file on S3 (never called for local files)."""
    return asset_storage().url(
        key,
        parameters={
            "ResponseContentType": content_type,
            "ResponseContentDisposition": disposition,
            "ResponseCacheControl": "private, max-age=300",
        },
        expire=settings.POSTFRAME_S3_URL_EXPIRY,
    )


UNSATISFIABLE = "unsatisfiable"


def byte_range(header, size):
    """(first, last) byte of a single `bytes=` range within a file of `size` bytes; UNSATISFIABLE when it starts
    past the end; None for what is not one range we answer (several ranges, another unit): then the whole file."""
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()) or not all(p.isdigit() for p in (first, last) if p):
        return None
    if not first:  # the last N bytes
        length = int(last)
        return UNSATISFIABLE if length == 0 or size == 0 else (max(0, size - length), size - 1)
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size:
        return UNSATISFIABLE
    return None if end < start else (start, end)
