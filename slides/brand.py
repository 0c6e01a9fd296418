"""A team's brand kit: its colours, uploaded fonts (opened by content with fontTools) and logo, and the style a
carousel that follows the kit is set in.

Writes are keyword-only and atomic; every refusal is a BrandError naming the field and what to do instead.
"""

import functools
import hashlib
import io
import logging
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from fontTools.ttLib import TTFont, TTLibError
from PIL import Image, ImageFont

from library.models import Asset
from library.selectors import asset_bytes
from library.services import asset_ingest
from library.storage import file_open, file_save, files_delete, team_files_listed
from library.validators import UploadRejected, sniff
from slides.models import LOGO_SIZES, BrandFont, BrandKit, Carousel, LogoPlacement, Slide
from studio.core.services import audit_record
from studio.teams.models import Role

logger = logging.getLogger(__name__)

FONT_MAX_BYTES = 10 * 1024 * 1024  # a full CJK OTF is 16 MB; a brand's Latin family is well under 1 MB a style
FONT_SIGNATURES = {b"\x00\x01\x00\x00": "ttf", b"true": "ttf", b"OTTO": "otf"}
FONT_CACHE = Path(tempfile.gettempdir()) / "postframe-brand-fonts"
# What a kit's role is set in without an uploaded font (slides/typography.py FONT_FILES, for Latin text).
BUNDLED_FONTS = {"headline": "League Spartan", "body": "Inter"}
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
COLOUR_FIELDS = {"primary": "Primary", "secondary": "Secondary", "text": "Text", "background": "Background"}
LOGO_FORMATS = {"png", "webp"}
# OS/2 fsType: bit 1 set alone means "restricted licence embedding": the font may not be embedded in a document.
FS_TYPE_RESTRICTED = 0x0002


class BrandError(Exception):
    """A refused change to the kit: {field: message}; nothing was saved."""

    def __init__(self, errors):
        self.errors = errors if isinstance(errors, dict) else {"__all__": str(errors)}
        super().__init__("; ".join(self.errors.values()))


def may_edit_kit(membership):
    """Admins and the owner edit the kit; every member uses it."""
    return membership is not None and membership.has_role(Role.ADMIN)


def kit_for(team):
    """The team's kit, or None before anyone saved one."""
    return BrandKit.objects.filter(team=team).select_related("headline_font", "body_font", "logo").first()


def _kit_open(team):
    kit, _ = BrandKit.objects.select_for_update().get_or_create(team=team)
    return kit


# Colours ------------------------------------------------------------------------------------------------------


def colour_clean(value, label):
    """'#RRGGBB' from what was typed ('1f6feb', '#1F6FEB', '#1f6'); BrandError otherwise."""
    text = str(value or "").strip()
    if text and not text.startswith("#"):
        text = "#" + text
    if re.fullmatch(r"#[0-9a-fA-F]{3}", text):
        text = "#" + "".join(char * 2 for char in text[1:])
    if not HEX.match(text):
        shown = str(value or "").strip()[:20] or "nothing"
        raise BrandError({label: f"“{shown}” is not a colour: write it as a hex code like #1F6FEB."})
    return text.upper()


def rgb(hex_colour):
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


@transaction.atomic
def brand_colours_save(*, team, user, colours):
    """Save the four colours at once, or none of them when any is not a hex colour."""
    errors, clean = {}, {}
    for name in COLOUR_FIELDS:
        try:
            clean[name] = colour_clean(colours.get(name), name)
        except BrandError as error:
            errors.update(error.errors)
    if errors:
        raise BrandError(errors)
    kit = _kit_open(team)
    for name, value in clean.items():
        setattr(kit, name, value)
    kit.updated_by = user
    kit.save()
    return kit


# Fonts --------------------------------------------------------------------------------------------------------


@dataclass
class OpenedFont:
    family: str
    style: str
    format: str
    cmap: set
    glyph_count: int


