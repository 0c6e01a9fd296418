import pytest

from studio.core.models import AuditEntry
from studio.teams.models import ProviderKey
from tests.teams.factories import ProviderKeyFactory

pytestmark = pytest.mark.django_db

SECRET = "sk-proj-VerySecretValue-1a2b"


def set_key(client, provider="openai", key=SECRET):
    return client.post("/team/keys/set/", {"provider": provider, f"{provider}-api_key": key})


def test_an_admin_saves_a_key_that_is_encrypted_at_rest(client_for, admin_user, team):
    response = set_key(client_for(admin_user))
    assert response.status_code == 302
    stored = ProviderKey.objects.get(team=team, provider="openai")
    assert stored.last_four == "1a2b"
    assert SECRET.encode() not in bytes(stored.ciphertext)
    assert b"VerySecretValue" not in bytes(stored.ciphertext)


def test_the_page_never_shows_a_saved_key_only_its_last_four_and_who_set_it(client_for, admin_user, team):
    client = client_for(admin_user)
    set_key(client)
    body = client.get("/team/keys/").content.decode()
    assert SECRET not in body and "VerySecretValue" not in body
    assert "•••• 1a2b" in body
    assert admin_user.email in body
    assert "Replace key" in body and "Remove" in body


def test_the_audit_log_names_the_key_by_its_last_four_only(client_for, admin_user, team):
    set_key(client_for(admin_user))
    entry = AuditEntry.objects.get(team=team, action="key.set")
    assert "OpenAI key ending 1a2b" in entry.summary
    assert SECRET not in entry.summary and SECRET not in str(entry.detail)


def test_replacing_a_key_keeps_one_row(client_for, admin_user, team):
    client = client_for(admin_user)
    set_key(client)
    set_key(client, key="sk-another-secret-9f9f")
    assert ProviderKey.objects.filter(team=team, provider="openai").count() == 1
    assert ProviderKey.objects.get(team=team, provider="openai").last_four == "9f9f"
    assert AuditEntry.objects.filter(team=team, action="key.set", summary__contains="replaced").exists()


def test_a_key_with_spaces_is_refused_next_to_its_field(client_for, admin_user, team):
    response = set_key(client_for(admin_user), provider="kling", key="two words here")
    assert response.status_code == 400
    body = response.content.decode()
    assert "A key has no spaces or line breaks" in body
    assert "two words here" not in body
    assert not ProviderKey.objects.exists()


def test_an_empty_key_is_refused(client_for, admin_user):
    assert "Paste the key." in set_key(client_for(admin_user), key="").content.decode()
    assert not ProviderKey.objects.exists()


def test_an_unknown_provider_is_refused(client_for, admin_user):
    client = client_for(admin_user)
    client.post("/team/keys/set/", {"provider": "acme", "acme-api_key": SECRET})
    assert not ProviderKey.objects.exists()
    assert "Unknown provider." in client.get("/team/keys/").content.decode()


def test_an_admin_removes_a_key(client_for, admin_user, team):
    ProviderKeyFactory(team=team, provider="ark", secret="ark-secret-7777")
    client = client_for(admin_user)
    assert client.post("/team/keys/remove/", {"provider": "ark"}).status_code == 302
    assert not ProviderKey.objects.filter(team=team).exists()
    assert "Ark (Seedance) key ending 7777" in AuditEntry.objects.get(team=team, action="key.removed").summary


def test_without_a_team_key_the_instance_key_is_named(client_for, admin_user, settings):
    settings.OPENAI_API_KEY = "sk-instance-key-0000"
    settings.KLING_ACCESS_KEY = settings.KLING_SECRET_KEY = ""
    body = client_for(admin_user).get("/team/keys/").content.decode()
    assert "Using the instance key" in body
    assert "sk-instance-key-0000" not in body
    assert "No key yet" in body


def test_storing_a_key_without_fernet_keys_says_what_the_operator_must_do(client_for, admin_user, settings):
    settings.POSTFRAME_FERNET_KEYS = []
    body = set_key(client_for(admin_user)).content.decode()
    assert "POSTFRAME_FERNET_KEYS" in body
    assert not ProviderKey.objects.exists()


def test_a_key_of_another_team_is_neither_shown_nor_removed(client_for, admin_user, other_team):
    ProviderKeyFactory(team=other_team, provider="openai", secret="sk-theirs-abcd")
    client = client_for(admin_user)
    assert "abcd" not in client.get("/team/keys/").content.decode()
    client.post("/team/keys/remove/", {"provider": "openai"})
    assert ProviderKey.objects.filter(team=other_team).exists()


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_non_admins_get_403(client_for, make_member, role):
    client = client_for(make_member(role))
    assert client.get("/team/keys/").status_code == 403
    assert set_key(client).status_code == 403
    assert not ProviderKey.objects.exists()
