"""Sponsorship pages: who may do what, what they see, and what is stored."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, delete, select

from nattvandring import clock
from nattvandring.accounts.models import Membership, Role
from nattvandring.errors import RuleViolation
from nattvandring.sponsorship.models import (
    AgreementAssociation,
    PayoutLine,
    PayoutRun,
    RunStatus,
    Sponsor,
    SponsorAgreement,
)
from tests.factories import org_number
from tests.support.identity import mailed_link

from .conftest import agreement as make_agreement
from .conftest import approve_from_page
from .conftest import login_as as login

pytestmark = pytest.mark.usefixtures("world")


def test_admin_creates_sponsor_and_invites_liaison(client, db, world):
    login(client, world.emails["admin"])
    bad = client.post("/sponsorship/sponsors", data={"name": "X", "org_number": "123"})
    assert bad.status_code == 422
    assert "Ogiltigt organisationsnummer" in bad.get_data(as_text=True)
    number = org_number(777)
    ok = client.post(
        "/sponsorship/sponsors",
        data={"name": "Folksam Skåne", "org_number": number.replace("-", "")},
    )
    assert ok.status_code == 302
    sponsor = db.exec(select(Sponsor).where(Sponsor.name == "Folksam Skåne")).one()
    assert sponsor.org_number == number
    invited = client.post(
        f"/sponsorship/sponsors/{sponsor.id}/liaisons",
        data={"name": "Lisa Liaison", "email": "lisa@example.org"},
    )
    assert invited.status_code == 302
    assert (
        "Lisa Liaison (lisa@example.org)" in client.get(f"/sponsorship/sponsors/{sponsor.id}").text
    )
    db.rollback()
    # The role is offered, not given: it is Lisa's when she accepts by the e-mailed link.
    assert db.exec(select(Membership).where(Membership.sponsor_id == sponsor.id)).all() == []
    client.post("/logout")
    link = mailed_link(db, "invitation", to="lisa@example.org")
    password = {"new_password": "lisas-own-password", "confirm": "lisas-own-password"}
    assert client.post(link, data=password).status_code == 302
    db.rollback()
    membership = db.exec(select(Membership).where(Membership.sponsor_id == sponsor.id)).one()
    assert membership.role == Role.SPONSOR_LIAISON


@pytest.mark.parametrize("who", ["coord_h", "liaison", "leader_a"])
def test_sponsor_admin_is_admin_only(client, world, who):
    login(client, world.emails[who])
    assert client.get("/sponsorship/sponsors").status_code == 403


def _agreement_form(world, **extra):
    data = {
        "name": "Trygghetsvandring",
        "valid_from": "2026-01-01",
        "valid_to": "",
        "municipality_ids": [world.ids["hassleholm"]],
        "budget": "75 000",
        "cap": "1500,50",
        "kind": "per_walk",
        "amount": "1 500",
        "packages": "",
        "min_walkers": "3",
        "min_age": "18",
    }
    data.update(extra)
    return data


def test_agreement_form_takes_kronor_and_defaults_to_three_years(client, db, world):
    login(client, world.emails["admin"])
    url = f"/sponsorship/sponsors/{world.ids['sponsor']}/agreements/new"
    bad = client.post(url, data=_agreement_form(world, budget="75 000 000,123"))
    assert bad.status_code == 422
    assert "Skriv ett belopp i kronor" in bad.get_data(as_text=True)
    ok = client.post(url, data=_agreement_form(world))
    assert ok.status_code == 302
    row = db.exec(select(SponsorAgreement)).one()
    assert (row.budget_ore, row.cap_per_association_year_ore) == (7_500_000, 150_050)
    assert row.valid_to == date(2028, 12, 31)
    assert row.rule == {
        "kind": "per_walk",
        "amount_ore": 150_000,
        "min_walkers": 3,
        "min_age": 18,
        "packages": [],
    }
    page = client.get(f"/sponsorship/agreements/{row.id}").get_data(as_text=True)
    assert "1 500 kr per godkänd vandring; minst 3 vandrare, 18 år eller äldre" in page


def test_an_agreement_from_year_1_to_9999_is_refused(client, db, world):
    login(client, world.emails["admin"])
    url = f"/sponsorship/sponsors/{world.ids['sponsor']}/agreements/new"
    refused = client.post(
        url, data=_agreement_form(world, valid_from="0001-01-01", valid_to="9999-12-31")
    )
    assert refused.status_code == 422
    assert "Ange ett datum mellan 2000-01-01 och 2100-12-31." in refused.get_data(as_text=True)
    db.rollback()
    assert db.exec(select(SponsorAgreement)).all() == []


def test_the_agreement_service_refuses_dates_outside_the_window(db, world):
    with pytest.raises(RuleViolation) as caught:
        make_agreement(db, world, valid_from=date(1, 1, 1))
    assert (caught.value.code, caught.value.field) == ("date_out_of_window", "valid_from")


def test_package_rule_from_form(client, db, world):
    login(client, world.emails["admin"])
    url = f"/sponsorship/sponsors/{world.ids['sponsor']}/agreements/new"
    response = client.post(
        url,
        data=_agreement_form(world, kind="per_package", amount="", packages="10:12 000, 5:5000"),
    )
    assert response.status_code == 302
    row = db.exec(select(SponsorAgreement)).one()
    assert row.rule["packages"] == [[10, 1_200_000], [5, 500_000]]


def test_coordinator_enrols_only_own_municipality(client, db, world):
    deal = make_agreement(db, world, enrol=())
    db.commit()
    login(client, world.emails["coord_h"])
    page = client.get(f"/sponsorship/agreements/{deal.id}").get_data(as_text=True)
    assert "IFK Hässleholm" in page and "Bjuvs IF" not in page
    refused = client.post(
        f"/sponsorship/agreements/{deal.id}/enrolments",
        data={"association_id": world.ids["assoc_c"], "joined_on": "2026-02-01"},
    )
    assert refused.status_code == 422
    ok = client.post(
        f"/sponsorship/agreements/{deal.id}/enrolments",
        data={"association_id": world.ids["assoc_a"], "joined_on": "2026-02-01"},
    )
    assert ok.status_code == 302
    db.rollback()
    rows = db.exec(select(AgreementAssociation)).all()
    assert [(r.association_id, r.joined_on) for r in rows] == [
        (world.ids["assoc_a"], date(2026, 2, 1))
    ]


def test_agreement_pages_by_role_and_tenant(client, db, world):
    deal = make_agreement(db, world, municipalities=("bjuv",), enrol=("assoc_c",))
    db.commit()
    login(client, world.emails["coord_h"])  # Hässleholm is not covered
    assert client.get(f"/sponsorship/agreements/{deal.id}").status_code == 404
    login(client, world.emails["coord_b"])
    assert client.get(f"/sponsorship/agreements/{deal.id}").status_code == 200
    assert client.get(f"/sponsorship/agreements/{deal.id}/edit").status_code == 200
    login(client, world.emails["liaison"])
    assert client.get(f"/sponsorship/agreements/{deal.id}").status_code == 200
    # the sponsor's liaison changes the sponsor's terms (tests/sponsorship/test_terms_views.py)
    assert client.get(f"/sponsorship/agreements/{deal.id}/edit").status_code == 200
    login(client, world.emails["leader_c"])
    assert client.get("/sponsorship/agreements").status_code == 403
    assert client.get(f"/sponsorship/agreements/{deal.id}").status_code == 404


def test_liaison_runs_approves_and_pays(client, db, world, place):
    from .conftest import walk

    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    deal = make_agreement(db, world)
    for day in (6, 7):
        walk(db, **place["assoc_a"], evening=date(2026, 3, day), birth_years=[1980, 1981, 1982])
    db.commit()
    clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
    login(client, world.emails["liaison"])
    created = client.post(
        f"/sponsorship/agreements/{deal.id}/runs",
        data={"period_start": "2026-03-01", "period_end": "2026-03-31"},
    )
    assert created.status_code == 302
    run_id = int(created.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/sponsorship/runs/{run_id}").get_data(as_text=True)
    assoc_a = db.exec(
        select(PayoutLine).where(
            PayoutLine.run_id == run_id, PayoutLine.association_id == world.ids["assoc_a"]
        )
    ).one()
    assert assoc_a.org_number in page
    assert f"Bankgiro {assoc_a.account_number}" in page
    assert "2 godkända vandringar × 1 500 kr" in page
    assert "3 000 kr" in page
    assert approve_from_page(client, run_id).status_code == 302
    assert client.post(f"/sponsorship/runs/{run_id}/recompute").status_code == 422
    paid = client.post(
        f"/sponsorship/runs/{run_id}/paid",
        data={"paid_on": "2026-05-20", "reference": "LF-123"},
    )
    assert paid.status_code == 302
    db.rollback()
    run = db.get(PayoutRun, run_id)
    assert (run.status, run.paid_on, run.payment_reference) == (
        RunStatus.PAID,
        date(2026, 5, 20),
        "LF-123",
    )
    listing = client.get("/sponsorship/payouts").get_data(as_text=True)
    assert "Betald" in listing and "3 000 kr" in listing


def test_run_form_errors_answer_422(client, db, world):
    deal = make_agreement(db, world)
    db.commit()
    login(client, world.emails["liaison"])
    response = client.post(
        f"/sponsorship/agreements/{deal.id}/runs",
        data={"period_start": "2020-03-01", "period_end": "2020-03-31"},
    )
    assert response.status_code == 422
    assert "utanför avtalets giltighetstid" in response.get_data(as_text=True)


def test_deleting_an_approved_run_is_refused_with_a_message(app, client, world):
    """The refusal is flashed on a redirect after a rollback. It was a 500: the lazy message
    was translated only when the cookie was written, with the user row detached. (No ``db``
    fixture here: its app context would keep the locale of an earlier request cached.)"""
    from nattvandring.db import get_engine, session_scope
    from nattvandring.sponsorship import services_runs

    with app.app_context(), session_scope(get_engine(app)) as session:
        deal = make_agreement(session, world)
        run = services_runs.create_run(
            session,
            agreement=deal,
            period_start=date(2026, 3, 1),
            period_end=date(2026, 3, 31),
            actor_id=None,
        )
        services_runs.approve(session, run=run, agreement=deal, actor_id=world.ids["admin"])
        session.flush()
        run_id = run.id
    login(client, world.emails["liaison"])
    response = client.post(f"/sponsorship/runs/{run_id}/delete")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Utbetalningen är redan godkänd och kan inte ändras." in page
    with app.app_context(), session_scope(get_engine(app), write=False) as session:
        assert session.get(PayoutRun, run_id) is not None


def test_other_sponsor_and_wrong_roles(client, db, world):
    make_agreement(db, world)
    other = Sponsor(name="Annat bolag", org_number=org_number(901))
    db.add(other)
    db.flush()
    foreign = SponsorAgreement(
        sponsor_id=other.id,
        name="Annat avtal",
        valid_from=date(2026, 1, 1),
        valid_to=date(2028, 12, 31),
        rule={"kind": "per_walk", "amount_ore": 100},
    )
    db.add(foreign)
    db.flush()
    run = PayoutRun(
        agreement_id=foreign.id,
        sponsor_id=other.id,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        cutoff_at=datetime(2026, 4, 1, tzinfo=UTC),
    )
    db.add(run)
    db.commit()
    login(client, world.emails["liaison"])
    assert client.get(f"/sponsorship/runs/{run.id}").status_code == 404
    assert client.get(f"/sponsorship/runs/{run.id}/export.csv").status_code == 404
    assert client.get(f"/sponsorship/agreements/{foreign.id}").status_code == 404
    assert client.post(f"/sponsorship/runs/{run.id}/approve").status_code == 404
    # association and municipality filters outside the agreements
    never_enrolled = delete(AgreementAssociation).where(
        col(AgreementAssociation.association_id) == world.ids["assoc_b"]
    )
    db.exec(never_enrolled)
    db.commit()
    assert client.get(f"/sponsorship/?association={world.ids['assoc_b']}").status_code == 404
    assert client.get(f"/sponsorship/?association={world.ids['assoc_a']}").status_code == 200
    for who in ("coord_h", "leader_a"):
        login(client, world.emails[who])
        assert client.get("/sponsorship/").status_code == 403
        assert client.get("/sponsorship/summary.csv").status_code == 403
    login(client, world.emails["leader_a"])
    assert client.get("/sponsorship/payouts").status_code == 403
    login(client, world.emails["liaison"])
    assert client.get("/sponsorship/statement").status_code == 403


def test_nav_entries_per_role(client, world):
    login(client, world.emails["liaison"])
    page = client.get("/sponsorship/").get_data(as_text=True)
    assert ">Sponsring<" in page and ">Utbetalningar<" in page and ">Avtal<" not in page
    login(client, world.emails["coord_h"])
    page = client.get("/sponsorship/agreements").get_data(as_text=True)
    assert ">Avtal<" in page and ">Sponsring<" not in page


def test_coordinator_of_covered_municipality_may_run(client, db, world):
    deal = make_agreement(db, world, municipalities=("bjuv",), enrol=("assoc_c",))
    db.commit()
    data = {"period_start": "2026-03-01", "period_end": "2026-03-31"}
    login(client, world.emails["coord_h"])
    assert client.post(f"/sponsorship/agreements/{deal.id}/runs", data=data).status_code == 404
    login(client, world.emails["coord_b"])
    created = client.post(f"/sponsorship/agreements/{deal.id}/runs", data=data)
    assert created.status_code == 302
    run_id = int(created.headers["Location"].rsplit("/", 1)[1])
    assert client.get(f"/sponsorship/runs/{run_id}").status_code == 200
    login(client, world.emails["leader_c"])
    assert client.get(f"/sponsorship/runs/{run_id}").status_code == 404
