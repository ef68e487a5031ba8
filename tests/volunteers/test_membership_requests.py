"""Pending memberships: a person who already exists is asked, and only their yes makes them a
member. Until then the leader sees only what they typed, and the person walks nowhere."""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from nattvandring.accounts.models import Membership, Role, User
from nattvandring.associations.models import Association, AssociationStatus
from nattvandring.associations.services import set_status
from nattvandring.booking import services_booking as sb
from nattvandring.booking import services_roster as sr
from nattvandring.errors import RuleViolation
from nattvandring.mail.models import EmailMessage
from nattvandring.messaging.models import VOLUNTEER_SHIFT_KINDS, SmsKind, SmsMessage
from nattvandring.volunteers import services
from nattvandring.volunteers.models import MembershipRequest, RequestStatus
from tests.factories import login
from tests.support.booking import NOW
from tests.support.shifts import make_shift

SECRET = "test-secret-key-that-is-long-enough-000"


def national(e164: str) -> str:
    return "0" + e164[3:]


def ask_vol_a_to_b(client, world, db, **typed):
    """Leader B types vol_a's number (vol_a walks for association A)."""
    vol_a = db.get(User, world.ids["vol_a"])
    vol_a.birth_year = 1961  # a year nobody else in the world has
    number = vol_a.phone_e164
    db.commit()
    login(client, world.emails["leader_b"])
    data = {"name": "Inskriven Person", "phone": national(number), "birth_year": "1999"}
    data.update(typed)
    response = client.post(f"/members/{world.ids['assoc_b']}/new", data=data)
    assert response.status_code == 302, response.text
    client.post("/logout")
    db.rollback()
    return db.exec(select(MembershipRequest)).one()


def is_member(db, user_id: int, association_id: int) -> bool:
    db.rollback()
    db.expire_all()  # the rollback may have had no transaction to end
    return (
        db.exec(
            select(Membership).where(
                Membership.user_id == user_id,
                Membership.association_id == association_id,
                Membership.role == Role.VOLUNTEER,
            )
        ).first()
        is not None
    )


def personal_link(db, user_id: int) -> str:
    token = services.personal_token(db, db.get(User, user_id), SECRET)
    db.commit()
    return f"/me/{token}"


def test_the_leader_sees_only_what_they_typed(client, world, db):
    request = ask_vol_a_to_b(client, world, db)
    assert (request.user_id, request.name, request.birth_year) == (
        world.ids["vol_a"],
        "Inskriven Person",
        1999,
    )
    assert request.status == RequestStatus.PENDING and request.asked_at is not None
    assert not is_member(db, world.ids["vol_a"], world.ids["assoc_b"])
    login(client, world.emails["leader_b"])
    html = client.get(f"/members/{world.ids['assoc_b']}/").text
    assert "Inskriven Person" in html and "Väntar på svar" in html
    assert "Vol A" not in html and "1961" not in html and "/me/" not in html
    # No page of the association shows the person: not the member page, not the SMS status.
    assert client.get(f"/members/{world.ids['assoc_b']}/{world.ids['vol_a']}").status_code == 404
    assert "Vol A" not in client.get(f"/messages/association/{world.ids['assoc_b']}").text


def test_an_address_that_belongs_to_someone_asks_that_person(client, world, db):
    login(client, world.emails["leader_b"])
    response = client.post(
        f"/members/{world.ids['assoc_b']}/new",
        data={"name": "Vem", "phone": "0701740680", "email": world.emails["leader_a"]},
        follow_redirects=True,
    )
    assert "Vem får en fråga om att gå med" in response.text and "Leader A" not in response.text
    db.rollback()
    request = db.exec(select(MembershipRequest)).one()
    assert request.user_id == world.ids["leader_a"]
    assert db.exec(select(User).where(User.phone_e164 == "+46701740680")).first() is None


def test_the_question_goes_out_by_sms_to_the_person_alone(client, world, db):
    ask_vol_a_to_b(client, world, db)
    (sms,) = db.exec(select(SmsMessage).where(SmsMessage.kind == SmsKind.MEMBERSHIP_QUESTION))
    vol_a = db.get(User, world.ids["vol_a"])
    assert sms.user_id == vol_a.id and sms.to_e164 == vol_a.phone_e164
    assert "Scoutkåren vill ha med dig" in sms.body and "MEDLEM JA" in sms.body
    # Neither the asking association nor its coordinator lists it (it would name them).
    assert (sms.association_id, sms.municipality_id) == (None, None)


def test_an_unapproved_association_asks_nobody_until_it_is_approved(app, world, db, ctx):
    association = db.get(Association, world.ids["assoc_b"])
    association.status = AssociationStatus.PENDING
    vol_c = db.get(User, world.ids["vol_c"])
    added = services.add_member(
        db,
        association_id=association.id,
        municipality_id=association.municipality_id,
        data=services.MemberInput(name="Cecilia", phone=vol_c.phone_e164),
        actor_id=world.ids["leader_b"],
    )
    assert added.request is not None and added.request.asked_at is None
    assert db.exec(select(SmsMessage)).all() == []
    set_status(db, association, AssociationStatus.APPROVED, actor_id=world.ids["coord_h"])
    assert added.request.asked_at is not None
    (sms,) = db.exec(select(SmsMessage)).all()
    assert sms.kind == SmsKind.MEMBERSHIP_QUESTION and sms.user_id == vol_c.id


