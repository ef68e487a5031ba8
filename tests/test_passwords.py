"""Password hashing: argon2id at the library's defaults wherever the app runs."""

from __future__ import annotations

import subprocess
import sys

from argon2 import PasswordHasher

from nattvandring.passwords import hash_password, needs_rehash, verify_password

# argon2-cffi's defaults (RFC 9106's low-memory profile).
DEFAULTS = "$argon2id$v=19$m=65536,t=3,p=4$"


def test_a_new_process_hashes_with_the_defaults():
    """The suite hashes with the cheapest parameters (tests/support/plugin.py); a server,
    worker or CLI process, which never calls use_parameters, must not, and a hash stored at
    argon2-cffi's defaults needs no rehash there."""
    code = (
        "from argon2 import PasswordHasher\n"
        "from nattvandring.passwords import hash_password, needs_rehash\n"
        "print(hash_password('x'), needs_rehash(PasswordHasher().hash('x')))"
    )
    made, rehash = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    assert made.startswith(DEFAULTS)
    assert rehash == "False"
    assert not hash_password("x").startswith(DEFAULTS)  # the suite's own


def test_a_hash_made_with_other_parameters_verifies_and_asks_for_a_rehash():
    stored = PasswordHasher().hash("correct-horse-battery")  # as a server stored it
    assert verify_password(stored, "correct-horse-battery")
    assert not verify_password(stored, "wrong-horse-battery")
    assert needs_rehash(stored)
    assert not needs_rehash(hash_password("correct-horse-battery"))


def test_no_hash_and_a_broken_hash_never_verify():
    assert not verify_password(None, "anything-at-all")
    assert not verify_password("not-a-hash", "anything-at-all")
