"""Staff passwords: the strength rule, and argon2id hashes (never the password itself)."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 1024
# Checked after lower-casing; a password built on one of these is refused even with digits.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012", "password1234", "passw0rd1234", "qwertyuiop12", "qwerty123456",
        "iloveyou1234", "administrator", "admin1234567", "letmein12345", "welcome12345",
        "abc123456789", "1q2w3e4r5t6y", "1qaz2wsx3edc", "zaq12wsxcde3", "woaini123456",
        "woaini1314520", "beijing12345", "beijing2024!", "tuoyu1234567", "changeme1234",
        "password", "qwertyuiop", "1234567890", "11111111", "88888888", "66666666",
    }
)  # fmt: skip
_HASHER = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile


class WeakPassword(ValueError):
    """The password would be refused; the message says why."""


def _classes(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
            any(ord(c) > 127 and c.isalpha() for c in password),
        )
    )


def check_strength(username: str, password: str) -> None:
    """Raises WeakPassword unless the password is long, mixed, personal and not common."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"the password must have at most {MAX_LENGTH} characters")
    if _classes(password) < 2:
        raise WeakPassword(
            "the password must mix at least two kinds of characters "
            "(lower case, upper case, digits, symbols)"
        )
    lowered = password.lower()
    if username and username.lower() in lowered:
        raise WeakPassword("the password must not contain the username")
    if lowered in COMMON_PASSWORDS or any(
        len(common) >= 8 and common in lowered for common in COMMON_PASSWORDS
    ):
        raise WeakPassword("the password is too common; choose another")
    if len(set(lowered)) < 5:
        raise WeakPassword("the password repeats too few characters; choose another")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


@functools.cache
def _dummy_hash() -> str:
    return hash_password("not a real password, only a timing shield")


def spend_verification_time(password: str) -> None:
    """For an unknown username: as slow as checking a real password, so timing tells nothing."""
    verify_password(_dummy_hash(), password)
