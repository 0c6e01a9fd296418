"""Connecting channels: a pasted token is checked against the platform's read endpoint before it is kept (encrypted),
OAuth goes through state and PKCE kept in the session, refreshes keep the refresh token they have, and a token the
platform stops taking marks the channel and tells the admins."""

from datetime import timedelta

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling import channels as services
from scheduling.models import Channel
from studio.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_pasted_x_token_is_checked_and_the_account_comes_from_x(team, admin_user, fake_x):
    token = fake_x.issue_token()
    channel = services.channel_connect_token(team=team, user=admin_user, platform="x", access_token=token)

    assert (channel.platform, channel.name, channel.status) == ("x", "@postframe_demo", Channel.Status.CONNECTED)
    assert channel.account_id == fake_x.authorize_as
    assert channel.credentials["access_token"] == token
    assert token.encode() not in bytes(channel.credentials_ciphertext)  # encrypted at rest
    assert fake_x.requests_to(r"^/2/users/me$")[0].headers["authorization"] == f"Bearer {token}"
    entry = AuditEntry.objects.get(team=team, action="channel.connected")
    assert "pasted token" in entry.summary and token not in entry.summary


def test_a_token_the_platform_refuses_is_not_saved_and_the_reason_is_beside_the_field(team, admin_user, fake_linkedin):
    with pytest.raises(services.ChannelError) as refusal:
        services.channel_connect_token(team=team, user=admin_user, platform="linkedin", access_token="made-up")
    assert "LinkedIn refused this token" in refusal.value.errors["access_token"]
    assert not Channel.objects.exists()


def test_a_linkedin_page_posts_as_the_organisation_given(team, admin_user, fake_linkedin):
    channel = services.channel_connect_token(
        team=team,
        user=admin_user,
        platform="linkedin",
        access_token=fake_linkedin.issue_token(),
        account_id="urn:li:organization:2414183",
        account_kind=Channel.AccountKind.ORGANIZATION,
        name="Acme Inc.",
    )
    assert (channel.account_id, channel.name, channel.account_kind) == (
        "urn:li:organization:2414183",
        "Acme Inc.",
        Channel.AccountKind.ORGANIZATION,
    )


def test_a_token_of_another_account_than_the_one_named_is_refused(team, admin_user, fake_x):
    with pytest.raises(services.ChannelError) as refusal:
        services.channel_connect_token(
            team=team, user=admin_user, platform="x", access_token=fake_x.issue_token(), account_id="999"
        )
    assert "not to 999" in refusal.value.errors["account_id"]


def test_a_tiktok_token_brings_the_privacy_levels_the_creator_may_use(team, admin_user, fake_tiktok):
    channel = services.channel_connect_token(
        team=team, user=admin_user, platform="tiktok", access_token=fake_tiktok.issue_token(), account_id="open-1"
    )
    assert channel.config["privacy_level_options"] == fake_tiktok.privacy_level_options
    assert channel.config["max_video_post_duration_sec"] == fake_tiktok.max_video_seconds
    assert channel.name == "Postframe Demo"


def test_a_reconnect_without_a_refresh_token_keeps_the_one_the_channel_has(team, admin_user, fake_x):
    refresh = fake_x.issue_refresh_token()
    first = services.channel_connect_token(
        team=team, user=admin_user, platform="x", access_token=fake_x.issue_token(), refresh_token=refresh
    )
    Channel.objects.filter(pk=first.pk).update(status=Channel.Status.EXPIRED, status_message="Token expired.")
    new_token = fake_x.issue_token()
    again = services.channel_connect_token(team=team, user=admin_user, platform="x", access_token=new_token)

    assert again.pk == first.pk
    assert again.status == Channel.Status.CONNECTED and again.status_message == ""
    assert again.credentials["access_token"] == new_token
    assert again.credentials["refresh_token"] == refresh
    assert AuditEntry.objects.filter(team=team, action="channel.reconnected").count() == 1


