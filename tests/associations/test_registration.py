"""Public registration: proof of the address (a link) and the number (a code) before anything
is created; the same answer whoever they belong to; clear errors that store nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import func, select

from nattvandring import clock
from nattvandring.accounts.models import Membership, User
from nattvandring.accounts.services import normalize_phone
from nattvandring.associations.models import Association
from nattvandring.associations.registration import Holder, Outcome, decide
from tests.factories import bankgiro, login, org_number
from tests.support.identity import code_rows, mailed_link, sent_code, wrong


def _form(world, **changes):
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


def _counts(db):
    db.rollback()
    return tuple(
        db.exec(select(func.count()).select_from(model)).one()
        for model in (Association, User, Membership)
    )


def _register(client, db, app, world, **changes):
    """The whole registration as the contact person does it: the form, the link in the
    e-mail, a code by SMS, the code typed in. Returns the last answer."""
    form = _form(world, **changes)
    assert client.post("/register", data=form).status_code == 302
    link = mailed_link(db, "registration", to=form["contact_email"].lower())
    assert client.get(link).status_code == 200
    assert client.post(f"{link}/code").status_code == 302
    code = sent_code(app, db, normalize_phone(form["contact_phone"]))
    return client.post(link, data={"code": code})


def test_registration_needs_the_mailed_link_and_the_sms_code(client, app, world, db):
    before = _counts(db)
    answer = client.post("/register", data=_form(world), follow_redirects=True)
    assert "Vi har skickat ett e-postmeddelande till lisa@example.org" in answer.text
    assert _counts(db) == before  # nothing but the application until both are proven
    link = mailed_link(db, "registration", to="lisa@example.org")
    page = client.get(link)
    assert page.status_code == 200 and "Tormestorps IF" in page.text
    assert client.post(link, data={"code": "123456"}).status_code == 422  # no code sent yet
    client.post(f"{link}/code")
    code = sent_code(app, db, "+46701740699")
    refused = client.post(link, data={"code": wrong(code)})
    assert refused.status_code == 422 and "Koden stämmer inte" in refused.text
    assert _counts(db) == before
    assert client.post(link, data={"code": code}).status_code == 302
    db.rollback()
    association = db.exec(select(Association).where(Association.name == "Tormestorps IF")).one()
    assert association.status == "pending"
    assert association.org_number == org_number(9001)
    assert association.contact_phone == "+46701740699"
    leader = db.exec(select(User).where(User.email == "lisa@example.org")).one()
    assert leader.phone_e164 == "+46701740699"
    assert client.get(link).status_code == 404  # used
    assert login(client, "lisa@example.org", "a-good-password").status_code == 302
    assert "Tormestorps IF" in client.get("/my/associations", follow_redirects=True).text


def test_registering_with_a_volunteers_number_takes_nothing_over(client, app, world, db):
    """Found: the volunteer got the registrant's e-mail and password; the registrant logged
    in as them. Now the number needs the code sent to it."""
    vol_a = db.get(User, world.ids["vol_a"])
    number = vol_a.phone_e164
    db.commit()
    form = _form(world, contact_email="inkraktare@example.org", contact_phone=number)
    assert client.post("/register", data=form).status_code == 302
    link = mailed_link(db, "registration", to="inkraktare@example.org")
    client.post(f"{link}/code")  # the code goes to the volunteer's phone, not the registrant's
    for guess in ("000000", "123456", "999999"):
        client.post(link, data={"code": guess})
    db.rollback()
    vol_a = db.get(User, world.ids["vol_a"])
    assert (vol_a.email, vol_a.password_hash) == (None, None)
    assert login(client, "inkraktare@example.org", "a-good-password").status_code == 200
    assert db.exec(select(Association).where(Association.name == "Tormestorps IF")).first() is None


def test_the_holder_of_the_number_proves_it_and_gets_the_login(client, app, world, db):
    """The same registration by the volunteer themself: the code proves the number."""
    number = db.get(User, world.ids["vol_a"]).phone_e164
    db.commit()
    answer = _register(
        client, db, app, world, contact_email="vola@example.org", contact_phone=number
    )
    assert answer.status_code == 302
    db.rollback()
    vol_a = db.get(User, world.ids["vol_a"])
    assert vol_a.email == "vola@example.org" and vol_a.password_hash.startswith("$argon2")
    assert vol_a.name == "Vol A"  # their own name, not the form's
    assert login(client, "vola@example.org", "a-good-password").status_code == 302


def test_registering_with_an_existing_email_gives_no_role_without_the_link(client, app, world, db):
    """Found: the account of that address silently became the new association's leader."""
    leader_b = world.ids["leader_b"]
    form = _form(world, contact_email=world.emails["leader_b"], contact_phone="0701740698")
    assert client.post("/register", data=form).status_code == 302
    db.rollback()
    roles = db.exec(select(Membership).where(Membership.user_id == leader_b)).all()
    assert [(m.role, m.association_id) for m in roles] == [("leader", world.ids["assoc_b"])]
    # With the link and the code, the existing login leads the new association too; its
    # password is unchanged (the form's one is not used).
    link = mailed_link(db, "registration", to=world.emails["leader_b"])
    client.post(f"{link}/code")
    answer = client.post(link, data={"code": sent_code(app, db, "+46701740698")})
    assert answer.status_code == 302
    assert "befintliga konto" in client.get("/login").text
    db.rollback()
    assert len(db.exec(select(Membership).where(Membership.user_id == leader_b)).all()) == 2
    assert login(client, world.emails["leader_b"], "a-good-password").status_code == 200
    assert login(client, world.emails["leader_b"]).status_code == 302


