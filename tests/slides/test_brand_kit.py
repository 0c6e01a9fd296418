"""The brand kit: colours, an uploaded font opened by its content, a logo with a place; a carousel that follows it."""

import io

import pytest
from django.conf import settings
from PIL import Image
from pypdf import PdfReader

from slides import brand
from slides.models import BrandFont, BrandKit, Slide
from slides.services import carousel_export_pdf, slide_render_save, slide_update
from tests.slides.factories import carousel_for

pytestmark = pytest.mark.django_db

FONTS = settings.BASE_DIR / "static" / "fonts"


def font_bytes(name="EBGaramond12-Regular.otf"):
    """One of the bundled OFL fonts, standing in for the font a team uploads."""
    return (FONTS / name).read_bytes()


def png(colour="red", size=(120, 60), mode="RGBA"):
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, data, filename="Garamond.otf", role="headline", licence=True):
    form = {"font": io.BytesIO(data), "role": role}
    form["font"].name = filename
    if licence:
        form["licence"] = "on"
    return client.post("/slides/brand/fonts/", form)


def test_an_admin_uploads_a_font_with_the_licence_confirmed_and_it_is_stored_under_a_random_key(
    client_for, team, admin_user
):
    response = upload(client_for(admin_user), font_bytes(), filename="our-secret-brand-font.otf")
    assert response.status_code == 302
    font = BrandFont.objects.get(team=team)
    assert (font.family, font.format, font.bytes) == ("EB Garamond", "otf", len(font_bytes()))
    assert font.file.startswith(f"teams/{team.pk}/fonts/") and "secret" not in font.file
    assert BrandKit.objects.get(team=team).headline_font == font
    page = client_for(admin_user).get("/slides/brand/").content.decode()
    assert "EB Garamond" in page and f"/slides/brand/fonts/{font.pk}/sample.png" in page
    sample = client_for(admin_user).get(f"/slides/brand/fonts/{font.pk}/sample.png")
    assert Image.open(io.BytesIO(sample.content)).format == "PNG"


@pytest.mark.parametrize(
    "data,filename,message",
    [
        (png(), "logo.ttf", "“logo.ttf” is a PNG image, not a font file. Upload a TTF or OTF font."),
        (b"wOF2" + b"\0" * 200, "brand.woff2", "is a WOFF2 web font, not a font file"),
        (b"\x00\x01\x00\x00" + b"garbage" * 40, "broken.ttf", "looks like a font but is damaged"),
        (b"", "empty.otf", "is empty (0 bytes)"),
    ],
)
def test_a_file_that_is_not_a_usable_font_is_refused_beside_the_field_and_nothing_is_stored(
    client_for, team, admin_user, data, filename, message
):
    response = upload(client_for(admin_user), data, filename=filename)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not BrandFont.objects.exists() and not BrandKit.objects.filter(headline_font__isnull=False).exists()


def test_a_font_too_large_is_refused(client_for, admin_user, monkeypatch):
    monkeypatch.setattr(brand, "FONT_MAX_BYTES", 1024)
    response = upload(client_for(admin_user), font_bytes())
    assert response.status_code == 422 and "a font may be at most 1.0" in response.content.decode()
    assert not BrandFont.objects.exists()


def test_a_font_without_the_licence_confirmed_is_refused(client_for, admin_user):
    response = upload(client_for(admin_user), font_bytes(), licence=False)
    assert response.status_code == 422
    assert "Confirm that your team holds a licence to use this font" in response.content.decode()
    assert not BrandFont.objects.exists()


def test_a_font_whose_licence_forbids_embedding_is_refused(client_for, admin_user):
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(font_bytes()))
    font["OS/2"].fsType = 0x0002
    buffer = io.BytesIO()
    font.save(buffer)
    response = upload(client_for(admin_user), buffer.getvalue())
    assert response.status_code == 422 and "licence forbids embedding" in response.content.decode()


