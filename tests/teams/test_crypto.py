import pytest
from cryptography.fernet import Fernet

from studio.teams import crypto

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_a_key_round_trips_and_its_ciphertext_does_not_contain_it(settings):
    settings.POSTFRAME_FERNET_KEYS = [NEW]
    ciphertext = crypto.encrypt("sk-plain-secret")
    assert b"sk-plain-secret" not in ciphertext
    assert crypto.decrypt(ciphertext) == "sk-plain-secret"


def test_the_first_key_encrypts_and_every_key_decrypts(settings):
    settings.POSTFRAME_FERNET_KEYS = [OLD]
    old_ciphertext = crypto.encrypt("sk-old")
    settings.POSTFRAME_FERNET_KEYS = [NEW, OLD]
    assert crypto.decrypt(old_ciphertext) == "sk-old"
    assert Fernet(NEW).decrypt(crypto.encrypt("sk-new")) == b"sk-new"


def test_rotation_re_encrypts_with_the_first_key(settings):
    settings.POSTFRAME_FERNET_KEYS = [OLD]
    old_ciphertext = crypto.encrypt("sk-rotate")
    settings.POSTFRAME_FERNET_KEYS = [NEW, OLD]
    rotated = crypto.rotate(old_ciphertext)
    assert Fernet(NEW).decrypt(rotated) == b"sk-rotate"


def test_missing_fernet_keys_are_a_clear_error(settings):
    settings.POSTFRAME_FERNET_KEYS = []
    with pytest.raises(crypto.KeyStoreError, match="POSTFRAME_FERNET_KEYS"):
        crypto.encrypt("sk")


def test_a_malformed_fernet_key_is_named(settings):
    settings.POSTFRAME_FERNET_KEYS = [NEW, "not-a-key"]
    with pytest.raises(crypto.KeyStoreError, match="number 2"):
        crypto.encrypt("sk")