def test_the_form_answers_the_same_whoever_has_the_number_or_address(client, world, db):
    """Found: the form told that a mobile number belonged to an account with an e-mail."""
    leader_a = db.get(User, world.ids["leader_a"])
    taken_phone, taken_email = leader_a.phone_e164, leader_a.email
    db.commit()
    answers = []
    for n, (email, phone) in enumerate(
        [
            ("ny1@example.org", "0701740690"),  # nobody's
            ("ny2@example.org", taken_phone),  # a login's number
            (taken_email, "0701740691"),  # a login's address
            (taken_email, taken_phone),  # both
        ]
    ):
        form = _form(
            world, contact_email=email, contact_phone=phone, org_number=org_number(9100 + n)
        )
        response = client.post("/register", data=form, follow_redirects=True)
        flashed = re.search(r'<div class="flashes".*?</div>', response.text, re.S).group(0)
        answers.append((response.status_code, flashed.replace(email, "ADDRESS")))
    assert len(set(answers)) == 1, answers


@pytest.mark.parametrize(
    ("by_email", "by_phone", "expected"),
    [
        (None, None, (Outcome.NEW_ACCOUNT, None)),
        (Holder(1, True, None), None, (Outcome.EXISTING_LOGIN, 1)),
        (Holder(1, True, "+46701"), Holder(2, False, "+46702"), (Outcome.EXISTING_LOGIN, 1)),
        (None, Holder(2, False, "+46702"), (Outcome.PERSON_GETS_LOGIN, 2)),
        (Holder(2, False, "+46702"), Holder(2, False, "+46702"), (Outcome.PERSON_GETS_LOGIN, 2)),
        (None, Holder(2, True, "+46702"), (Outcome.PHONE_IN_USE, None)),
        (Holder(1, False, "+46701"), Holder(2, False, "+46702"), (Outcome.EMAIL_IN_USE, None)),
        # An address a leader typed for a volunteer anchored by another number proves nothing.
        (Holder(1, False, "+46701"), None, (Outcome.EMAIL_IN_USE, None)),
        # An invited account nobody has taken up: the address is all it has.
        (Holder(1, False, None), None, (Outcome.PERSON_GETS_LOGIN, 1)),
    ],
)
def test_whose_account_a_proven_registration_goes_to(by_email, by_phone, expected):
    assert decide(by_email, by_phone) == expected


def test_an_address_a_leader_typed_for_someone_else_is_refused(client, app, world, db):
    """A leader typed this address for a member; proving it does not hand over the member."""
    vol_b = db.get(User, world.ids["vol_b"])
    vol_b.email = "typad@example.org"
    db.commit()
    answer = _register(client, db, app, world, contact_email="typad@example.org")
    assert answer.status_code == 422 and "hör redan till en annan person" in answer.text
    db.rollback()
    assert db.get(User, world.ids["vol_b"]).password_hash is None


def test_codes_are_limited_per_application_and_tries_per_link(client, app, world, db):
    client.post("/register", data=_form(world))
    link = mailed_link(db, "registration")
    for _ in range(5):
        client.post(f"{link}/code")
    assert len(code_rows(db, "+46701740699")) == 3  # MAX_CODES_PER_HOUR
    code = sent_code(app, db, "+46701740699")
    answers = [client.post(link, data={"code": wrong(code)}).status_code for _ in range(6)]
    assert answers == [422] * 5 + [429]
    assert client.post(link, data={"code": code}).status_code == 429  # also the right one, now


def test_an_old_application_link_answers_404(client, world, db):
    client.post("/register", data=_form(world))
    link = mailed_link(db, "registration")
    clock.freeze(clock.utcnow() + timedelta(hours=48, seconds=1))
    assert client.get(link).status_code == 404
    assert client.post(f"{link}/code").status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("org_number", "802479-3477", "Ogiltigt organisationsnummer"),
        ("org_number", "801479-3478", "Ogiltigt organisationsnummer"),  # digits 3-4 below 20
        ("org_number", "80²0001234", "Ogiltigt organisationsnummer"),  # "²" is no digit
        # A valid number (802479-2130) in full-width digits: stored as typed, it would pass
        # the duplicate check of the same number in 0-9 and reach the payout exports.
        ("org_number", "８０２４７９-２１３０", "Ogiltigt organisationsnummer"),
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


def test_a_duplicate_organisation_number_is_refused(client, app, world, db):
    _register(client, db, app, world)
    before = _counts(db)
    again = client.post(
        "/register", data=_form(world, contact_email="other@example.org", name="Kopia")
    )
    assert again.status_code == 422
    assert "redan registrerad" in again.text
    assert _counts(db) == before


def test_old_applications_and_codes_are_purged(app, client, world, db):
    from nattvandring.accounts.models import Verification
    from nattvandring.accounts.tasks import purge_old_proofs
    from nattvandring.associations.models import RegistrationRequest
    from nattvandring.associations.tasks import purge_old_applications

    client.post("/register", data=_form(world))
    client.post(f"{mailed_link(db, 'registration')}/code")
    assert purge_old_applications(app) == 0 and purge_old_proofs(app) == 0
    clock.freeze(clock.utcnow() + timedelta(hours=47))
    assert purge_old_proofs(app) == 1  # the code (15 minutes) is long dead
    assert purge_old_applications(app) == 0  # the link still works
    clock.freeze(clock.utcnow() + timedelta(days=1, hours=2))
    assert purge_old_applications(app) == 1
    db.rollback()
    assert db.exec(select(RegistrationRequest)).all() == []
    assert db.exec(select(Verification)).all() == []
