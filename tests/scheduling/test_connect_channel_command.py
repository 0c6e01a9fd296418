"""`manage.py connect_channel TEAM PLATFORM`: the same connection an admin makes by pasting a token."""

import io

import pytest
from django.core.management import CommandError, call_command

from scheduling.models import Channel

pytestmark = pytest.mark.django_db


def test_it_reads_the_token_from_stdin_and_checks_it_with_the_platform(team, fake_x, monkeypatch):
    token = fake_x.issue_token()
    monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
    out = io.StringIO()
    call_command("connect_channel", team.slug, "x", stdout=out)
    channel = Channel.objects.get(team=team)
    assert (channel.platform, channel.account_id, channel.name) == ("x", fake_x.authorize_as, "@postframe_demo")
    assert channel.credentials["access_token"] == token
    assert "Connected X · @postframe_demo" in out.getvalue()
    assert token not in out.getvalue()


def test_it_takes_the_token_as_an_option_and_the_team_by_id(team, fake_linkedin):
    call_command(
        "connect_channel",
        str(team.pk),
        "linkedin",
        "--token",
        fake_linkedin.issue_token(),
        "--organization",
        "--account-id",
        "urn:li:organization:42",
        "--name",
        "Acme page",
        stdout=io.StringIO(),
    )
    channel = Channel.objects.get(team=team)
    assert (channel.account_id, channel.name, channel.account_kind) == (
        "urn:li:organization:42",
        "Acme page",
        "organization",
    )


def test_it_connects_a_webhook_with_its_url_and_secret(team, webhook_receiver):
    call_command(
        "connect_channel",
        team.slug,
        "webhook",
        "--webhook-url",
        webhook_receiver.hook_url(),
        "--webhook-secret",
        webhook_receiver.secret,
        stdout=io.StringIO(),
    )
    channel = Channel.objects.get(team=team, platform="webhook")
    assert channel.config["url"] == webhook_receiver.hook_url()
    assert channel.credentials["secret"] == webhook_receiver.secret


def test_it_refuses_a_bad_token_and_an_unknown_team_with_a_clear_message(team, fake_x):
    with pytest.raises(CommandError, match="X refused this token"):
        call_command("connect_channel", team.slug, "x", "--token", "stolen", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No team with the slug or id 'nobody'"):
        call_command("connect_channel", "nobody", "x", "--token", "t", stdout=io.StringIO())
    assert not Channel.objects.exists()
