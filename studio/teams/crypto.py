"""Encryption at rest for provider keys: Fernet keys from settings, the first encrypts, all decrypt."""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class KeyStoreError(Exception):
    """Provider keys cannot be encrypted or read with the configured Fernet keys; the message says why."""


def _multi_fernet():
    keys = [key for key in settings.POSTFRAME_FERNET_KEYS if key]
    if not keys:
        raise KeyStoreError(
            "Provider keys cannot be stored: the operator has not set POSTFRAME_FERNET_KEYS "
            "(generate one with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())'`)."
        )
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError as exc:
            raise KeyStoreError(
                f"Fernet key number {position} in POSTFRAME_FERNET_KEYS is not a valid key "
                "(32 url-safe base64-encoded bytes)."
            ) from exc
    return MultiFernet(fernets)


def encrypt(plaintext):
    return _multi_fernet().encrypt(plaintext.encode())


def decrypt(ciphertext):
    try:
        return _multi_fernet().decrypt(bytes(ciphertext)).decode()
    except InvalidToken as exc:
        raise KeyStoreError("A stored provider key cannot be decrypted with any configured Fernet key.") from exc


def rotate(ciphertext):
    """The same secret, encrypted again with the first configured Fernet key."""
    try:
        return _multi_fernet().rotate(bytes(ciphertext))
    except InvalidToken as exc:
        raise KeyStoreError("A stored provider key cannot be decrypted with any configured Fernet key.") from exc
