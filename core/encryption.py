"""Encryption at rest for health details (Fernet: AES-128-CBC with an HMAC, from cryptography).

Every department that stores health information uses it: the health-fund enquiry's question,
referral and answer (insurance/), the booking's description of the problem (consultations/).
Keys come from FIELD_ENCRYPTION_KEYS: the first encrypts, every one decrypts, so a key is
rotated by putting the new one first; a row is re-encrypted with it whenever it is saved. A
value encrypted here is opaque in the database: it can be neither searched nor sorted, which
is intended.
"""

import base64
import binascii
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

# A Fernet token is url-safe base64 of: version byte 0x80, 8-byte time, 16-byte IV, at
# least one 16-byte block of ciphertext, 32-byte HMAC.
_FERNET_VERSION = 0x80
_SHORTEST_TOKEN = 1 + 8 + 16 + 16 + 32


@lru_cache(maxsize=1)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_bytes(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    return fernet().decrypt(token)


def opens(value: str) -> bool:
    """Whether `value` is a token that FIELD_ENCRYPTION_KEYS open (data migrations use it to
    tell what is encrypted already from what is still plain text)."""
    try:
        decrypt_bytes(value.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def looks_like_token(value: str) -> bool:
    """Whether `value` has the shape of a Fernet token, whatever key made it. A token that
    does not open is encrypted with a key no longer configured, not plain text."""
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return False
    return len(raw) >= _SHORTEST_TOKEN and raw[0] == _FERNET_VERSION


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


def seal(text: str) -> str:
    """`text` encrypted into a URL-safe token: for what a link must carry but no access log,
    proxy or browser history may read (the size a customer asked their fund about)."""
    return encrypt_bytes(text.encode()).decode("ascii")


def unseal(token: str) -> str:
    """What `seal` made, or "" for anything else (made up, altered, or another key's)."""
    try:
        return decrypt_bytes(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        return ""
