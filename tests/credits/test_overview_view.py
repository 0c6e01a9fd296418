"""The team's credits page: balance, prices for its models, and the usage chart."""

import re

import pytest
from django.urls import reverse

from studio.credits.services import credits_grant
from tests.credits.factories import grant, spend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("credits")


@pytest.fixture
def team_with_history(team, admin_user, member):
    team.allowed_models = ["openai:gpt-image-2", "local:draft"]
    team.save()
    credits_grant(team=team, amount=500, idempotency_key="opening")
    spend(team, 24, model_id="openai:gpt-image-2", user=member, days_ago=2, reserve=30)
    spend(team, 12, model_id="openai:gpt-image-1.5", user=admin_user, days_ago=2)
    spend(team, 8, model_id="openai:gpt-image-2", user=admin_user, days_ago=0)
    return team


def test_an_admin_sees_balance_held_and_a_link_to_the_ledger(client_for, admin_user, team_with_history):
    response = client_for(admin_user).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'data-testid="wallet-balance">506<', html)
    assert re.search(r'data-testid="wallet-held">0<', html)
    assert reverse("credits_ledger") in html


def test_the_owner_sees_the_page_too(client_for, owner, team_with_history):
    assert client_for(owner).get(URL).status_code == 200


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_it_refuses_members_and_viewers_with_a_clear_message(client_for, make_member, team, role):
    response = client_for(make_member(role)).get(URL)

    assert response.status_code == 403
    assert f"Your role in {team.name} is {role.capitalize()}; this needs Admin or above." in response.content.decode()
    assert 'data-testid="wallet-balance"' not in response.content.decode()


def test_it_prices_the_teams_models_at_each_tier_and_quality(client_for, admin_user, team_with_history):
    html = client_for(admin_user).get(URL).content.decode()

    assert "GPT Image 2" in html and "Offline draft engine" in html
    assert "12 credits" in html and "Free" in html
    assert "GPT Image 1 Mini" not in html  # not one of the team's models


def test_the_chart_stacks_each_days_spending_by_model_with_tooltips_and_a_table(
    client_for, admin_user, team_with_history
):
    html = client_for(admin_user).get(URL).content.decode()

    assert '<svg class="usage-chart"' in html
    assert "44 in all" in html
    assert re.search(r"<title>\d+ \w+ · GPT Image 2: 24 credits</title>", html)
    assert re.search(r"<title>\d+ \w+ · GPT Image 1.5: 12 credits</title>", html)
    assert "<summary>Show the numbers</summary>" in html
    assert 'class="chart-legend"' in html


def test_the_chart_can_show_spending_by_member(client_for, admin_user, member, team_with_history):
    html = client_for(admin_user).get(URL, {"by": "member"}).content.decode()

    assert f"· {member.email}: 24 credits</title>" in html
    assert f"· {admin_user.email}: 20 credits</title>" not in html  # one bar per day, not a running total
    assert f"· {admin_user.email}: 12 credits</title>" in html
    assert f"· {admin_user.email}: 8 credits</title>" in html


def test_the_toggle_swaps_only_the_chart_for_htmx(client_for, admin_user, team_with_history):
    response = client_for(admin_user).get(URL, {"by": "member"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith(f'<div id="team-{team_with_history.pk}-usage"')
    assert "<html" not in html and "Prices per image" not in html


def test_the_page_uses_no_inline_styles_or_scripts(client_for, admin_user, team_with_history):
    html = client_for(admin_user).get(URL).content.decode()

    assert "style=" not in html
    assert "<script>" not in html and "hx-on" not in html


def test_spending_older_than_30_days_and_other_teams_spending_stay_off_the_chart(
    client_for, admin_user, team, other_team
):
    spend(team, 5, days_ago=31)
    spend(other_team, 7, user=UserFactory())

    html = client_for(admin_user).get(URL).content.decode()

    assert "No credits spent in the last 30 days." in html
    assert '<svg class="usage-chart"' not in html


def test_a_team_with_no_credits_is_told_how_to_get_more(client_for, admin_user, team):
    html = client_for(admin_user).get(URL).content.decode()

    assert "has no credits left" in html
    assert "No credits spent in the last 30 days." in html


def test_a_team_with_credits_sees_no_warning(client_for, admin_user, team):
    grant(team, 10)

    assert "has no credits left" not in client_for(admin_user).get(URL).content.decode()
