"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile:
64 MiB, t=3, p=4)."""

from __future__ import annotations

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10

_hasher: PasswordHasher
# Verified against when the user is unknown, so both answers take the same time.
_DUMMY_HASH: str


def use_parameters(parameters: Parameters) -> None:
    """Hash and verify with ``parameters`` from now on, in this process only.

    The app uses the defaults below. The test suite calls this with argon2's CHEAPEST
    profile: at the defaults every one of its hundreds of logins spends a tenth of a second in
    argon2. tests/test_passwords.py checks a new process hashes with the defaults."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher.from_parameters(parameters)
    _DUMMY_HASH = _hasher.hash("nattvandring-timing-equaliser")


use_parameters(profiles.RFC_9106_LOW_MEMORY)  # argon2-cffi's own defaults


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
