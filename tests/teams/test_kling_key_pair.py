"""Kling's two keys on the provider keys page: both required, stored encrypted together, named by the access key."""

import pytest

from studio.core.models import AuditEntry
from studio.teams.models import ProviderKey
from studio.teams.selectors import KlingKey, provider_key_for

pytestmark = pytest.mark.django_db

ACCESS = "AKkling-access-0000-7c7c"
SECRET = "kling-secret-VerySecret-9d9d"


def set_pair(client, access=ACCESS, secret=SECRET):
    return client.post("/team/keys/set/", {"provider": "kling", "kling-api_key": access, "kling-secret_key": secret})


def test_the_kling_card_asks_for_an_access_key_and_a_secret_key(client_for, admin_user):
    body = client_for(admin_user).get("/team/keys/").content.decode()
    assert 'name="kling-api_key"' in body and 'name="kling-secret_key"' in body
    assert "Kling access key" in body and "Kling secret key" in body
    assert 'name="ark-secret_key"' not in body and 'name="openai-secret_key"' not in body


def test_an_admin_saves_both_keys_encrypted_in_one_row_named_by_the_access_key(client_for, admin_user, team):
    client = client_for(admin_user)
    assert set_pair(client).status_code == 302
    stored = ProviderKey.objects.get(team=team, provider="kling")
    assert stored.last_four == "7c7c"
    assert b"VerySecret" not in bytes(stored.ciphertext) and ACCESS.encode() not in bytes(stored.ciphertext)
    assert provider_key_for(team=team, provider="kling") == KlingKey(ACCESS, SECRET)
    body = client.get("/team/keys/").content.decode()
    assert "•••• 7c7c" in body and SECRET not in body and ACCESS not in body
    entry = AuditEntry.objects.get(team=team, action="key.set")
    assert "Kling key ending 7c7c" in entry.summary and SECRET not in str(entry.detail)


def test_a_missing_secret_key_is_refused_beside_its_field_and_nothing_is_saved(client_for, admin_user, team):
    response = set_pair(client_for(admin_user), secret="")
    assert response.status_code == 400
    assert "Paste the secret key as well." in response.content.decode()
    assert not ProviderKey.objects.filter(team=team).exists()


def test_a_missing_access_key_is_refused(client_for, admin_user, team):
    response = set_pair(client_for(admin_user), access="")
    assert response.status_code == 400 and "Paste the access key." in response.content.decode()
    assert not ProviderKey.objects.filter(team=team).exists()


def test_replacing_the_pair_keeps_one_row_with_the_new_keys(client_for, admin_user, team):
    client = client_for(admin_user)
    set_pair(client)
    set_pair(client, access="AKkling-other-1111", secret="kling-secret-other-2222")
    assert ProviderKey.objects.filter(team=team, provider="kling").count() == 1
    assert provider_key_for(team=team, provider="kling") == KlingKey("AKkling-other-1111", "kling-secret-other-2222")
