"""The pipeline end to end on the offline animator: brief → shot list → frames → clips → one stitched MP4."""

import pytest

from library.models import Asset
from studio.credits.models import LedgerEntry
from studio.credits.services import credits_grant
from studio.video import media, services
from studio.video.models import Sequence, Shot
from tests.video.driver import Driver

pytestmark = pytest.mark.django_db

BRIEF = "A lighthouse keeper climbs the stairs at dusk. The lamp turns on. Ships pass in the fog."


@pytest.fixture
def driver(monkeypatch, django_capture_on_commit_callbacks):
    return Driver(monkeypatch, django_capture_on_commit_callbacks)


def _short_shots(sequence):
    Shot.objects.filter(sequence=sequence).update(duration=3)


def test_a_brief_becomes_a_stitched_sequence_on_the_offline_animator(team, member, driver):
    sequence = services.sequence_create(team=team, user=member, brief=BRIEF, aspect="16:9")
    assert sequence.writer == "offline"
    assert 3 <= sequence.shots.count() <= 8
    Shot.objects.filter(sequence=sequence, position__gt=3).delete()
    _short_shots(sequence)

    cost = driver.call(services.sequence_start, sequence=sequence, user=member)
    assert cost.total == 0  # the offline draft engine and the offline animator are free
    driver.drain()

    sequence.refresh_from_db()
    assert sequence.status == Sequence.Status.DONE, sequence.message
    shots = list(sequence.shots.select_related("clip", "frame_asset"))
    assert [shot.status for shot in shots] == [Shot.Status.DONE] * 3
    for shot in shots:
        assert shot.clip.kind == Asset.Kind.VIDEO
        assert shot.clip.provenance["provider"] == "local"
        assert shot.clip.provenance["frame_asset_id"] == shot.frame_asset_id
        assert shot.external_id == f"pf-{shot.uuid.hex}-1"
    stitched = sequence.stitched
    assert stitched.kind == Asset.Kind.VIDEO
    from library.selectors import asset_bytes

    _, _, duration = media.probe(asset_bytes(stitched))
    assert duration == pytest.approx(9.0, abs=0.2)
    assert stitched.provenance["video"]["clip_asset_ids"] == [shot.clip_id for shot in shots]


def test_a_sequence_that_costs_more_than_the_balance_is_refused_and_holds_nothing(team, member, driver):
    from studio.credits.models import VideoPriceRule

    VideoPriceRule.objects.filter(model_id="local:animator").update(credits=10)
    credits_grant(team=team, amount=15, idempotency_key="video-short")
    sequence = services.sequence_create(team=team, user=member, brief=BRIEF)
    count = sequence.shots.count()
    with pytest.raises(services.VideoError) as refused:
        driver.call(services.sequence_start, sequence=sequence, user=member)
    assert f"needs {count * 10} credits" in refused.value.errors["credits"]
    assert not LedgerEntry.objects.filter(kind="hold").exists()
    sequence.refresh_from_db()
    assert sequence.status == Sequence.Status.DRAFT
    assert not driver.queue


def test_clip_credits_are_held_per_shot_and_captured_when_the_clip_is_kept(team, member, driver):
    from studio.credits.models import VideoPriceRule, Wallet

    VideoPriceRule.objects.filter(model_id="local:animator").update(credits=4)
    credits_grant(team=team, amount=100, idempotency_key="video-grant")
    sequence = services.sequence_create(
        team=team,
        user=member,
        brief=BRIEF,
        shots=[{"frame_prompt": "A lighthouse at dusk", "motion_prompt": "slow zoom in", "duration": 3}],
    )
    driver.call(services.sequence_start, sequence=sequence, user=member)
    wallet = Wallet.objects.get(team=team)
    assert (wallet.balance, wallet.held) == (96, 4)
    driver.drain()
    wallet.refresh_from_db()
    assert (wallet.balance, wallet.held) == (96, 0)
    shot = sequence.shots.get()
    assert LedgerEntry.objects.filter(hold=shot.hold, kind="capture").get().amount == 4


