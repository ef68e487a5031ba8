"""The person changes their own number (a code by SMS to the new one) or e-mail (a link to
the new one) from their personal page; nothing changes without that proof."""

from __future__ import annotations

from sqlmodel import select

from nattvandring.accounts.models import User, Verification
from nattvandring.mail.models import EmailMessage
from nattvandring.messaging.dispatch import dispatch_due
from nattvandring.messaging.models import SmsKind, SmsMessage
from nattvandring.volunteers import services
from tests.factories import PASSWORD
from tests.support.identity import code_rows, mailed_link, sent_code, wrong
from tests.support.sms import Recording

SECRET = "test-secret-key-that-is-long-enough-000"
NEW = "+46701740684"


def link_of(db, user_id: int) -> str:  # type: ignore[no-untyped-def]
    token = services.personal_token(db, db.get(User, user_id), SECRET)
    db.commit()
    return f"/me/{token}"


def fresh(db, user_id: int) -> User:  # type: ignore[no-untyped-def]
    db.rollback()
    db.expire_all()
    return db.get(User, user_id)


def test_a_new_number_counts_only_after_the_code_sent_to_it(app, client, world, db):
    link = link_of(db, world.ids["vol_a"])
    old = fresh(db, world.ids["vol_a"]).phone_e164
    db.commit()
    assert client.get(f"{link}/contact").status_code == 200
    sent = client.post(f"{link}/contact/phone", data={"phone": "070-174 06 84"})
    assert sent.status_code == 302
    assert fresh(db, world.ids["vol_a"]).phone_e164 == old
    code = sent_code(app, db, NEW)
    page = client.get(f"{link}/contact").text
    assert "Vi har skickat en kod till 070-174 06 84" in page
    refused = client.post(f"{link}/contact/phone/code", data={"code": wrong(code)})
    assert refused.status_code == 422 and "Koden stämmer inte" in refused.text
    assert fresh(db, world.ids["vol_a"]).phone_e164 == old
    done = client.post(f"{link}/contact/phone/code", data={"code": code})
    assert done.status_code == 302
    assert fresh(db, world.ids["vol_a"]).phone_e164 == NEW
    # The old phone hears of it (a stolen personal link could have done this).
    (notice,) = db.exec(select(SmsMessage).where(SmsMessage.kind == SmsKind.NUMBER_CHANGED))
    assert notice.to_e164 == old and "slutar på 84" in notice.body
    db.commit()
    again = client.post(f"{link}/contact/phone/code", data={"code": code})
    assert again.status_code == 422  # a code works once


def test_the_code_is_never_stored_and_the_phone_gets_the_digits(app, client, world, db):
    link = link_of(db, world.ids["vol_a"])
    client.post(f"{link}/contact/phone", data={"phone": NEW})
    code = sent_code(app, db, NEW)  # asserts the stored body has only the marker
    (proof,) = db.exec(select(Verification)).all()
    assert code not in repr(proof.model_dump())
    gateway = Recording()
    dispatch_due(app, gateway)
    ((to, body, _callback),) = gateway.sent
    assert to == NEW and f"Din kod till Nattvandring: {code}." in body


def test_a_number_that_is_someone_elses_is_told_only_after_the_code(app, client, world, db):
    link = link_of(db, world.ids["vol_a"])
    taken = fresh(db, world.ids["vol_b"]).phone_e164
    db.commit()
    first = client.post(f"{link}/contact/phone", data={"phone": taken}, follow_redirects=True)
    other = client.post(f"{link}/contact/phone", data={"phone": NEW}, follow_redirects=True)
    assert "Vi har skickat en kod" in first.text and "Vi har skickat en kod" in other.text
    code = sent_code(app, db, taken)  # the code went to the holder's phone
    assert len(code_rows(db, taken)) == 1
    # Only whoever holds that phone could type the code; the number stays its holder's.
    client.post(f"{link}/contact/phone", data={"phone": taken})
    code = sent_code(app, db, taken)
    answer = client.post(f"{link}/contact/phone/code", data={"code": code})
    assert answer.status_code == 422 and "annan person" in answer.text
    assert fresh(db, world.ids["vol_b"]).phone_e164 == taken


