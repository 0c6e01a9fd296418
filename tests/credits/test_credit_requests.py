"""Members' requests for credits: asking, the admins' and operators' e-mails, granting through the ledger, declining."""

import pytest
from django.core import mail

from studio.core.models import AuditEntry
from studio.credits.models import CreditRequest, LedgerEntry
from studio.credits.selectors import credit_request_badges, wallet_for
from studio.credits.services import (
    CreditsError,
    credit_request_create,
    credit_request_decline,
    credit_request_grant,
    credit_request_withdraw,
    credit_requests_mark_seen,
)
from studio.teams.models import Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.operators]


def membership_of(user, team):
    return Membership.objects.get(user=user, team=team)


@pytest.fixture
def asked(team, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return credit_request_create(membership=membership_of(member, team), amount=120, note="Spring campaign")


def test_a_member_request_emails_the_team_admins_and_the_operators(
    team, member, admin_user, owner, settings, django_capture_on_commit_callbacks
):
    UserFactory(email="ops@example.com", is_staff=True)
    settings.ADMINS = ["oncall@example.com"]

    with django_capture_on_commit_callbacks(execute=True):
        credit_request_create(membership=membership_of(member, team), amount=120, note="Spring campaign")

    to_admins, to_operators = mail.outbox
    assert sorted(to_admins.to) == sorted([admin_user.email, owner.email])
    assert "120 credits" in to_admins.subject and "Spring campaign" in to_admins.body
    assert "/credits/requests/" in to_admins.body
    assert sorted(to_operators.to) == ["oncall@example.com", "ops@example.com"]
    assert AuditEntry.objects.filter(team=team, action="credits.requested").exists()


def test_a_second_open_request_from_the_same_member_is_refused(team, member, asked):
    with pytest.raises(CreditsError, match="already have a request waiting"):
        credit_request_create(membership=membership_of(member, team), amount=50)
    assert CreditRequest.objects.filter(team=team).count() == 1


def test_a_viewer_cannot_request_credits(team, viewer):
    with pytest.raises(CreditsError, match="Viewers cannot request credits"):
        credit_request_create(membership=membership_of(viewer, team), amount=10)
    assert not CreditRequest.objects.exists()


@pytest.mark.parametrize("amount", [0, -5, True, 1_000_001])
def test_it_refuses_an_amount_that_is_not_a_sensible_whole_number(team, member, amount):
    with pytest.raises(CreditsError):
        credit_request_create(membership=membership_of(member, team), amount=amount)
    assert not CreditRequest.objects.exists()


def test_an_admin_grant_adds_the_credits_through_the_ledger_and_tells_the_member(
    team, member, admin_user, asked, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = credit_request_grant(membership=membership_of(admin_user, team), credit_request=asked, note="Enjoy")

    assert done.status == CreditRequest.Status.GRANTED and done.granted_amount == 120
    assert wallet_for(team).balance == 120
    entry = LedgerEntry.objects.get(wallet__team=team, kind=LedgerEntry.Kind.GRANT)
    assert entry.amount == 120 and done.ledger_entry == entry and entry.user == admin_user
    (message,) = mail.outbox
    assert message.to == [member.email] and "120 credits" in message.subject and "Enjoy" in message.body


def test_an_admin_may_grant_another_amount_than_asked(team, admin_user, asked):
    credit_request_grant(membership=membership_of(admin_user, team), credit_request=asked, amount=40)
    assert wallet_for(team).balance == 40


def test_a_request_answered_twice_grants_once(team, admin_user, owner, asked):
    credit_request_grant(membership=membership_of(admin_user, team), credit_request=asked)
    stale = CreditRequest.objects.get(pk=asked.pk)
    stale.status = CreditRequest.Status.OPEN  # a second admin's page, loaded before the first answer

    with pytest.raises(CreditsError, match="already answered"):
        credit_request_grant(membership=membership_of(owner, team), credit_request=stale)
    assert wallet_for(team).balance == 120
    assert LedgerEntry.objects.filter(wallet__team=team).count() == 1


def test_a_member_cannot_answer_a_request(team, member, make_member, asked):
    other = make_member("member")
    with pytest.raises(CreditsError, match="Only the team's admins"):
        credit_request_grant(membership=membership_of(other, team), credit_request=asked)
    assert wallet_for(team).balance == 0


def test_an_admin_cannot_grant_their_own_request(team, admin_user):
    own = credit_request_create(membership=membership_of(admin_user, team), amount=30)
    with pytest.raises(CreditsError, match="your own request"):
        credit_request_grant(membership=membership_of(admin_user, team), credit_request=own)
    assert wallet_for(team).balance == 0


def test_an_admin_of_another_team_cannot_answer(team, asked, other_team):
    stranger = MembershipFactory(team=other_team, role="owner")
    with pytest.raises(CreditsError, match="another team"):
        credit_request_grant(membership=stranger, credit_request=asked)
    assert wallet_for(team).balance == 0


def test_declining_needs_a_note_and_moves_no_credits(
    team, member, admin_user, asked, django_capture_on_commit_callbacks
):
    with pytest.raises(CreditsError, match="Say why"):
        credit_request_decline(membership=membership_of(admin_user, team), credit_request=asked, note="  ")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        credit_request_decline(
            membership=membership_of(admin_user, team), credit_request=asked, note="Budget is spent until May"
        )

    asked.refresh_from_db()
    assert asked.status == CreditRequest.Status.DECLINED and asked.answer_note == "Budget is spent until May"
    assert wallet_for(team).balance == 0 and not LedgerEntry.objects.exists()
    assert mail.outbox[0].to == [member.email] and "declined" in mail.outbox[0].subject


def test_a_member_can_withdraw_an_open_request_but_not_someone_elses(team, member, make_member, asked):
    with pytest.raises(CreditsError, match="your own"):
        credit_request_withdraw(membership=membership_of(make_member("member"), team), credit_request=asked)
    credit_request_withdraw(membership=membership_of(member, team), credit_request=asked)
    assert not CreditRequest.objects.exists()


def test_badges_count_open_requests_for_admins_and_unseen_answers_for_the_member(team, member, admin_user, asked):
    assert credit_request_badges(membership_of(admin_user, team)) == {"open": 1, "answered": 0}
    assert credit_request_badges(membership_of(member, team)) == {"open": 0, "answered": 0}

    credit_request_grant(membership=membership_of(admin_user, team), credit_request=asked)
    assert credit_request_badges(membership_of(admin_user, team)) == {"open": 0, "answered": 0}
    assert credit_request_badges(membership_of(member, team)) == {"open": 0, "answered": 1}

    credit_requests_mark_seen(membership=membership_of(member, team))
    assert credit_request_badges(membership_of(member, team))["answered"] == 0


def test_a_team_admin_who_is_no_operator_cannot_mint_credits(team, member, make_member, asked):
    plain_admin = make_member("admin")
    with pytest.raises(CreditsError, match="only an operator can add them"):
        credit_request_grant(membership=membership_of(plain_admin, team), credit_request=asked)
    asked.refresh_from_db()
    assert asked.status == CreditRequest.Status.OPEN
    assert wallet_for(team).balance == 0
    credit_request_decline(membership=membership_of(plain_admin, team), credit_request=asked, note="Not this month")
    asked.refresh_from_db()
    assert asked.status == CreditRequest.Status.DECLINED
