import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _sign_up(client, email="lena@example.com"):
    return client.post("/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}, follow=True)


def test_signing_up_logs_in_and_asks_for_a_first_team(client):
    response = _sign_up(client)
    assert response.redirect_chain[-1][0] == "/teams/new/"
    assert get_user_model().objects.filter(email="lena@example.com").exists()


def test_signing_up_sends_an_email_to_confirm_the_address(client):
    _sign_up(client)
    assert len(mail.outbox) == 1
    assert "lena@example.com" in mail.outbox[0].to
    assert re.search(r"/accounts/confirm-email/\S+", mail.outbox[0].body)


def test_a_weak_password_is_refused_next_to_the_field_and_no_account_is_made(client):
    response = client.post("/accounts/signup/", {"email": "weak@example.com", "password1": "123", "password2": "123"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not get_user_model().objects.filter(email="weak@example.com").exists()


def test_logging_in_with_the_wrong_password_says_so(client):
    _sign_up(client)
    client.logout()
    response = client.post("/accounts/login/", {"login": "lena@example.com", "password": "wrong password"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_password_reset_mails_a_link_that_sets_a_new_password(client):
    _sign_up(client)
    client.logout()
    mail.outbox.clear()
    client.post("/accounts/password/reset/", {"email": "lena@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://[^/]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    new_password = "a brand new passphrase 42"
    client.post(form_page.redirect_chain[-1][0], {"password1": new_password, "password2": new_password})
    client.logout()
    assert client.post("/accounts/login/", {"login": "lena@example.com", "password": PASSWORD}).status_code == 200
    assert client.post("/accounts/login/", {"login": "lena@example.com", "password": new_password}).status_code == 302


def test_logging_out_takes_a_post(client):
    _sign_up(client)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").url.startswith("/accounts/login/")
