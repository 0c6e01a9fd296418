"""Channels pages: the team's connected accounts with their state and expiry; admins connect (pasted token or
OAuth), reconnect, refresh and disconnect them; members see them read-only."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from scheduling import channels as services
from scheduling import oauth
from scheduling.media_links import bundle_zip
from scheduling.models import Channel, Platform, PostTarget
from studio.core.http import form_refused, method_refusal, post_only
from studio.teams.permissions import can, team_required
from studio.teams.scoping import get_scoped_or_404, scoped

# Channels hold tokens as provider keys do: the same admins manage them.
MANAGE = "manage_keys"


class ChannelConnectForm(forms.Form):
    platform = forms.ChoiceField(choices=Platform.choices)
    access_token = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Write-only: stored encrypted and never shown again.",
    )
    refresh_token = forms.CharField(
        required=False, max_length=4000, widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})
    )
    account_kind = forms.ChoiceField(
        choices=Channel.AccountKind.choices, initial=Channel.AccountKind.PERSON, label="Posts as", required=False
    )
    account_id = forms.CharField(
        required=False,
        max_length=200,
        label="Account id",
        help_text="Optional; for a LinkedIn page, its organisation URN (urn:li:organization:…).",
    )
    name = forms.CharField(required=False, max_length=120, help_text="Optional; the platform's name otherwise.")
    webhook_url = forms.URLField(required=False, max_length=500, label="Webhook URL", assume_scheme="https")
    webhook_secret = forms.CharField(
        required=False,
        max_length=200,
        label="Signing secret",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="At least 16 characters; leave empty to have one made.",
    )

    def clean_account_kind(self):
        return self.cleaned_data.get("account_kind") or Channel.AccountKind.PERSON


def expiry_words(channel, now=None):
    """'expires in 12 days', 'expired 3 hours ago', or '' for tokens that do not expire."""
    if channel.expires_at is None or channel.status == Channel.Status.DISCONNECTED:
        return ""
    now = now or timezone.now()
    seconds = (channel.expires_at - now).total_seconds()
    span = abs(seconds)
    unit, size = next(
        ((unit, size) for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)) if span >= size),
        ("minute", 60),
    )
    count = max(1, int(span // size))
    words = f"{count} {unit}{'' if count == 1 else 's'}"
    return f"expires in {words}" if seconds > 0 else f"expired {words} ago"


def _rows(team, now):
    rows = []
    for channel in scoped(Channel, team).order_by("platform", "name"):
        rows.append(
            {
                "channel": channel,
                "expiry": expiry_words(channel, now),
                "soon": channel.expires_at is not None and (channel.expires_at - now).days < 7,
                "needs_reconnect": channel.status in (Channel.Status.EXPIRED, Channel.Status.REVOKED),
                "oauth": channel.platform in oauth.PLATFORMS and oauth.is_configured(channel.platform),
            }
        )
    return rows


def _page(request, form=None, status=200):
    context = {
        "nav": "schedule",
        "tab": "channels",
        "rows": _rows(request.team, timezone.now()),
        "can_manage": can(request.membership, MANAGE),
        "form": form or ChannelConnectForm(initial={"platform": request.GET.get("platform") or Platform.INSTAGRAM}),
        "oauth_platforms": [(key, Platform(key).label) for key in oauth.PLATFORMS if oauth.is_configured(key)],
    }
    return render(request, "scheduling/channels.html", context, status=status)


@team_required("view")
def channel_list(request):
    if refused := method_refusal(request, "GET"):
        return refused
    return _page(request)


@team_required(MANAGE)
@post_only
def channel_connect(request):
    form = ChannelConnectForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=422)
    try:
        channel = services.channel_connect_token(team=request.team, user=request.user, **form.cleaned_data)
    except services.ChannelError as error:
        form_refused(form, error.errors)
        return _page(request, form, status=422)
    messages.success(request, f"{channel} is connected.")
    return redirect("scheduling_channels")


@team_required(MANAGE)
@post_only
def channel_oauth_start(request):
    platform = request.POST.get("platform", "")
    kind = request.POST.get("account_kind") or Channel.AccountKind.PERSON
    try:
        url = services.channel_oauth_start(
            team=request.team,
            session=request.session,
            platform=platform,
            redirect_uri=services.oauth_redirect_uri(request),
            account_kind=kind if kind in Channel.AccountKind.values else Channel.AccountKind.PERSON,
        )
    except (services.ChannelError, ValueError) as error:
        messages.error(request, str(error))
        return redirect("scheduling_channels")
    return redirect(url)


@team_required(MANAGE)
def channel_oauth_callback(request):
    if refused := method_refusal(request, "GET"):
        return refused
    try:
        channel = services.channel_oauth_finish(
            team=request.team,
            user=request.user,
            session=request.session,
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
            error=request.GET.get("error_description") or request.GET.get("error", ""),
            redirect_uri=services.oauth_redirect_uri(request),
        )
    except services.ChannelError as error:
        messages.error(request, str(error))
        return redirect("scheduling_channels")
    messages.success(request, f"{channel} is connected.")
    return redirect("scheduling_channels")


def _channel_lookup(request, channel_id):
    return get_scoped_or_404(Channel, request.team, pk=channel_id)


@team_required(MANAGE)
@post_only(lookup=_channel_lookup)
def channel_refresh(request, channel_id):
    channel = _channel_lookup(request, channel_id)
    if channel.status != Channel.Status.CONNECTED or channel.platform not in oauth.PLATFORMS:
        messages.error(request, f"{channel} has nothing to refresh: reconnect it instead.")
        return redirect("scheduling_channels")
    channel = services.channel_refresh(channel=channel)
    if channel.status == Channel.Status.CONNECTED:
        messages.success(request, f"{channel}: token refreshed, {expiry_words(channel) or 'no expiry'}.")
    else:
        messages.error(request, f"{channel}: {channel.status_message}")
    return redirect("scheduling_channels")


@team_required(MANAGE)
@post_only(lookup=_channel_lookup)
def channel_disconnect(request, channel_id):
    channel = _channel_lookup(request, channel_id)
    services.channel_disconnect(channel=channel, user=request.user)
    messages.success(request, f"{channel} is disconnected; its scheduled posts wait until it is reconnected.")
    return redirect("scheduling_channels")


@team_required("view")
def bundle_download(request, target_id):
    """A post sent to a download bundle channel, as a zip to post by hand."""
    target = get_scoped_or_404(PostTarget.objects.select_related("post", "channel"), request.team, pk=target_id)
    if refused := method_refusal(request, "GET"):
        return refused
    if target.channel.platform != Platform.BUNDLE or target.status != PostTarget.Status.PUBLISHED:
        raise Http404("This post has no bundle to download.")
    response = HttpResponse(bundle_zip(target), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, f"post-{target.post_id}-bundle.zip")
    response["Cache-Control"] = "private, no-store"
    return response
