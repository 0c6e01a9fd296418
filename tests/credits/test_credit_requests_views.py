"""The credit requests page and the top bar's balance: members ask, admins answer, nobody is sent to a 403."""

import re

import pytest
from django.urls import reverse

from studio.credits.models import CreditRequest
from studio.credits.selectors import wallet_for
from studio.credits.services import credit_request_create
from studio.teams.models import Membership

pytestmark = [pytest.mark.django_db, pytest.mark.operators]


URL = reverse("credit_requests")


def ask(team, user, amount=80, note=""):
    return credit_request_create(membership=Membership.objects.get(team=team, user=user), amount=amount, note=note)


def test_a_members_balance_is_plain_text_with_a_request_link_not_a_link_to_the_admin_page(client_for, member):
    html = client_for(member).get(reverse("library")).content.decode()

    assert re.search(r'<span class="credits-pill[^"]*"[^>]*><span data-testid="credits-balance">0<', html)
    assert f'href="{reverse("credits")}"' not in html
    assert f'href="{URL}"' in html and "Request credits" in html


def test_an_admins_balance_links_to_the_credits_page(client_for, admin_user):
    html = client_for(admin_user).get(reverse("library")).content.decode()
    assert re.search(rf'<a class="credits-pill" href="{reverse("credits")}"', html)


def test_a_viewer_sees_the_balance_but_no_request_action(client_for, viewer):
    html = client_for(viewer).get(reverse("library")).content.decode()
    assert 'data-testid="credits-balance"' in html and 'id="credit-request-link"' not in html


def test_a_member_sends_a_request_and_sees_it_waiting(client_for, team, member):
    client = client_for(member)
    response = client.post(URL, {"amount": "150", "note": "Launch visuals"}, follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Request sent" in html and "Launch visuals" in html and "Waiting for an answer" in html
    assert CreditRequest.objects.get(team=team, requested_by=member).amount == 150


@pytest.mark.parametrize(
    ("amount", "message"),
    [("", "Say how many credits you need."), ("0", "Ask for at least 1 credit."), ("lots", "Enter a whole number")],
)
def test_a_bad_amount_is_explained_beside_the_field_and_saves_nothing(client_for, member, amount, message):
    response = client_for(member).post(URL, {"amount": amount})

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not CreditRequest.objects.exists()


def test_a_second_request_while_one_waits_is_refused_with_a_message(client_for, team, member):
    ask(team, member)
    response = client_for(member).post(URL, {"amount": "10"})

    assert response.status_code == 422
    assert "already have a request waiting" in response.content.decode()
    assert CreditRequest.objects.count() == 1


def test_admins_see_a_badge_in_the_top_bar_on_every_page(client_for, team, member, admin_user):
    ask(team, member)
    html = client_for(admin_user).get(reverse("studio")).content.decode()
    assert re.search(r'id="credit-requests-badge"[^>]*>1 <span class="badge-label">request<', html)


def test_an_admin_grants_from_the_page_and_the_member_sees_the_answer(client, team, member, admin_user):
    credit_request = ask(team, member, amount=80)
    client.force_login(admin_user)
    page = client.get(URL).content.decode()
    assert f'id="credit-request-{credit_request.pk}"' in page

    response = client.post(reverse("credit_request_grant", args=[credit_request.pk]), {"amount": "60", "note": "Go"})
    assert response.status_code == 302
    assert wallet_for(team).balance == 60

    client.force_login(member)
    shell = client.get(reverse("library")).content.decode()
    assert 'class="credits-badge-dot">1' in shell  # an answer they have not seen yet
    mine = client.get(URL).content.decode()
    assert "Granted 60" in mine and "“Go”" in mine
    assert 'class="credits-badge-dot"' not in client.get(reverse("library")).content.decode()


def test_declining_without_a_note_shows_the_reason_beside_the_request(client_for, team, member, admin_user):
    credit_request = ask(team, member)
    response = client_for(admin_user).post(reverse("credit_request_decline", args=[credit_request.pk]), {"note": ""})

    assert response.status_code == 422
    assert "Say why in a note" in response.content.decode()
    credit_request.refresh_from_db()
    assert credit_request.status == CreditRequest.Status.OPEN


def test_a_member_cannot_grant_credits(client_for, team, member, make_member):
    credit_request = ask(team, member)
    response = client_for(make_member("member")).post(reverse("credit_request_grant", args=[credit_request.pk]))
    assert response.status_code == 403
    assert wallet_for(team).balance == 0


def test_another_teams_request_answers_404(client_for, team, member, outsider):
    credit_request = ask(team, member)
    response = client_for(outsider).post(reverse("credit_request_grant", args=[credit_request.pk]), {"amount": "5"})
    assert response.status_code == 404
    assert wallet_for(team).balance == 0


def test_the_team_pages_credits_tab_leads_a_member_to_their_requests(client_for, member):
    html = client_for(member).get(reverse("team_settings")).content.decode()
    assert f'<a href="{URL}">Credits</a>' in html
    assert f'href="{reverse("credits")}"' not in html


def test_a_team_admin_who_is_no_operator_is_offered_decline_only(client_for, team, member, make_member):
    credit_request = ask(team, member)
    page = client_for(make_member("admin")).get(URL).content.decode()
    assert f'id="credit-request-{credit_request.pk}"' in page
    assert ">Grant<" not in page and ">Decline<" in page
    assert "an operator adds them" in page