def test_a_webhook_to_a_private_address_is_refused_unless_the_operator_allows_it(team, admin_user, settings):
    settings.SCHEDULING_WEBHOOK_ALLOW_PRIVATE = False
    for url in ("http://127.0.0.1:8000/hook", "http://169.254.169.254/latest/meta-data", "http://10.0.0.5/hook"):
        with pytest.raises(services.ChannelError) as refusal:
            services.channel_connect_token(team=team, user=admin_user, platform="webhook", webhook_url=url)
        assert "public internet addresses" in refusal.value.errors["webhook_url"], url
        assert "SCHEDULING_WEBHOOK_ALLOW_PRIVATE" in refusal.value.errors["webhook_url"]
    assert not Channel.objects.filter(team=team).exists()

    settings.SCHEDULING_WEBHOOK_ALLOW_PRIVATE = True
    channel = services.channel_connect_token(
        team=team, user=admin_user, platform="webhook", webhook_url="http://127.0.0.1:8000/hook"
    )
    assert channel.platform == "webhook"


def test_a_webhook_whose_name_later_points_inside_is_refused_at_publish_time(team, webhook_receiver, settings):
    from scheduling import dispatch
    from scheduling.models import PostTarget
    from tests.scheduling.scheduled import due_post, target_of, webhook_channel

    channel = webhook_channel(team, webhook_receiver)  # connected while private receivers were allowed
    post = due_post(team, [channel], caption="Not for the intranet")
    settings.SCHEDULING_WEBHOOK_ALLOW_PRIVATE = False

    dispatch.target_publish(target_id=target_of(post, channel).pk)

    target = target_of(post, channel)
    assert target.status == PostTarget.Status.FAILED
    assert "public internet addresses" in target.message
    assert not webhook_receiver.deliveries


def test_a_webhook_needs_an_address_and_gets_a_secret_when_none_is_given(team, admin_user):
    with pytest.raises(services.ChannelError) as refusal:
        services.channel_connect_token(team=team, user=admin_user, platform="webhook", webhook_url="ftp://x")
    assert "https://" in refusal.value.errors["webhook_url"]
    with pytest.raises(services.ChannelError) as short:
        services.channel_connect_token(
            team=team, user=admin_user, platform="webhook", webhook_url="https://hooks.example/p", webhook_secret="x"
        )
    assert "16 characters" in short.value.errors["webhook_secret"]

    channel = services.channel_connect_token(
        team=team, user=admin_user, platform="webhook", webhook_url="https://hooks.example/p"
    )
    credentials = services.channel_credentials(channel)
    assert credentials.extra["url"] == "https://hooks.example/p"
    assert len(credentials.extra["secret"]) >= 32


def test_oauth_with_x_goes_through_state_and_pkce_and_connects_the_account(client_for, admin_user, team, fake_x):
    client = client_for(admin_user)
    start = client.post(reverse("scheduling_channel_oauth_start"), {"platform": "x"})
    assert start.status_code == 302
    consent = start["Location"]
    assert consent.startswith(f"{fake_x.url}/i/oauth2/authorize?")
    assert "code_challenge=" in consent and "code_challenge_method=S256" in consent

    back = httpx.get(consent, follow_redirects=False).headers["location"]  # the fake consents and redirects
    assert back.startswith("http://testserver/schedule/channels/oauth/callback/?")
    done = client.get(back.removeprefix("http://testserver"))
    assert done.status_code == 302

    channel = Channel.objects.get(team=team, platform="x")
    assert channel.account_id == fake_x.authorize_as
    assert channel.credentials["refresh_token"]  # offline.access was asked for
    assert channel.expires_at > timezone.now()
    # The state is used once: the same callback again is refused.
    again = client.get(back.removeprefix("http://testserver"), follow=True)
    assert "was not started here, or has already been used" in again.content.decode()


def test_an_oauth_callback_with_a_forged_state_connects_nothing(client_for, admin_user, fake_x):
    client = client_for(admin_user)
    client.post(reverse("scheduling_channel_oauth_start"), {"platform": "x"})
    page = client.get(reverse("scheduling_channel_oauth_callback") + "?state=forged&code=abc", follow=True)
    assert "was not started here" in page.content.decode()
    assert not Channel.objects.exists()


def test_a_refresh_keeps_the_refresh_token_when_the_platform_sends_none(team, admin_user, fake_tiktok):
    fake_tiktok.return_refresh_token = False
    refresh = fake_tiktok.issue_refresh_token()
    channel = services.channel_connect_token(
        team=team,
        user=admin_user,
        platform="tiktok",
        access_token=fake_tiktok.issue_token(),
        refresh_token=refresh,
        account_id="open-1",
        expires_at=timezone.now() + timedelta(minutes=5),
    )
    channel = services.channel_refresh(channel=channel)
    assert channel.status == Channel.Status.CONNECTED
    assert channel.credentials["refresh_token"] == refresh
    assert channel.expires_at > timezone.now() + timedelta(hours=1)


