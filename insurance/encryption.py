"""Encryption at rest for health details (Fernet: AES-128-CBC with an HMAC, from cryptography).

Keys come from FIELD_ENCRYPTION_KEYS: the first encrypts, every one decrypts, so a key is
rotated by putting the new one first; a row is re-encrypted with it whenever it is saved. A
value encrypted here is opaque in the database: it can be neither searched nor sorted, which
is intended.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=1)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_bytes(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    return fernet().decrypt(token)


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token. Empty text is stored empty (it says nothing)."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt_bytes(value.encode()).decode("ascii")

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        try:
            return decrypt_bytes(value.encode("ascii")).decode()
        except InvalidToken as error:
            raise ValueError("Encrypted value does not open with FIELD_ENCRYPTION_KEYS") from error
