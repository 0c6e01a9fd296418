"""A few hundred posts due at once, published by two real Celery workers that are SIGKILLed at random: every post
reaches its webhook receiver or platform fake exactly once (the fakes count), and none is lost.

Real processes throughout: two workers (prefork) and daphne serving the signed media links Instagram's and TikTok's
fakes fetch, on this run's PostgreSQL and Redis. Some answers are lost on purpose (the fakes carry the post out and
stall past the client's timeout), so the unconfirmed → confirm path runs every time, kills or not.
"""

import os

import pytest

from scheduling import dispatch
from scheduling.models import PostTarget, PublishAttempt
from tests.factories import TeamFactory
from tests.library import images
from tests.library.factories import stored_asset
from tests.processes import child_environment, free_port, start_web
from tests.scheduling.exactly_once import count, drive, populate, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PREFIX = f"postframe-scheduling-{os.getpid()}:"
WEBHOOK_POSTS, PLATFORM_POSTS = 240, 60
LOST_ANSWERS = {"webhook": 3, "x": 1, "linkedin": 1, "tiktok": 1}


@pytest.fixture(autouse=True)
def isolated_queue(monkeypatch, settings):
    """This test's tasks go under PREFIX, where only the workers it starts look."""
    from studio.celery import app

    options = {**app.conf.broker_transport_options, "global_keyprefix": PREFIX}

    def sender(task_name, batches):
        def enqueue(target_ids):
            with app.connection_for_write(transport_options=options) as connection:
                for args in batches(target_ids):
                    app.send_task(task_name, args=[args], connection=connection)  # routed as the studio routes it

        return enqueue

    # Publish tasks carry batches of ids, as the dispatcher sends them; a confirm task carries one id.
    monkeypatch.setattr(dispatch, "_enqueue_publish", sender("scheduling.publish", dispatch.publish_batches))
    monkeypatch.setattr(dispatch, "_enqueue_confirm", sender("scheduling.confirm", lambda ids: ids))
    # What the driver's dispatcher ticks use here: 100 targets queued at most, each leased 15 s (a message lost with
    # a killed worker comes back that soon), and an attempt 10 s old counts as a dead worker's (the workers' platform
    # calls time out after 4 s; the fakes stall lost answers 6 s).
    settings.SCHEDULING_DISPATCH_MAX_QUEUED = 100
    settings.SCHEDULING_DISPATCH_LEASE_SECONDS = 15
    settings.SCHEDULING_ATTEMPT_STALE_SECONDS = 10
    settings.SCHEDULING_PUBLISH_BATCH = 10  # a kill mid-batch leaves claimed and unclaimed targets behind


def test_every_post_is_published_exactly_once_through_random_worker_kills(
    worker_factory, webhook_receiver, fake_instagram, fake_linkedin, fake_x, fake_tiktok
):
    fakes = {"instagram": fake_instagram, "linkedin": fake_linkedin, "x": fake_x, "tiktok": fake_tiktok}
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    fake_tiktok.verified_prefixes = [site]
    for fake in (webhook_receiver, *fakes.values()):
        fake.latency = 0.02  # calls last long enough for a kill to land in the middle of some

    teams = [TeamFactory(name=f"Exactly once {n}") for n in range(3)]
    squares = {team.pk: stored_asset(team, data=images.png(320, 320), name="square") for team in teams}
    plan = populate(
        teams=teams,
        receiver=webhook_receiver,
        fakes=fakes,
        webhook_posts=WEBHOOK_POSTS,
        platform_posts=PLATFORM_POSTS,
        image_asset_for=lambda team: squares[team.pk],
    )
    assert len(plan) == WEBHOOK_POSTS + PLATFORM_POSTS
    webhook_receiver.lose_answers(LOST_ANSWERS["webhook"], stall=6)
    for platform in ("x", "linkedin", "tiktok"):
        fakes[platform].lose_answers(LOST_ANSWERS[platform], stall=6)

    web = start_web(child_environment(ALLOWED_HOSTS="127.0.0.1", SITE_URL=site), port)
    try:
        # An outage (a fetch of our media timing out under load) is tried again 2 s later, not 5 minutes.
        env = worker_env(
            receiver=webhook_receiver,
            fakes=fakes,
            site_url=site,
            CELERY_BROKER_KEY_PREFIX=PREFIX,
            CELERY_VISIBILITY_TIMEOUT=4,
            SCHEDULING_OUTAGE_RETRY_SECONDS=2,
        )
        total_s, kills, seed = drive(env=env, workers=2, concurrency=2, kills=3, kill_window=(1.0, 8.0), timeout=75)
    finally:
        web.stop()

    result = count(plan, receiver=webhook_receiver, fakes=fakes, total_s=total_s, kills=kills, seed=seed)
    print(result)
    assert result.kills == 3, result
    assert (result.lost, result.duplicates) == (0, 0), result
    assert result.published == len(plan), result
    assert result.statuses == {PostTarget.Status.PUBLISHED: len(plan)}, result
    # The lost answers went through confirmation (found on the platform), never through a second publish.
    assert result.outcomes.get(PublishAttempt.Outcome.CONFIRMED, 0) >= sum(LOST_ANSWERS.values()), result
    assert sum(fake.duplicates.total() for fake in fakes.values()) == 0, "a platform refused a repeat: one was sent"
