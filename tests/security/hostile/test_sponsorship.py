"""Hostile input to sponsorship: sponsors, liaison invitations, agreements, enrolments,
payout runs, approving a draft and marking an approved run as paid."""

from __future__ import annotations

from datetime import date

import pytest

from nattvandring.accounts.forms import InviteForm
from nattvandring.sponsorship import locking, run_checks, services_runs
from nattvandring.sponsorship.forms import (
    AgreementEditForm,
    AgreementForm,
    EnrolForm,
    PaidForm,
    RunForm,
    SponsorForm,
)
from tests.factories import org_number
from tests.security.hostile.harness import Target, check_target
from tests.security.hostile.world import Fuzzer, World, base_world
from tests.sponsorship.conftest import agreement, walk


def build(session) -> World:
    """An agreement covering both municipalities (associations A and C enrolled) with two
    approved February walks of A, paid out by an approved February run."""
    world = base_world(session)
    ids = world.ids
    deal = agreement(session, world, enrol=("assoc_a", "assoc_c"))
    for day in (6, 7):
        walk(
            session,
            association_id=ids["assoc_a"],
            municipality_id=ids["hassleholm"],
            area_id=ids["area_h"],
            evening=date(2026, 2, day),
            birth_years=[1980, 1981, 1982],
        )
    run = services_runs.create_run(
        session,
        agreement=deal,
        period_start=date(2026, 2, 1),
        period_end=date(2026, 2, 28),
        actor_id=ids["admin"],
    )
    services_runs.approve(session, run=run, agreement=deal, actor_id=ids["admin"])
    draft = services_runs.create_run(
        session,
        agreement=deal,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 4, 30),
        actor_id=ids["admin"],
    )
    ids.update(agreement=deal.id, run=run.id, draft=draft.id)
    # What the approval page shows of the draft, which its form sends back.
    world.raw["draft_seen"] = run_checks.fingerprint(session, draft)
    # The revision the edit page shows, which its form sends back.
    world.raw["agreement_revision"] = str(locking.revision(session, deal.id))
    return world


AGREEMENT = {
    "name": "Trygghetsvandring",
    "valid_from": "2026-01-01",
    "valid_to": "2026-02-30",
    "budget": "75 000",
    "cap": "1500,50",
    "kind": "per_walk",
    "amount": "1 500",
    "packages": "10:12 000",
    "min_walkers": "3",
    "min_age": "18",
    "allocation": "by_date",
}

TARGETS = [
    Target(
        "sponsor_new",
        "sponsorship.sponsors",
        "admin",
        lambda w: "/sponsorship/sponsors",
        lambda w: {"name": "Bolaget", "org_number": org_number(4343)},
        forms=(SponsorForm,),
    ),
    Target(
        "invite_liaison",
        "sponsorship.invite_liaison",
        "admin",
        lambda w: f"/sponsorship/sponsors/{w.ids['sponsor']}/liaisons",
        lambda w: {"name": "Lisa", "email": "lisa@example.org"},
        forms=(InviteForm,),
    ),
    Target(
        "agreement_new",
        "sponsorship.agreement_new",
        "admin",
        lambda w: f"/sponsorship/sponsors/{w.ids['sponsor']}/agreements/new",
        lambda w: AGREEMENT | {"valid_to": "2026-12-31", "municipality_ids": str(w.ids["bjuv"])},
        forms=(AgreementForm,),
        values={"kind": ("per_package", "per_hour", "nonsense"), "municipality_ids": ("0",)},
    ),
    Target(
        "agreement_edit",
        "sponsorship.agreement_edit",
        "admin",
        lambda w: f"/sponsorship/agreements/{w.ids['agreement']}/edit",
        lambda w: (
            AGREEMENT
            | {
                "municipality_ids": str(w.ids["hassleholm"]),
                "terms_from": "2026-01-01",
                "confirm": "1",
                "revision": w.raw["agreement_revision"],
            }
        ),
        forms=(AgreementEditForm,),
    ),
    Target(
        "enrol",
        "sponsorship.enrol",
        "coord_h",
        lambda w: f"/sponsorship/agreements/{w.ids['agreement']}/enrolments",
        lambda w: {"association_id": str(w.ids["assoc_b"]), "joined_on": "2026-02-01"},
        forms=(EnrolForm,),
        values={"association_id": ("2147483648", str(3))},
    ),
    Target(
        "run_create",
        "sponsorship.run_create",
        "admin",
        lambda w: f"/sponsorship/agreements/{w.ids['agreement']}/runs",
        lambda w: {"period_start": "2026-03-01", "period_end": "2026-03-31"},
        forms=(RunForm,),
    ),
    Target(
        "run_approve",
        "sponsorship.run_approve",
        "liaison",
        lambda w: f"/sponsorship/runs/{w.ids['draft']}/approve",
        lambda w: {"seen": w.raw["draft_seen"]},
        tampered_only=True,  # a hidden input
    ),
    Target(
        "run_paid",
        "sponsorship.run_paid",
        "liaison",
        lambda w: f"/sponsorship/runs/{w.ids['run']}/paid",
        lambda w: {"paid_on": "2026-03-05", "reference": "LF-2026-02"},
        forms=(PaidForm,),
        values={"paid_on": ("0001-01-01", "9999-12-31")},
    ),
]


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.name)
def test_hostile_values_never_break_a_sponsorship_form(fuzz_app, target):
    check_target(Fuzzer(fuzz_app, build), target)
