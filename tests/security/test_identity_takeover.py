"""Issue 16, found faults 2 and 3: a typed mobile number or e-mail address handed over a person
or an account. Each test walks the attack through the pages, as the attacker would, and
checks that the person and their account stay theirs.

These tests use only pages and tables that existed when the faults were found, so the same
file shows the faults on that code (every test here failed there) and their absence now.
"""

from __future__ import annotations

import io
import re

from sqlmodel import select

from nattvandring import clock
from nattvandring.accounts.models import Membership, Role, User
from nattvandring.booking import services_booking
from tests.factories import bankgiro, login, org_number
from tests.support.booking import NOW
from tests.support.shifts import make_shift

VICTIM_BIRTH_YEAR = 1961  # nobody else in the world is born then


def _national(e164: str) -> str:
    return "0" + e164[3:]


def _victim(db, world) -> User:  # type: ignore[no-untyped-def]
    """vol_a walks for IFK Hässleholm (association A)."""
    vol_a = db.get(User, world.ids["vol_a"])
    vol_a.birth_year = VICTIM_BIRTH_YEAR
    db.commit()
    return vol_a


def _memberships(db, user_id: int) -> set[tuple[str, int | None]]:  # type: ignore[no-untyped-def]
    db.rollback()
    db.expire_all()
    rows = db.exec(select(Membership).where(Membership.user_id == user_id)).all()
    return {(m.role, m.association_id) for m in rows}


def _shows_the_victim(html: str) -> list[str]:
    return [hint for hint in ("Vol A", str(VICTIM_BIRTH_YEAR), "/me/") if hint in html]


def test_adding_another_associations_volunteer_shows_nothing_of_them(client, world, db):
    """Fault 2: the flash named them, the member page showed birth year and personal link."""
    victim = _victim(db, world)
    number = victim.phone_e164
    login(client, world.emails["leader_b"])
    added = client.post(
        f"/members/{world.ids['assoc_b']}/new",
        data={"name": "Någon", "phone": _national(number)},
        follow_redirects=True,
    )
    assert _shows_the_victim(added.text) == []
    listing = client.get(f"/members/{world.ids['assoc_b']}/").text
    assert _shows_the_victim(listing) == []
    page = client.get(f"/members/{world.ids['assoc_b']}/{world.ids['vol_a']}")
    assert page.status_code == 404
    assert _memberships(db, world.ids["vol_a"]) == {("volunteer", world.ids["assoc_a"])}


def test_importing_another_associations_volunteer_shows_nothing_of_them(client, world, db):
    """Fault 2, by CSV import."""
    victim = _victim(db, world)
    login(client, world.emails["leader_b"])
    content = f"Namn;Mobil\nNågon;{_national(victim.phone_e164)}\n".encode()
    preview = client.post(
        f"/members/{world.ids['assoc_b']}/import",
        data={"file": (io.BytesIO(content), "m.csv")},
        content_type="multipart/form-data",
    )
    payload = preview.text.split('name="payload" type="hidden" value="')[1].split('"')[0]
    done = client.post(
        f"/members/{world.ids['assoc_b']}/import/confirm",
        data={"payload": payload},
        follow_redirects=True,
    )
    assert _shows_the_victim(preview.text) == [] and _shows_the_victim(done.text) == []
    assert _memberships(db, world.ids["vol_a"]) == {("volunteer", world.ids["assoc_a"])}


def test_a_typed_in_person_cannot_be_put_in_a_walking_group(client, world, db):
    """Fault 2: once "added", the person could be booked and texted by the newcomer."""
    clock.freeze(NOW)
    victim = _victim(db, world)
    shift = make_shift(db, municipality_id=world.ids["hassleholm"], area_id=world.ids["area_h"])
    booking = services_booking.book_shift(
        db, association_id=world.ids["assoc_b"], shift_id=shift.id, actor_id=None, now=NOW
    )
    db.commit()
    login(client, world.emails["leader_b"])
    client.post(
        f"/members/{world.ids['assoc_b']}/new",
        data={"name": "Någon", "phone": _national(victim.phone_e164)},
    )
    answer = client.post(
        f"/booking/bookings/{booking.id}/roster", data={"user_id": str(world.ids["vol_a"])}
    )
    assert answer.status_code == 422
    assert _shows_the_victim(client.get(f"/booking/bookings/{booking.id}/roster").text) == []


