"""The team's calendar as an iCalendar feed at a secret address: no login, the token is the key; admins rotate it."""

import datetime

from django.http import Http404, HttpResponse
from django.urls import reverse
from icalendar import Calendar, Event

from scheduling import selectors
from scheduling.models import Post, ScheduleSettings
from studio.core.http import method_refusal

FEED_DAYS_BACK, FEED_DAYS_AHEAD = 30, 180


def team_feed(team, *, base_url):
    """An icalendar Calendar of the team's dated posts from a month ago to half a year ahead (cancelled left out)."""
    now = datetime.datetime.now(datetime.UTC)
    calendar = Calendar()
    calendar.add("prodid", "-//Postframe//Schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{team.name} · Postframe schedule")
    calendar.add("x-wr-timezone", selectors.settings_of(team).timezone)
    posts = (
        selectors.posts_of(team)
        .filter(
            publish_at__gte=now - datetime.timedelta(days=FEED_DAYS_BACK),
            publish_at__lt=now + datetime.timedelta(days=FEED_DAYS_AHEAD),
        )
        .exclude(status=Post.Status.CANCELLED)
        .order_by("publish_at")
    )
    for post in posts:
        targets = list(post.targets.all())
        channels = ", ".join(str(target.channel) for target in targets) or "no channel yet"
        event = Event()
        event.add("uid", f"post-{post.uuid}@postframe")
        event.add("dtstamp", post.updated_at)
        event.add("dtstart", post.publish_at)
        event.add("dtend", post.publish_at + datetime.timedelta(minutes=15))
        event.add("summary", f"[{post.get_status_display()}] {selectors.post_label(post)}")
        lines = [selectors.delivery_summary(post), f"Channels: {channels}", "", post.caption]
        event.add("description", "\n".join(lines).strip())
        event.add("url", base_url + reverse("schedule_post", args=[post.pk]))
        event.add("status", "CANCELLED" if post.status == Post.Status.CANCELLED else "CONFIRMED")
        calendar.add_component(event)
    return calendar


def ical_feed(request, token):
    settings_row = ScheduleSettings.objects.select_related("team").filter(ical_token=token).first()
    if settings_row is None or not token:
        raise Http404("No calendar at this address")
    if refused := method_refusal(request, "GET"):
        return refused
    calendar = team_feed(settings_row.team, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
