"""The "Skickade SMS" pages and the Twilio webhooks."""

from __future__ import annotations

import logging
from datetime import time, timedelta

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select
from twilio.twiml.messaging_response import MessagingResponse

from .. import authz
from ..accounts.models import Role, User
from ..associations.models import Association
from ..clock import local_to_utc
from ..db import db_session
from ..errors import Forbidden, RuleViolation
from ..extensions import csrf, limiter
from ..i18n import _, _l
from ..web import nav
from ..web.forms_util import load_for
from . import policy
from .blueprint import bp
from .forms import KIND_LABELS, STATUS_LABELS, OutboxFilterForm, RetryForm
from .health import backlog, failing_since
from .models import SmsMessage
from .services import retry_by_hand
from .texts import LINK_MARKER
from .webhooks import apply_status, first_inbound, first_time, handle_inbound, signature_valid

log = logging.getLogger(__name__)
PAGE_SIZE = 200


def _with_recipients(messages: list[SmsMessage]) -> list[tuple[SmsMessage, User | None]]:
    ids = {m.user_id for m in messages if m.user_id is not None}
    people = {}
    if ids:
        found = db_session().exec(select(User).where(col(User.id).in_(ids))).all()
        people = {person.id: person for person in found}
    return [(m, people.get(m.user_id)) for m in messages]


def _labels() -> dict[str, object]:
    return {"kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS, "marker": LINK_MARKER}


def _provider_failing_since():  # type: ignore[no-untyped-def]
    """For the admins' banner in the layout: when the SMS provider started failing (only
    once that is more than 15 minutes ago), or None."""
    if not authz.is_admin(current_user):
        return None
    try:
        return failing_since(db_session())
    except SQLAlchemyError:  # e.g. an error page after a failed transaction: no banner
        log.warning("SMS provider health could not be read", exc_info=True)
        return None


@bp.app_context_processor
def _sms_banner():  # type: ignore[no-untyped-def]
    return {"sms_provider_failing_since": _provider_failing_since}


@bp.get("/messages")
@login_required
def outbox():  # type: ignore[no-untyped-def]
    authz.require_role(current_user, Role.COORDINATOR)
    form = OutboxFilterForm(request.args)
    query = select(SmsMessage)
    scope = authz.coordinated_municipality_ids(current_user)
    if scope is not None:
        query = query.where(col(SmsMessage.municipality_id).in_(scope))
    if form.validate():
        if form.status.data:
            query = query.where(SmsMessage.status == form.status.data)
        if form.kind.data:
            query = query.where(SmsMessage.kind == form.kind.data)
        if form.day.data:
            begins = local_to_utc(form.day.data, time(0))
            ends = local_to_utc(form.day.data + timedelta(days=1), time(0))
            query = query.where(SmsMessage.due_at >= begins, SmsMessage.due_at < ends)
    messages = list(db_session().exec(query.order_by(col(SmsMessage.id).desc()).limit(PAGE_SIZE)))
    return render_template(
        "messaging/outbox.html",
        form=form,
        rows=_with_recipients(messages),
        retry_form=RetryForm(),
        page_size=PAGE_SIZE,
        backlog=backlog(db_session(), scope),
        provider_failing_since=failing_since(db_session()),
        **_labels(),
    ), (200 if not form.errors else 422)


@bp.post("/messages/<int:message_id>/retry")
@login_required
def retry(message_id: int):  # type: ignore[no-untyped-def]
    message = load_for(SmsMessage, message_id, "retry")
    form = RetryForm()
    if not form.validate_on_submit():
        raise Forbidden()
    session = db_session()
    try:
        retry_by_hand(session, message)
    except RuleViolation as violation:
        text = str(violation)  # render before the rollback expires the current user
        session.rollback()
        flash(text, "error")
        return redirect(url_for("messaging.outbox")), 303
    flash(_("SMS:et skickas igen inom en minut."), "success")
    return redirect(url_for("messaging.outbox"))


@bp.get("/messages/association/<int:association_id>")
@login_required
def association_messages(association_id: int):  # type: ignore[no-untyped-def]
    association = load_for(Association, association_id, "view")
    query = (
        select(SmsMessage)
        .where(SmsMessage.association_id == association.id)
        .order_by(col(SmsMessage.id).desc())
        .limit(PAGE_SIZE)
    )
    messages = list(db_session().exec(query))
    return render_template(
        "messaging/association.html",
        association=association,
        rows=_with_recipients(messages),
        **_labels(),
    )


@bp.get("/messages/association")
@login_required
def my_association_messages():  # type: ignore[no-untyped-def]
    """The leader's entry point: their (first) association's SMS statuses."""
    led = sorted(current_user.association_ids())
    authz.require_that(bool(led))
    return redirect(url_for("messaging.association_messages", association_id=led[0]))


# --- Twilio webhooks --------------------------------------------------------------------------


def _webhook_limit() -> str:
    return str(current_app.config["RATELIMIT_WEBHOOKS"])


def _twiml(reply: str | None) -> Response:
    answer = MessagingResponse()
    if reply:
        answer.message(reply)
    return Response(str(answer), 200, content_type="text/xml")


@bp.post("/webhooks/twilio/status")
@csrf.exempt
@limiter.limit(_webhook_limit)
def twilio_status():  # type: ignore[no-untyped-def]
    if not signature_valid(request, current_app.config):
        raise Forbidden()
    session = db_session()
    if first_time(session, request.headers.get("I-Twilio-Idempotency-Token")):
        apply_status(
            session,
            sid=request.form.get("MessageSid", ""),
            status=request.form.get("MessageStatus", ""),
            error_code=request.form.get("ErrorCode"),
        )
    return "", 204


@bp.post("/webhooks/twilio/inbound")
@csrf.exempt
@limiter.limit(_webhook_limit)
def twilio_inbound():  # type: ignore[no-untyped-def]
    if not signature_valid(request, current_app.config):
        raise Forbidden()
    session = db_session()
    if not first_time(session, request.headers.get("I-Twilio-Idempotency-Token")):
        return _twiml(None)
    if not first_inbound(session, request.form.get("MessageSid")):
        return _twiml(None)  # a replay: 200, so that Twilio does not retry it
    reply = handle_inbound(
        session, from_e164=request.form.get("From", ""), body=request.form.get("Body", "")
    )
    return _twiml(reply)


nav.register("messaging.outbox", _l("Skickade SMS"), policy.sees_outbox, order=70)
nav.register(
    "messaging.my_association_messages",
    _l("SMS-status"),
    lambda user: bool(user.association_ids()) and not policy.sees_outbox(user),
    order=71,
)
