"""Bearer auth with team tokens: who gets in, and what another team's ids answer."""

import uuid

import pytest
from django.test import Client

from studio.api.models import ApiToken
from studio.api.services import api_token_revoke
from studio.teams.models import Membership
from tests.api.factories import generation_job

pytestmark = pytest.mark.django_db


def _get(client, job_uuid, **headers):
    return client.get(f"/api/v1/generations/{job_uuid}", headers=headers)


def test_a_valid_token_reads_its_teams_generation(team, admin_user, token_for):
    job = generation_job(team, prompt="A red bicycle")
    _, secret = token_for(team, admin_user)
    response = _get(Client(), job.uuid, Authorization=f"Bearer {secret}")
    assert response.status_code == 200
    assert response.json()["prompt"] == "A red bicycle"


def test_it_answers_401_json_without_a_token(team):
    job = generation_job(team)
    response = _get(Client(), job.uuid)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {
        "errors": [{"field": None, "message": "Send a team API token as `Authorization: Bearer pf_live_…`."}]
    }


def test_it_answers_401_to_an_unknown_token(team):
    job = generation_job(team)
    response = _get(Client(), job.uuid, Authorization="Bearer pf_live_not-a-real-token")
    assert response.status_code == 401
    assert "unknown or revoked" in response.json()["errors"][0]["message"]


def test_it_answers_401_to_a_revoked_token(team, admin_user, token_for):
    job = generation_job(team)
    token, secret = token_for(team, admin_user)
    api_token_revoke(token=token, user=admin_user)
    response = _get(Client(), job.uuid, Authorization=f"Bearer {secret}")
    assert response.status_code == 401
    assert "unknown or revoked" in response.json()["errors"][0]["message"]


def test_a_token_stops_working_when_its_creator_leaves_the_team(team, admin_user, token_for):
    job = generation_job(team)
    _, secret = token_for(team, admin_user)
    Membership.objects.filter(team=team, user=admin_user).delete()
    assert _get(Client(), job.uuid, Authorization=f"Bearer {secret}").status_code == 401


def test_a_command_line_token_keeps_working_whoever_leaves(team, owner, admin_user, token_for):
    job = generation_job(team)
    _, secret = token_for(team)
    Membership.objects.filter(team=team, user=admin_user).delete()
    assert _get(Client(), job.uuid, Authorization=f"Bearer {secret}").status_code == 200


def test_a_signed_in_session_is_not_an_api_token(team, client_for, owner):
    job = generation_job(team)
    assert _get(client_for(owner), job.uuid).status_code == 401


def test_it_answers_404_for_another_teams_generation(team, other_team, token_for):
    job = generation_job(team)
    _, secret = token_for(other_team)
    response = _get(Client(), job.uuid, Authorization=f"Bearer {secret}")
    assert response.status_code == 404
    assert response.json() == {"errors": [{"field": None, "message": "Not found in this team."}]}


def test_it_answers_404_for_an_id_that_does_not_exist(team, token_for):
    _, secret = token_for(team)
    assert _get(Client(), uuid.uuid4(), Authorization=f"Bearer {secret}").status_code == 404


def test_it_records_when_the_token_was_last_used(team, token_for):
    token, secret = token_for(team)
    assert token.last_used_at is None
    _get(Client(), uuid.uuid4(), Authorization=f"Bearer {secret}")
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
