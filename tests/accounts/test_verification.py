"""Codes that prove a number: derived, never stored, valid once, for a while, across a key
rotation while the old key is a fallback."""

from __future__ import annotations

from datetime import timedelta

from nattvandring import clock, tokens
from nattvandring.accounts import verification
from nattvandring.accounts.models import VerificationPurpose


def _send(db, world):
    return verification.send_code(
        db, VerificationPurpose.PHONE_CHANGE, to_e164="+46701740675", user_id=world.ids["vol_a"]
    )


def test_a_code_counts_once_and_only_while_it_is_fresh(app, world, db):
    with app.test_request_context():
        proof = _send(db, world)
        code = tokens.code_from_key(app.config["SECRET_KEY"], proof.code_key)
        assert verification.code_matches(proof, code)
        assert verification.code_matches(proof, f"{code[:3]} {code[3:]}")  # typed with a space
        assert not verification.code_matches(proof, "")
        clock.freeze(clock.utcnow() + timedelta(minutes=verification.CODE_MINUTES, seconds=1))
        assert not verification.code_matches(proof, code)
        clock.freeze(None)
        newer = _send(db, world)
        assert proof.revoked_at is not None and not verification.code_matches(proof, code)
        verification.mark_verified(newer)
        newer_code = tokens.code_from_key(app.config["SECRET_KEY"], newer.code_key)
        assert not verification.code_matches(newer, newer_code)  # used


def test_a_code_sent_before_a_key_rotation_counts_while_the_old_key_is_a_fallback(app, world, db):
    with app.test_request_context():
        proof = _send(db, world)
        old_key = app.config["SECRET_KEY"]
        code = tokens.code_from_key(old_key, proof.code_key)
        app.config["SECRET_KEY"] = "a-brand-new-secret-key-of-enough-length-1"
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]
        assert verification.code_matches(proof, code)
        app.config["SECRET_KEY_FALLBACKS"] = []
        assert not verification.code_matches(proof, code)
