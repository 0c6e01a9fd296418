"""The operators' admin: editable prices, read-only wallets with a grant form, a ledger nobody can rewrite."""

import uuid

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from studio.core.models import AuditEntry
from studio.credits.models import LedgerEntry, PriceRule, Wallet
from tests.credits.factories import grant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return UserFactory(username="ops", email="ops@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def wallet(team):
    return Wallet.objects.get(team=team)


def _grant_url(wallet):
    return reverse("admin:credits_wallet_grant", args=[wallet.pk])


def test_the_wallet_page_is_read_only_and_offers_a_grant(client_for, operator, wallet):
    response = client_for(operator).get(reverse("admin:credits_wallet_change", args=[wallet.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert _grant_url(wallet) in html
    assert 'name="balance"' not in html  # shown, not editable
    assert client_for(operator).post(reverse("admin:credits_wallet_change", args=[wallet.pk]), {"balance": 9999})
    assert Wallet.objects.get(pk=wallet.pk).balance == 0


def test_a_grant_adds_credits_and_writes_the_audit_entry_naming_the_operator(client_for, operator, team, wallet):
    client = client_for(operator)
    form = client.get(_grant_url(wallet))
    key = form.context["form"]["request_key"].value()

    response = client.post(_grant_url(wallet), {"amount": 300, "memo": "Invoice 2026-114", "request_key": key})

    assert response.status_code == 302
    assert Wallet.objects.get(pk=wallet.pk).balance == 300
    entry = LedgerEntry.objects.get(wallet=wallet, kind="grant")
    assert (entry.amount, entry.user, entry.memo) == (300, operator, "Invoice 2026-114")
    audit = AuditEntry.objects.get(team=team, action="credits.granted")
    assert audit.summary == "operator ops@example.com granted 300 credits: Invoice 2026-114"
    assert audit.actor == operator


def test_submitting_the_same_grant_form_twice_grants_once(client_for, operator, team, wallet):
    client = client_for(operator)
    data = {"amount": 50, "memo": "", "request_key": str(uuid.uuid4())}

    client.post(_grant_url(wallet), data)
    second = client.post(_grant_url(wallet), data, follow=True)

    assert Wallet.objects.get(pk=wallet.pk).balance == 50
    assert LedgerEntry.objects.filter(wallet=wallet).count() == 1
    assert AuditEntry.objects.filter(team=team, action="credits.granted").count() == 1
    assert "That grant was already made" in second.content.decode()


def test_each_new_form_gets_its_own_key_so_two_grants_both_count(client_for, operator, wallet):
    client = client_for(operator)
    for _ in range(2):
        key = client.get(_grant_url(wallet)).context["form"]["request_key"].value()
        client.post(_grant_url(wallet), {"amount": 5, "request_key": key})

    assert Wallet.objects.get(pk=wallet.pk).balance == 10


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "Grant at least 1 credit."), ("", "Say how many credits to grant."), ("ten", "Enter a whole number.")],
)
def test_a_bad_amount_is_explained_and_grants_nothing(client_for, operator, wallet, amount, message):
    response = client_for(operator).post(_grant_url(wallet), {"amount": amount, "request_key": str(uuid.uuid4())})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Wallet.objects.get(pk=wallet.pk).balance == 0
    assert not AuditEntry.objects.filter(action="credits.granted").exists()


def test_staff_without_the_grant_permission_cannot_grant(client_for, wallet):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_wallet"))

    response = client_for(staff).post(_grant_url(wallet), {"amount": 5, "request_key": str(uuid.uuid4())})

    assert response.status_code == 403
    assert Wallet.objects.get(pk=wallet.pk).balance == 0


def test_a_team_admin_who_is_not_staff_never_reaches_the_admin(client_for, admin_user, wallet):
    response = client_for(admin_user).get(_grant_url(wallet))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_ledger_entries_can_be_read_but_not_added_changed_or_deleted(client_for, operator, team):
    entry = grant(team, 10)
    client = client_for(operator)

    assert client.get(reverse("admin:credits_ledgerentry_changelist")).status_code == 200
    assert client.get(reverse("admin:credits_ledgerentry_add")).status_code == 403
    assert client.post(reverse("admin:credits_ledgerentry_change", args=[entry.pk]), {"amount": 99}).status_code == 403
    assert client.post(reverse("admin:credits_ledgerentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert LedgerEntry.objects.get(pk=entry.pk).amount == 10


def test_operators_edit_credits_right_in_the_price_list(client_for, operator):
    rules = list(PriceRule.objects.filter(model_id="openai:gpt-image-2").order_by("pk"))
    data = {
        "form-TOTAL_FORMS": len(rules),
        "form-INITIAL_FORMS": len(rules),
        "_save": "Save",
    }
    for i, rule in enumerate(rules):
        data[f"form-{i}-id"] = rule.pk
        data[f"form-{i}-credits"] = 20 if rule.tier == "4K" else rule.credits

    url = reverse("admin:credits_pricerule_changelist") + "?model_id=openai:gpt-image-2"
    response = client_for(operator).post(url, data)

    assert response.status_code == 302
    assert PriceRule.objects.get(model_id="openai:gpt-image-2", tier="4K", quality="*").credits == 20


def test_a_price_rule_must_name_a_configured_model(client_for, operator):
    response = client_for(operator).post(
        reverse("admin:credits_pricerule_add"),
        {"model_id": "openai:gpt-imag-2", "tier": "1K", "quality": "high", "credits": 7},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not PriceRule.objects.filter(model_id="openai:gpt-imag-2").exists()
