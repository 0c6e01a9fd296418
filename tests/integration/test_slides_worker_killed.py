"""A deck's backgrounds on a real Celery worker that is SIGKILLed mid-way: after a fresh worker starts, every slide
ends with its background, and no slide is charged twice.

Real processes throughout: the worker runs on this run's test database and Redis, streams the offline engine's
frames slowly (POSTFRAME_FRAME_PAUSE_MS) so it is certainly mid-stream when it dies, and takes each finished
background in through the slides' own task (queued by the new image's save), which also submits the slides that
waited for the first one.
"""

import io
import os
import time

import pytest
from django.db.models import Count, Sum
from PIL import Image

from library.services import asset_ingest
from slides import services as slides_services
from slides.models import Slide
from studio.credits.models import LedgerEntry, PriceRule, Wallet
from studio.credits.services import credits_grant
from studio.generation import services
from studio.generation.models import GenerationJob
from studio.generation.tasks import generation_run_task
from tests.factories import MembershipFactory, TeamFactory
from tests.processes import wait_for
from tests.slides.factories import carousel_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

GRANT = 100
PRICE = 5
ISOLATED = {"CELERY_BROKER_KEY_PREFIX": f"postframe-slides-integration-{os.getpid()}:"}
SLOW_WORKER = {**ISOLATED, "POSTFRAME_FRAME_PAUSE_MS": 2500}
VISIBILITY = 2
FRESH_WORKER = {**ISOLATED, "CELERY_VISIBILITY_TIMEOUT": VISIBILITY, "POSTFRAME_JOB_STALE_SECONDS": 8}


@pytest.fixture(autouse=True)
def isolated_queue(monkeypatch):
    """Queue this test's work (generation jobs, the slides' follow-up) where only the workers it starts look."""
    from slides.tasks import backgrounds_follow_task
    from studio.celery import app

    options = {**app.conf.broker_transport_options, "global_keyprefix": ISOLATED["CELERY_BROKER_KEY_PREFIX"]}

    def enqueue(job_id, task_id):
        with app.connection_for_write(transport_options=options) as connection:
            generation_run_task.apply_async(args=[job_id], task_id=task_id, connection=connection)

    def follow(carousel_id):
        with app.connection_for_write(transport_options=options) as connection:
            backgrounds_follow_task.apply_async(
                args=[carousel_id], countdown=slides_services.FOLLOW_SECONDS, connection=connection
            )

    monkeypatch.setattr(services, "_enqueue", enqueue)
    monkeypatch.setattr(slides_services, "_follow_enqueue", follow)


@pytest.fixture
def funded_member():
    for tier in ("1K", "2K", "4K"):
        PriceRule.objects.update_or_create(model_id="local:draft", tier=tier, quality="*", defaults={"credits": PRICE})
    team = TeamFactory()
    member = MembershipFactory(team=team, role="member").user
    credits_grant(team=team, amount=GRANT, idempotency_key="slides-integration-grant")
    return team, member


def _running_with_a_frame(job_id):
    job = GenerationJob.objects.get(pk=job_id)
    return job.status == GenerationJob.Status.RUNNING and job.partial_count >= 1


def _every_slide_settled(carousel):
    def settled():
        slides = list(carousel.slides.select_related("background_job"))
        return all(
            slide.background_id is not None
            or slide.background_error
            or (
                slide.background_job is not None
                and slide.background_job.is_terminal
                and slide.background_job.status != GenerationJob.Status.SUCCEEDED  # made, but not yet taken in
            )
            for slide in slides
        ) and not any(slide.background_waiting for slide in slides)

    return settled


def _assert_each_slide_charged_once(team, carousel):
    """Every slide has its background; each slide's job captured one image's credits once; nothing is held."""
    slides = list(carousel.slides.select_related("background_job"))
    for slide in slides:
        assert slide.background_id is not None, (slide.position, slide.background_error, slide.background_job)
        assert slide.background_job.status == GenerationJob.Status.SUCCEEDED
        captures = LedgerEntry.objects.filter(hold=slide.background_job.hold, kind="capture")
        assert captures.count() == 1 and captures.aggregate(total=Sum("amount"))["total"] == PRICE
    # One job per slide: a background taken in twice, or a slide submitted twice, would show here.
    jobs = GenerationJob.objects.filter(team=team)
    assert jobs.count() == len(slides)
    assert not Slide.objects.filter(carousel=carousel).values("background_job").annotate(n=Count("id")).filter(n__gt=1)
    wallet = Wallet.objects.get(team=team)
    assert wallet.held == 0
    assert wallet.balance == GRANT - PRICE * len(slides)
    keys = LedgerEntry.objects.filter(wallet=wallet).values_list("idempotency_key", flat=True)
    assert len(set(keys)) == len(keys)


def test_a_worker_killed_during_the_first_background_leaves_a_fresh_worker_to_finish_the_deck(
    worker_factory, funded_member
):
    team, member = funded_member
    carousel = carousel_for(team, member, slide_count=3)
    worker = worker_factory(name="slides-doomed-worker", **SLOW_WORKER)
    assert slides_services.backgrounds_start(carousel=carousel, user=member) == (3, 1)
    lead = carousel.slides.get(position=1).background_job
    wait_for(lambda: _running_with_a_frame(lead.pk), timeout=60, what="slide 1's background to stream a frame")
    worker.kill()
    assert carousel.slides.filter(background_waiting=True).count() == 2  # the rest hold nothing while they wait
    assert Wallet.objects.get(team=team).held == PRICE

    time.sleep(VISIBILITY + 0.5)
    worker_factory(name="slides-fresh-worker", **FRESH_WORKER)
    wait_for(_every_slide_settled(carousel), timeout=150, what="every slide to end with its background")
    _assert_each_slide_charged_once(team, carousel)
    lead.refresh_from_db()
    assert lead.attempts == 2  # the killed run, then the fresh worker's


def test_a_worker_killed_mid_deck_with_a_style_reference_leaves_no_slide_charged_twice(worker_factory, funded_member):
    team, member = funded_member
    buffer = io.BytesIO()
    Image.new("RGB", (80, 100), "teal").save(buffer, "PNG")
    style = asset_ingest(team=team, user=member, data=buffer.getvalue(), filename="style.png")
    carousel = carousel_for(team, member, slide_count=3, style_reference=style.pk)
    worker = worker_factory(name="slides-doomed-worker-2", **SLOW_WORKER)
    assert slides_services.backgrounds_start(carousel=carousel, user=member) == (3, 3)
    assert Wallet.objects.get(team=team).held == 3 * PRICE

    def one_done_and_another_running():
        jobs = list(GenerationJob.objects.filter(team=team))
        done = [job for job in jobs if job.status == GenerationJob.Status.SUCCEEDED]
        return done and any(_running_with_a_frame(job.pk) for job in jobs if job not in done)

    wait_for(one_done_and_another_running, timeout=120, what="one background made and the next mid-stream")
    worker.kill()

    time.sleep(VISIBILITY + 0.5)
    worker_factory(name="slides-fresh-worker-2", **FRESH_WORKER)
    wait_for(_every_slide_settled(carousel), timeout=150, what="every slide to end with its background")
    _assert_each_slide_charged_once(team, carousel)
    assert all(
        job.references == [{"asset_id": style.pk, "role": "style"}] for job in GenerationJob.objects.filter(team=team)
    )
