"""Deleting an uploaded brand-kit font: the row and its stored file go, a role set in it goes back to the bundled
font, and carousels that followed it render and export in the fallback."""

import io
import os
import time

import pytest
from PIL import Image
from pypdf import PdfReader

from library.storage import asset_storage, file_save
from slides import brand
from slides.models import BrandFont, BrandKit
from studio.core.models import AuditEntry
from tests.slides.factories import carousel_for
from tests.slides.test_brand_kit import font_bytes

pytestmark = pytest.mark.django_db


def _font(team, user, name, role):
    return brand.brand_font_upload(
        team=team, user=user, data=font_bytes(name), filename=name, role=role, licence_confirmed=True
    )


def _delete(client, font_id, **headers):
    return client.post(f"/slides/brand/fonts/{font_id}/delete/", **headers)


def _stored(font):
    return asset_storage().exists(font.file)


def test_an_admin_deletes_an_unused_font_with_its_file_and_an_audit_entry(
    client_for, team, admin_user, django_capture_on_commit_callbacks
):
    old = _font(team, admin_user, "EBGaramond12-Italic.otf", "both")
    kept = _font(team, admin_user, "EBGaramond12-Regular.otf", "both")  # takes both roles: the italic is unused
    client = client_for(admin_user)
    assert _stored(old)

    with django_capture_on_commit_callbacks(execute=True):
        response = _delete(client, old.pk)

    assert response.status_code == 302 and response.url == "/slides/brand/"
    assert list(BrandFont.objects.filter(team=team)) == [kept]
    assert not _stored(old) and _stored(kept)
    kit = BrandKit.objects.get(team=team)
    assert (kit.headline_font, kit.body_font) == (kept, kept)
    entry = AuditEntry.objects.get(team=team, action="brand.font_deleted")
    assert entry.actor == admin_user and entry.summary == "Brand font EB Garamond 12 Italic deleted."
    page = client.get("/slides/brand/").content.decode()
    assert "EB Garamond 12 Italic deleted." in page
    assert f"/slides/brand/fonts/{old.pk}/" not in page


def test_deleting_the_kits_headline_font_falls_back_and_a_following_carousel_still_renders_and_exports(
    client_for, team, admin_user, django_capture_on_commit_callbacks
):
    headline = _font(team, admin_user, "EBGaramond12-Regular.otf", "headline")
    body = _font(team, admin_user, "EBGaramond12-Italic.otf", "body")
    carousel = carousel_for(team, admin_user, slide_count=3, preset="linkedin-4x5", follow_brand=True)
    assert f"brand/{headline.sha256}.otf" in {line["font"] for line in carousel.slides.get(position=1).lines}
    client = client_for(admin_user)
    page = client.get("/slides/brand/").content.decode()
    assert "The kit&#x27;s headline font goes back to League Spartan." in page
    assert "The kit&#x27;s body font goes back" not in page.split(f"fonts/{headline.pk}/delete/")[1].split("</form>")[0]

    with django_capture_on_commit_callbacks(execute=True):
        response = _delete(client, headline.pk)

    assert response.status_code == 302
    kit = BrandKit.objects.get(team=team)
    assert kit.headline_font is None and kit.body_font == body
    assert not (brand.FONT_CACHE / f"{headline.sha256}.otf").exists()  # nothing left to set the old lines in
    entry = AuditEntry.objects.get(team=team, action="brand.font_deleted")
    went_back = "The kit's headline font went back to League Spartan."
    assert entry.summary == f"Brand font EB Garamond 12 Regular deleted. {went_back}"
    assert client.get("/slides/brand/").content.decode().count("League Spartan (bundled)") == 1
    assert client.get(f"/slides/brand/fonts/{headline.pk}/sample.png").status_code == 404

    assert client.get(f"/slides/{carousel.pk}/").status_code == 200
    slide = carousel.slides.get(position=1)
    fonts = {line["font"] for line in slide.lines}
    assert "LeagueSpartan-Bold.otf" in fonts and f"brand/{body.sha256}.otf" in fonts, fonts
    image = client.get(f"/slides/slide/{slide.pk}/image.jpg")
    assert Image.open(io.BytesIO(image.content)).size == (1080, 1350)

    export = client.post(f"/slides/{carousel.pk}/export/pdf/")
    assert export.status_code == 200, export.content[:300]
    pdf = PdfReader(io.BytesIO(export.content))
    names = {str(font["/BaseFont"]) for font in pdf.pages[0]["/Resources"]["/Font"].values()}
    # The headline in the bundled fallback, the body still in the kit's italic, and no third font.
    assert sorted(name.split("+")[1] for name in names) == ["EBGaramond12Italic", "LeagueSpartanBold"], names


