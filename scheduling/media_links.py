"""Short-lived signed public URLs of a post's media under SITE_URL, which the platforms fetch, and their view; and
the zip a "download bundle" channel hands the team.

Tenant files are never on a public URL, except through these links: each names one asset of one team, is signed
with django.core.signing (SECRET_KEY, its own salt) and expires after SCHEDULING_MEDIA_LINK_SECONDS. A tampered
link answers 403, an expired one 410. Platforms that take only JPEG (Instagram, TikTok photos) get a JPEG copy.
"""

import io
import zipfile

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.urls import reverse
from PIL import Image

from library.models import Asset
from library.storage import file_open, file_stream, file_url, is_remote
from studio.core.http import method_refusal
from studio.core.streaming import streamed_response
from studio.teams.models import Team
from studio.teams.scoping import scoped

SALT = "scheduling.media-link"
JPEG_QUALITY = 90


def media_link(*, asset, jpeg=False):
    """A public URL of `asset`'s file (a JPEG copy when `jpeg`), valid for SCHEDULING_MEDIA_LINK_SECONDS."""
    jpeg = bool(jpeg) and asset.format != "jpeg"
    signed = signing.dumps({"t": asset.team_id, "a": asset.pk, "j": int(jpeg)}, salt=SALT)
    extension = "jpg" if jpeg else asset.format.replace("jpeg", "jpg")
    path = reverse("scheduling_media", kwargs={"signed": signed, "filename": f"{asset.pk}.{extension}"})
    return settings.SITE_URL.rstrip("/") + path


def media_link_asset(signed):
    """(asset, jpeg) a link names, or a signing error: SignatureExpired after its time, BadSignature if forged."""
    data = signing.loads(signed, salt=SALT, max_age=settings.SCHEDULING_MEDIA_LINK_SECONDS)
    team = Team.objects.filter(pk=data.get("t")).first()
    asset = scoped(Asset, team).filter(pk=data.get("a")).first()
    return asset, bool(data.get("j"))


def jpeg_bytes(asset):
    """The asset's image as a JPEG (transparency flattened on white), for platforms that take nothing else."""
    with file_open(asset.file) as handle, Image.open(handle) as image:
        image.load()
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        elif image.mode != "RGB":
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def media_bytes(*, asset, jpeg=False):
    """What a link to `asset` serves, as bytes: for publishers that upload the file instead of sending its URL."""
    if jpeg and asset.format != "jpeg":
        return jpeg_bytes(asset)
    with file_open(asset.file) as handle:
        return handle.read()


def media_view(request, signed, filename):
    """No login: holding a valid, unexpired link is what grants access to this one file."""
    try:
        asset, jpeg = media_link_asset(signed)
    except signing.SignatureExpired:
        return HttpResponse("This media link has expired.", status=410, content_type="text/plain")
    except signing.BadSignature:
        return HttpResponseForbidden("This media link is not valid.", content_type="text/plain")
    if refused := method_refusal(request, "GET"):
        return refused
    if asset is None:
        return HttpResponse("This file was deleted.", status=410, content_type="text/plain")
    if jpeg:
        try:
            response = HttpResponse(jpeg_bytes(asset), content_type="image/jpeg")
        except FileNotFoundError:
            raise Http404("This file is missing from storage.") from None
    elif is_remote():
        return HttpResponseRedirect(file_url(asset.file, content_type=asset.content_type, disposition="inline"))
    else:
        try:
            size, chunks = file_stream(asset.file)
        except FileNotFoundError:
            raise Http404("This file is missing from storage.") from None
        response = streamed_response(chunks, content_type=asset.content_type, size=size)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def bundle_zip(target):
    """A bundle channel's post as a zip: caption.txt, then the media in order (01.jpg, 02.png, …)."""
    from scheduling.selectors import target_text

    post = target.post
    caption = target_text(target)
    if post.first_comment:
        caption += f"\n\nFirst comment:\n{post.first_comment}"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("caption.txt", caption + "\n")
        alt = []
        for index, item in enumerate(post.media.select_related("asset").all(), start=1):
            if item.asset is None:
                continue
            extension = item.asset.format.replace("jpeg", "jpg")
            name = f"{index:02d}.{extension}"
            with file_open(item.asset.file) as handle:
                archive.writestr(zipfile.ZipInfo(name), handle.read(), compress_type=zipfile.ZIP_STORED)
            if item.alt_text:
                alt.append(f"{name}: {item.alt_text}")
        if alt:
            archive.writestr("alt-text.txt", "\n".join(alt) + "\n")
    return out.getvalue()
