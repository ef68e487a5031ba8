"""A person changes their own mobile number or e-mail address, with proof of the new one.

From the personal page: a new number takes effect when the code sent to it by SMS is entered;
a new e-mail address when the link sent to it is opened. Only after that proof is the person
told whether the number or address already belongs to someone else here (it is theirs, so
that tells them nothing new). A person with a login must also give their password to change
the address they log in with. Flush only; the edge commits.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..audit.services import record
from ..errors import RuleViolation
from ..i18n import _l
from ..mail.services import queue_email
from ..passwords import verify_password
from . import verification
from .models import User, Verification, VerificationPurpose
from .services import find_by_email, normalize_email, normalize_phone


def _save(session: Session, user: User, proof: Verification, what: str) -> None:
    """Write the change; a number or address taken at the same moment by someone else is
    refused by the database's uniqueness, answered like the checks before."""
    try:
        with session.begin_nested():
            session.add_all([user, proof])
            session.flush()
    except IntegrityError as exc:
        raise RuleViolation(
            f"{what}_taken",
            _l("Numret hör redan till en annan person hos oss. Kontakta din förening.")
            if what == "phone"
            else _l("Adressen hör redan till en annan person hos oss. Kontakta din förening."),
            field="code" if what == "phone" else None,
        ) from exc


def wrong_code() -> RuleViolation:
    return RuleViolation(
        "code_wrong", _l("Koden stämmer inte eller har gått ut. Be om en ny kod."), field="code"
    )


def pending_phone(session: Session, user: User) -> Verification | None:
    return verification.live(session, VerificationPurpose.PHONE_CHANGE, user_id=user.id)


def request_phone_change(session: Session, user: User, raw_phone: str) -> str:
    """Send a code to the new number; returns it in E.164. The answer is the same whether
    or not the number belongs to someone (and whether a sending limit was reached)."""
    new = normalize_phone(raw_phone)
    if new == user.phone_e164:
        raise RuleViolation("same_phone", _l("Det är redan ditt nummer."), field="phone")
    verification.send_code(
        session,
        VerificationPurpose.PHONE_CHANGE,
        to_e164=new,
        language=user.language,
        user_id=user.id,
    )
    return new


def confirm_phone_change(session: Session, user: User, code: str) -> None:
    from ..messaging.services import readdress_open_rows

    proof = pending_phone(session, user)
    if proof is None or not verification.code_matches(proof, code):
        raise wrong_code()
    holder = session.exec(select(User).where(User.phone_e164 == proof.target)).first()
    if holder is not None and holder.id != user.id:
        raise RuleViolation(
            "phone_taken",
            _l("Numret hör redan till en annan person hos oss. Kontakta din förening."),
            field="code",
        )
    readdress_open_rows(session, user, proof.target)
    _tell_the_old_number(session, user, proof)
    user.phone_e164 = proof.target
    user.phone_invalid = False
    verification.mark_verified(proof)
    _save(session, user, proof, "phone")
    record(
        session,
        actor_id=user.id,
        action="person.phone_changed",
        object_type="user",
        object_id=user.id,
        details="proven by a code to the new number",
    )


def _tell_the_old_number(session: Session, user: User, proof: Verification) -> None:
    """A stolen personal link could move the number: the old phone hears of it."""
    from ..messaging.models import SmsKind
    from ..messaging.services import queue_sms_to_number
    from ..messaging.texts import render

    if not user.phone_e164:
        return
    queue_sms_to_number(
        session,
        kind=SmsKind.NUMBER_CHANGED,
        to_e164=user.phone_e164,
        body=render("number_changed", user.language, {"last_digits": proof.target[-2:]}),
        dedupe_key=f"number_changed:{proof.id}",
        language=user.language,
    )


def _valid_email(raw: str) -> str:
    address = normalize_email(raw or "")
    if not address or "@" not in address or len(address) > 254 or " " in address:
        raise RuleViolation(
            "email_invalid",
            _l("Ogiltig e-postadress: %(value)s", value=address[:60]),
            field="email",
        )
    return address


def request_email_change(
    session: Session, user: User, raw_email: str, *, password: str, base_url: str
) -> str:
    """E-mail a link to the new address; returns the address."""
    address = _valid_email(raw_email)
    if address == user.email:
        raise RuleViolation("same_email", _l("Det är redan din e-postadress."), field="email")
    if user.password_hash is not None and not verify_password(user.password_hash, password):
        raise RuleViolation(
            "wrong_password",
            _l("Du har ett konto med lösenord: ange ditt nuvarande lösenord."),
            field="current_password",
        )
    assert user.id is not None
    proof, raw = verification.issue_link(
        session, VerificationPurpose.EMAIL_CHANGE, to_email=address, user_id=user.id
    )
    url = f"{base_url.rstrip('/')}/email/{raw}"
    queue_email(
        session,
        to_address=address,
        to_name=user.name,
        subject=str(_l("Bekräfta din e-postadress")),
        body_text=str(
            _l(
                "Hej!\n\nÖppna länken för att använda den här adressen i Nattvandring (länken "
                "gäller i %(hours)d timmar och kan användas en gång):\n%(url)s\n\nBad du inte "
                "om detta kan du bortse från meddelandet.\n",
                hours=verification.LINK_HOURS,
                url=url,
            )
        ),
        kind="email_change",
    )
    return address


def confirm_email_change(session: Session, proof: Verification) -> User:
    user = session.get(User, proof.user_id) if proof.user_id is not None else None
    if user is None or not user.is_active or user.anonymized_at is not None:
        raise RuleViolation("link_invalid", _l("Länken är ogiltig, redan använd eller för gammal."))
    holder = find_by_email(session, proof.target)
    if holder is not None and holder.id != user.id:
        raise RuleViolation(
            "email_taken",
            _l("Adressen hör redan till en annan person hos oss. Kontakta din förening."),
        )
    if user.email:
        queue_email(
            session,
            to_address=user.email,
            to_name=user.name,
            subject=str(_l("Din e-postadress är bytt")),
            body_text=str(
                _l(
                    "Hej!\n\nDin e-postadress i Nattvandring har bytts till en ny adress. Var "
                    "det inte du? Kontakta din förening.\n"
                )
            ),
            kind="email_changed",
        )
    user.email = proof.target
    verification.mark_verified(proof)
    _save(session, user, proof, "email")
    record(
        session,
        actor_id=user.id,
        action="person.email_changed",
        object_type="user",
        object_id=user.id,
        details="proven by a link to the new address",
    )
    return user
