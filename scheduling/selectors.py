"""Reads about posts: the calendar's month and week, one post with its channels' states, provenance and audit trail,
the composer's picker and checks, the queue's next free slot, and times in the team's time zone."""

import contextlib
import datetime
import uuid
import zoneinfo
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from scheduling.models import Channel, Platform, Post, PostMedia, PostTarget, ScheduleSettings
from studio.core.models import AuditEntry
from studio.teams.scoping import get_scoped_or_404, scoped

WEEKDAYS_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PRIVACY_LABELS = {
    "PUBLIC_TO_EVERYONE": "Everyone",
    "MUTUAL_FOLLOW_FRIENDS": "Friends (mutual followers)",
    "FOLLOWER_OF_CREATOR": "Followers",
    "SELF_ONLY": "Only me",
}
# How each platform shows a post: the preview's crop (width / height) and where the caption is cut behind "more".
PREVIEW = {
    "instagram": {"aspect": "4 / 5", "fold": 125},
    "linkedin": {"aspect": "1.91 / 1", "fold": 210},
    "x": {"aspect": "16 / 9", "fold": 280},
    "tiktok": {"aspect": "9 / 16", "fold": 100},
    "webhook": {"aspect": "auto", "fold": 0},
    "bundle": {"aspect": "auto", "fold": 0},
}
QUEUE_WEEKS = 8
ACTIVE = (Post.Status.DRAFT, Post.Status.IN_REVIEW, Post.Status.RETURNED, Post.Status.SCHEDULED, Post.Status.PUBLISHING)


# Time ------------------------------------------------------------------------------------------------------------


def settings_of(team):
    """The team's schedule settings as saved, or unsaved defaults (UTC, no queue): a read never writes."""
    return ScheduleSettings.objects.filter(team=team).first() or ScheduleSettings(team=team)


def team_zone(team):
    try:
        return zoneinfo.ZoneInfo(settings_of(team).timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local(team, moment, zone=None):
    return moment.astimezone(zone or team_zone(team)) if moment else None


def local_time_label(team, moment):
    if moment is None:
        return "no time set"
    value = local(team, moment)
    return f"{value:%a %-d %b %Y, %H:%M} ({value.tzname()})"


def aware(team, day, clock):
    """A local date and time of the team's zone as an aware UTC moment."""
    zone = team_zone(team)
    return datetime.datetime.combine(day, clock, tzinfo=zone).astimezone(datetime.UTC)


def next_free_slot(team, *, after=None):
    """The queue's first weekly slot after `after` with no live post at that exact time, or None without slots."""
    slots = settings_of(team).queue_slots or []
    if not slots:
        return None
    zone, after = team_zone(team), after or timezone.now()
    start = after.astimezone(zone).date()
    candidates = []
    for offset in range(QUEUE_WEEKS * 7):
        day = start + datetime.timedelta(days=offset)
        for slot in slots:
            if slot.get("weekday") == day.weekday():
                clock = datetime.time.fromisoformat(slot["time"])
                moment = datetime.datetime.combine(day, clock, tzinfo=zone).astimezone(datetime.UTC)
                if moment > after + datetime.timedelta(minutes=1):
                    candidates.append(moment)
    if not candidates:
        return None
    taken = set(
        scoped(Post, team).filter(status__in=ACTIVE, publish_at__in=candidates).values_list("publish_at", flat=True)
    )
    return next((moment for moment in sorted(candidates) if moment not in taken), None)


def queue_slots_text(team):
    slots = settings_of(team).queue_slots or []
    return "\n".join(f"{WEEKDAYS_SHORT[slot['weekday']]} {slot['time']}" for slot in slots)


# Channels and the platforms' rules ------------------------------------------------------------------------------


def channels_for(team):
    return scoped(Channel, team).exclude(platform="").order_by("platform", "name")


def privacy_levels(channel):
    return list((channel.config or {}).get("privacy_level_options") or ["SELF_ONLY"])


def privacy_label(value):
    return PRIVACY_LABELS.get(value, value.replace("_", " ").title())


def compose_text(caption, hashtags, variant=""):
    """What a channel receives as text: its own caption exactly when it has one, else the post's caption with the
    hashtags after a blank line (as the dispatcher sends it)."""
    if (variant or "").strip():
        return variant.strip()
    caption, hashtags = (caption or "").strip(), (hashtags or "").strip()
    if hashtags and caption:
        return f"{caption}\n\n{hashtags}"
    return caption or hashtags


def target_text(target):
    return compose_text(target.post.caption, target.post.hashtags, target.text)


def _publisher(platform):
    from scheduling.publishers.registry import publisher_for

    return publisher_for(platform)


def platform_rules(platform):
    from scheduling.publishers.registry import PLATFORMS

    return PLATFORMS[platform].rules


def check_options(channel, options):
    """A target's options as the platform's checks read them: with what the channel allows (TikTok's privacy
    levels, the creator's longest video and whether the app is audited)."""
    if channel.platform != "tiktok":
        return dict(options)
    extra = {"privacy_level_options": privacy_levels(channel)}
    if (channel.config or {}).get("max_video_post_duration_sec"):
        extra["max_video_post_duration_sec"] = channel.config["max_video_post_duration_sec"]
    if "audited" in (channel.config or {}):
        extra["audited"] = bool(channel.config["audited"])
    return {**options, **extra}


def publish_media(assets, alt_texts=None):
    """The assets as the composer's checks see them: images go out as JPEG where the platform needs it."""
    from scheduling.publishers.base import PublishMedia

    alt_texts = alt_texts or {}
    media = []
    for asset in assets:
        if asset is None:
            continue
        mime = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp", "mp4": "video/mp4"}.get(
            asset.format, "application/pdf" if asset.kind == "pdf" else f"{asset.kind}/{asset.format}"
        )
        media.append(
            PublishMedia(
                url="",
                kind=asset.kind,
                mime=mime,
                width=asset.width or 0,
                height=asset.height or 0,
                size=asset.bytes or 0,
                duration_ms=asset.duration_ms or 0,
                alt_text=alt_texts.get(asset.pk) or alt_texts.get(str(asset.pk)) or "",
            )
        )
    return tuple(media)


