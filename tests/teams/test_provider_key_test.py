"""The "Test connection" button, against a tiny local HTTP server answering 200 or 401."""

import jwt
import pytest

from studio.teams.models import ProviderKey
from studio.teams.selectors import KlingKey
from tests.teams.conftest import GOOD_KEY
from tests.teams.factories import ProviderKeyFactory

pytestmark = pytest.mark.django_db


def check_connection(client, provider):
    return client.post("/team/keys/test/", {"provider": provider}, headers={"HX-Request": "true"})


def test_openai_accepting_the_key_is_reported_as_connected(client_for, admin_user, team, fake_provider, settings):
    settings.OPENAI_BASE_URL = fake_provider.url + "/v1"
    ProviderKeyFactory(team=team, provider="openai", secret=GOOD_KEY)
    response = check_connection(client_for(admin_user), "openai")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="provider-openai-test"' in body
    assert "Connected: OpenAI accepted the key." in body
    assert fake_provider.requests[0]["path"] == "/v1/models"
    assert fake_provider.requests[0]["authorization"] == f"Bearer {GOOD_KEY}"


def test_openai_refusing_the_key_is_reported_with_its_code(client_for, admin_user, team, fake_provider, settings):
    settings.OPENAI_BASE_URL = fake_provider.url + "/v1"
    ProviderKeyFactory(team=team, provider="openai", secret="sk-wrong-key-0000")
    body = check_connection(client_for(admin_user), "openai").content.decode()
    assert "OpenAI refused the key (401 invalid_api_key)." in body
    assert "Traceback" not in body


def test_kling_is_asked_with_a_signed_jwt_and_a_read_of_its_task_list(client_for, admin_user, team, fake_kling):
    ProviderKeyFactory(
        team=team, provider="kling", secret=KlingKey(fake_kling.access_key, fake_kling.secret_key).to_json()
    )
    body = check_connection(client_for(admin_user), "kling").content.decode()
    assert "Connected: Kling accepted the access key and secret key." in body
    request = fake_kling.requests[-1]
    assert (request.method, request.path, request.query) == (
        "GET",
        "/v1/videos/image2video",
        {"pageNum": "1", "pageSize": "1"},
    )
    claims = jwt.decode(request.headers["authorization"][7:], fake_kling.secret_key, algorithms=["HS256"])
    assert claims["iss"] == fake_kling.access_key


def test_a_wrong_kling_secret_is_reported_with_kling_s_code(client_for, admin_user, team, fake_kling):
    wrong = KlingKey(fake_kling.access_key, "not-the-secret-but-long-enough-for-hs256")
    ProviderKeyFactory(team=team, provider="kling", secret=wrong.to_json())
    body = check_connection(client_for(admin_user), "kling").content.decode()
    assert "Kling refused the keys (1002 Authorization is invalid)." in body


def test_ark_is_asked_with_a_bearer_key_and_a_read_of_its_task_list(client_for, admin_user, team, fake_ark):
    ProviderKeyFactory(team=team, provider="ark", secret=fake_ark.api_key)
    client = client_for(admin_user)
    assert "Connected: Ark accepted the key." in check_connection(client, "ark").content.decode()
    request = fake_ark.requests[-1]
    assert (request.path, request.query) == ("/api/v3/contents/generations/tasks", {"page_num": "1", "page_size": "1"})
    assert request.headers["authorization"] == f"Bearer {fake_ark.api_key}"
    ProviderKey.objects.filter(team=team).delete()
    ProviderKeyFactory(team=team, provider="ark", secret="ark-not-the-key")
    assert "Ark refused the key (401 AuthenticationError)." in check_connection(client, "ark").content.decode()


def test_an_unreachable_server_is_reported_plainly(client_for, admin_user, team, closed_port_url, settings):
    settings.KLING_BASE_URL = closed_port_url
    ProviderKeyFactory(team=team, provider="kling", secret=KlingKey("ak-good", GOOD_KEY * 3).to_json())
    body = check_connection(client_for(admin_user), "kling").content.decode()
    assert f"Could not reach {closed_port_url}: connection refused." in body


def test_an_unreachable_openai_is_reported_plainly(client_for, admin_user, team, closed_port_url, settings):
    settings.OPENAI_BASE_URL = closed_port_url + "/v1"
    ProviderKeyFactory(team=team, provider="openai", secret=GOOD_KEY)
    body = check_connection(client_for(admin_user), "openai").content.decode()
    assert f"Could not reach {closed_port_url}/v1: connection refused." in body


def test_without_a_team_key_it_tests_the_instance_key(client_for, admin_user, fake_ark, fake_kling):
    client = client_for(admin_user)
    assert "Connected: Ark accepted the key." in check_connection(client, "ark").content.decode()
    assert fake_ark.requests[0].headers["authorization"] == f"Bearer {fake_ark.api_key}"
    body = check_connection(client, "kling").content.decode()
    assert "Connected: Kling accepted the access key and secret key." in body


def test_with_no_key_at_all_it_says_there_is_nothing_to_test(client_for, admin_user, settings):
    settings.KLING_ACCESS_KEY, settings.KLING_SECRET_KEY = "ak-only-half", ""
    body = check_connection(client_for(admin_user), "kling").content.decode()
    assert "There is no Kling key to test." in body


def test_without_htmx_the_result_arrives_as_a_message(client_for, admin_user, team, fake_provider, settings):
    settings.OPENAI_BASE_URL = fake_provider.url + "/v1"
    ProviderKeyFactory(team=team, provider="openai", secret=GOOD_KEY)
    client = client_for(admin_user)
    assert client.post("/team/keys/test/", {"provider": "openai"}).status_code == 302
    assert "Connected: OpenAI accepted the key." in client.get("/team/keys/").content.decode()


def test_a_member_cannot_test_keys(client_for, member, fake_provider, settings):
    settings.ARK_BASE_URL = fake_provider.url
    settings.ARK_API_KEY = GOOD_KEY
    assert check_connection(client_for(member), "ark").status_code == 403
    assert fake_provider.requests == []


def test_a_key_that_cannot_be_decrypted_is_reported_not_crashed(client_for, admin_user, team, settings):
    ProviderKeyFactory(team=team, provider="openai", secret=GOOD_KEY)
    ProviderKey.objects.filter(team=team).update(ciphertext=b"not a fernet token")
    body = check_connection(client_for(admin_user), "openai").content.decode()
    assert "cannot be decrypted with any configured Fernet key" in body
    assert "Replace the key" in body
