"""The question "do you want to join this association?" to a person a leader typed in.

The SMS (or, when the person cannot get SMS, the e-mail) belongs to no association and no
municipality: the "Skickade SMS" pages of leaders and coordinators show the recipient's name,
and the asking association must not learn it before the person says yes.
"""

from __future__ import annotations

from flask import current_app
from sqlmodel import Session

from .. import tokens
from ..accounts.models import User
from ..associations.models import Association
from ..i18n import _l
from ..mail.services import queue_email
from ..volunteers.models import MembershipRequest
from .models import SmsKind
from .services import cancel_rows, open_rows, queue_sms, skip_reason
from .services_notices import first_name
from .texts import LINK_MARKER, TOKEN_LENGTH, render


def _dedupe_key(request: MembershipRequest) -> str:
    return f"membership:{request.id}"


def send_membership_question(
    session: Session, *, request: MembershipRequest, association: Association, user: User
) -> None:
    base = str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    if skip_reason(user) is None:
        context = {
            "name": first_name(user),
            "association": association.name,
            "personal_url": LINK_MARKER,
        }
        body = render(
            "membership_question",
            user.language,
            context,
            link_length=len(f"{base}/me/") + TOKEN_LENGTH,
        )
        queue_sms(
            session,
            kind=SmsKind.MEMBERSHIP_QUESTION,
            user=user,
            body=body,
            dedupe_key=_dedupe_key(request),
        )
        return
    if user.email and user.anonymized_at is None:
        from ..volunteers.services import personal_url

        url = personal_url(session, user, base, tokens.signing_keys(current_app.config))
        queue_email(
            session,
            to_address=user.email,
            to_name=user.name,
            subject=str(_l("Vill du gå med i %(association)s?", association=association.name)),
            body_text=str(
                _l(
                    "Hej %(name)s!\n\n%(association)s vill ha med dig som nattvandrare. Vill du "
                    "gå med i föreningen? Svara ja eller nej på din personliga sida:\n%(url)s\n\n"
                    "Föreningen ser inga av dina uppgifter förrän du har tackat ja.\n",
                    name=user.name,
                    association=association.name,
                    url=url,
                )
            ),
            kind="membership_question",
            dedupe_key=_dedupe_key(request),
        )


def cancel_membership_question(session: Session, request: MembershipRequest) -> None:
    """The leader withdrew the question: an SMS not yet sent is not sent."""
    rows = [
        row
        for row in open_rows(session, user_id=request.user_id, kinds=[SmsKind.MEMBERSHIP_QUESTION])
        if row.dedupe_key == _dedupe_key(request)
    ]
    cancel_rows(session, rows, "question withdrawn by the leader")
