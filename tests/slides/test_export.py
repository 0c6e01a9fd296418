"""Exports: a LinkedIn PDF with real text in reading order, JPEGs of the exact preset size, slides in the library."""

import io
import unicodedata
import zipfile

import pytest
from PIL import Image
from pypdf import PdfReader

from library.models import Asset
from slides import services
from slides.models import Slide
from tests.slides.factories import carousel_for

pytestmark = pytest.mark.django_db


def _readable(text):
    """Extracted text without the control characters some shaped glyph runs map to (pypdf reports them as text)."""
    return "".join(char for char in text if unicodedata.category(char) != "Cc" or char == "\n")


def _retitle(slide, headline, body=None):
    return services.slide_update(
        slide=slide, layout=slide.layout, headline=headline, body=slide.body if body is None else body
    )


def test_the_pdf_has_real_text_in_reading_order_on_pages_of_exactly_the_preset_size(team, member):
    carousel = carousel_for(team, member, preset="linkedin-4x5", slide_count=4)
    first, second, third, last = carousel.slides.all()
    _retitle(second, "مرحبا بالعالم", body="")
    _retitle(third, "नमस्ते दुनिया", body="")

    pdf = PdfReader(io.BytesIO(services.carousel_export_pdf(carousel=carousel, user=member)))

    assert len(pdf.pages) == 4
    assert {(float(page.mediabox.width), float(page.mediabox.height)) for page in pdf.pages} == {(1080.0, 1350.0)}
    texts = [" ".join(_readable(page.extract_text()).split()) for page in pdf.pages]
    assert texts[0].startswith("Five habits of calm product teams 2 ideas for founders")
    assert texts[0].index("Five habits") < texts[0].index("founders")  # headline before body
    assert texts[1].strip() == "مرحبا بالعالم"
    assert texts[2].strip() == "नमस्ते दुनिया"
    assert "Save this for later" in texts[3]
    fonts = {str(font) for page in pdf.pages for font in page["/Resources"]["/Font"].values()}
    assert fonts  # text, not an image of text
    assert all(
        "+" in str(page["/Resources"]["/Font"][name].get_object()["/BaseFont"])
        for page in pdf.pages
        for name in page["/Resources"]["/Font"]
    )  # subset fonts


@pytest.mark.parametrize(
    "preset,size", [("story", (1080, 1920)), ("square", (1080, 1080)), ("instagram", (1080, 1350))]
)
def test_the_jpegs_are_exactly_the_preset_size_and_in_order(team, member, preset, size):
    carousel = carousel_for(team, member, preset=preset, slide_count=3)
    archive = zipfile.ZipFile(io.BytesIO(services.carousel_export_images(carousel=carousel, user=member)))
    assert archive.namelist() == ["slide-01.jpg", "slide-02.jpg", "slide-03.jpg"]
    for name in archive.namelist():
        image = Image.open(io.BytesIO(archive.read(name)))
        assert image.format == "JPEG" and image.size == size


def test_each_exported_slide_is_kept_in_the_library_with_its_provenance_once(team, member):
    carousel = carousel_for(team, member, slide_count=3)
    services.carousel_export_images(carousel=carousel, user=member)
    services.carousel_export_pdf(carousel=carousel, user=member)  # nothing changed: nothing saved twice
    assets = Asset.objects.filter(team=team).order_by("pk")
    assert assets.count() == 3
    provenance = assets[0].provenance["slides"]
    assert provenance["carousel_id"] == carousel.pk and provenance["position"] == 1
    assert provenance["typography"] == "studio" and provenance["headline"] == carousel.topic

    _retitle(carousel.slides.get(position=2), "A sharper second slide")
    services.carousel_export_images(carousel=carousel, user=member)
    assert Asset.objects.filter(team=team).count() == 4


def test_an_export_is_refused_while_a_slide_fails_its_checks_and_saves_nothing(team, member):
    carousel = carousel_for(team, member, slide_count=3)
    _retitle(carousel.slides.get(position=2), "https://example.com/spring-campaign-landing-page-for-founders")
    with pytest.raises(services.SlidesError, match="Fix slide 2 first: The headline does not fit"):
        services.carousel_export_pdf(carousel=carousel, user=member)
    with pytest.raises(services.SlidesError):
        services.carousel_export_images(carousel=carousel, user=member)
    assert not Asset.objects.filter(team=team).exists()


def test_editing_a_headline_re_renders_only_that_slide(team, member):
    carousel = carousel_for(team, member, slide_count=3)
    before = {slide.pk: (slide.render_version, bytes(slide.rendered)) for slide in carousel.slides.all()}
    edited = carousel.slides.get(position=2)
    _retitle(edited, "A new headline")
    after = {
        slide.pk: (slide.render_version, bytes(slide.rendered)) for slide in Slide.objects.filter(carousel=carousel)
    }
    assert after[edited.pk][0] == before[edited.pk][0] + 1 and after[edited.pk][1] != before[edited.pk][1]
    assert all(after[pk] == before[pk] for pk in before if pk != edited.pk)
