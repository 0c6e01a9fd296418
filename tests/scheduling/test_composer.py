"""The composer page: it saves a post with variants, refuses bad input beside the field with nothing saved, checks
each channel live, and finds assets with the picker only inside the team."""

import pytest
from django.urls import reverse

from scheduling.models import Post
from tests.scheduling.posting import channel, image, soon

pytestmark = pytest.mark.django_db


def _form(**extra):
    when = soon()
    data = {
        "caption": "Spring menu is here",
        "hashtags": "#spring",
        "first_comment": "",
        "source": "assets",
        "when": "time",
        "date": when.date().isoformat(),
        "time": when.strftime("%H:%M"),
        "action": "draft",
    }
    data.update(extra)
    return data


def test_the_page_lists_the_teams_channels_with_their_limits(client_for, team, member):
    x = channel(team, "x", name="@harbor")
    page = client_for(member).get(reverse("schedule_post_new")).content.decode()
    assert "@harbor" in page and f'data-channel="{x.pk}"' in page and 'data-limit="280"' in page


def test_it_saves_a_draft_with_a_variant_per_channel(client_for, team, member):
    linkedin, x = channel(team, "linkedin"), channel(team, "x")
    photo = image(team)
    response = client_for(member).post(
        reverse("schedule_post_new"),
        _form(
            assets=[str(photo.pk)],
            **{f"alt_{photo.pk}": "Latte art", f"channel_{linkedin.pk}": "on", f"channel_{x.pk}": "on"},
            **{f"variant_{x.pk}": "Spring menu, short"},
        ),
    )
    post = Post.objects.get(team=team)
    assert response.status_code == 302 and response["Location"] == reverse("schedule_post", args=[post.pk])
    assert post.media.get().alt_text == "Latte art"
    assert post.targets.get(channel=x).text == "Spring menu, short"


def test_save_and_send_goes_for_approval(client_for, team, member):
    linkedin = channel(team, "linkedin")
    client_for(member).post(reverse("schedule_post_new"), _form(action="submit", **{f"channel_{linkedin.pk}": "on"}))
    assert Post.objects.get(team=team).status == Post.Status.IN_REVIEW


def test_a_time_in_the_past_is_refused_beside_the_time_and_nothing_is_saved(client_for, team, member):
    response = client_for(member).post(reverse("schedule_post_new"), _form(date="2020-01-01", time="09:00"))
    assert response.status_code == 422
    assert "That time has passed" in response.content.decode()
    assert not Post.objects.filter(team=team).exists()


def test_an_empty_post_is_refused(client_for, team, member):
    response = client_for(member).post(reverse("schedule_post_new"), _form(caption="", hashtags=""))
    assert response.status_code == 422 and "An empty post cannot be saved" in response.content.decode()
    assert not Post.objects.filter(team=team).exists()


def test_another_teams_asset_answers_404_and_saves_nothing(client_for, team, member, other_team):
    theirs = image(other_team)
    response = client_for(member).post(reverse("schedule_post_new"), _form(assets=[str(theirs.pk)]))
    assert response.status_code == 404
    assert not Post.objects.exists()


def test_a_caption_too_long_for_x_is_named_beside_x_and_the_post_keeps_what_was_typed(client_for, team, member):
    x = channel(team, "x")
    response = client_for(member).post(
        reverse("schedule_post_new"), _form(caption="long " * 70, **{f"channel_{x.pk}": "on"})
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert f'id="channel-{x.pk}-check"' in page and "X takes up to 280 characters" in page
    assert "long long long" in page
    assert not Post.objects.exists()


def test_the_live_check_says_a_png_will_be_converted_for_instagram(client_for, team, member):
    instagram = channel(team, "instagram")
    png = image(team, fmt="png")
    response = client_for(member).post(
        reverse("schedule_composer_check"), _form(assets=[str(png.pk)], **{f"channel_{instagram.pk}": "on"})
    )
    page = response.content.decode()
    assert f'id="channel-{instagram.pk}-check" hx-swap-oob="true"' in page
    assert "converted to JPEG" in page
    assert not Post.objects.exists()


def test_the_picker_searches_only_the_teams_assets(client_for, team, member, other_team):
    from django.contrib.postgres.search import SearchVector
    from django.db.models import F

    from library.models import Asset

    ours = image(team, name="Oat latte")
    image(other_team, name="Oat flat white")
    Asset.objects.update(search_text=F("name"), search_vector=SearchVector("name", config="english"))
    page = client_for(member).get(reverse("schedule_picker"), {"q": "oat"}).content.decode()
    assert f'data-pick="{ours.pk}"' in page and "Oat flat white" not in page


def test_a_viewer_cannot_open_the_composer(client_for, viewer):
    assert client_for(viewer).get(reverse("schedule_post_new")).status_code == 403


def test_editing_keeps_the_saved_post_in_the_form(client_for, team, member):
    from tests.scheduling.posting import draft

    x = channel(team, "x")
    post = draft(team, member, channels=[x], variants={x.pk: "Short for X"})
    page = client_for(member).get(reverse("schedule_post_edit", args=[post.pk])).content.decode()
    assert "Short for X" in page and "Spring menu is here" in page


def test_the_library_can_open_the_composer_with_assets_in_the_tray(client_for, team, member, other_team):
    ours, theirs = image(team, name="Oat latte"), image(other_team, name="Their latte")
    page = client_for(member).get(reverse("schedule_post_new"), {"asset": [ours.pk, theirs.pk]}).content.decode()
    assert f'name="assets" value="{ours.pk}"' in page and f'value="{theirs.pk}"' not in page


def test_a_video_too_short_for_a_reel_is_refused_beside_instagram_and_a_longer_one_saves(client_for, team, member):
    instagram = channel(team, "instagram")
    clip = image(team, fmt="mp4", kind="video", width=1080, height=1920, size=900_000, duration_ms=2_000)
    response = client_for(member).post(
        reverse("schedule_post_new"), _form(assets=[str(clip.pk)], **{f"channel_{instagram.pk}": "on"})
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "Instagram takes videos from 3 s to 15 min: the video is 2 s." in page
    assert not Post.objects.exists()

    clip.duration_ms = 12_000
    clip.save(update_fields=["duration_ms"])
    response = client_for(member).post(
        reverse("schedule_post_new"), _form(assets=[str(clip.pk)], **{f"channel_{instagram.pk}": "on"})
    )
    assert response.status_code == 302
    assert Post.objects.get().media.get().asset == clip


def test_a_tiktok_row_carries_the_shorter_caption_limit_a_video_post_has(client_for, team, member):
    tiktok = channel(team, "tiktok", privacy_level_options=["SELF_ONLY"])
    page = client_for(member).get(reverse("schedule_post_new")).content.decode()
    assert f'data-channel="{tiktok.pk}"' in page
    assert 'data-limit="4000" data-limit-video="2200"' in page
