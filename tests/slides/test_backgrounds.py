"""A deck's backgrounds: priced before anything is held, one shared style, an influencer where a person appears."""

import io

import pytest
from PIL import Image

from library.services import asset_ingest
from slides import services, tasks
from slides.models import Slide
from studio.credits.models import PriceRule, Wallet
from studio.credits.services import credits_grant
from studio.generation.models import GenerationJob
from studio.generation.services import generation_run
from tests.slides.factories import carousel_for

pytestmark = pytest.mark.django_db

PRICE = 6


@pytest.fixture
def priced(team):
    for tier in ("1K", "2K", "4K"):
        PriceRule.objects.update_or_create(model_id="local:draft", tier=tier, quality="*", defaults={"credits": PRICE})
    return team


def _library_image(team, user, colour="teal"):
    buffer = io.BytesIO()
    Image.new("RGB", (96, 120), colour).save(buffer, "PNG")
    return asset_ingest(team=team, user=user, data=buffer.getvalue(), filename="style.png")


def test_the_button_shows_the_exact_credits_for_every_slide_and_the_balance(client_for, priced, member):
    credits_grant(team=priced, amount=100, idempotency_key="grant")
    carousel = carousel_for(priced, member, slide_count=4)
    page = client_for(member).get(f"/slides/{carousel.pk}/").content.decode()
    assert "Make backgrounds · 24 credits" in page
    assert "Backgrounds: 4 slides × 6 credits = 24 · balance 100" in page


def test_backgrounds_the_balance_cannot_cover_are_refused_whole_and_nothing_is_held(client_for, priced, member):
    credits_grant(team=priced, amount=20, idempotency_key="grant")
    carousel = carousel_for(priced, member, slide_count=4)
    client = client_for(member)
    page = client.get(f"/slides/{carousel.pk}/").content.decode()
    assert "Backgrounds for 4 slides cost 24 credits and the team has 20." in page
    response = client.post(f"/slides/{carousel.pk}/backgrounds/", follow=True)
    assert "Backgrounds for 4 slides cost 24 credits and the team has 20. Use Request credits" in (
        response.content.decode()
    )
    wallet = Wallet.objects.get(team=priced)
    assert (wallet.balance, wallet.held) == (20, 0)
    assert not GenerationJob.objects.exists() and not Slide.objects.filter(background_waiting=True).exists()


def test_with_a_style_reference_every_slide_is_submitted_at_once_with_it(client_for, priced, member):
    credits_grant(team=priced, amount=100, idempotency_key="grant")
    style = _library_image(priced, member)
    carousel = carousel_for(priced, member, slide_count=3, style_reference=style.pk)
    client_for(member).post(f"/slides/{carousel.pk}/backgrounds/")
    jobs = GenerationJob.objects.filter(team=priced)
    assert jobs.count() == 3
    assert all(job.references == [{"asset_id": style.pk, "role": "style"}] for job in jobs)
    assert Wallet.objects.get(team=priced).held == 3 * PRICE


def test_a_style_reference_from_another_team_is_refused_at_the_field(client_for, team, member, other_team, outsider):
    theirs = _library_image(other_team, outsider)
    from tests.slides.factories import BRIEF

    response = client_for(member).post("/slides/", {**BRIEF, "style_reference": theirs.pk})
    assert response.status_code == 422
    assert "Choose an image from the team&#x27;s library as the style reference." in response.content.decode()


def test_without_one_the_rest_wait_holding_nothing_and_follow_the_first_background(
    priced, member, monkeypatch, django_capture_on_commit_callbacks
):
    credits_grant(team=priced, amount=100, idempotency_key="grant")
    carousel = carousel_for(priced, member, slide_count=3)
    assert services.backgrounds_start(carousel=carousel, user=member) == (3, 1)
    lead = GenerationJob.objects.get(team=priced)
    assert Wallet.objects.get(team=priced).held == PRICE  # only the first slide's credits are held
    assert list(carousel.slides.values_list("background_waiting", flat=True)) == [False, True, True]

    # The new image's save queues the task that takes it in: run that task's body as the worker would.
    monkeypatch.setattr(
        tasks.background_arrived_task, "delay", lambda uuid: tasks.background_arrived_task.apply([uuid])
    )
    with django_capture_on_commit_callbacks(execute=True):
        generation_run(job_id=lead.pk)
    first = carousel.slides.get(position=1)
    assert first.background is not None
    rest = GenerationJob.objects.filter(team=priced).exclude(pk=lead.pk)
    assert rest.count() == 2
    assert all(job.references == [{"asset_id": first.background_id, "role": "style"}] for job in rest)
    assert not carousel.slides.filter(background_waiting=True).exists()


