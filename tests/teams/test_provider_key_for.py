import pytest

from studio.teams import crypto
from studio.teams.models import ProviderKey
from studio.teams.selectors import provider_key_for
from tests.teams.factories import ProviderKeyFactory

pytestmark = pytest.mark.django_db


def test_it_returns_the_teams_own_key_decrypted(team, settings):
    settings.OPENAI_API_KEY = "sk-instance"
    ProviderKeyFactory(team=team, provider="openai", secret="sk-team-own-key")
    assert provider_key_for(team=team, provider="openai") == "sk-team-own-key"


def test_it_falls_back_to_the_instance_key(team, settings):
    settings.KLING_API_KEY = "kling-instance-key"
    assert provider_key_for(team=team, provider="kling") == "kling-instance-key"


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
