from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from studio.api.models import ApiToken, hash_secret
from studio.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_it_prints_the_new_token_as_its_last_line(team):
    out = StringIO()
    call_command("create_api_token", team.slug, "--name", "Nightly export", stdout=out)
    last_line = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(team=team)
    assert last_line.startswith("pf_live_")
    assert token.secret_hash == hash_secret(last_line)
    assert token.name == "Nightly export" and token.created_by is None


def test_the_printed_token_works_against_the_api(team, client):
    out = StringIO()
    call_command("create_api_token", team.slug, stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    response = client.get(
        "/api/v1/generations/00000000-0000-0000-0000-000000000000", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 404  # authenticated: the id is simply not the team's


def test_it_records_the_token_in_the_teams_audit_log(team):
    call_command("create_api_token", team.slug, stdout=StringIO())
    entry = AuditEntry.objects.get(team=team, action="api_token.created")
    assert "command line" in entry.summary and entry.actor is None


def test_it_refuses_an_unknown_team_slug_and_creates_nothing():
    with pytest.raises(CommandError, match="No team has the slug 'nope'"):
        call_command("create_api_token", "nope", stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_it_refuses_a_blank_name(team):
    with pytest.raises(CommandError, match="Give the token a name"):
        call_command("create_api_token", team.slug, "--name", "  ", stdout=StringIO())
    assert not ApiToken.objects.exists()
