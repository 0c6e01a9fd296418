"""Credits reads: the usage per day in one aggregate query, and the ledger inside the team's scope."""

from datetime import timedelta

import pytest
from django.utils import timezone

from studio.credits.selectors import ledger_for, usage_by_day
from tests.credits.factories import grant, spend

pytestmark = pytest.mark.django_db


def test_usage_by_day_sums_captures_per_day_and_model_in_one_query(team, member, django_assert_num_queries):
    spend(team, 6, model_id="openai:gpt-image-2", user=member, days_ago=3)
    spend(team, 8, model_id="openai:gpt-image-2", user=member, days_ago=3, reserve=12)
    spend(team, 12, model_id="openai:gpt-image-1.5", user=member, days_ago=3)

    with django_assert_num_queries(1):
        days, rows = usage_by_day(team, by="model", days=30)

    day = timezone.localdate() - timedelta(days=3)
    assert len(days) == 30 and days[-1] == timezone.localdate()
    assert {(r["day"], r["key"], r["credits"]) for r in rows} == {
        (day, "openai:gpt-image-1.5", 12),
        (day, "openai:gpt-image-2", 14),
    }


def test_usage_by_member_names_each_member_by_email(team, member, admin_user):
    spend(team, 6, user=member)
    spend(team, 4, user=admin_user)
    spend(team, 2, user=admin_user)

    _, rows = usage_by_day(team, by="member")

    assert {(r["label"], r["credits"]) for r in rows} == {(member.email, 6), (admin_user.email, 6)}


def test_usage_leaves_out_grants_holds_and_other_teams(team, other_team):
    grant(team, 500)
    spend(other_team, 9)

    assert usage_by_day(team)[1] == []


def test_usage_refuses_a_grouping_it_does_not_know(team):
    with pytest.raises(ValueError, match="'model' or 'member'"):
        usage_by_day(team, by="colour")


def test_the_ledger_of_a_team_holds_only_its_own_entries(team, other_team):
    grant(team, 5, memo="ours")
    grant(other_team, 7, memo="theirs")

    assert [e.memo for e in ledger_for(team)] == ["ours"]
