"""The volunteer's own data under their personal link: download it, or ask to be erased.
The link is the authorization (see blueprint.py)."""

from __future__ import annotations

import json

from flask import Response, render_template
from sqlmodel import select

from ..accounts.models import Membership
from ..clock import utcnow
from ..db import db_session
from ..exports import content_disposition
from .blueprint import bp, personal_owner
from .forms import EraseForm
from .privacy import STAFF_ROLES, erase_user, export_data


@bp.get("/me/<token>/privacy/export.json")
def personal_export(token: str):  # type: ignore[no-untyped-def]
    user = personal_owner(token)
    data = export_data(db_session(), user)
    stamp = utcnow().strftime("%Y%m%d")
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": content_disposition(f"mina-uppgifter-{stamp}.json"),
            "Cache-Control": "no-store",
        },
    )


@bp.route("/me/<token>/privacy/erase", methods=["GET", "POST"])
def personal_erase(token: str):  # type: ignore[no-untyped-def]
    session = db_session()
    user = personal_owner(token)
    staff = session.exec(
        select(Membership).where(
            Membership.user_id == user.id,
            Membership.role.in_(STAFF_ROLES),  # type: ignore[attr-defined]
        )
    ).first()
    form = EraseForm()
    if staff is None and form.validate_on_submit():
        erase_user(session, user)
        return render_template("volunteers/erased.html")
    status = 422 if form.is_submitted() else 200
    return render_template(
        "volunteers/erase_confirm.html", form=form, token=token, staff=staff is not None
    ), status