def channel_checks(channel, *, text, media, first_comment="", options=None):
    """(blocking problems, notes of what Postframe fixes itself) for one channel, in the platform's words."""
    from scheduling.publishers.base import PublishRequest

    request = PublishRequest(
        external_id="check", text=text, media=tuple(media), first_comment=first_comment, options=options or {}
    )
    found = _publisher(channel.platform).problems(request)
    return [p for p in found if not getattr(p, "fixable", False)], [p for p in found if getattr(p, "fixable", False)]


def channel_problems(channel, **kwargs):
    return channel_checks(channel, **kwargs)[0]


# Posts -----------------------------------------------------------------------------------------------------------


def post_label(post):
    text = (post.caption or "").strip().splitlines()[0] if (post.caption or "").strip() else ""
    if not text:
        first = post.media.first() if post.pk else None
        text = first.asset_name if first else "Untitled post"
    return text[:60] + ("…" if len(text) > 60 else "")


def posts_of(team):
    return scoped(Post, team).prefetch_related(
        Prefetch("targets", queryset=PostTarget.objects.select_related("channel")),
        Prefetch("media", queryset=PostMedia.objects.select_related("asset")),
    )


def post_get(team, post_id):
    posts = posts_of(team).select_related("created_by", "submitted_by", "approved_by")
    return get_scoped_or_404(posts, team, pk=post_id)


def post_live(team, post_id):
    """A post as its page's live part needs it, or None once it is gone."""
    return posts_of(team).select_related("team").filter(pk=post_id).first()


def post_input(post):
    """A saved post as the composer's input, so it can be checked again or edited."""
    from scheduling.services import PostInput

    targets = list(post.targets.all())
    media = [item for item in post.media.all() if item.asset_id]
    return PostInput(
        caption=post.caption,
        hashtags=post.hashtags,
        first_comment=post.first_comment,
        asset_ids=[] if post.carousel_id else [item.asset_id for item in media],
        alt_texts={item.asset_id: item.alt_text for item in media},
        carousel_id=post.carousel_id,
        channel_ids=[target.channel_id for target in targets],
        variants={target.channel_id: target.text for target in targets},
        options={target.channel_id: target.options for target in targets},
        publish_at=post.publish_at,
    )


def sequence_get(team, sequence_id):
    """A video sequence of the team (studio/video), or None; its stitched MP4 is what a post carries."""
    try:
        from studio.video.models import Sequence
    except ImportError:  # the video app's models are not installed yet
        return None
    return scoped(Sequence, team).select_related("stitched").filter(pk=sequence_id).first()


def sequences_for(team):
    try:
        from studio.video.models import Sequence
    except ImportError:
        return []
    return list(scoped(Sequence, team).filter(stitched__isnull=False).select_related("stitched")[:30])


def carousels_for(team):
    from slides.models import Carousel

    return scoped(Carousel, team).order_by("-created_at")[:30]