def test_when_the_first_background_fails_the_waiting_slides_say_why_and_hold_nothing(client_for, priced, member):
    credits_grant(team=priced, amount=100, idempotency_key="grant")
    carousel = carousel_for(priced, member, slide_count=3)
    services.backgrounds_start(carousel=carousel, user=member)
    lead = GenerationJob.objects.get(team=priced)
    assert services.backgrounds_follow(carousel_id=carousel.pk) is False  # still running: look again later
    from studio.generation.services import generation_fail

    generation_fail(job_id=lead.pk, kind="outage", message="The provider is down.")
    assert services.backgrounds_follow(carousel_id=carousel.pk) is True
    page = client_for(member).get(f"/slides/{carousel.pk}/").content.decode()
    assert page.count("Not asked for: slide 1&#x27;s background failed (The provider is down)") == 2
    wallet = Wallet.objects.get(team=priced)
    assert (wallet.balance, wallet.held) == (100, 0)
    # Asking again starts over: slide 1 leads again, and the others wait for it.
    assert services.backgrounds_start(carousel=carousel, user=member) == (3, 1)


def test_a_rest_the_credits_no_longer_cover_is_left_with_the_reason(priced, member):
    credits_grant(team=priced, amount=3 * PRICE, idempotency_key="grant")
    carousel = carousel_for(priced, member, slide_count=3)
    services.backgrounds_start(carousel=carousel, user=member)
    lead = GenerationJob.objects.get(team=priced)
    generation_run(job_id=lead.pk)
    wallet = Wallet.objects.get(team=priced)
    Wallet.objects.filter(pk=wallet.pk).update(balance=PRICE)  # spent elsewhere meanwhile
    services.background_arrived(job_uuid=str(lead.uuid))
    second, third = carousel.slides.filter(position__gt=1)
    assert second.background_job_id is not None and third.background_job_id is None
    assert "This needs 6 credits and the team has 0" in third.background_error
    assert not third.background_waiting


def test_an_influencers_references_go_with_the_slides_that_show_a_person(client_for, priced, member):
    from tests.influencers.factories import astronaut_influencer

    credits_grant(team=priced, amount=100, idempotency_key="grant")
    influencer = astronaut_influencer(priced, member)
    style = _library_image(priced, member)
    carousel = carousel_for(priced, member, slide_count=4, influencer=influencer.pk, style_reference=style.pk)
    people = list(carousel.slides.values_list("with_influencer", flat=True))
    assert people[0] and people[-1]  # the hook and the call to action at least
    services.backgrounds_start(carousel=carousel, user=member)
    anchor = influencer.current_version.references.get(role="anchor")
    for slide in carousel.slides.select_related("background_job"):
        job = slide.background_job
        if slide.with_influencer:
            assert job.references[0] == {"asset_id": anchor.asset_id, "role": "identity"}
            assert job.references[-1] == {"asset_id": style.pk, "role": "style"}
            assert "keeping the same person" in job.prompt and job.params["influencer_version"]
        else:
            assert job.references == [{"asset_id": style.pk, "role": "style"}]
    page = client_for(member).get(f"/slides/{carousel.pk}/").content.decode()
    assert f"With {influencer.name}" in page


def test_another_teams_influencer_is_refused(team, member, other_team, outsider):
    from tests.influencers.factories import influencer_row

    theirs = influencer_row(other_team)
    with pytest.raises(services.SlidesError, match="Choose one of the team's influencers"):
        carousel_for(team, member, slide_count=3, influencer=theirs.pk)


def test_a_member_decides_which_slides_show_the_influencer_before_the_backgrounds(client_for, priced, member):
    from tests.influencers.factories import astronaut_influencer

    credits_grant(team=priced, amount=100, idempotency_key="grant")
    influencer = astronaut_influencer(priced, member)
    carousel = carousel_for(priced, member, slide_count=3, influencer=influencer.pk)
    slide = carousel.slides.get(position=2)
    client = client_for(member)
    assert "Eileen appears in this background" in client.get(f"/slides/{carousel.pk}/").content.decode()
    prefix = f"slide-{slide.pk}"
    data = {f"{prefix}-layout": slide.layout, f"{prefix}-headline": slide.headline, f"{prefix}-body": slide.body}
    client.post(f"/slides/slide/{slide.pk}/", {**data, f"{prefix}-with_influencer": "on"})
    slide.refresh_from_db()
    assert slide.with_influencer
    client.post(f"/slides/slide/{slide.pk}/", data)  # unticked
    slide.refresh_from_db()
    assert not slide.with_influencer
