"""The Slides pages: a brief becomes an outline, slides are edited, backgrounds arrive, exports download."""

import io
import zipfile

import pytest
from PIL import Image

from library.models import Asset
from slides import services
from slides.models import Carousel, Slide
from studio.generation.models import GenerationJob
from studio.generation.services import generation_run
from tests.slides.factories import BRIEF, carousel_for

pytestmark = pytest.mark.django_db


def test_the_page_offers_a_brief_form_instead_of_saying_it_is_not_built(client_for, member):
    page = client_for(member).get("/slides/").content.decode()
    assert "<h1>Slides</h1>" in page and "Write the outline" in page and "No carousels yet" in page
    assert "not built" not in page


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("topic", "   ", "Write the topic: the outline is built from it."),
        ("topic", "x" * 301, "Keep the topic to 300 characters (this has 301)."),
        ("audience", "y" * 201, "Keep the audience to 200 characters (this has 201)."),
        ("slide_count", "11", "Choose 3 to 10 slides."),
    ],
)
def test_a_bad_brief_is_refused_at_its_field_and_saves_nothing(client_for, member, field, value, message):
    response = client_for(member).post("/slides/", {**BRIEF, field: value})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Carousel.objects.exists()


def test_a_brief_becomes_a_ten_slide_outline_on_the_offline_outliner(client_for, team, member):
    response = client_for(member).post("/slides/", BRIEF)
    carousel = Carousel.objects.get(team=team)
    assert response.status_code == 302 and response["Location"] == f"/slides/{carousel.pk}/"
    assert carousel.slides.count() == 10 and carousel.outliner == "offline"
    page = client_for(member).get(response["Location"]).content.decode()
    assert page.count('data-testid="slide"') == 10 and "the offline outliner" in page
    assert page.count("<h1") == 1