def font_open(data, *, filename=""):
    """Open `data` as a TrueType/OpenType font by its content, or raise BrandError saying why it is refused."""
    name = f"“{filename}”" if filename else "This file"
    if not data:
        raise BrandError({"font": f"{name} is empty (0 bytes)."})
    if len(data) > FONT_MAX_BYTES:
        raise BrandError(
            {"font": f"{name} is {filesizeformat(len(data))}; a font may be at most {filesizeformat(FONT_MAX_BYTES)}."}
        )
    kind = FONT_SIGNATURES.get(bytes(data[:4]))
    if kind is None:
        what = {b"wOFF": "a WOFF web font", b"wOF2": "a WOFF2 web font", b"ttcf": "a font collection (TTC)"}.get(
            bytes(data[:4])
        ) or _not_font(data)
        raise BrandError({"font": f"{name} is {what}, not a font file. Upload a TTF or OTF font."})
    try:
        font = TTFont(io.BytesIO(data), lazy=False)
        cmap = font.getBestCmap()
        names = font["name"]
        family = str(names.getBestFamilyName() or "").strip()
        style = str(names.getBestSubFamilyName() or "").strip()
        glyphs = len(font.getGlyphOrder())
        fs_type = font["OS/2"].fsType if "OS/2" in font else 0
        ImageFont.truetype(io.BytesIO(data), 24)  # the renderer must be able to set it too
    except (TTLibError, KeyError, AssertionError, OSError, ValueError, TypeError, IndexError, AttributeError):
        raise BrandError({"font": f"{name} looks like a font but is damaged, so it was not added."}) from None
    if not cmap:
        raise BrandError({"font": f"{name} maps no characters to glyphs, so no text could be set in it."})
    if fs_type & 0x000F == FS_TYPE_RESTRICTED:
        raise BrandError(
            {"font": f"{family or name}'s licence forbids embedding it in documents, so the PDF could not use it."}
        )
    return OpenedFont(family=family or "Uploaded font", style=style, format=kind, cmap=set(cmap), glyph_count=glyphs)


def _not_font(data):
    try:
        kind = sniff(bytes(data[:4096]))
    except Exception:
        kind = None
    if kind in ("png", "jpeg", "webp", "gif"):
        return f"a {kind.upper()} image"
    if bytes(data[:5]) == b"%PDF-":
        return "a PDF"
    if bytes(data[:2]) == b"PK":
        return "a zip archive"
    return "not a font"


def glyphs_missing(text, cmap):
    """The characters of `text` with no glyph in `cmap`, in order of first use (spaces and controls aside)."""
    seen = []
    for char in text:
        if char.isspace() or ord(char) < 0x20 or ord(char) in cmap or char in seen:
            continue
        seen.append(char)
    return seen


def lacks_message(family, missing):
    return f"{family} lacks: {', '.join(missing)}"


def kit_texts(team):
    """(carousel topic, all its slide text) for the team's carousels that follow the kit."""
    texts = []
    for carousel in Carousel.objects.filter(team=team, follow_brand=True).prefetch_related("slides"):
        words = " ".join(f"{slide.headline} {slide.body}" for slide in carousel.slides.all())
        texts.append((carousel.topic, words))
    return texts


@transaction.atomic
def brand_font_upload(*, team, user, data, filename, role, licence_confirmed):
    """Store an uploaded font for the kit's headlines, body text or both.

    Refused (nothing stored) without the licence confirmation, when the file is not a usable TTF/OTF, or when it
    cannot set a character the team's kit-following slides already use; the message names those characters.
    """
    errors = {}
    if not licence_confirmed:
        errors["licence"] = "Confirm that your team holds a licence to use this font in its designs and documents."
    if role not in ("headline", "body", "both"):
        errors["role"] = "Choose what the font is for: headlines, body text or both."
    opened = None
    try:
        opened = font_open(bytes(data or b""), filename=filename)
    except BrandError as error:
        errors.update(error.errors)
    if opened is not None and "font" not in errors:
        for topic, text in kit_texts(team):
            missing = glyphs_missing(text, opened.cmap)
            if missing:
                errors["font"] = (
                    f"{lacks_message(opened.family, missing)} — used in the carousel “{topic[:60]}”. "
                    "Choose a font that covers them, or edit those slides first."
                )
                break
    if errors:
        raise BrandError(errors)
    digest = hashlib.sha256(data).hexdigest()
    key = file_save(
        f"teams/{team.pk}/fonts/{secrets.token_hex(16)}.{opened.format}", bytes(data), f"font/{opened.format}"
    )
    font = BrandFont.objects.create(
        team=team,
        family=opened.family[:120],
        style=opened.style[:60],
        file=key,
        format=opened.format,
        bytes=len(data),
        sha256=digest,
        glyph_count=opened.glyph_count,
        licence_confirmed_by=user,
    )
    kit = _kit_open(team)
    if role in ("headline", "both"):
        kit.headline_font = font
    if role in ("body", "both"):
        kit.body_font = font
    kit.updated_by = user
    kit.save()
    return font


