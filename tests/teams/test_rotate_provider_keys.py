import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from studio.teams.models import ProviderKey
from studio.teams.selectors import provider_key_for
from tests.factories import TeamFactory
from tests.teams.factories import ProviderKeyFactory

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_it_re_encrypts_every_key_with_the_first_fernet_key(settings, capsys):
    settings.POSTFRAME_FERNET_KEYS = [OLD]
    first = ProviderKeyFactory(provider="openai", secret="sk-first-1111")
    second = ProviderKeyFactory(provider="ark", secret="ark-second-2222")
    settings.POSTFRAME_FERNET_KEYS = [NEW, OLD]
    call_command("rotate_provider_keys")
    assert "Rotated 2 provider keys" in capsys.readouterr().out
    settings.POSTFRAME_FERNET_KEYS = [NEW]  # the old key can now be retired
    assert provider_key_for(team=first.team, provider="openai") == "sk-first-1111"
    assert provider_key_for(team=second.team, provider="ark") == "ark-second-2222"
    assert Fernet(NEW).decrypt(bytes(ProviderKey.objects.get(pk=first.pk).ciphertext)) == b"sk-first-1111"


def test_it_says_when_there_is_nothing_to_rotate(capsys):
    call_command("rotate_provider_keys")
    assert "Rotated 0 provider keys" in capsys.readouterr().out


def test_a_key_no_configured_fernet_key_can_read_is_a_clear_error_and_nothing_changes(settings):
    settings.POSTFRAME_FERNET_KEYS = [OLD]
    readable = ProviderKeyFactory(provider="openai", secret="sk-readable")
    settings.POSTFRAME_FERNET_KEYS = [Fernet.generate_key().decode()]
    lost = ProviderKeyFactory(team=TeamFactory(name="Lost Keys"), provider="ark", secret="ark-lost-9999")
    before = bytes(ProviderKey.objects.get(pk=readable.pk).ciphertext)
    settings.POSTFRAME_FERNET_KEYS = [NEW, OLD]
    with pytest.raises(CommandError, match=r"Ark \(Seedance\) key ending 9999 of team Lost Keys") as error:
        call_command("rotate_provider_keys")
    assert "Nothing was rotated" in str(error.value)
    assert bytes(ProviderKey.objects.get(pk=readable.pk).ciphertext) == before
    assert ProviderKey.objects.filter(pk=lost.pk).exists()