def test_a_person_without_sms_is_asked_by_email(app, world, db, ctx):
    leader_c = db.get(User, world.ids["leader_c"])
    leader_c.sms_opt_out = True
    services.add_member(
        db,
        association_id=world.ids["assoc_a"],
        municipality_id=None,
        data=services.MemberInput(name="C", phone=leader_c.phone_e164),
        actor_id=world.ids["leader_a"],
    )
    assert db.exec(select(SmsMessage)).all() == []
    (mail,) = db.exec(select(EmailMessage)).all()
    assert mail.to_address == leader_c.email and "/me/" in mail.body_text


def test_a_pending_member_cannot_walk_and_gets_no_walk_sms(app, world, db, frozen, ctx):
    vol_a = db.get(User, world.ids["vol_a"])
    services.add_member(
        db,
        association_id=world.ids["assoc_b"],
        municipality_id=world.ids["hassleholm"],
        data=services.MemberInput(name="X", phone=vol_a.phone_e164),
        actor_id=world.ids["leader_b"],
    )
    shift = make_shift(db, municipality_id=world.ids["hassleholm"], area_id=world.ids["area_h"])
    booking = sb.book_shift(
        db, association_id=world.ids["assoc_b"], shift_id=shift.id, actor_id=None, now=NOW
    )
    with pytest.raises(RuleViolation) as refused:
        sr.add_to_roster(db, booking_id=booking.id, user_id=vol_a.id, actor_id=None, now=NOW)
    assert refused.value.code == "not_member"
    walk_sms = db.exec(
        select(SmsMessage).where(
            SmsMessage.user_id == vol_a.id, SmsMessage.kind.in_(VOLUNTEER_SHIFT_KINDS)
        )
    ).all()
    assert walk_sms == []
    db.commit()
    # The roster page offers only members.
    client = app.test_client()
    login(client, "leader_b@example.org")
    roster = client.get(f"/booking/bookings/{booking.id}/roster").text
    assert "Vol A" not in roster and f'value="{vol_a.id}"' not in roster


def test_yes_on_the_personal_page_makes_a_member(client, world, db):
    request = ask_vol_a_to_b(client, world, db)
    link = personal_link(db, world.ids["vol_a"])
    page = client.get(link).text
    assert "Scoutkåren vill ha med dig" in page and "Ja, gå med" in page
    answer = client.post(f"{link}/questions/{request.id}/accept", follow_redirects=True)
    assert "Du är nu medlem i Scoutkåren" in answer.text
    assert is_member(db, world.ids["vol_a"], world.ids["assoc_b"])
    assert db.exec(select(MembershipRequest)).all() == []
    login(client, world.emails["leader_b"])
    assert "Vol A" in client.get(f"/members/{world.ids['assoc_b']}/").text


def test_no_on_the_personal_page_ends_it_and_the_leader_learns_only_that(client, world, db):
    request = ask_vol_a_to_b(client, world, db)
    link = personal_link(db, world.ids["vol_a"])
    answer = client.post(f"{link}/questions/{request.id}/decline", follow_redirects=True)
    assert "Du har tackat nej till att gå med i Scoutkåren" in answer.text, answer.text
    assert not is_member(db, world.ids["vol_a"], world.ids["assoc_b"])
    assert db.get(MembershipRequest, request.id).status == RequestStatus.DECLINED
    assert "Scoutkåren vill ha med dig" not in client.get(link).text
    login(client, world.emails["leader_b"])
    html = client.get(f"/members/{world.ids['assoc_b']}/").text
    assert "Inskriven Person" in html and "Inte accepterad" in html and "Vol A" not in html
    number = national(db.get(User, world.ids["vol_a"]).phone_e164)
    db.commit()
    again = client.post(
        f"/members/{world.ids['assoc_b']}/new", data={"name": "Igen", "phone": number}
    )
    assert again.status_code == 422 and "tackat nej" in again.text
    # The leader clears the answer; then they may ask once more.
    client.post(f"/members/{world.ids['assoc_b']}/requests/{request.id}/remove")
    asked = client.post(
        f"/members/{world.ids['assoc_b']}/new", data={"name": "Igen", "phone": number}
    )
    assert asked.status_code == 302


def test_someone_else_cannot_answer_the_question(client, world, db):
    request = ask_vol_a_to_b(client, world, db)
    other = personal_link(db, world.ids["vol_c"])
    assert client.post(f"{other}/questions/{request.id}/accept").status_code == 404
    assert not is_member(db, world.ids["vol_a"], world.ids["assoc_b"])
    assert not is_member(db, world.ids["vol_c"], world.ids["assoc_b"])
    # Answered already: the page says so.
    own = personal_link(db, world.ids["vol_a"])
    client.post(f"{own}/questions/{request.id}/decline")
    again = client.post(f"{own}/questions/{request.id}/accept", follow_redirects=True)
    assert "Frågan finns inte längre" in again.text
    assert not is_member(db, world.ids["vol_a"], world.ids["assoc_b"])