def test_waiting_sms_follow_the_new_number(app, client, world, db):
    link = link_of(db, world.ids["vol_a"])
    vol_a = fresh(db, world.ids["vol_a"])
    db.add(
        SmsMessage(
            kind=SmsKind.REMINDER,
            to_e164=vol_a.phone_e164,
            user_id=vol_a.id,
            body="x",
            dedupe_key="reminder:x",
        )
    )
    db.commit()
    client.post(f"{link}/contact/phone", data={"phone": NEW})
    client.post(f"{link}/contact/phone/code", data={"code": sent_code(app, db, NEW)})
    db.rollback()
    reminder = db.exec(select(SmsMessage).where(SmsMessage.kind == SmsKind.REMINDER)).one()
    assert reminder.to_e164 == NEW


def test_wrong_codes_are_limited_per_link(app, client, world, db):
    link = link_of(db, world.ids["vol_a"])
    client.post(f"{link}/contact/phone", data={"phone": NEW})
    code = sent_code(app, db, NEW)
    tries = [
        client.post(f"{link}/contact/phone/code", data={"code": wrong(code)}).status_code
        for _ in range(6)
    ]
    assert tries == [422] * 5 + [429]


def test_a_new_email_counts_when_its_link_is_opened(client, world, db):
    link = link_of(db, world.ids["vol_a"])
    sent = client.post(f"{link}/contact/email", data={"email": "Ny.Adress@Example.org"})
    assert sent.status_code == 302
    assert fresh(db, world.ids["vol_a"]).email is None
    path = mailed_link(db, "email_change", to="ny.adress@example.org")
    page = client.get(path)
    assert page.status_code == 200 and "ny.adress@example.org" in page.text
    assert fresh(db, world.ids["vol_a"]).email is None  # opening the page changes nothing
    vol_a = fresh(db, world.ids["vol_a"])
    vol_a.email = "gammal@example.org"  # say the person had one: it is told of the change
    db.commit()
    assert client.post(path).status_code == 302
    assert fresh(db, world.ids["vol_a"]).email == "ny.adress@example.org"
    (notice,) = db.exec(select(EmailMessage).where(EmailMessage.kind == "email_changed"))
    assert notice.to_address == "gammal@example.org"
    db.commit()
    assert client.get(path).status_code == 404


def test_an_address_that_is_someone_elses_is_refused_after_the_link(client, world, db):
    link = link_of(db, world.ids["vol_a"])
    client.post(f"{link}/contact/email", data={"email": world.emails["leader_b"]})
    path = mailed_link(db, "email_change", to=world.emails["leader_b"])
    answer = client.post(path)
    assert answer.status_code == 422 and "annan person" in answer.text
    assert fresh(db, world.ids["vol_a"]).email is None


def test_a_login_needs_its_password_to_change_its_address(client, world, db):
    """A personal link must not become a way into a staff account (then a reset)."""
    from nattvandring.accounts.models import Role
    from nattvandring.accounts.services import grant

    leader = fresh(db, world.ids["leader_a"])
    grant(db, leader, Role.VOLUNTEER, association_id=world.ids["assoc_a"])
    link = link_of(db, world.ids["leader_a"])
    assert 'name="current_password"' in client.get(f"{link}/contact").text
    refused = client.post(f"{link}/contact/email", data={"email": "ny@example.org"})
    assert refused.status_code == 422 and "nuvarande lösenord" in refused.text
    ok = client.post(
        f"{link}/contact/email", data={"email": "ny@example.org", "current_password": PASSWORD}
    )
    assert ok.status_code == 302


def test_another_link_cannot_see_or_change_it(client, world, db):
    assert client.get("/me/" + "x" * 43 + "/contact").status_code == 404
    assert client.post("/me/" + "x" * 43 + "/contact/phone", data={"phone": NEW}).status_code == 404
