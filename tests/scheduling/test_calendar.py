"""The calendar: month and week views in the team's time zone, filters, htmx swaps, and moving a post by a drop or
by the keyboard's Move to… form."""

import datetime

import pytest
from django.urls import reverse

from scheduling import selectors, services
from scheduling.models import Post
from tests.scheduling.posting import channel, draft, soon

pytestmark = pytest.mark.django_db


def _berlin(team, user):
    services.schedule_settings_update(team=team, user=user, timezone_name="Europe/Berlin", queue_slots=[])


def test_the_month_shows_each_post_on_its_local_day_with_its_channels(client_for, team, member):
    _berlin(team, member)
    when = soon(days=3)
    post = draft(team, member, channels=[channel(team, "linkedin")], when=when)
    local = when.astimezone(selectors.team_zone(team))
    page = client_for(member).get(reverse("schedule"), {"date": local.date().isoformat()}).content.decode()
    day = page.split(f'data-testid="day-{local.date().isoformat()}"')[1].split("</ul>")[0]
    assert f'id="post-{post.pk}-chip"' in day and f"{local:%H:%M}" in day
    assert "LinkedIn: Waiting" in day
    assert "Europe/Berlin" in page


def test_the_week_puts_a_post_in_its_hour(client_for, team, member):
    when = soon(days=3, hour=14)
    post = draft(team, member, channels=[channel(team)], when=when)
    page = client_for(member).get(reverse("schedule"), {"view": "week", "date": when.date().isoformat()})
    html = page.content.decode()
    cell = html.split(f'data-drop-date="{when.date().isoformat()}" data-drop-time="14:00"')[1].split("</ul>")[0]
    assert f'id="post-{post.pk}-chip"' in cell


def test_filters_by_status_and_channel(client_for, team, member, admin_user):
    linkedin, x = channel(team, "linkedin"), channel(team, "x")
    on_linkedin = draft(team, member, channels=[linkedin], caption="On LinkedIn")
    on_x = draft(team, member, channels=[x], caption="On X")
    services.post_submit(post=on_x, user=member)
    client = client_for(member)
    date = soon().date().isoformat()
    by_channel = client.get(reverse("schedule"), {"date": date, "channel": linkedin.pk}).content.decode()
    assert f"post-{on_linkedin.pk}-chip" in by_channel and f"post-{on_x.pk}-chip" not in by_channel
    by_status = client.get(reverse("schedule"), {"date": date, "status": "in_review"}).content.decode()
    assert f"post-{on_x.pk}-chip" in by_status and f"post-{on_linkedin.pk}-chip" not in by_status


def test_an_htmx_request_answers_only_the_calendar(client_for, team, member):
    response = client_for(member).get(
        reverse("schedule"), {"view": "week"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="calendar"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="calendar"') and "<html" not in html
    assert response["HX-Push-Url"].startswith("/schedule/?view=week")


def test_a_drop_moves_the_post_keeping_its_time_and_answers_the_calendar(client_for, team, member):
    _berlin(team, member)
    post = draft(team, member, channels=[channel(team)], when=soon(days=2, hour=8))
    before = selectors.local(team, post.publish_at)
    target_day = before.date() + datetime.timedelta(days=3)
    response = client_for(member).post(
        reverse("schedule_post_move", args=[post.pk]),
        {"date": target_day.isoformat(), "calendar": f"view=month&date={target_day.isoformat()}"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="calendar",
    )
    assert response.status_code == 200 and "Moved to" in response["HX-Trigger"]
    post.refresh_from_db()
    after = selectors.local(team, post.publish_at)
    assert after.date() == target_day and after.time() == before.time()
    assert f'data-testid="day-{target_day.isoformat()}"' in response.content.decode()


def test_a_drop_on_a_past_day_is_refused_with_a_toast(client_for, team, member):
    post = draft(team, member, channels=[channel(team)])
    response = client_for(member).post(
        reverse("schedule_post_move", args=[post.pk]), {"date": "2020-02-02"}, HTTP_HX_REQUEST="true"
    )
    assert "That time has passed" in response["HX-Trigger"]
    post.refresh_from_db()
    assert post.publish_at == soon()


def test_move_to_is_a_plain_form_for_the_keyboard(client_for, team, member):
    post = draft(team, member, channels=[channel(team)])
    client = client_for(member)
    page = client.get(reverse("schedule_post_move", args=[post.pk])).content.decode()
    assert 'type="date"' in page and 'type="time"' in page
    new = soon(days=6)
    response = client.post(
        reverse("schedule_post_move", args=[post.pk]),
        {"date": new.date().isoformat(), "time": new.strftime("%H:%M"), "next": "/schedule/?view=week"},
    )
    assert response.status_code == 302 and response["Location"] == "/schedule/?view=week"
    post.refresh_from_db()
    assert post.publish_at == new


def test_a_viewer_sees_the_calendar_but_cannot_move(client_for, team, member, viewer):
    post = draft(team, member, channels=[channel(team)])
    client = client_for(viewer)
    page = client.get(reverse("schedule"), {"date": soon().date().isoformat()}).content.decode()
    assert f"post-{post.pk}-chip" in page and 'draggable="true"' not in page
    assert client.post(reverse("schedule_post_move", args=[post.pk]), {"date": "2030-01-01"}).status_code == 403


def test_cancelled_posts_are_hidden_unless_asked_for(client_for, team, member):
    post = draft(team, member, channels=[channel(team)])
    services.post_cancel(post=post, user=member)
    client = client_for(member)
    date = soon().date().isoformat()
    assert f"post-{post.pk}-chip" not in client.get(reverse("schedule"), {"date": date}).content.decode()
    shown = client.get(reverse("schedule"), {"date": date, "status": Post.Status.CANCELLED}).content.decode()
    assert f"post-{post.pk}-chip" in shown
