"""Posts through the services: drafts from library assets, carousels and sequences, the composer's refusals, and the
queue's next free slot."""

import datetime

import pytest
from django.utils import timezone

from scheduling import selectors, services
from scheduling.models import Post, PostTarget
from studio.core.models import AuditEntry
from tests.scheduling.posting import channel, draft, image, soon

pytestmark = pytest.mark.django_db


def test_a_draft_keeps_its_assets_in_order_with_alt_text_and_a_target_per_channel(team, member):
    linkedin, x = channel(team, "linkedin"), channel(team, "x")
    first, second = image(team), image(team)
    post = draft(
        team,
        member,
        channels=[linkedin, x],
        assets=[second, first],
        alt_texts={second.pk: "A latte on a wooden table"},
        variants={x.pk: "Short one for X"},
    )
    assert post.status == Post.Status.DRAFT
    assert [m.asset_id for m in post.media.all()] == [second.pk, first.pk]
    assert post.media.get(asset=second).alt_text == "A latte on a wooden table"
    targets = {t.channel_id: t for t in post.targets.all()}
    assert targets[x.pk].text == "Short one for X" and targets[linkedin.pk].text == ""
    assert len({t.external_id for t in targets.values()}) == 2
    assert AuditEntry.objects.filter(team=team, action="post.created", detail__post_id=post.pk).exists()


def test_it_refuses_an_empty_post_and_saves_nothing(team, member):
    with pytest.raises(services.PostError) as refused:
        draft(team, member, channels=[channel(team)], caption="   ")
    assert "empty post" in refused.value.errors["__all__"]
    assert not Post.objects.filter(team=team).exists()


def test_it_refuses_a_time_in_the_past(team, member):
    with pytest.raises(services.PostError) as refused:
        draft(team, member, when=timezone.now() - datetime.timedelta(hours=1))
    assert "passed" in refused.value.errors["publish_at"]
    assert not Post.objects.filter(team=team).exists()


def test_another_teams_asset_is_not_found(team, member, other_team):
    theirs = image(other_team)
    with pytest.raises(services.PostError) as refused:
        draft(team, member, assets=[theirs])
    assert refused.value.errors["assets"] == f"Not found in this team: asset #{theirs.pk}."
    assert refused.value.not_found
    assert not Post.objects.filter(team=team).exists()


def test_a_caption_over_xs_limit_is_refused_beside_the_x_channel(team, member):
    x = channel(team, "x")
    with pytest.raises(services.PostError) as refused:
        draft(team, member, channels=[x], caption="word " * 80)
    assert "280" in refused.value.errors[f"channel-{x.pk}"]


def test_hashtags_count_towards_the_limit(team, member):
    x = channel(team, "x")
    with pytest.raises(services.PostError) as refused:
        draft(team, member, channels=[x], caption="a" * 270, hashtags="#spring #coffee")
    assert f"channel-{x.pk}" in refused.value.errors


def test_an_image_instagram_would_refuse_for_its_shape_is_caught_in_the_composer(team, member):
    instagram = channel(team, "instagram")
    banner = image(team, width=3000, height=1000)
    with pytest.raises(services.PostError) as refused:
        draft(team, member, channels=[instagram], assets=[banner])
    assert "3000×1000" in refused.value.errors[f"channel-{instagram.pk}"]


def test_a_png_for_instagram_is_saved_because_it_will_be_converted(team, member):
    instagram = channel(team, "instagram")
    png = image(team, fmt="png")
    post = draft(team, member, channels=[instagram], assets=[png])
    media = selectors.publish_media([png])
    blocking, fixes = selectors.channel_checks(instagram, text=post.caption, media=media)
    assert blocking == [] and "converted to JPEG" in fixes[0]


def test_tiktok_needs_a_privacy_level_the_channel_offers(team, member):
    tiktok = channel(team, "tiktok", privacy_level_options=["SELF_ONLY", "FOLLOWER_OF_CREATOR"])
    photo = image(team)
    with pytest.raises(services.PostError) as refused:
        draft(team, member, channels=[tiktok], assets=[photo])
    assert "privacy" in refused.value.errors[f"channel-{tiktok.pk}"]
    with pytest.raises(services.PostError):
        draft(
            team,
            member,
            channels=[tiktok],
            assets=[photo],
            options={tiktok.pk: {"privacy_level": "PUBLIC_TO_EVERYONE"}},
        )
    post = draft(team, member, channels=[tiktok], assets=[photo], options={tiktok.pk: {"privacy_level": "SELF_ONLY"}})
    assert post.targets.get().options == {"privacy_level": "SELF_ONLY"}


def test_a_video_longer_than_the_tiktok_creator_may_post_is_refused_before_saving(team, member):
    tiktok = channel(team, "tiktok", privacy_level_options=["SELF_ONLY"], max_video_post_duration_sec=60)
    clip = image(team, fmt="mp4", kind="video", width=1080, height=1920, size=4_000_000, duration_ms=75_000)
    options = {tiktok.pk: {"privacy_level": "SELF_ONLY"}}
    with pytest.raises(services.PostError) as refused:
        draft(team, member, channels=[tiktok], assets=[clip], options=options)
    assert (
        "This TikTok account can post videos up to 60 s: this one is 75 s."
        in refused.value.errors[f"channel-{tiktok.pk}"]
    )
    clip.duration_ms = 45_000
    clip.save(update_fields=["duration_ms"])
    assert draft(team, member, channels=[tiktok], assets=[clip], options=options).media.get().asset == clip


