"""Schedule pages: the calendar (month and week), the composer, a post with its channels' states, approval,
moving and cancelling, the composer's asset picker and live checks, and the team's schedule settings."""

import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect, push_url

from scheduling import selectors, services
from scheduling.forms import CalendarFilterForm, ComposerForm, MoveForm, ReturnForm, SettingsForm
from studio.core.http import form_refused, method_refusal, post_only, toast
from studio.teams.permissions import can, team_required


def _post_lookup(request, post_id, **kwargs):
    selectors.post_get(request.team, post_id)


# The calendar ----------------------------------------------------------------------------------------------------


def _calendar_context(request):
    form = CalendarFilterForm(request.GET or None, team=request.team)
    data = form.cleaned_data if form.is_valid() else {}
    view = data.get("view") or "month"
    today = timezone.now().astimezone(selectors.team_zone(request.team)).date()
    anchor = data.get("date") or today
    filters = {"channel_id": data.get("channel"), "status": data.get("status") or None}
    if view == "week":
        days = selectors.week_days(request.team, anchor, **filters)
        previous, following = anchor - datetime.timedelta(days=7), anchor + datetime.timedelta(days=7)
        title = f"{days[0].date:%-d %b} – {days[-1].date:%-d %b %Y}"
    else:
        days = selectors.month_days(request.team, anchor, **filters)
        first = anchor.replace(day=1)
        previous = (first - datetime.timedelta(days=1)).replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        title = f"{first:%B %Y}"
    query = {key: value for key, value in request.GET.items() if key in {"channel", "status"} and value}
    return {
        "nav": "schedule",
        "filters": form,
        "view": view,
        "days": days,
        "days_with_posts": any(day.posts for day in days),
        "weekdays": selectors.WEEKDAYS_SHORT,
        "title": title,
        "anchor": anchor,
        "previous": previous,
        "following": following,
        "today": today,
        "query": query,
        "zone": selectors.settings_of(request.team).timezone,
        "can_compose": can(request.membership, "draft_posts"),
        "can_approve": can(request.membership, "approve_posts"),
        "review": selectors.review_queue(request.team),
        "undated": selectors.undated_posts(request.team),
        "channels": selectors.channels_for(request.team),
        "hours": range(0, 24),
    }


@team_required("view")
def calendar(request):
    if refused := method_refusal(request, "GET"):
        return refused
    context = _calendar_context(request)
    if request.htmx and request.htmx.target == "calendar":
        return push_url(render(request, "scheduling/calendar.html#calendar", context), request.get_full_path())
    return render(request, "scheduling/calendar.html", context)


# Composing ---------------------------------------------------------------------------------------------------------


def _composer_context(request, form, post=None, errors=None):
    errors = errors or {}
    rows = form.rows()
    for row in rows:
        row["error"] = errors.get(row["error_key"], "")
    return {
        "nav": "schedule",
        "form": form,
        "rows": rows,
        "post": post,
        "errors": errors,
        "picked": _picked(request, form, post),
        "zone": selectors.settings_of(request.team).timezone,
        "next_slot": selectors.local_time_label(request.team, selectors.next_free_slot(request.team)),
        "has_slots": bool(selectors.settings_of(request.team).queue_slots),
    }


def _picked(request, form, post):
    """The assets in the tray, in order, with their alt text (from the POST, or the saved post)."""
    from library.models import Asset
    from studio.teams.scoping import scoped

    if form.is_bound:
        ids = [int(v) for v in form.data.getlist("assets") if str(v).isdigit()]
        found = scoped(Asset, request.team).in_bulk(ids)
        return [(found[i], form.data.get(f"alt_{i}", "")) for i in ids if i in found]
    if post is not None and not post.carousel_id:
        return [(item.asset, item.alt_text) for item in post.media.all() if item.asset_id]
    # "Schedule this" from the library: /schedule/posts/new/?asset=12&asset=15
    ids = [int(v) for v in request.GET.getlist("asset")[:20] if v.isdigit()]
    found = scoped(Asset, request.team).in_bulk(ids)
    return [(found[i], "") for i in ids if i in found]


