"""The team's iCal feed: a secret address without login, the team's posts only, and a new address on rotation."""

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from scheduling import selectors, services
from studio.core.models import AuditEntry
from tests.scheduling.posting import channel, draft

pytestmark = pytest.mark.django_db


def test_the_feed_lists_the_teams_posts_without_a_login(team, member, other_team, outsider):
    post = draft(team, member, channels=[channel(team, "linkedin", name="Harbor Coffee")], caption="Spring menu")
    draft(other_team, outsider, caption="Their secret launch")
    token = services.schedule_settings_for(team=team).ical_token
    response = Client().get(reverse("schedule_ical", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    assert str(events[0]["summary"]) == "[Draft] Spring menu"
    assert events[0].decoded("dtstart") == post.publish_at
    assert "LinkedIn · Harbor Coffee" in str(events[0]["description"])
    assert str(events[0]["url"]).endswith(reverse("schedule_post", args=[post.pk]))


def test_an_unknown_token_is_404(team):
    services.schedule_settings_for(team=team)
    assert Client().get(reverse("schedule_ical", args=["not-the-token"])).status_code == 404


def test_rotating_the_token_retires_the_old_address(client_for, team, admin_user):
    old = services.schedule_settings_for(team=team).ical_token
    response = client_for(admin_user).post(reverse("schedule_ical_rotate"))
    assert response.status_code == 302
    new = selectors.settings_of(team).ical_token
    assert new != old
    assert Client().get(reverse("schedule_ical", args=[old])).status_code == 404
    assert Client().get(reverse("schedule_ical", args=[new])).status_code == 200
    assert AuditEntry.objects.filter(team=team, action="schedule.ical_rotated").exists()


def test_only_admins_rotate_or_see_the_address(client_for, team, member):
    services.schedule_settings_for(team=team)
    client = client_for(member)
    assert client.post(reverse("schedule_ical_rotate")).status_code == 403
    assert selectors.settings_of(team).ical_token not in client.get(reverse("schedule_settings")).content.decode()


def test_settings_change_the_zone_and_queue(client_for, team, admin_user):
    response = client_for(admin_user).post(
        reverse("schedule_settings"), {"timezone": "America/New_York", "queue_slots": "weekdays 09:00\nSat 11:30"}
    )
    assert response.status_code == 302
    stored = selectors.settings_of(team)
    assert stored.timezone == "America/New_York" and len(stored.queue_slots) == 6


def test_a_bad_queue_line_is_shown_beside_the_field(client_for, team, admin_user):
    response = client_for(admin_user).post(reverse("schedule_settings"), {"timezone": "UTC", "queue_slots": "Mon 9.30"})
    assert response.status_code == 422 and "needs a time as HH:MM" in response.content.decode()