def test_a_disconnected_channel_is_refused_with_what_to_do(team, member):
    gone = channel(team, "linkedin", status="revoked")
    with pytest.raises(services.PostError) as refused:
        draft(team, member, channels=[gone])
    assert "reconnects" in refused.value.errors[f"channel-{gone.pk}"]


def test_a_carousel_brings_its_exported_slides_in_order(team, member):
    from slides.models import Carousel, Slide

    carousel = Carousel.objects.create(team=team, topic="Five habits", slide_count=3, preset="linkedin-4x5")
    slides_assets = [image(team, name=f"slide {n}") for n in (1, 2, 3)]
    for position, asset in enumerate(slides_assets, start=1):
        Slide.objects.create(carousel=carousel, position=position, headline=f"S{position}", exported_asset=asset)
    linkedin = channel(team, "linkedin")
    post = draft(team, member, channels=[linkedin], carousel_id=carousel.pk)
    assert [m.asset_id for m in post.media.all()] == [a.pk for a in slides_assets]
    assert post.carousel_id == carousel.pk
    assert post.targets.get().options["document_title"] == "Five habits"


def test_a_carousel_with_slides_not_yet_exported_is_refused(team, member):
    from tests.slides.factories import carousel_row

    carousel = carousel_row(team)
    with pytest.raises(services.PostError) as refused:
        draft(team, member, carousel_id=carousel.pk)
    assert "export its images" in refused.value.errors["carousel"]


def test_a_sequence_brings_its_stitched_video(team, member):
    from studio.video.models import Sequence

    video = image(team, fmt="mp4", kind="video", width=1920, height=1080)
    sequence = Sequence.objects.create(team=team, title="Launch", brief="b", stitched=video)
    post = draft(team, member, sequence_id=sequence.pk, channels=[channel(team, "webhook")])
    assert [m.asset_id for m in post.media.all()] == [video.pk]


def test_next_free_slot_skips_a_slot_already_taken(team, member):
    services.schedule_settings_update(
        team=team, user=member, timezone_name="Europe/Berlin", queue_slots=services.parse_queue_slots("daily 09:30")
    )
    first = selectors.next_free_slot(team)
    local = first.astimezone(selectors.team_zone(team))
    assert (local.hour, local.minute) == (9, 30)
    draft(team, member, next_free_slot=True, when=None)
    taken = Post.objects.get(team=team).publish_at
    assert taken == first
    assert selectors.next_free_slot(team) == first + datetime.timedelta(days=1)


def test_queue_slots_in_words_are_refused_with_the_line(team):
    with pytest.raises(services.PostError) as refused:
        services.parse_queue_slots("Mon 09:30\nFunday 10:00")
    assert "Line 2" in refused.value.errors["queue_slots"]


def test_editing_an_approved_post_sends_it_back_to_review(team, member, admin_user):
    linkedin = channel(team, "linkedin")
    post = draft(team, member, channels=[linkedin])
    services.post_submit(post=post, user=member)
    services.post_approve(post=post, user=admin_user)
    data = selectors.post_input(post)
    data.caption = "Spring menu, now with oat milk"
    post = services.post_update(post=post, user=member, data=data)
    assert post.status == Post.Status.IN_REVIEW and post.approved_by is None
    assert post.targets.get().status == PostTarget.Status.PENDING


def test_reschedule_refuses_the_past_and_keeps_approval(team, member, admin_user):
    post = draft(team, member, channels=[channel(team)])
    services.post_submit(post=post, user=member)
    services.post_approve(post=post, user=admin_user)
    with pytest.raises(services.PostError):
        services.post_reschedule(post=post, user=member, publish_at=timezone.now() - datetime.timedelta(minutes=5))
    moved = services.post_reschedule(post=post, user=member, publish_at=soon(days=5))
    assert moved.status == Post.Status.SCHEDULED and moved.publish_at == soon(days=5)


def test_a_post_already_publishing_on_a_channel_cannot_be_moved(team, member, admin_user):
    post = draft(team, member, channels=[channel(team)])
    services.post_submit(post=post, user=member)
    services.post_approve(post=post, user=admin_user)
    post.targets.update(status=PostTarget.Status.PUBLISHING)
    with pytest.raises(services.PostError):
        services.post_reschedule(post=post, user=member, publish_at=soon(days=5))
    post.refresh_from_db()
    assert post.publish_at == soon()


def test_cancel_stops_the_waiting_channels(team, member):
    post = draft(team, member, channels=[channel(team), channel(team, "x")])
    services.post_cancel(post=post, user=member)
    assert set(post.targets.values_list("status", flat=True)) == {PostTarget.Status.CANCELLED}


def test_the_delivery_summary_says_exactly_what_happened(team, member):
    post = draft(
        team,
        member,
        channels=[channel(team, "linkedin"), channel(team, "x"), channel(team, "instagram")],
        assets=[image(team)],
    )
    statuses = {"linkedin": ("published", ""), "x": ("published", ""), "instagram": ("failed", "Media expired")}
    for target in post.targets.select_related("channel"):
        target.status, target.message = statuses[target.channel.platform]
        target.save()
    post = selectors.post_get(team, post.pk)
    assert selectors.delivery_summary(post) == "Published on LinkedIn and X; Instagram failed: Media expired."