def test_a_pdf_export_sets_again_a_slide_whose_stored_lines_name_a_deleted_font(team, admin_user):
    """A render that finished after the deletion (or a kit role cleared earlier) left lines naming the gone font."""
    from slides.services import carousel_export_pdf

    font = _font(team, admin_user, "EBGaramond12-Regular.otf", "both")
    carousel = carousel_for(team, admin_user, slide_count=3, preset="linkedin-1x1", follow_brand=True)
    brand.brand_font_remove(team=team, user=admin_user, role="headline")
    brand.brand_font_remove(team=team, user=admin_user, role="body")
    BrandFont.objects.filter(pk=font.pk).delete()  # as if deleted while the slides were being set
    (brand.FONT_CACHE / f"{font.sha256}.otf").unlink(missing_ok=True)

    assert carousel_export_pdf(carousel=carousel, user=admin_user).startswith(b"%PDF")
    assert all("/" not in line["font"] for line in carousel.slides.get(position=1).lines)


def test_a_member_cannot_delete_a_font_and_nothing_changes(
    client_for, team, admin_user, member, django_capture_on_commit_callbacks
):
    font = _font(team, admin_user, "EBGaramond12-Regular.otf", "headline")
    with django_capture_on_commit_callbacks(execute=True):
        assert _delete(client_for(member), font.pk).status_code == 403
    assert BrandFont.objects.filter(pk=font.pk).exists() and _stored(font)
    assert BrandKit.objects.get(team=team).headline_font == font
    assert not AuditEntry.objects.filter(action="brand.font_deleted").exists()


def test_another_teams_font_answers_404_and_stays(client_for, team, admin_user, outsider):
    font = _font(team, admin_user, "EBGaramond12-Regular.otf", "headline")
    assert _delete(client_for(outsider), font.pk).status_code == 404
    assert client_for(outsider).get(f"/slides/brand/fonts/{font.pk}/delete/").status_code == 404
    assert BrandFont.objects.filter(pk=font.pk).exists() and _stored(font)
    assert BrandKit.objects.get(team=team).headline_font == font


def test_a_font_already_deleted_answers_404_with_a_message_on_the_kit_page(client_for, team, admin_user):
    font = _font(team, admin_user, "EBGaramond12-Regular.otf", "headline")
    client = client_for(admin_user)
    assert _delete(client, font.pk).status_code == 302
    again = _delete(client, font.pk)
    assert again.status_code == 404
    page = again.content.decode()
    assert "<h1>Brand kit</h1>" in page and "That font is no longer in the brand kit" in page
    htmx = _delete(client, font.pk, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 404 and "That font is no longer in the brand kit" in htmx.headers["HX-Trigger"]


def test_the_kit_page_shows_the_delete_button_to_admins_only(client_for, team, admin_user, member):
    unused = _font(team, admin_user, "EBGaramond12-Italic.otf", "headline")
    used = _font(team, admin_user, "EBGaramond12-Regular.otf", "both")
    admin_page = client_for(admin_user).get("/slides/brand/").content.decode()
    assert f'action="/slides/brand/fonts/{unused.pk}/delete/"' in admin_page
    assert f'action="/slides/brand/fonts/{used.pk}/delete/"' in admin_page
    assert 'data-confirm-yes="Delete font"' in admin_page
    assert (
        "The kit&#x27;s headline font goes back to League Spartan. The kit&#x27;s body font goes back to Inter."
        in admin_page
    )
    assert "The kit uses it for neither headlines nor body text." in admin_page
    member_page = client_for(member).get("/slides/brand/").content.decode()
    assert "EB Garamond 12 Italic" in member_page  # members see the fonts
    assert "/delete/" not in member_page and "Delete font" not in member_page


def test_the_sweep_removes_old_font_files_no_font_refers_to(team, admin_user):
    font = _font(team, admin_user, "EBGaramond12-Regular.otf", "headline")
    orphan = file_save(f"teams/{team.pk}/fonts/{'a' * 32}.otf", b"OTTO rolled back", "font/otf")
    young = file_save(f"teams/{team.pk}/fonts/{'b' * 32}.otf", b"OTTO still committing", "font/otf")
    hours_ago = time.time() - 7 * 3600
    for key in (font.file, orphan):
        os.utime(asset_storage().path(key), (hours_ago, hours_ago))

    assert brand.font_files_sweep(older_than_seconds=6 * 3600) == 1
    assert not asset_storage().exists(orphan)
    assert asset_storage().exists(young) and _stored(font)
