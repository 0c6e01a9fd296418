"""Wrong passwords lock the account being guessed, not every colleague signing in through the same address.

The test settings switch allauth's rate limits off; these tests put the studio's own limits (base settings) back.
"""

import random
import uuid

import pytest
from django.contrib.auth import get_user_model

from studio.settings import base

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
# More than allauth's default per-IP allowance (10 a minute), which locked out a whole office behind one proxy.
FAILED_ATTEMPTS = 12


@pytest.fixture(autouse=True)
def _studio_rate_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS


@pytest.fixture
def office_ip():
    """One address per run: the limits live in Redis, so an earlier run must not count against this one."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def _person(name):
    email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)
    return email


def _sign_in(client, email, password, ip):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=ip)


def test_after_many_wrong_passwords_for_alice_bob_from_the_same_address_still_signs_in(client, office_ip):
    alice, bob = _person("alice"), _person("bob")
    for _ in range(FAILED_ATTEMPTS):
        _sign_in(client, alice, "not her password", office_ip)

    response = _sign_in(client, bob, PASSWORD, office_ip)

    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_alice_is_told_to_wait_even_with_her_right_password(client, office_ip):
    alice = _person("alice")
    for _ in range(FAILED_ATTEMPTS):
        _sign_in(client, alice, "not her password", office_ip)

    response = _sign_in(client, alice, PASSWORD, office_ip)

    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert not client.session.get("_auth_user_id")


def test_a_few_wrong_passwords_do_not_lock_anyone(client, office_ip):
    alice = _person("alice")
    for _ in range(4):
        _sign_in(client, alice, "not her password", office_ip)

    assert _sign_in(client, alice, PASSWORD, office_ip).status_code == 302