@transaction.atomic
def brand_font_remove(*, team, user, role):
    kit = _kit_open(team)
    if role == "headline":
        kit.headline_font = None
    elif role == "body":
        kit.body_font = None
    kit.updated_by = user
    kit.save()
    return kit


class FontGone(BrandError):
    """The font is not one of the team's (any more): the page says so and answers 404."""


FONT_GONE = "That font is no longer in the brand kit: it has already been deleted."


def font_roles(font, kit):
    """The kit's roles ("headline", "body") that are set in `font`."""
    if kit is None:
        return []
    return [role for role in ("headline", "body") if getattr(kit, f"{role}_font_id") == font.pk]


def font_delete_effects(font, kit):
    """What deleting `font` changes, in words for its confirmation: each role of the kit that goes back to a bundled
    font, and the file that goes."""
    roles = font_roles(font, kit)
    sentences = [f"The kit's {role} font goes back to {BUNDLED_FONTS[role]}." for role in roles]
    if roles:
        sentences.append("Carousels that follow the kit change the next time their slides render.")
    else:
        sentences.append("The kit uses it for neither headlines nor body text.")
    sentences.append("The font file is removed for everyone in the team. This cannot be undone.")
    return " ".join(sentences)


def font_line_name(font):
    """How a slide's stored Line names this font (slides.typography.font_name of the font's local copy)."""
    return f"brand/{font.sha256}.{font.format}"


@transaction.atomic
def brand_font_delete(*, team, user, font_id):
    """Delete one of the team's uploaded fonts: its row now, its stored file once the deletion has committed.

    Each role of the kit set in it goes back to the bundled font. Slides last set in it drop their render, so they
    are set again (in the kit as it is then) when next shown or exported: their stored lines name a file that goes.
    Raises FontGone for a font that is not the team's. Returns (the deleted font, the roles that went back).
    """
    kit = BrandKit.objects.select_for_update().filter(team=team).first()
    font = BrandFont.objects.select_for_update().filter(team=team, pk=font_id).first()
    if font is None:
        raise FontGone({"font": FONT_GONE})
    roles = font_roles(font, kit)
    if roles:
        for role in roles:
            setattr(kit, f"{role}_font", None)
        kit.updated_by = user
        kit.save()
    name = font_line_name(font)
    stale = [
        pk
        for pk, lines in Slide.objects.filter(carousel__team=team).values_list("pk", "lines")
        if any(line.get("font") == name for line in lines or [])
    ]
    Slide.objects.filter(pk__in=stale).update(rendered=None, base=None, render_version=F("render_version") + 1)
    font.delete()
    went_back = "".join(f" The kit's {role} font went back to {BUNDLED_FONTS[role]}." for role in roles)
    audit_record(
        team=team,
        actor=user,
        action="brand.font_deleted",
        summary=f"Brand font {font.label} deleted.{went_back}"[:300],
        detail={"font_id": font_id, "family": font.family, "style": font.style, "roles": roles, "slides": len(stale)},
    )
    key, local = font.file, f"{font.sha256}.{font.format}"
    transaction.on_commit(lambda: _font_files_delete(key, local))
    return font, roles


def _font_files_delete(key, local):
    """After the commit: the stored file, and the local copy unless another upload has the same bytes."""
    try:
        files_delete([key])
    except Exception:  # the font files sweep removes it later
        logger.exception("could not delete the stored brand font %s", key)
    if not BrandFont.objects.filter(sha256=local.split(".")[0]).exists():
        (FONT_CACHE / local).unlink(missing_ok=True)


def font_files_sweep(*, older_than_seconds):
    """Delete stored font files no font row refers to (an upload whose transaction rolled back, a deletion whose
    file could not be removed); only files older than `older_than_seconds`, so an upload still committing keeps its
    file. Returns how many were deleted."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    found = [key for _, key in team_files_listed("fonts", older_than=cutoff)]
    kept = set(BrandFont.objects.filter(file__in=found).values_list("file", flat=True))
    orphans = [key for key in found if key not in kept]
    files_delete(orphans)
    if orphans:
        logger.info("removed %d brand font files that no font refers to", len(orphans))
    return len(orphans)


def font_file(font):
    """A local path of the font's bytes (the storage may be a bucket); written once per content."""
    FONT_CACHE.mkdir(parents=True, exist_ok=True)
    path = FONT_CACHE / f"{font.sha256}.{font.format}"
    if not path.exists():
        with file_open(font.file) as handle:
            data = handle.read()
        partial = path.with_suffix(f".{secrets.token_hex(4)}.part")
        partial.write_bytes(data)
        partial.replace(path)  # atomic: a reader never sees half a font
    return path


