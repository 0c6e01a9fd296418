"""The ledger page: filters that narrow the rows, totals of what matches, pages of 50, clear messages."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from studio.credits.models import LedgerEntry
from tests.credits.factories import grant, spend

pytestmark = pytest.mark.django_db

URL = reverse("credits_ledger")


@pytest.fixture
def history(team, admin_user, member):
    grant(team, 100, memo="Opening balance")
    spend(team, 6, model_id="openai:gpt-image-2", user=member, days_ago=10, reserve=8)
    spend(team, 12, model_id="openai:gpt-image-1.5", user=admin_user)
    return team


def _rows(response):
    return response.content.decode().count('id="ledgerentry-')


def test_an_admin_sees_every_entry_with_its_totals(client_for, admin_user, history):
    response = client_for(admin_user).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert _rows(response) == LedgerEntry.objects.filter(wallet__team=history).count() == 8
    assert "Opening balance" in html
    assert 'data-testid="ledger-count">8<' in html


def test_a_member_is_refused(client_for, member, history):
    assert client_for(member).get(URL).status_code == 403


def test_filtering_by_kind_shows_only_that_kind_and_totals_it(client_for, admin_user, history):
    response = client_for(admin_user).get(URL, {"kind": "capture"})

    assert _rows(response) == 2
    assert response.context["totals"]["capture"] == 18
    assert response.context["totals"]["grant"] == 0


def test_filtering_by_model_and_member_narrows_the_rows(client_for, admin_user, member, history):
    client = client_for(admin_user)

    by_model = client.get(URL, {"model": "openai:gpt-image-1.5"})
    by_member = client.get(URL, {"member": member.pk, "kind": "hold"})

    assert _rows(by_model) == 2  # the hold and capture of one job that used all it reserved
    assert _rows(by_member) == 1
    assert by_member.context["totals"]["hold"] == 8


def test_filtering_by_dates_keeps_the_days_between(client_for, admin_user, history):
    today = timezone.localdate()

    recent = client_for(admin_user).get(URL, {"date_from": (today - timedelta(days=2)).isoformat()})
    older = client_for(admin_user).get(URL, {"date_to": (today - timedelta(days=5)).isoformat()})

    assert _rows(recent) == 5  # three grants and the last job's hold and capture
    assert _rows(older) == 3  # the first job's hold, capture and release, ten days ago


def test_an_invalid_filter_is_explained_beside_its_field_and_left_out(client_for, admin_user, history):
    response = client_for(admin_user).get(URL, {"date_from": "yesterday", "kind": "refund", "member": "999999"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a date like 2026-11-03." in html
    assert "Select a valid choice. refund is not one of the available choices." in html
    assert "That person is not a member of this team." in html
    assert "Some filters could not be applied" in html
    assert _rows(response) == 8


def test_an_end_date_before_the_start_date_is_refused(client_for, admin_user, history):
    response = client_for(admin_user).get(URL, {"date_from": "2026-03-10", "date_to": "2026-03-01"})

    assert "The end date is before the start date." in response.content.decode()


def test_a_member_of_another_team_is_not_a_choice(client_for, admin_user, outsider, history):
    response = client_for(admin_user).get(URL, {"member": outsider.pk})

    html = response.content.decode()
    member_choices = re.search(r'<select name="member".*?</select>', html, re.S).group(0)
    assert "That person is not a member of this team." in html
    assert outsider.email not in member_choices


def test_another_teams_entries_never_show(client_for, admin_user, team, other_team):
    grant(other_team, 77, memo="Rival top-up")

    response = client_for(admin_user).get(URL)

    assert "Rival top-up" not in response.content.decode()
    assert "The ledger is empty." in response.content.decode()


def test_filters_that_match_nothing_say_so(client_for, admin_user, history):
    response = client_for(admin_user).get(URL, {"model": "openai:gpt-image-1-mini"})

    assert "No entries match these filters." in response.content.decode()


def test_it_shows_50_entries_a_page_with_links_that_keep_the_filters(client_for, admin_user, team):
    for _ in range(60):
        grant(team, 1)

    first = client_for(admin_user).get(URL, {"kind": "grant"})
    second = client_for(admin_user).get(URL, {"kind": "grant", "page": 2})
    nonsense = client_for(admin_user).get(URL, {"page": "last-one"})

    assert _rows(first) == 50 and _rows(second) == 10
    assert "Page 1 of 2" in first.content.decode()
    assert f"{URL}?kind=grant&amp;page=2" in first.content.decode()
    assert first.context["totals"]["grant"] == 60
    assert nonsense.status_code == 200


def test_an_htmx_request_swaps_only_the_filters_and_rows(client_for, admin_user, history):
    response = client_for(admin_user).get(URL, {"kind": "grant"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith(f'<div id="team-{history.pk}-ledger"')
    assert "<html" not in html
    assert _rows(response) == 3
