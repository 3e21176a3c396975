"""Encryption of secrets at rest: MultiFernet over SILTA_ENCRYPTION_KEYS.

The first key encrypts; every key decrypts, so keys rotate by putting a new one
first and running `manage.py reencrypt_secrets` before the old one is dropped.
"""

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with any configured key."""


@functools.cache
def _fernet() -> MultiFernet:
    keys = settings.SILTA_ENCRYPTION_KEYS
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "SILTA_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64-encoded bytes)."
        ) from exc


@receiver(setting_changed)
def _forget_keys(setting, **kwargs):
    if setting == "SILTA_ENCRYPTION_KEYS":
        _fernet.cache_clear()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "A stored secret cannot be decrypted: is the key that encrypted it "
            "still listed in SILTA_ENCRYPTION_KEYS?"
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a stored token with the newest key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("A stored secret cannot be decrypted with any configured key.") from exc
