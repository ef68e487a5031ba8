"""Start page and language switch."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..db import db_session
from ..i18n import _l
from . import nav
from .blueprint import bp
from .redirects import local_path


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        return render_template("web/landing.html")
    return render_template("web/dashboard.html")


@bp.post("/lang")
def set_language():  # type: ignore[no-untyped-def]
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            user = db_session().merge(current_user.user)
            user.language = lang
    return redirect(local_path(request.form.get("next"), url_for("web.index")))


nav.register("web.index", _l("Översikt"), lambda user: True, order=0)
