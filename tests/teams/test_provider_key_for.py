import pytest

from studio.teams import crypto
from studio.teams.models import ProviderKey
from studio.teams.selectors import KlingKey, provider_key_for
from tests.teams.factories import ProviderKeyFactory

pytestmark = pytest.mark.django_db


def test_it_returns_the_teams_own_key_decrypted(team, settings):
    settings.OPENAI_API_KEY = "sk-instance"
    ProviderKeyFactory(team=team, provider="openai", secret="sk-team-own-key")
    assert provider_key_for(team=team, provider="openai") == "sk-team-own-key"


def test_it_falls_back_to_the_instance_key(team, settings):
    settings.ARK_API_KEY = "ark-instance-key"
    assert provider_key_for(team=team, provider="ark") == "ark-instance-key"


def test_kling_falls_back_to_the_instance_pair_only_when_both_halves_are_set(team, settings):
    settings.KLING_ACCESS_KEY, settings.KLING_SECRET_KEY = "ak-instance", "sk-instance-secret"
    assert provider_key_for(team=team, provider="kling") == KlingKey("ak-instance", "sk-instance-secret")
    settings.KLING_SECRET_KEY = ""
    assert provider_key_for(team=team, provider="kling") is None


def test_the_teams_kling_pair_comes_back_as_both_keys(team, settings):
    settings.KLING_ACCESS_KEY, settings.KLING_SECRET_KEY = "ak-instance", "sk-instance-secret"
    ProviderKeyFactory(team=team, provider="kling", secret=KlingKey("ak-team-1234", "sk-team-secret").to_json())
    keys = provider_key_for(team=team, provider="kling")
    assert keys == KlingKey("ak-team-1234", "sk-team-secret")
    assert "sk-team-secret" not in repr(keys)


def test_a_kling_key_stored_as_a_single_string_is_reported_not_used(team):
    ProviderKeyFactory(team=team, provider="kling", secret="just-one-old-key")
    with pytest.raises(crypto.KeyStoreError, match="access key and secret key"):
        provider_key_for(team=team, provider="kling")


def test_it_returns_none_when_there_is_no_key_at_all(team, settings):
    settings.ARK_API_KEY = ""
    assert provider_key_for(team=team, provider="ark") is None


def test_it_never_hands_out_another_teams_key(team, other_team, settings):
    settings.OPENAI_API_KEY = ""
    ProviderKeyFactory(team=other_team, provider="openai", secret="sk-theirs")
    assert provider_key_for(team=team, provider="openai") is None


def test_an_unreadable_key_raises_a_clear_error_instead_of_billing_the_instance(team, settings):
    settings.OPENAI_API_KEY = "sk-instance"
    ProviderKeyFactory(team=team, provider="openai", secret="sk-team")
    ProviderKey.objects.filter(team=team).update(ciphertext=b"garbage")
    with pytest.raises(crypto.KeyStoreError, match="cannot be decrypted"):
        provider_key_for(team=team, provider="openai")
