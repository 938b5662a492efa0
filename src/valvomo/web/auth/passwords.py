"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile).

Only the hash is ever stored. Verifying an unknown username still costs one
argon2 verification, so response times do not reveal which usernames exist.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# A hash of a random string nobody knows, verified when the username is unknown.
_DUMMY_HASH = _hasher.hash("valvomo-timing-equaliser-7f3c")

MIN_PASSWORD_LENGTH = 10


class PasswordPolicyError(ValueError):
    """The password does not meet the minimum policy."""


def check_password_policy(password: str) -> None:
    """Refuse passwords shorter than ``MIN_PASSWORD_LENGTH`` characters."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash is checked against a dummy one."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash uses older parameters than the current defaults."""
    return _hasher.check_needs_rehash(password_hash)