def test_a_leader_cannot_move_the_number_of_someone_who_walks_elsewhere(client, world, db):
    """Fault 2: the leader changed the person's number and e-mail for every association, so
    the person's SMS, with their link, went to the newcomer."""
    victim = _victim(db, world)
    number = victim.phone_e164
    db.add(Membership(user_id=victim.id, role=Role.VOLUNTEER, association_id=world.ids["assoc_b"]))
    db.commit()
    login(client, world.emails["leader_b"])
    url = f"/members/{world.ids['assoc_b']}/{world.ids['vol_a']}"
    assert "/me/" not in client.get(url).text
    moved = client.post(
        url + "/edit",
        data={"name": "Vol A", "phone": "0701740679", "email": "nykomling@example.org"},
    )
    assert moved.status_code == 422
    db.rollback()
    db.expire_all()
    victim = db.get(User, world.ids["vol_a"])
    assert (victim.phone_e164, victim.email) == (number, None)


def _application(world, **changes):  # type: ignore[no-untyped-def]
    data = {
        "municipality_id": str(world.ids["hassleholm"]),
        "name": "Nykomlingarna",
        "org_number": org_number(9601),
        "account_type": "bankgiro",
        "account_number": bankgiro(96),
        "contact_name": "Ny Kommen",
        "contact_email": "nykomling@example.org",
        "contact_phone": "0701740678",
        "password": "the-newcomers-password",
        "confirm": "the-newcomers-password",
    }
    data.update(changes)
    return data


def test_registering_with_a_volunteers_number_takes_over_nothing(client, world, db):
    """Fault 3: the volunteer got the registrant's e-mail and password; the registrant logged
    in as them."""
    victim = _victim(db, world)
    client.post("/register", data=_application(world, contact_phone=victim.phone_e164))
    db.rollback()
    db.expire_all()
    victim = db.get(User, world.ids["vol_a"])
    assert (victim.email, victim.password_hash) == (None, None)
    assert login(client, "nykomling@example.org", "the-newcomers-password").status_code == 200


def test_registering_with_an_existing_address_gives_it_no_role(client, world, db):
    """Fault 3: the account of that address silently became the new association's leader."""
    client.post("/register", data=_application(world, contact_email=world.emails["coord_b"]))
    assert _memberships(db, world.ids["coord_b"]) == {("coordinator", None)}


def test_an_admin_inviting_an_existing_address_sees_no_link_and_changes_nothing(client, world, db):
    """Fault 3: the admin was shown a set-password link for the existing account."""
    login(client, world.emails["admin"])
    answer = client.post(
        f"/municipalities/{world.ids['bjuv']}/coordinators",
        data={"name": "Vem", "email": world.emails["leader_a"]},
        follow_redirects=True,
    )
    assert "/invitation/" not in answer.text
    assert _memberships(db, world.ids["leader_a"]) == {("leader", world.ids["assoc_a"])}


def test_the_registration_form_does_not_tell_whose_number_it_is(client, world, db):
    """Fault 3: the form said that a mobile number belonged to an account with an e-mail."""
    taken = db.get(User, world.ids["leader_a"]).phone_e164
    db.commit()
    answers = []
    for n, phone in enumerate(("0701740677", taken)):
        address = f"ny{n}@example.org"
        application = _application(
            world, contact_email=address, contact_phone=phone, org_number=org_number(9700 + n)
        )
        response = client.post("/register", data=application, follow_redirects=True)
        main = re.search(r"<main.*</main>", response.text, re.S).group(0)  # type: ignore[union-attr]
        answers.append((response.status_code, re.sub(r"\s+", " ", main.replace(address, "@"))))
    assert answers[0] == answers[1]
