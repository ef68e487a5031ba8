"""Hostile input to the forms that prove a number or an address: a new number or e-mail on
the personal page, the code that confirms it, the registration's code and an invitation to
an account that belongs to a number (code and password)."""

from __future__ import annotations

import pytest
from flask import current_app

from nattvandring import tokens
from nattvandring.accounts import verification
from nattvandring.accounts.forms import ClaimForm, CodeForm, EmailChangeForm, PhoneChangeForm
from nattvandring.accounts.invitations import invite_staff
from nattvandring.accounts.models import Role, User, VerificationPurpose
from nattvandring.associations.models import RegistrationRequest
from nattvandring.volunteers.services import personal_token
from tests.factories import org_number
from tests.security.hostile.harness import Target, check_target
from tests.security.hostile.world import NOW, Fuzzer, World, base_world

NEW_NUMBER = "+46701740687"


def _code(proof) -> str:
    return tokens.code_from_key(current_app.config["SECRET_KEY"], proof.code_key)


def build(session) -> World:
    from datetime import timedelta

    world = base_world(session)
    ids = world.ids
    secret = current_app.config["SECRET_KEY"]
    vol_a = session.get(User, ids["vol_a"])
    world.raw["personal"] = personal_token(session, vol_a, secret)
    # vol_a asked to move to a new number: the code is on its way.
    proof = verification.send_code(
        session, VerificationPurpose.PHONE_CHANGE, to_e164=NEW_NUMBER, user_id=vol_a.id
    )
    world.raw["phone_code"] = _code(proof)
    # An application whose address is proven, with its code sent.
    world.raw["registration"] = "registration-" + "h" * 40
    application = RegistrationRequest(
        municipality_id=ids["hassleholm"],
        name="Ny Förening",
        org_number=org_number(4343),
        account_type="bankgiro",
        account_number="5050-1055",
        contact_name="Ny Kontakt",
        contact_email="ny.kontakt@example.org",
        contact_phone="+46701740688",
        token_hash=tokens.hash_token(world.raw["registration"]),
        expires_at=NOW + timedelta(hours=48),
    )
    session.add(application)
    session.flush()
    proof = verification.send_code(
        session,
        VerificationPurpose.REGISTRATION,
        to_e164=application.contact_phone,
        registration_id=application.id,
    )
    world.raw["registration_code"] = _code(proof)
    # An invitation to vol_b, whose record has an address (typed by a leader) and a number.
    vol_b = session.get(User, ids["vol_b"])
    vol_b.email = "vol.b@example.org"
    _user, url = invite_staff(
        session,
        name="Vol B",
        email="vol.b@example.org",
        role=Role.COORDINATOR,
        base_url="",
        hours=24,
        municipality_id=ids["hassleholm"],
    )
    world.raw["claim"] = url.removeprefix("/invitation/")
    proof = verification.send_code(
        session, VerificationPurpose.CLAIM, to_e164=vol_b.phone_e164, user_id=vol_b.id
    )
    world.raw["claim_code"] = _code(proof)
    return world


PASSWORDS = {"new_password": "another-long-password", "confirm": "another-long-password"}

TARGETS = [
    Target(
        "contact_phone",
        "volunteers.contact_phone",
        None,
        lambda w: f"/me/{w.raw['personal']}/contact/phone",
        lambda w: {"phone": "070-174 06 89"},
        forms=(PhoneChangeForm,),
    ),
    Target(
        "contact_phone_code",
        "volunteers.contact_phone_code",
        None,
        lambda w: f"/me/{w.raw['personal']}/contact/phone/code",
        lambda w: {"code": w.raw["phone_code"]},
        forms=(CodeForm,),
        values={"code": ("000000", "1234567", "12 34 56")},
    ),
    Target(
        "contact_email",
        "volunteers.contact_email",
        None,
        lambda w: f"/me/{w.raw['personal']}/contact/email",
        lambda w: {"email": "ny.adress@example.org", "current_password": ""},
        forms=(EmailChangeForm,),
    ),
    Target(
        "register_confirm",
        "associations.register_confirm",
        None,
        lambda w: f"/register/{w.raw['registration']}",
        lambda w: {"code": w.raw["registration_code"]},
        forms=(CodeForm,),
        values={"code": ("000000", "١٢٣٤٥٦")},
    ),
    Target(
        "accept_invitation_with_code",
        "accounts.accept_invitation",
        None,
        lambda w: f"/invitation/{w.raw['claim']}",
        lambda w: {"code": w.raw["claim_code"]} | PASSWORDS,
        forms=(ClaimForm,),
    ),
]


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.name)
def test_hostile_values_never_break_a_proof_form(fuzz_app, target):
    check_target(Fuzzer(fuzz_app, build), target)