def picker_assets(team, query="", *, limit=48):
    """The composer's picker: the team's assets, newest first, narrowed by the library's search."""
    from library.selectors import assets_filtered

    return assets_filtered(team, {"q": query}).defer("provenance", "search_text", "search_vector")[:limit]


# Per-channel states ------------------------------------------------------------------------------------------------


def _names(targets):
    names = [target.channel.get_platform_display() for target in targets]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def delivery_summary(post):
    """One honest sentence: "Published on LinkedIn and X; Instagram failed: …"."""
    targets = list(post.targets.all())
    if not targets:
        return "No channel picked yet."
    groups = {}
    for target in targets:
        groups.setdefault(target.status, []).append(target)
    parts = []
    S = PostTarget.Status
    if published := groups.get(S.PUBLISHED):
        parts.append(f"Published on {_names(published)}")
    for status, verb in ((S.FAILED, "failed"), (S.BLOCKED, "is blocked"), (S.UNCONFIRMED, "is unconfirmed")):
        for target in groups.get(status, []):
            reason = f": {target.message.rstrip('. ')}" if target.message else ""
            parts.append(f"{target.channel.get_platform_display()} {verb}{reason}")
    if deferred := groups.get(S.DEFERRED):
        parts.append(f"Deferred on {_names(deferred)}")
    if publishing := groups.get(S.PUBLISHING):
        parts.append(f"Publishing to {_names(publishing)}")
    if cancelled := groups.get(S.CANCELLED):
        parts.append(f"Cancelled on {_names(cancelled)}")
    for target in targets:
        if target.comment_status == PostTarget.Comment.FAILED:
            parts.append(f"the first comment failed on {target.channel.get_platform_display()}")
        elif target.comment_status == PostTarget.Comment.UNCONFIRMED:
            parts.append(f"the first comment is unconfirmed on {target.channel.get_platform_display()}")
    if pending := groups.get(S.PENDING):
        waiting = "Waiting for approval" if post.status in (Post.Status.IN_REVIEW,) else "Waiting"
        if post.status in (Post.Status.DRAFT, Post.Status.RETURNED):
            waiting = "Not yet approved"
        parts.append(f"{waiting} for {_names(pending)}")
    return "; ".join(parts) + "."


def retry_allowed(target):
    """Whether the Retry button shows: only where the dispatcher says retrying cannot post twice."""
    from scheduling import dispatch

    return dispatch.retry_allowed(target)


def post_watched_live(post):
    """Whether the post's page keeps its websocket: the dispatcher may still change it (it is scheduled or
    publishing, or a first comment is still on its way under a published post)."""
    from scheduling.services import LIVE_PAGE

    comment_moving = (PostTarget.Comment.WAITING, PostTarget.Comment.POSTING, PostTarget.Comment.UNCONFIRMED)
    return post.status in LIVE_PAGE or any(target.comment_status in comment_moving for target in post.targets.all())


def comment_by_link(target):
    from scheduling.comments import comment_due
    from scheduling.post_links import names_posts

    return comment_due(target) and names_posts(target.channel.platform)


def post_live_parts(post, *, may_act, may_resolve=False):
    """What the post page's live parts show, on the first render and on every push: the head (status, time and
    the actions this watcher may take now) and each channel's state, with Retry where it is safe and, for admins,
    "mark published" / "send again" (and "mark posted" / "post it again" for its first comment) where the platform
    could not be asked any more."""
    from scheduling import comments, dispatch
    from scheduling.services import CANCELLABLE, EDITABLE

    targets = list(post.targets.all())
    for target in targets:
        target.can_retry = may_act and retry_allowed(target)
        target.can_resolve = may_resolve and dispatch.checks_exhausted(target)
        target.comment_needs_look = comments.comment_checks_exhausted(target)
        target.can_resolve_comment = may_resolve and target.comment_needs_look
        # "It is there" with the post's address: where the address names the post, its first comment can still go.
        target.comment_by_link = target.can_resolve and comment_by_link(target)
        target.can_comment_again = may_act and target.comment_status == PostTarget.Comment.FAILED
        target.shown_text = target_text(target)
    return {
        "post": post,
        "targets": targets,
        "summary": delivery_summary(post),
        "when": local_time_label(post.team, post.publish_at),
        "can_edit": may_act and post.status in EDITABLE,
        "can_submit": may_act and post.status in (Post.Status.DRAFT, Post.Status.RETURNED),
        "can_cancel": may_act and post.status in CANCELLABLE,
    }