def test_a_font_lacking_glyphs_the_kits_slides_use_is_refused_naming_them(client_for, team, admin_user):
    carousel = carousel_for(team, admin_user, slide_count=3)
    carousel.follow_brand = True
    carousel.save(update_fields=["follow_brand"])
    Slide.objects.filter(carousel=carousel, position=2).update(headline="Жук in the garden")
    response = upload(client_for(admin_user), font_bytes("LeagueSpartan-Bold.otf"), filename="Spartan.otf")
    page = response.content.decode()
    assert response.status_code == 422
    # The offline outline's arrow (→) is missing too: every character the kit's slides use is checked.
    assert "League Spartan lacks: →, Ж, у, к — used in the carousel “Five habits of calm product teams”" in page
    assert not BrandFont.objects.exists()


def test_a_member_uses_the_kit_but_cannot_edit_it(client_for, member):
    client = client_for(member)
    page = client.get("/slides/brand/").content.decode()
    assert "<h1>Brand kit</h1>" in page and "Only admins and the owner edit the kit" in page
    assert "Upload font" not in page
    assert upload(client, font_bytes()).status_code == 403
    colours = {"primary": "#000000", "secondary": "#111111", "text": "#FFFFFF", "background": "#000000"}
    assert client.post("/slides/brand/colours/", colours).status_code == 403
    assert not BrandKit.objects.exists()


def test_the_slides_page_links_to_the_brand_kit(client_for, member):
    assert 'href="/slides/brand/"' in client_for(member).get("/slides/").content.decode()


def test_a_colour_that_is_not_a_colour_is_refused_and_no_colour_is_saved(client_for, team, admin_user):
    colours = {"primary": "#12AB34", "secondary": "teal-ish", "text": "fff", "background": "#10141C"}
    response = client_for(admin_user).post("/slides/brand/colours/", colours)
    assert response.status_code == 422
    assert "“teal-ish” is not a colour: write it as a hex code like #1F6FEB." in response.content.decode()
    assert not BrandKit.objects.exists()
    colours["secondary"] = "2e8b87"
    assert client_for(admin_user).post("/slides/brand/colours/", colours).status_code == 302
    kit = BrandKit.objects.get(team=team)
    assert (kit.primary, kit.secondary, kit.text) == ("#12AB34", "#2E8B87", "#FFFFFF")


@pytest.mark.parametrize(
    "data,message",
    [
        (b"just some text, not a picture", "Upload the logo as a PNG or WebP image"),
        (Image.new("RGB", (10, 10)).tobytes() + b"\xff\xd8", "Upload the logo as a PNG or WebP image"),
    ],
)
def test_a_logo_that_is_not_a_png_or_webp_image_is_refused(client_for, team, admin_user, data, message):
    logo = io.BytesIO(data)
    logo.name = "logo.png"
    response = client_for(admin_user).post(
        "/slides/brand/logo/", {"logo": logo, "placement": "top-right", "size": "16"}
    )
    assert response.status_code == 422 and message in response.content.decode()
    assert not BrandKit.objects.exists()


def test_a_jpeg_logo_is_refused_for_want_of_transparency(client_for, admin_user):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "blue").save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "logo.jpg"
    response = client_for(admin_user).post(
        "/slides/brand/logo/", {"logo": buffer, "placement": "top-left", "size": "16"}
    )
    assert response.status_code == 422 and "PNG or WebP" in response.content.decode()


def _kit(team, user, **logo):
    brand.brand_colours_save(
        team=team,
        user=user,
        colours={"primary": "#0B3D2E", "secondary": "#145C45", "text": "#FFF4D6", "background": "#06140F"},
    )
    brand.brand_font_upload(
        team=team,
        user=user,
        data=font_bytes(),
        filename="Garamond.otf",
        role="both",
        licence_confirmed=True,
    )
    if logo:
        brand.brand_logo_save(team=team, user=user, data=png("#FF0000", (200, 100)), filename="logo.png", **logo)
    return BrandKit.objects.get(team=team)


