"""Hostile input to accounts, associations, municipalities and the language switch: login,
password reset and change, invitations, association registration, profile and status."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nattvandring import tokens
from nattvandring.accounts.forms import (
    ChangePasswordForm,
    InviteForm,
    LoginForm,
    ResetRequestForm,
    SetPasswordForm,
)
from nattvandring.accounts.models import TokenPurpose
from nattvandring.associations.forms import AssociationEditForm, RegistrationForm
from nattvandring.municipalities.forms import MunicipalityForm
from tests.factories import org_number
from tests.security.conftest import invite_coordinator
from tests.security.hostile.harness import Target, check_target
from tests.security.hostile.values import OFF_SITE
from tests.security.hostile.world import Fuzzer, World, base_world


def build(session) -> World:
    world = base_world(session)
    ids = world.ids
    world.raw["reset"] = tokens.issue(
        session, TokenPurpose.PASSWORD_RESET, user_id=ids["leader_b"], ttl=timedelta(1)
    )
    world.raw["invitation"] = invite_coordinator(session, ids)
    return world


ASSOCIATION = {
    "name": "Nya föreningen",
    "org_number": org_number(4242),
    "account_type": "bankgiro",
    "account_number": "5050-1055",
    "contact_name": "Kim",
    "contact_email": "kim@example.org",
    "contact_phone": "070-123 45 67",
}
PASSWORDS = {"new_password": "another-long-password", "confirm": "another-long-password"}

TARGETS = [
    # A failed login answers 200 with the error by design (tests/accounts/test_login.py).
    Target(
        "login",
        "accounts.login",
        None,
        lambda w: "/login",
        lambda w: {"email": "coord_h@example.org", "password": "wrong-one", "remember": "y"},
        forms=(LoginForm,),
        ok_rejected=(200,),
    ),
    Target(
        "reset_request",
        "accounts.reset_request",
        None,
        lambda w: "/reset",
        lambda w: {"email": "nobody@example.org"},
        forms=(ResetRequestForm,),
    ),
    Target(
        "reset_password",
        "accounts.reset_password",
        None,
        lambda w: f"/reset/{w.raw['reset']}",
        lambda w: PASSWORDS,
        forms=(SetPasswordForm,),
    ),
    Target(
        "accept_invitation",
        "accounts.accept_invitation",
        None,
        lambda w: f"/invitation/{w.raw['invitation']}",
        lambda w: PASSWORDS,
        forms=(SetPasswordForm,),
    ),
    Target(
        "change_password",
        "accounts.change_password",
        "coord_b",
        lambda w: "/account/password",
        lambda w: {"current_password": "correct-horse-battery"} | PASSWORDS,
        forms=(ChangePasswordForm,),
    ),
    Target(
        "register",
        "associations.register",
        None,
        lambda w: "/register",
        lambda w: (
            ASSOCIATION
            | {
                "municipality_id": str(w.ids["hassleholm"]),
                "password": "a-long-enough-password",
                "confirm": "a-long-enough-password",
            }
        ),
        forms=(RegistrationForm,),
    ),
    Target(
        "association_edit",
        "associations.edit",
        "leader_a",
        lambda w: f"/associations/{w.ids['assoc_a']}/edit",
        lambda w: ASSOCIATION | {"allow_self_signup": "y"},
        forms=(AssociationEditForm,),
    ),
    # The approve/suspend buttons post a fixed status.
    Target(
        "association_status",
        "associations.change_status",
        "coord_h",
        lambda w: f"/associations/{w.ids['assoc_a']}/status",
        lambda w: {"status": "suspended"},
        tampered_only=True,
        values={"status": ("approved", "pending", "SUSPENDED")},
    ),
    Target(
        "municipality_new",
        "municipalities.admin_list",
        "admin",
        lambda w: "/admin/municipalities",
        lambda w: {"name": "Klippan"},
        forms=(MunicipalityForm,),
    ),
    Target(
        "invite_coordinator",
        "municipalities.invite_coordinator",
        "admin",
        lambda w: f"/municipalities/{w.ids['hassleholm']}/coordinators",
        lambda w: {"name": "Ny", "email": "ny@example.org"},
        forms=(InviteForm,),
    ),
    # The language buttons post the language and the page to return to.
    Target(
        "set_language",
        "web.set_language",
        None,
        lambda w: "/lang",
        lambda w: {"lang": "en", "next": "/kommun/hässleholm?month=2026-12"},
        tampered_only=True,
        values={"next": OFF_SITE, "lang": ("sv", "fr", "EN")},
    ),
    Target(
        "set_language_logged_in",
        "web.set_language",
        "leader_a",
        lambda w: "/lang",
        lambda w: {"lang": "en", "next": "/members/1/"},
        tampered_only=True,
        values={"next": OFF_SITE, "lang": ("sv", "fr", "EN")},
    ),
]


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.name)
def test_hostile_values_never_break_an_account_form(fuzz_app, target):
    check_target(Fuzzer(fuzz_app, build), target)