def _compose(request, post=None):
    form = ComposerForm(request.POST, team=request.team)
    errors, status = {}, 200
    if form.is_valid():
        try:
            if post is None:
                saved = services.post_create(team=request.team, user=request.user, data=form.post_input())
            else:
                saved = services.post_update(post=post, user=request.user, data=form.post_input())
            if request.POST.get("action") == "submit":
                try:
                    services.post_submit(post=saved, user=request.user)
                    messages.success(request, "Sent for approval: an admin approves or returns it with a comment.")
                except services.PostError as error:
                    messages.error(request, "Saved as a draft, but not sent: " + str(error))
            else:
                messages.success(request, "Draft saved.")
            return redirect("schedule_post", post_id=saved.pk)
        except services.PostError as error:
            errors, status = error.errors, 404 if error.not_found else 422
            # The page shows the media, channels and time refusals in their own places; the rest go on the form.
            shown_apart = {"assets", "channels", "publish_at"}
            form_refused(
                form, {k: v for k, v in errors.items() if k not in shown_apart and not k.startswith("channel-")}
            )
    else:
        status = 422
    return render(request, "scheduling/composer.html", _composer_context(request, form, post, errors), status=status)


@team_required("draft_posts")
def post_new(request):
    if refused := method_refusal(request, "GET", "POST"):
        return refused
    if request.method == "POST":
        return _compose(request)
    form = ComposerForm(team=request.team, initial=_start(request))
    return render(request, "scheduling/composer.html", _composer_context(request, form))


def _start(request):
    """A composer opened from the calendar's day (?date=) or a carousel's page (?carousel=); ?asset= fills the tray."""
    initial = {}
    try:
        initial["date"] = datetime.date.fromisoformat(request.GET.get("date", ""))
        initial["time"] = datetime.time(9, 0)
    except ValueError:
        pass
    if request.GET.get("carousel", "").isdigit():
        initial.update(source="carousel", carousel=int(request.GET["carousel"]))
    return initial


@team_required("draft_posts")
def post_edit(request, post_id):
    post = selectors.post_get(request.team, post_id)
    if refused := method_refusal(request, "GET", "POST"):
        return refused
    if post.status not in services.EDITABLE:
        messages.error(request, f"This post is {post.get_status_display().lower()} and can no longer be edited.")
        return redirect("schedule_post", post_id=post.pk)
    if request.method == "POST":
        return _compose(request, post)
    form = ComposerForm.for_post(post, team=request.team)
    return render(request, "scheduling/composer.html", _composer_context(request, form, post))


@team_required("draft_posts")
@post_only
def composer_check(request):
    """The composer's live check: each channel's problems in the platform's words, nothing saved."""
    data = request.POST.copy()
    data["when"] = "later"  # the time is checked on save; a half-typed date must not hide the channels' checks
    form = ComposerForm(data, team=request.team)
    errors, notes = {}, {}
    if form.is_valid():
        data = form.post_input()
        data.channel_ids = [c.pk for c in form.channels if form.cleaned_data.get(f"channel_{c.pk}")]
        errors, found = services.preview(team=request.team, data=data)
        media = selectors.publish_media(found["assets"], data.alt_texts)
        for channel in found["channels"]:
            text = selectors.compose_text(found["caption"], found["hashtags"], found["variants"].get(channel.pk))
            options = selectors.check_options(channel, found["options"].get(channel.pk, {}))
            _, fixes = selectors.channel_checks(channel, text=text, media=media, options=options)
            if fixes:
                notes[channel.pk] = " ".join(fixes)
    else:
        errors = {key: " ".join(value) for key, value in form.errors.items()}
    rows = form.rows()
    for row in rows:
        row["error"] = errors.get(row["error_key"], "")
        row["note"] = notes.get(row["channel"].pk, "")
    return render(request, "scheduling/composer.html#channel-checks", {"rows": rows, "errors": errors})


@team_required("draft_posts")
def picker(request):
    if refused := method_refusal(request, "GET"):
        return refused
    query = request.GET.get("q", "")[:200]
    context = {"assets": selectors.picker_assets(request.team, query), "query": query}
    return render(request, "scheduling/composer.html#picker-results", context)


# One post ----------------------------------------------------------------------------------------------------------


@team_required("view")
def post_detail(request, post_id):
    post = selectors.post_get(request.team, post_id)
    if refused := method_refusal(request, "GET"):
        return refused
    return render(request, "scheduling/post.html", _post_context(request, post))