def test_a_carousel_following_the_kit_is_set_in_its_font_and_colour_and_stamped_with_its_logo(team, admin_user):
    _kit(team, admin_user, placement="top-right", size=20)
    carousel = carousel_for(team, admin_user, slide_count=3, follow_brand=True)
    slide = carousel.slides.get(position=1)
    assert {line["font"].split("/")[0] for line in slide.lines} == {"brand"}
    assert {tuple(line["colour"]) for line in slide.lines} == {(0xFF, 0xF4, 0xD6)}
    image = Image.open(io.BytesIO(bytes(slide.rendered))).convert("RGB")
    # 20 % of 1080 px wide, 40 px in from the top right corner: the red logo is there.
    red, green, blue = image.getpixel((1080 - 40 - 100, 40 + 20))
    assert red > 200 and green < 60 and blue < 60
    top_line = min(line["y"] for line in slide.lines)
    assert top_line >= 40 + 108 + 40  # the text keeps clear of the logo's corner

    plain = carousel_for(team, admin_user, slide_count=3, follow_brand=False)
    assert all("/" not in line["font"] for line in plain.slides.get(position=1).lines)


def test_the_pdf_embeds_the_uploaded_font_as_a_subset_with_real_text(team, admin_user):
    _kit(team, admin_user)
    carousel = carousel_for(team, admin_user, slide_count=3, preset="linkedin-4x5", follow_brand=True)
    slide_update(slide=carousel.slides.get(position=2), layout="caption", headline="Calm teams write", body="")
    pdf = PdfReader(io.BytesIO(carousel_export_pdf(carousel=carousel, user=admin_user)))
    fonts = {str(font["/BaseFont"]) for font in pdf.pages[1]["/Resources"]["/Font"].values()}
    assert any("EBGaramond" in name and "+" in name for name in fonts), fonts  # a subset (ABCDEF+Name)
    assert "Calm teams write" in " ".join(pdf.pages[1].extract_text().split())


def test_a_slide_whose_text_the_kit_font_cannot_set_names_the_characters_and_stops_the_export(team, admin_user):
    _kit(team, admin_user)
    carousel = carousel_for(team, admin_user, slide_count=3, follow_brand=True)
    slide = slide_update(slide=carousel.slides.get(position=2), layout="caption", headline="Ship 中文 today", body="")
    failed = [check["message"] for check in slide.checks if not check["ok"] and check["blocking"]]
    assert any(message.startswith("EB Garamond lacks: 中, 文") for message in failed), failed
    from slides.services import SlidesError

    with pytest.raises(SlidesError, match="Fix slide 2 first: EB Garamond lacks: 中, 文"):
        carousel_export_pdf(carousel=carousel, user=admin_user)


def test_a_kit_font_removed_from_the_local_cache_is_fetched_from_storage_again(team, admin_user):
    _kit(team, admin_user)
    carousel = carousel_for(team, admin_user, slide_count=3, follow_brand=True)
    for path in brand.FONT_CACHE.glob("*"):
        path.unlink()
    slide = slide_render_save(slide=carousel.slides.get(position=1))
    assert slide.lines and all(check["ok"] for check in slide.checks if check["name"] == "glyphs")
    assert carousel_export_pdf(carousel=carousel, user=admin_user).startswith(b"%PDF")


def test_another_teams_font_sample_answers_404(client_for, team, admin_user, outsider):
    _kit(team, admin_user)
    font = BrandFont.objects.get(team=team)
    assert client_for(outsider).get(f"/slides/brand/fonts/{font.pk}/sample.png").status_code == 404


def test_an_admin_sets_a_role_back_to_the_bundled_font(client_for, team, admin_user):
    _kit(team, admin_user)
    client = client_for(admin_user)
    assert client.post("/slides/brand/fonts/clear/", {"role": "headline"}).status_code == 302
    kit = BrandKit.objects.get(team=team)
    assert kit.headline_font is None and kit.body_font is not None
    carousel = carousel_for(team, admin_user, slide_count=3, follow_brand=True)
    fonts = {line["font"] for line in carousel.slides.get(position=1).lines}
    assert "LeagueSpartan-Bold.otf" in fonts and any(font.startswith("brand/") for font in fonts)