# Provenance and audit -----------------------------------------------------------------------------------------------


@dataclass
class MediaProvenance:
    media: PostMedia
    rows: list
    links: list


def _provenance_rows(asset):
    data = asset.provenance or {}
    rows, links = [], []
    if data.get("prompt"):
        rows.append(("Prompt", str(data["prompt"])))
    if asset.model_id or data.get("model_id"):
        from studio.engines.capabilities import model_label

        rows.append(("Model", model_label(asset.model_id or data["model_id"])))
    influencer = data.get("influencer") if isinstance(data.get("influencer"), dict) else None
    if influencer:
        name = influencer.get("name") or f"#{influencer.get('id')}"
        version = f" v{influencer['version']}" if influencer.get("version") else ""
        rows.append(("Influencer", f"{name}{version}"))
        if influencer.get("id"):
            links.append(("Influencer", reverse("influencer_detail", args=[influencer["id"]])))
    slides = data.get("slides") if isinstance(data.get("slides"), dict) else None
    if slides:
        rows.append(("Slides deck", f"{slides.get('carousel_topic', '')} · slide {slides.get('position', '?')}"))
        if slides.get("carousel_id"):
            links.append(("Slides deck", reverse("slides_carousel", args=[slides["carousel_id"]])))
    if isinstance(data.get("cost"), int):
        cost = data["cost"]
        rows.append(("Credits", "Free" if cost == 0 else f"{cost:,} credit{'s' if cost != 1 else ''}"))
    if data.get("job_id"):
        with contextlib.suppress(ValueError):
            links.append(("Generation job", reverse("job_detail", args=[uuid.UUID(str(data["job_id"]))])))
    if not rows:
        rows.append(("Made", asset.get_source_display()))
    links.insert(0, ("Library asset", reverse("library_asset", args=[asset.pk])))
    return rows, links


def post_provenance(post):
    items = []
    for media in post.media.all():
        if media.asset is None:
            items.append(MediaProvenance(media, [("Missing", "Deleted from the library; publishing is blocked.")], []))
            continue
        rows, links = _provenance_rows(media.asset)
        items.append(MediaProvenance(media, rows, links))
    return items


def post_audit(post):
    return (
        scoped(AuditEntry, post.team)
        .filter(action__startswith="post.", detail__post_id=post.pk)
        .select_related("actor")
        .order_by("-created_at", "-id")[:50]
    )


# The calendar ------------------------------------------------------------------------------------------------------


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    today: bool
    posts: list


def calendar_posts(team, start, end, *, channel_id=None, status=None):
    """Posts of the team between two aware moments, filtered, each with `.local` (in the team's zone)."""
    posts = posts_of(team).filter(publish_at__gte=start, publish_at__lt=end)
    if channel_id:
        posts = posts.filter(targets__channel_id=channel_id)
    posts = posts.filter(status=status) if status else posts.exclude(status=Post.Status.CANCELLED)
    zone = team_zone(team)
    found = list(posts.distinct().order_by("publish_at", "id"))
    for post in found:
        post.local = local(team, post.publish_at, zone)
    return found


def month_days(team, anchor, **filters):
    """Six weeks from the Monday on or before the 1st of `anchor`'s month, each day with its posts."""
    first = anchor.replace(day=1)
    start = first - datetime.timedelta(days=first.weekday())
    days = [start + datetime.timedelta(days=offset) for offset in range(42)]
    if days[35].month != first.month:
        days = days[:35]
    return _fill(team, days, first.month, **filters)


def week_days(team, anchor, **filters):
    start = anchor - datetime.timedelta(days=anchor.weekday())
    return _fill(team, [start + datetime.timedelta(days=offset) for offset in range(7)], None, **filters)


def _fill(team, days, month, **filters):
    zone = team_zone(team)
    start = datetime.datetime.combine(days[0], datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(days[-1] + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    by_day = {}
    for post in calendar_posts(team, start, end, **filters):
        by_day.setdefault(post.local.date(), []).append(post)
    today = timezone.now().astimezone(zone).date()
    return [Day(day, month is None or day.month == month, day == today, by_day.get(day, [])) for day in days]


def undated_posts(team):
    return list(
        posts_of(team).filter(publish_at__isnull=True).filter(Q(status__in=ACTIVE)).order_by("-updated_at")[:20]
    )


def review_queue(team):
    return list(posts_of(team).filter(status=Post.Status.IN_REVIEW).order_by("publish_at")[:20])


PLATFORM_CHOICES = Platform.choices
