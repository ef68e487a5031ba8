"""Public registration: validation gives clear Swedish errors and stores nothing."""

from __future__ import annotations

import re

import pytest
from sqlmodel import func, select

from nattvandring.accounts.models import Membership, User
from nattvandring.associations.models import Association
from tests.factories import bankgiro, login, org_number


def _form(world, **changes):  # type: ignore[no-untyped-def]
    data = {
        "municipality_id": str(world.ids["hassleholm"]),
        "name": "Tormestorps IF",
        "org_number": org_number(9001).replace("-", ""),
        "account_type": "bankgiro",
        "account_number": bankgiro(77),
        "contact_name": "Lisa Lund",
        "contact_email": "lisa@example.org",
        "contact_phone": "0701740699",
        "password": "a-good-password",
        "confirm": "a-good-password",
    }
    data.update(changes)
    return data


def _counts(db):  # type: ignore[no-untyped-def]
    db.rollback()
    return tuple(
        db.exec(select(func.count()).select_from(model)).one()
        for model in (Association, User, Membership)
    )


def test_registration_creates_a_pending_association_and_its_leader(client, world, db):
    response = client.post("/register", data=_form(world))
    assert response.status_code == 302
    db.rollback()
    association = db.exec(select(Association).where(Association.name == "Tormestorps IF")).one()
    assert association.status == "pending"
    assert association.org_number == org_number(9001)
    assert association.contact_phone == "+46701740699"
    assert login(client, "lisa@example.org", "a-good-password").status_code == 302
    assert "Tormestorps IF" in client.get("/my/associations", follow_redirects=True).text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("org_number", "802479-3477", "Ogiltigt organisationsnummer"),
        ("org_number", "801479-3478", "Ogiltigt organisationsnummer"),  # digits 3-4 below 20
        ("account_number", "5050-1056", "Ogiltigt bankgironummer"),
        ("contact_phone", "08-123 456 78", "är inte ett mobilnummer"),
        ("contact_phone", "070-12", "Ogiltigt mobilnummer"),
    ],
)
def test_bad_values_are_explained_next_to_the_field_and_nothing_is_stored(
    client, world, db, field, value, message
):
    before = _counts(db)
    response = client.post("/register", data=_form(world, **{field: value}))
    assert response.status_code == 422
    assert message in response.text
    assert f'id="{field}-error"' in response.text
    described = re.search(rf'<input[^>]*aria-describedby="([^"]*)"[^>]*id="{field}"', response.text)
    assert f"{field}-error" in described.group(1).split()
    assert _counts(db) == before


def test_bad_plusgiro_is_refused(client, world, db):
    before = _counts(db)
    response = client.post(
        "/register", data=_form(world, account_type="plusgiro", account_number="4711-2")
    )
    assert response.status_code == 422
    assert "Ogiltigt plusgironummer" in response.text
    assert _counts(db) == before


def test_registration_errors_are_translated(client, world):
    client.post("/lang", data={"lang": "en"})
    response = client.post("/register", data=_form(world, org_number="123"))
    assert response.status_code == 422
    assert "Invalid organisation number" in response.text


def test_a_duplicate_organisation_number_is_refused(client, world, db):
    client.post("/register", data=_form(world))
    before = _counts(db)
    again = client.post(
        "/register", data=_form(world, contact_email="other@example.org", name="Kopia")
    )
    assert again.status_code == 422
    assert "redan registrerad" in again.text
    assert _counts(db) == before