def test_a_refused_refresh_marks_the_channel_expired_and_emails_the_admins_once(
    team, admin_user, member, fake_x, mailoutbox, django_capture_on_commit_callbacks
):
    channel = services.channel_connect_token(
        team=team,
        user=admin_user,
        platform="x",
        access_token=fake_x.issue_token(),
        refresh_token="not-a-refresh-token",
        expires_at=timezone.now() + timedelta(minutes=2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.tokens_refresh_due() == 1
        services.tokens_refresh_due()
    channel.refresh_from_db()
    assert channel.status == Channel.Status.EXPIRED
    assert "X refused the sign-in" in channel.status_message
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [admin_user.email]
    assert member.email not in mailoutbox[0].to
    assert "/schedule/channels/" in mailoutbox[0].body


def test_a_token_far_from_expiry_is_not_refreshed(team, admin_user, fake_x):
    services.channel_connect_token(
        team=team,
        user=admin_user,
        platform="x",
        access_token=fake_x.issue_token(),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    assert services.tokens_refresh_due() == 0
    assert not fake_x.requests_to(r"oauth2/token")


# The page ---------------------------------------------------------------------------------------------------------


def test_admins_see_the_connect_form_and_members_see_channels_read_only(client_for, team, admin_user, member, fake_x):
    channel = services.channel_connect_token(
        team=team,
        user=admin_user,
        platform="x",
        access_token=fake_x.issue_token(),
        expires_at=timezone.now() + timedelta(days=12, hours=1),
    )
    admin_page = client_for(admin_user).get(reverse("scheduling_channels")).content.decode()
    assert "Connect a channel" in admin_page
    assert "@postframe_demo" in admin_page and "Token expires in 12 days" in admin_page
    assert channel.credentials["access_token"] not in admin_page

    member_page = client_for(member).get(reverse("scheduling_channels"))
    html = member_page.content.decode()
    assert "@postframe_demo" in html and "Token expires in 12 days" in html
    assert "Connect a channel" not in html and "Disconnect" not in html
    refused = client_for(member).post(reverse("scheduling_channel_connect"), {"platform": "webhook"})
    assert refused.status_code == 403


def test_an_expired_channel_shows_the_reason_and_a_reconnect_prompt(client_for, team, admin_user, member, fake_x):
    channel = services.channel_connect_token(
        team=team, user=admin_user, platform="x", access_token=fake_x.issue_token()
    )
    services.channel_mark_unusable(channel=channel, status=Channel.Status.REVOKED, message="X revoked the access.")
    html = client_for(admin_user).get(reverse("scheduling_channels")).content.decode()
    assert "Access revoked" in html and "X revoked the access." in html
    assert "the refresh token it has is kept" in html
    assert "Ask an admin" in client_for(member).get(reverse("scheduling_channels")).content.decode()


def test_connecting_through_the_form_shows_the_refusal_beside_the_field(client_for, admin_user, fake_x):
    client = client_for(admin_user)
    page = client.post(reverse("scheduling_channel_connect"), {"platform": "x", "access_token": "nope"})
    assert page.status_code == 422
    assert "X refused this token" in page.content.decode()
    assert not Channel.objects.exists()

    done = client.post(
        reverse("scheduling_channel_connect"),
        {"platform": "x", "access_token": fake_x.issue_token(), "account_kind": "person"},
        follow=True,
    )
    assert "X · @postframe_demo is connected." in done.content.decode()


def test_disconnecting_forgets_the_token(client_for, team, admin_user, fake_x):
    channel = services.channel_connect_token(
        team=team, user=admin_user, platform="x", access_token=fake_x.issue_token()
    )
    client_for(admin_user).post(reverse("scheduling_channel_disconnect", args=[channel.pk]))
    channel.refresh_from_db()
    assert channel.status == Channel.Status.DISCONNECTED
    assert channel.credentials == {}
    assert AuditEntry.objects.filter(team=team, action="channel.disconnected").exists()