def _post_context(request, post, return_form=None):
    refusal = services.approval_refusal(post, request.user)
    return {
        **selectors.post_live_parts(
            post,
            may_act=can(request.membership, "draft_posts"),
            may_resolve=can(request.membership, "approve_posts"),
        ),
        "nav": "schedule",
        "zone": selectors.settings_of(post.team).timezone,
        "live": selectors.post_watched_live(post),
        "provenance": selectors.post_provenance(post),
        "audit": selectors.post_audit(post),
        "is_admin": can(request.membership, "approve_posts"),
        "approval_refusal": refusal,
        "own_post": request.user.pk in {post.created_by_id, post.submitted_by_id},
        "return_form": return_form or ReturnForm(),
        "move_form": MoveForm(post=post),
    }


def _post_action(request, post_id, action, *, success):
    post = selectors.post_get(request.team, post_id)
    try:
        action(post)
        messages.success(request, success)
    except services.PostError as error:
        messages.error(request, str(error))
    return _to_post_page(request, post)


def _to_post_page(request, post):
    """After an action on the post page: the page afresh, with its message. A form from a pushed part of the page
    posts through htmx (whose header carries the CSRF token), so htmx is told to load it."""
    if request.htmx:
        return HttpResponseClientRedirect(reverse("schedule_post", args=[post.pk]))
    return redirect("schedule_post", post_id=post.pk)


@team_required("draft_posts")
@post_only(lookup=_post_lookup)
def post_submit(request, post_id):
    return _post_action(
        request,
        post_id,
        lambda post: services.post_submit(post=post, user=request.user),
        success="Sent for approval: an admin approves or returns it with a comment.",
    )


@team_required("approve_posts")
@post_only(lookup=_post_lookup)
def post_approve(request, post_id):
    return _post_action(
        request,
        post_id,
        lambda post: services.post_approve(post=post, user=request.user),
        success="Approved: it is scheduled and goes out at its time.",
    )


@team_required("approve_posts")
@post_only(lookup=_post_lookup)
def post_return(request, post_id):
    post = selectors.post_get(request.team, post_id)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.post_return(post=post, user=request.user, comment=form.cleaned_data["comment"])
            messages.success(request, "Returned to its author with your comment.")
            return redirect("schedule_post", post_id=post.pk)
        except services.PostError as error:
            form_refused(form, error.errors)
    return render(request, "scheduling/post.html", _post_context(request, post, form), status=422)


@team_required("draft_posts")
@post_only(lookup=_post_lookup)
def post_cancel(request, post_id):
    return _post_action(
        request,
        post_id,
        lambda post: services.post_cancel(post=post, user=request.user),
        success="Cancelled: it will not be published.",
    )


@team_required("draft_posts")
def post_move(request, post_id):
    """Reschedule: the calendar's drop (htmx, answers the calendar) or the keyboard's Move to… form."""
    post = selectors.post_get(request.team, post_id)
    if refused := method_refusal(request, "GET", "POST"):
        return refused
    form = MoveForm(request.POST or None, post=post)
    if request.method == "POST" and form.is_valid():
        try:
            post = services.post_reschedule(post=post, user=request.user, publish_at=form.publish_at())
            message = f"Moved to {selectors.local_time_label(post.team, post.publish_at)}."
            if request.htmx:
                return _calendar_swap(request, message)
            messages.success(request, message)
            return redirect(_safe_next(request) or reverse("schedule_post", args=[post.pk]))
        except services.PostError as error:
            form_refused(form, error.errors)
            if request.htmx:
                return _calendar_swap(request, str(error), level="error", status=200)
    status = 422 if request.method == "POST" else 200
    context = {"nav": "schedule", "post": post, "form": form, "next": _safe_next(request)}
    return render(request, "scheduling/move.html", context, status=status)


def _safe_next(request):
    value = request.POST.get("next") or request.GET.get("next") or ""
    return value if value.startswith("/schedule/") and "//" not in value else ""


def _calendar_swap(request, message, level="success", status=200):
    """After a drop: the calendar as the page had it (its view, date and filters), with a toast."""
    from django.http import QueryDict

    request.GET = QueryDict(request.POST.get("calendar", ""))
    response = render(request, "scheduling/calendar.html#calendar", _calendar_context(request), status=status)
    return toast(response, message, level)


def _on_target(request, post_id, act, *, refused, missing="Pick a channel of this post."):
    """A button on one channel of a post: the channel from the form, `act(target)` → the success message, or the
    refusal (`refused`) in words; then the post page again."""
    post = selectors.post_get(request.team, post_id)
    target = post.targets.filter(pk=request.POST.get("target") or 0).first()
    if target is None:
        messages.error(request, missing)
        return _to_post_page(request, post)
    try:
        messages.success(request, act(target))
    except refused as error:
        messages.error(request, str(error))
    return _to_post_page(request, post)