def test_withdrawing_stops_the_unsent_question(client, world, db):
    request_id = ask_vol_a_to_b(client, world, db).id
    login(client, world.emails["leader_b"])
    client.post(f"/members/{world.ids['assoc_b']}/requests/{request_id}/remove")
    db.rollback()
    assert db.exec(select(MembershipRequest)).all() == []
    (sms,) = db.exec(select(SmsMessage)).all()
    assert sms.status == "cancelled"
    login(client, world.emails["leader_a"])  # another association's leader: not theirs
    assert (
        client.post(f"/members/{world.ids['assoc_b']}/requests/{request_id}/remove").status_code
        == 404
    )


def test_a_leader_adding_themself_needs_no_question(client, world, db):
    number = db.get(User, world.ids["leader_a"]).phone_e164
    db.commit()
    login(client, world.emails["leader_a"])
    client.post(f"/members/{world.ids['assoc_a']}/new", data={"name": "Jag", "phone": number})
    assert is_member(db, world.ids["leader_a"], world.ids["assoc_a"])


def test_csv_import_of_a_known_number_asks_and_shows_only_the_file(client, world, db):
    """Found: an imported number of another association's volunteer made them a member."""
    number = db.get(User, world.ids["vol_a"]).phone_e164
    db.commit()
    login(client, world.emails["leader_b"])
    content = f"Namn;Mobil;Födelseår\nFrån Filen;{national(number)};1999\nHelt Ny;0701740681;1980\n"
    preview = client.post(
        f"/members/{world.ids['assoc_b']}/import",
        data={"file": (io.BytesIO(content.encode()), "m.csv")},
        content_type="multipart/form-data",
    )
    assert "Får en fråga" in preview.text and "Vol A" not in preview.text
    payload = preview.text.split('name="payload" type="hidden" value="')[1].split('"')[0]
    done = client.post(
        f"/members/{world.ids['assoc_b']}/import/confirm",
        data={"payload": payload},
        follow_redirects=True,
    )
    assert "1 medlem importerades" in done.text and "1 som redan finns" in done.text
    assert "Vol A" not in done.text and "Från Filen" in done.text
    assert not is_member(db, world.ids["vol_a"], world.ids["assoc_b"])


def test_a_shared_member_keeps_their_number_link_and_email(client, world, db):
    """Found: a leader changed the number of a person who walks for another association too,
    so that person's SMS (with their link) went to the leader."""
    from nattvandring.accounts.services import grant

    vol_a = db.get(User, world.ids["vol_a"])
    grant(db, vol_a, Role.VOLUNTEER, association_id=world.ids["assoc_b"])
    number = vol_a.phone_e164
    db.commit()
    login(client, world.emails["leader_b"])
    url = f"/members/{world.ids['assoc_b']}/{world.ids['vol_a']}"
    page = client.get(url).text
    assert "/me/" not in page and "ändrar hen själv" in page
    changed = client.post(
        url + "/edit", data={"name": "Vol A", "phone": "0701740682", "email": "x@example.org"}
    )
    assert changed.status_code == 422 and "ändrar själv" in changed.text
    db.rollback()
    vol_a = db.get(User, world.ids["vol_a"])
    assert (vol_a.phone_e164, vol_a.email) == (number, None)
    client.post(url + "/rotate-link")
    # Name and birth year stay the leaders' to correct.
    assert (
        client.post(
            url + "/edit", data={"name": "Vol Anna", "phone": national(number), "birth_year": 1981}
        ).status_code
        == 302
    )


def test_a_leaders_correction_of_their_own_member_moves_waiting_sms(client, world, db, frozen):
    sms = SmsMessage(
        kind=SmsKind.REMINDER,
        to_e164=db.get(User, world.ids["vol_a2"]).phone_e164,
        user_id=world.ids["vol_a2"],
        body="x",
        dedupe_key="reminder:test",
    )
    db.add(sms)
    db.commit()
    login(client, world.emails["leader_a"])
    response = client.post(
        f"/members/{world.ids['assoc_a']}/{world.ids['vol_a2']}/edit",
        data={"name": "Vol A2", "phone": "0701740683"},
    )
    assert response.status_code == 302
    db.rollback()
    db.expire_all()
    assert db.get(SmsMessage, sms.id).to_e164 == "+46701740683"


def test_the_person_sees_what_the_leader_typed_and_erasure_removes_it(app, client, world, db):
    from nattvandring.volunteers.privacy import erase_user, export_data

    ask_vol_a_to_b(client, world, db, email="typad@example.org")
    vol_a = db.get(User, world.ids["vol_a"])
    (question,) = export_data(db, vol_a)["membership_questions"]
    assert question["association"] == "Scoutkåren" and question["status"] == "pending"
    assert question["as_typed_by_the_leader"]["email"] == "typad@example.org"
    with app.test_request_context():
        erase_user(db, vol_a)
    assert db.exec(select(MembershipRequest)).all() == []