@functools.lru_cache(maxsize=32)
def cmap_of(path):
    return set(TTFont(str(path), lazy=True).getBestCmap() or {})


SAMPLE_TEXT = "Aa Bb Cc 0123 — The quick brown fox"


def font_sample_png(font):
    """A line of sample text set in the font, dark on light, as PNG bytes for the kit page."""
    from PIL import ImageDraw

    face = ImageFont.truetype(str(font_file(font)), 40)
    width = min(1400, int(face.getlength(SAMPLE_TEXT)) + 40)
    image = Image.new("RGB", (width, 72), (250, 250, 252))
    ImageDraw.Draw(image).text((20, 36), SAMPLE_TEXT, font=face, fill=(17, 20, 28), anchor="lm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


# Logo ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def brand_logo_save(*, team, user, data=None, filename="", placement, size):
    """A new logo (PNG or WebP through the library's ingest) and/or where it sits and how large it is."""
    errors = {}
    if placement not in LogoPlacement.values:
        errors["placement"] = "Choose a corner for the logo, or no logo on slides."
    try:
        size = int(size)
    except (TypeError, ValueError):
        size = None
    if size not in LOGO_SIZES:
        errors["size"] = f"Choose a logo size of {', '.join(str(s) for s in LOGO_SIZES)} % of the slide's width."
    asset = None
    if data:
        try:
            kind = sniff(bytes(data[:4096]))
        except Exception:
            kind = None
        if kind not in LOGO_FORMATS:
            errors["logo"] = "Upload the logo as a PNG or WebP image (a transparent background works best)."
    if errors:
        raise BrandError(errors)
    if data:
        try:
            asset = asset_ingest(team=team, user=user, data=bytes(data), filename=filename or "logo.png")
        except UploadRejected as error:
            raise BrandError({"logo": error.message}) from None
    kit = _kit_open(team)
    if asset is not None:
        kit.logo = asset
    kit.logo_placement, kit.logo_size, kit.updated_by = placement, size, user
    kit.save()
    return kit


@functools.lru_cache(maxsize=16)
def _logo_image(asset_id, sha256):
    asset = Asset.objects.get(pk=asset_id)
    return Image.open(io.BytesIO(asset_bytes(asset))).convert("RGBA")


# The style a kit-following slide is set in ---------------------------------------------------------------------


@dataclass(frozen=True)
class BrandStyle:
    """What typography takes from a kit: fonts (local paths) for headlines and body, colours, the logo."""

    headline_font: Path | None = None
    headline_family: str = ""
    body_font: Path | None = None
    body_family: str = ""
    text: tuple = (255, 255, 255)
    background: tuple = (16, 20, 28)
    primary: tuple = (31, 78, 121)
    secondary: tuple = (46, 139, 135)
    logo: Image.Image | None = None
    logo_placement: str = LogoPlacement.NONE
    logo_size: int = 16

    def font_for(self, kind):
        """The kit's font for a block kind ("display"/"strong" are headline type, "body"/"serif" body type)."""
        if kind in ("display", "strong"):
            return self.headline_font, self.headline_family
        return self.body_font, self.body_family


def style_for(carousel):
    """The kit's style when the carousel follows the kit (and the team has one), else None (the studio's own)."""
    if not carousel.follow_brand:
        return None
    kit = kit_for(carousel.team)
    if kit is None:
        return None
    logo = None
    if kit.logo_id and kit.logo_placement != LogoPlacement.NONE:
        try:
            logo = _logo_image(kit.logo_id, kit.logo.sha256)
        except (OSError, Asset.DoesNotExist):
            logo = None
    headline, headline_family = _kit_font(kit.headline_font)
    body, body_family = _kit_font(kit.body_font)
    return BrandStyle(
        headline_font=headline,
        headline_family=headline_family,
        body_font=body,
        body_family=body_family,
        text=rgb(kit.text),
        background=rgb(kit.background),
        primary=rgb(kit.primary),
        secondary=rgb(kit.secondary),
        logo=logo,
        logo_placement=kit.logo_placement,
        logo_size=kit.logo_size,
    )


def _kit_font(font):
    """(local path, family) of a kit's font, or (None, "") for the bundled one: also when the font was deleted after
    the kit was read (its file is gone by then), so a render in flight falls back instead of failing."""
    if font is None:
        return None, ""
    try:
        return font_file(font), font.family
    except OSError:
        logger.warning("brand font %s could not be read; the bundled font stands in", font.pk)
        return None, ""