def test_the_sweep_takes_up_a_shot_whose_step_was_lost_and_a_stitch_that_never_finished(
    team, member, driver, settings, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    sequence = services.sequence_create(
        team=team, user=member, brief=BRIEF, shots=[{"frame_prompt": "A lighthouse at dusk", "duration": 3}]
    )
    driver.call(services.sequence_start, sequence=sequence, user=member)
    driver.queue = [item for item in driver.queue if item[0] == "job"]  # the shot's first step is lost
    driver.drain()
    shot = sequence.shots.get()
    assert shot.status == Shot.Status.FRAMING

    assert driver.call(services.video_sweep) == 0  # not overdue yet
    later = timezone.now() + timedelta(seconds=settings.VIDEO_STEP_GRACE_SECONDS + 1)
    assert driver.call(services.video_sweep, now=later) == 1
    queue_stitch = services._enqueue_stitch
    monkeypatch.setattr(services, "_enqueue_stitch", lambda sequence_id: None)  # and the stitch is lost too
    driver.drain()
    monkeypatch.setattr(services, "_enqueue_stitch", queue_stitch)
    shot.refresh_from_db()
    sequence.refresh_from_db()
    assert (shot.status, sequence.status) == (Shot.Status.DONE, Sequence.Status.STITCHING)

    much_later = timezone.now() + timedelta(seconds=settings.VIDEO_STITCH_GRACE_SECONDS + 1)
    assert driver.call(services.video_sweep, now=much_later) == 1
    driver.drain()
    sequence.refresh_from_db()
    assert sequence.status == Sequence.Status.DONE and sequence.stitched is not None


def test_a_stray_or_repeated_step_does_nothing(team, member, driver):
    sequence = services.sequence_create(
        team=team, user=member, brief=BRIEF, shots=[{"frame_prompt": "A lighthouse at dusk", "duration": 3}]
    )
    driver.call(services.sequence_start, sequence=sequence, user=member)
    duplicate = next(item for item in driver.queue if item[0] == "step")
    driver.drain()
    shot = sequence.shots.get()
    clip = shot.clip_id
    driver.queue.append(duplicate)  # the broker delivers the first step again
    driver.drain()
    shot.refresh_from_db()
    assert (shot.status, shot.clip_id, shot.attempt) == (Shot.Status.DONE, clip, 1)
    assert Asset.objects.filter(kind=Asset.Kind.VIDEO, team=team).count() == 2  # the clip and the sequence


def test_a_shot_with_an_influencer_makes_its_frame_from_their_locked_identity(team, member, driver):
    from influencers.services import influencer_create
    from library.services import asset_ingest
    from tests.influencers import photos

    portrait = asset_ingest(team=team, user=member, data=photos.encoded(photos.coffee()), filename="mara.png")
    influencer = influencer_create(team=team, user=member, name="Mara", references=[(portrait, "anchor")])
    sequence = services.sequence_create(
        team=team,
        user=member,
        brief=BRIEF,
        shots=[{"frame_prompt": "Mara waves from the lighthouse", "duration": 3, "influencer_id": influencer.pk}],
    )
    shot = sequence.shots.get()
    assert shot.influencer == influencer
    driver.call(services.sequence_start, sequence=sequence, user=member)
    shot.refresh_from_db()
    job = shot.frame_job
    assert job.references and job.references[0]["asset_id"] == influencer.current_version.references.get().asset_id
    assert "Mara" in job.prompt and "Mara waves from the lighthouse" in job.prompt


def test_an_influencer_of_another_team_is_refused(team, member, other_team):
    from tests.influencers.factories import influencer_row

    theirs = influencer_row(other_team, name="Theirs")
    with pytest.raises(services.VideoError) as refused:
        services.sequence_create(
            team=team, user=member, brief=BRIEF, shots=[{"frame_prompt": "x", "influencer_id": theirs.pk}]
        )
    assert "Choose one of your team's influencers" in refused.value.errors["shots"]
    assert not Sequence.objects.exists()


def test_a_redelivered_step_takes_the_chain_back_when_the_step_it_handed_to_never_came(team, member, driver):
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    sequence = services.sequence_create(
        team=team, user=member, brief=BRIEF, shots=[{"frame_prompt": "A lighthouse at dusk", "duration": 3}]
    )
    driver.call(services.sequence_start, sequence=sequence, user=member)
    shot = sequence.shots.get()
    # The worker saved the next step's token, then died before the broker had its message.
    lost = timezone.now() - timedelta(seconds=300)
    Shot.objects.filter(pk=shot.pk).update(step_token=uuid.uuid4(), step_due_at=lost)
    driver.drain()
    shot.refresh_from_db()
    assert shot.status == Shot.Status.DONE