def test_editing_a_headline_swaps_in_that_card_re_rendered_without_a_new_background_job(client_for, team, member):
    carousel = carousel_for(team, member, slide_count=3)
    slide = carousel.slides.get(position=2)
    data = {
        f"slide-{slide.pk}-layout": "quote",
        f"slide-{slide.pk}-headline": "Clear beats clever",
        f"slide-{slide.pk}-body": "",
    }
    response = client_for(member).post(f"/slides/slide/{slide.pk}/", data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith(
        f'<li class="slide-card" id="slide-{slide.pk}-card"'
    )
    slide.refresh_from_db()
    assert slide.headline == "Clear beats clever" and slide.layout == "quote" and f"?v={slide.render_version}" in html
    assert not GenerationJob.objects.exists()


def test_an_empty_headline_is_refused_at_the_field(client_for, team, member):
    carousel = carousel_for(team, member, slide_count=3)
    slide = carousel.slides.get(position=1)
    data = {f"slide-{slide.pk}-layout": "title", f"slide-{slide.pk}-headline": " ", f"slide-{slide.pk}-body": "x"}
    response = client_for(member).post(f"/slides/slide/{slide.pk}/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "Write a headline: every slide needs one." in response.content.decode()
    slide.refresh_from_db()
    assert slide.headline == carousel.topic


def test_the_outline_can_be_reordered_added_to_and_cut_until_backgrounds_are_asked_for(client_for, team, member):
    carousel = carousel_for(team, member, slide_count=3)
    client = client_for(member)
    first, second, third = carousel.slides.all()
    client.post(f"/slides/slide/{third.pk}/move/", {"direction": "up"})
    assert list(carousel.slides.values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]
    client.post(f"/slides/{carousel.pk}/add/")
    assert carousel.slides.count() == 4 and carousel.slides.last().headline == "New slide"
    client.post(f"/slides/slide/{first.pk}/delete/")
    assert list(carousel.slides.values_list("position", flat=True)) == [1, 2, 3]
    response = client.post(f"/slides/slide/{third.pk}/delete/", follow=True)
    assert "A carousel has at least 3 slides." in response.content.decode()

    client.post(f"/slides/{carousel.pk}/backgrounds/")
    response = client.post(f"/slides/slide/{second.pk}/move/", {"direction": "up"}, follow=True)
    assert "The outline is fixed once backgrounds are asked for" in response.content.decode()


def test_backgrounds_are_one_job_per_slide_and_arrive_on_the_cards_pushed_not_polled(client_for, team, member):
    carousel = carousel_for(team, member, slide_count=3)
    client = client_for(member)
    response = client.post(f"/slides/{carousel.pk}/backgrounds/", follow=True)
    page = response.content.decode()
    assert "3 backgrounds on the way: slide 1 first, then the rest in its style" in page
    assert f'ws-connect="/ws/slides/{carousel.pk}/"' in page and "hx-trigger" not in page  # pushed, not polled
    lead = GenerationJob.objects.get(team=team)
    assert lead.model_id == "local:draft" and "No text" in lead.prompt and "upper third" in lead.prompt
    assert page.count("Waiting for the first slide") == 2

    generation_run(job_id=lead.pk)
    services.background_arrived(job_uuid=str(lead.uuid))  # what the task queued by the new image does
    slide = carousel.slides.get(position=1)
    assert slide.background is not None and slide.render_version == 2
    rest = GenerationJob.objects.filter(team=team).exclude(pk=lead.pk)
    assert rest.count() == 2
    assert all(job.references == [{"asset_id": slide.background_id, "role": "style"}] for job in rest)
    for job in rest:
        generation_run(job_id=job.pk)
        services.background_arrived(job_uuid=str(job.uuid))
    carousel.refresh_from_db()
    assert carousel.status == Carousel.Status.READY
    page = client.get(f"/slides/{carousel.pk}/").content.decode()
    assert page.count("Background ready") == 3 and "ws-connect" not in page


def test_the_exports_download_a_pdf_and_a_zip(client_for, team, member):
    carousel = carousel_for(team, member, slide_count=3, preset="linkedin-1x1")
    client = client_for(member)
    pdf = client.post(f"/slides/{carousel.pk}/export/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    archive = client.post(f"/slides/{carousel.pk}/export/images/")
    assert len(zipfile.ZipFile(io.BytesIO(archive.content)).namelist()) == 3
    assert Asset.objects.filter(team=team).count() == 3


def test_a_failing_slide_is_named_on_the_page_and_stops_the_export(client_for, team, member):
    carousel = carousel_for(team, member, slide_count=3)
    slide = carousel.slides.get(position=3)
    Slide.objects.filter(pk=slide.pk).update(headline="https://example.com/spring-campaign-landing-page-for-founders")
    client = client_for(member)
    client.post(
        f"/slides/slide/{slide.pk}/",
        {
            f"slide-{slide.pk}-layout": "cta",
            f"slide-{slide.pk}-headline": "https://example.com/spring-campaign-landing-page-for-founders",
        },
    )
    page = client.get(f"/slides/{carousel.pk}/").content.decode()
    assert "The headline does not fit, even at the minimum" in page and "slide 3" in page
    response = client.post(f"/slides/{carousel.pk}/export/pdf/", follow=True)
    assert response["Content-Type"].startswith("text/html") and "Fix slide 3 first" in response.content.decode()


def test_another_teams_carousel_and_slides_answer_404(client_for, team, member, outsider):
    carousel = carousel_for(team, member, slide_count=3)
    slide = carousel.slides.first()
    client = client_for(outsider)
    for url in (f"/slides/{carousel.pk}/", f"/slides/slide/{slide.pk}/card/", f"/slides/slide/{slide.pk}/image.jpg"):
        assert client.get(url).status_code == 404
    for url in (
        f"/slides/slide/{slide.pk}/",
        f"/slides/{carousel.pk}/export/pdf/",
        f"/slides/{carousel.pk}/backgrounds/",
    ):
        assert client.post(url).status_code == 404


def test_a_viewer_sees_slides_but_cannot_change_them(client_for, team, member, viewer):
    carousel = carousel_for(team, member, slide_count=3)
    client = client_for(viewer)
    page = client.get(f"/slides/{carousel.pk}/").content.decode()
    assert 'data-testid="slide"' in page and "Save and re-render" not in page
    slide = carousel.slides.first()
    assert client.post(f"/slides/slide/{slide.pk}/", {}).status_code == 403
    assert client.post("/slides/", BRIEF).status_code == 403


def test_a_running_background_shows_its_newest_frame_on_the_card(client_for, team, member):
    carousel = carousel_for(team, member, slide_count=3)
    client = client_for(member)
    client.post(f"/slides/{carousel.pk}/backgrounds/")
    slide = carousel.slides.select_related("background_job").first()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 80), "teal").save(buffer, "JPEG")
    GenerationJob.objects.filter(pk=slide.background_job_id).update(
        status=GenerationJob.Status.RUNNING, latest_frame=buffer.getvalue(), partial_count=1
    )
    card = client.get(f"/slides/slide/{slide.pk}/card/").content.decode()
    assert 'data-testid="live-frame"' in card and "data:image/jpeg;base64," in card
    assert "Background running · frame 1" in card and "hx-trigger" not in card


def test_backgrounds_the_team_may_not_make_are_refused_whole_with_the_reason(client_for, team, member):
    carousel = carousel_for(team, member, slide_count=3)
    team.active_model = "openai:gpt-image-2"  # not among the team's allowed models
    team.save(update_fields=["active_model"])
    response = client_for(member).post(f"/slides/{carousel.pk}/backgrounds/", follow=True)
    page = response.content.decode()
    assert "Slide 1:" in page and "backgrounds on the way" not in page
    assert not GenerationJob.objects.exists()
    assert not carousel.slides.filter(background_job__isnull=False).exists()
    carousel.refresh_from_db()
    assert carousel.status == Carousel.Status.OUTLINE


def test_without_htmx_a_saved_slide_returns_to_its_card_on_the_page(client_for, team, member):
    carousel = carousel_for(team, member, slide_count=3)
    slide = carousel.slides.get(position=2)
    data = {
        f"slide-{slide.pk}-layout": "caption",
        f"slide-{slide.pk}-headline": "Plain form",
        f"slide-{slide.pk}-body": "",
    }
    response = client_for(member).post(f"/slides/slide/{slide.pk}/", data)
    assert response.status_code == 302 and response["Location"] == f"/slides/{carousel.pk}/#slide-{slide.pk}-card"
    slide.refresh_from_db()
    assert slide.headline == "Plain form"


def test_a_background_made_again_takes_the_first_slides_as_its_style_reference(client_for, team, member):
    carousel = carousel_for(team, member, slide_count=3)
    client = client_for(member)
    client.post(f"/slides/{carousel.pk}/backgrounds/")
    lead = GenerationJob.objects.get(team=team)
    assert lead.references == []
    generation_run(job_id=lead.pk)
    services.background_arrived(job_uuid=str(lead.uuid))
    for job in GenerationJob.objects.filter(team=team).exclude(pk=lead.pk):
        generation_run(job_id=job.pk)
        services.background_arrived(job_uuid=str(job.uuid))
    last = carousel.slides.get(position=3)
    GenerationJob.objects.filter(pk=last.background_job_id).update(status=GenerationJob.Status.FAILED)
    Slide.objects.filter(pk=last.pk).update(background=None)

    response = client.post(f"/slides/{carousel.pk}/backgrounds/", follow=True)
    assert "1 background on the way" in response.content.decode()
    again = GenerationJob.objects.filter(team=team).order_by("-pk").first()
    style = carousel.slides.get(position=1).background
    assert [ref["asset_id"] for ref in again.references] == [style.pk]
    assert "style of Image 1" in again.prompt
