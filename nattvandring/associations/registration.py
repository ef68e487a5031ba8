"""Registering an association: nothing is created, merged or re-roled without proof.

1. The public form (``start``) stores a ``RegistrationRequest`` and e-mails a link to the
   contact address. The form answers the same whatever the address or number is.
2. The link (proof of the address) opens a page that sends a code by SMS to the contact
   number (``send_code``); entering it proves the number.
3. ``complete`` creates the pending association and makes the proven holder of the address
   or number its leader, by the rule in ``decide``. Only now, to someone who has proven both,
   may the answer say that an account exists.

An account with a password belongs to its e-mail address (it logs in with it); one without
belongs to its mobile number (a leader may have typed its e-mail). Flush only; the edge
commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, col, select

from .. import tokens
from ..accounts import verification
from ..accounts.models import Role, User, Verification, VerificationPurpose
from ..accounts.services import find_by_email, grant
from ..audit.services import record
from ..clock import utcnow
from ..errors import RuleViolation
from ..i18n import _l
from ..mail.services import queue_email
from ..municipalities.models import Municipality
from ..passwords import hash_password
from .models import Association, RegistrationRequest
from .services import AssociationInput, validated

REGISTRATION_HOURS = 48


class Outcome(StrEnum):
    NEW_ACCOUNT = "new_account"  # a new login with the form's address, number and password
    PERSON_GETS_LOGIN = "person"  # the proven person without a login gets address + password
    EXISTING_LOGIN = "login"  # the address's login becomes leader; its password stays
    EMAIL_IN_USE = "email_in_use"  # the address is another person's (refused)
    PHONE_IN_USE = "phone_in_use"  # the number is another login's (refused)


@dataclass(frozen=True)
class Holder:
    """Who holds a proven address or number, as far as the rule needs to know."""

    id: int
    has_login: bool
    phone: str | None


def decide(by_email: Holder | None, by_phone: Holder | None) -> tuple[Outcome, int | None]:
    """Whose account the registration goes to; both the address and number are proven.

    Returns the outcome and the id of the account that becomes leader (None: a new one).
    """
    if by_email is not None and by_email.has_login:
        return Outcome.EXISTING_LOGIN, by_email.id
    if by_phone is not None:
        if by_phone.has_login:
            return Outcome.PHONE_IN_USE, None
        if by_email is not None and by_email.id != by_phone.id:
            return Outcome.EMAIL_IN_USE, None
        return Outcome.PERSON_GETS_LOGIN, by_phone.id
    if by_email is not None:
        # No login and not the proven number's holder: the address proves this person only
        # if no number anchors them (an invited account that has not been taken up).
        if by_email.phone is None:
            return Outcome.PERSON_GETS_LOGIN, by_email.id
        return Outcome.EMAIL_IN_USE, None
    return Outcome.NEW_ACCOUNT, None


def _duplicate(session: Session, municipality_id: int, org_number: str) -> None:
    found = session.exec(
        select(Association.id).where(
            Association.municipality_id == municipality_id,
            Association.org_number == org_number,
        )
    ).first()
    if found is not None:
        raise RuleViolation(
            "orgnr_taken",
            _l("Föreningen är redan registrerad i kommunen."),
            field="org_number",
        )


def start(
    session: Session,
    *,
    municipality: Municipality,
    data: AssociationInput,
    password: str,
    language: str,
    base_url: str,
) -> RegistrationRequest:
    """Store the application and e-mail the link to the contact address."""
    values = validated(data)
    _duplicate(session, municipality.id, values["org_number"])  # type: ignore[arg-type]
    raw = secrets.token_urlsafe(tokens.TOKEN_BYTES)
    request = RegistrationRequest(
        municipality_id=municipality.id,  # type: ignore[arg-type]
        password_hash=hash_password(password),
        language=language,
        token_hash=tokens.hash_token(raw),
        expires_at=utcnow() + timedelta(hours=REGISTRATION_HOURS),
        **values,
    )
    session.add(request)
    session.flush()
    url = f"{base_url.rstrip('/')}/register/{raw}"
    queue_email(
        session,
        to_address=request.contact_email,
        to_name=request.contact_name,
        subject=str(_l("Bekräfta föreningens ansökan")),
        body_text=str(
            _l(
                "Hej %(name)s!\n\nNågon har anmält föreningen %(association)s till Nattvandring "
                "med den här adressen. Var det du? Öppna länken och skriv in koden som vi "
                "skickar till mobilnumret du angav (länken gäller i %(hours)d timmar):\n"
                "%(url)s\n\nVar det inte du kan du bortse från meddelandet.\n",
                name=request.contact_name,
                association=request.name,
                hours=REGISTRATION_HOURS,
                url=url,
            )
        ),
        kind="registration",
    )
    return request


def by_token(session: Session, raw: str | None) -> RegistrationRequest | None:
    """The live (unfinished, unexpired) application behind a link, or None (404)."""
    digest = tokens.digest_of(raw)
    if digest is None:
        return None
    found = session.exec(
        select(RegistrationRequest).where(
            RegistrationRequest.token_hash == digest,
            col(RegistrationRequest.completed_at).is_(None),
            RegistrationRequest.expires_at > utcnow(),
        )
    ).first()
    if found is None or not tokens.same_digest(found.token_hash, digest):
        return None
    return found


def pending_code(session: Session, request: RegistrationRequest) -> Verification | None:
    return verification.live(session, VerificationPurpose.REGISTRATION, registration_id=request.id)


def send_code(session: Session, request: RegistrationRequest) -> None:
    """A code to the contact number (the page says the same whether or not it was sent)."""
    verification.send_code(
        session,
        VerificationPurpose.REGISTRATION,
        to_e164=request.contact_phone,
        language=request.language,
        registration_id=request.id,
    )


def _holder(user: User | None) -> Holder | None:
    if user is None:
        return None
    return Holder(id=user.id, has_login=user.password_hash is not None, phone=user.phone_e164)  # type: ignore[arg-type]


def complete(session: Session, request: RegistrationRequest, code: str) -> Outcome:
    """The code proves the number: create the pending association and its leader."""
    # One completion per application, also when the button is pressed twice at once.
    locked = session.exec(
        select(RegistrationRequest)
        .where(RegistrationRequest.id == request.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if locked.completed_at is not None:
        raise RuleViolation(
            "link_invalid", _l("Länken är ogiltig, redan använd eller för gammal."), field="code"
        )
    proof = pending_code(session, request)
    if not verification.code_matches(proof, code):
        raise RuleViolation(
            "code_wrong",
            _l("Koden stämmer inte eller har gått ut. Be om en ny kod."),
            field="code",
        )
    _duplicate(session, request.municipality_id, request.org_number)
    by_email = find_by_email(session, request.contact_email)
    by_phone = session.exec(
        select(User).where(
            User.phone_e164 == request.contact_phone, col(User.anonymized_at).is_(None)
        )
    ).first()
    outcome, account_id = decide(_holder(by_email), _holder(by_phone))
    if outcome == Outcome.EMAIL_IN_USE:
        raise RuleViolation(
            "email_in_use",
            _l(
                "E-postadressen hör redan till en annan person hos oss. Gör en ny ansökan med "
                "en annan adress."
            ),
            field="code",
        )
    if outcome == Outcome.PHONE_IN_USE:
        raise RuleViolation(
            "phone_in_use",
            _l(
                "Mobilnumret hör till ett annat konto med inloggning. Gör en ny ansökan med "
                "det kontots e-postadress, eller med ett annat nummer."
            ),
            field="code",
        )
    leader = session.get(User, account_id) if account_id is not None else None
    if leader is None:
        leader = User(
            name=request.contact_name,
            email=request.contact_email,
            phone_e164=request.contact_phone,
            password_hash=request.password_hash,
            language=request.language,
        )
    elif outcome == Outcome.PERSON_GETS_LOGIN:
        leader.email = request.contact_email
        leader.phone_e164 = request.contact_phone
        leader.password_hash = request.password_hash
    elif leader.phone_e164 is None and by_phone is None:
        leader.phone_e164 = request.contact_phone  # proven just now, and nobody else's
    session.add(leader)
    association = Association(
        municipality_id=request.municipality_id,
        name=request.name,
        org_number=request.org_number,
        account_type=request.account_type,
        account_number=request.account_number,
        contact_name=request.contact_name,
        contact_email=request.contact_email,
        contact_phone=request.contact_phone,
    )
    session.add(association)
    session.flush()
    grant(session, leader, Role.LEADER, association_id=association.id)
    verification.mark_verified(proof)  # type: ignore[arg-type]
    request.completed_at = utcnow()
    request.association_id = association.id
    request.password_hash = ""  # not needed any more
    session.add_all([request, proof])
    record(
        session,
        actor_id=leader.id,
        action="association.registered",
        object_type="association",
        object_id=association.id,
        municipality_id=association.municipality_id,
        association_id=association.id,
        details=f"leader account: {outcome}",
    )
    return outcome


def purge_old(session: Session, *, now: datetime | None = None) -> int:
    """Applications a day past their link's expiry, finished or not: their details are in the
    association by now, or were never confirmed."""
    cutoff = (now or utcnow()) - timedelta(days=1)
    old = list(
        session.exec(select(RegistrationRequest).where(RegistrationRequest.expires_at < cutoff))
    )
    for row in old:
        for proof in session.exec(
            select(Verification).where(Verification.registration_id == row.id)
        ):
            session.delete(proof)
        session.delete(row)
    session.flush()
    return len(old)