@team_required("draft_posts")
@post_only(lookup=_post_lookup)
def post_retry(request, post_id):
    """Retry one channel of a post, only where the dispatcher says it cannot post twice."""
    from scheduling import dispatch

    def retry(target):
        dispatch.target_retry(target=target, user=request.user)
        return f"Trying {target.channel} again now."

    return _on_target(request, post_id, retry, refused=dispatch.RetryRefused, missing="Pick a channel to retry.")


@team_required("draft_posts")
@post_only(lookup=_post_lookup)
def post_comment_again(request, post_id):
    """Post a first comment that failed (nothing reached the platform) once more."""
    from scheduling import comments

    def again(target):
        comments.comment_again(target=target, user=request.user)
        return f"Posting the first comment on {target.channel} again."

    return _on_target(request, post_id, again, refused=comments.CommentRefused)


def _found(request):
    """An admin's answer to "is it there?": True (found), False (absent), or None when the form said neither."""
    return {"found": True, "absent": False}.get(request.POST.get("answer", ""))


@team_required("approve_posts")
@post_only(lookup=_post_lookup)
def post_resolve(request, post_id):
    """An admin says what they found on the platform for a post Postframe could not confirm: there, or not there."""
    from scheduling import dispatch

    found = _found(request)
    if found is None:
        messages.error(request, "Say whether the post is on the platform.")
        return _to_post_page(request, selectors.post_get(request.team, post_id))

    def resolve(target):
        dispatch.target_resolve(target=target, user=request.user, found=found, link=request.POST.get("link", ""))
        return f"Marked published on {target.channel}." if found else f"Sending it to {target.channel} again now."

    return _on_target(request, post_id, resolve, refused=dispatch.ResolveRefused)


@team_required("approve_posts")
@post_only(lookup=_post_lookup)
def post_comment_resolve(request, post_id):
    """An admin says what they found under the post for a first comment Postframe could not confirm."""
    from scheduling import comments

    found = _found(request)
    if found is None:
        messages.error(request, "Say whether the first comment is under the post.")
        return _to_post_page(request, selectors.post_get(request.team, post_id))

    def resolve(target):
        comments.comment_resolve(target=target, user=request.user, found=found)
        if found:
            return f"Marked the first comment posted on {target.channel}."
        return f"Posting the first comment on {target.channel} again now."

    return _on_target(request, post_id, resolve, refused=comments.CommentRefused)


# Settings ----------------------------------------------------------------------------------------------------------


@team_required("view")
def schedule_settings(request):
    if refused := method_refusal(request, "GET", "POST"):
        return refused
    is_admin = can(request.membership, "approve_posts")
    # An admin's first visit makes the settings row, so the feed has its secret address from the start.
    current = services.schedule_settings_for(team=request.team) if is_admin else selectors.settings_of(request.team)
    form = SettingsForm(
        request.POST or None,
        initial={"timezone": current.timezone, "queue_slots": selectors.queue_slots_text(request.team)},
    )
    status = 200
    if request.method == "POST":
        if not is_admin:
            return HttpResponse("Only admins change the team's schedule settings.", status=403)
        if form.is_valid():
            try:
                slots = services.parse_queue_slots(form.cleaned_data["queue_slots"])
                services.schedule_settings_update(
                    team=request.team, user=request.user, timezone_name=form.cleaned_data["timezone"], queue_slots=slots
                )
                messages.success(request, "Schedule settings saved.")
                return redirect("schedule_settings")
            except services.PostError as error:
                form_refused(form, error.errors)
        status = 422
    feed = None
    if is_admin and current.pk:
        feed = request.build_absolute_uri(reverse("schedule_ical", args=[current.ical_token]))
    context = {
        "nav": "schedule",
        "form": form,
        "is_admin": is_admin,
        "feed": feed,
        "next_slot": selectors.local_time_label(request.team, selectors.next_free_slot(request.team)),
    }
    return render(request, "scheduling/settings.html", context, status=status)


@team_required("approve_posts")
@post_only
def ical_rotate(request):
    services.ical_token_rotate(team=request.team, user=request.user)
    messages.success(request, "New calendar address made; the old one no longer works.")
    return redirect("schedule_settings")
