"""Start page (for a signed-in person, their home: ``home.services``) and language switch."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import format_date
from flask_login import current_user

from ..clock import utcnow
from ..db import db_session
from ..home.services import home_for
from ..i18n import _l
from ..opendata import services as opendata
from . import nav, page_cache
from .blueprint import bp
from .redirects import local_path


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        monday, _sunday = opendata.current_week()
        content = page_cache.fragment(
            "web.landing",
            municipality_ids=None,  # the week in every municipality
            parts=(monday,),
            render=lambda: (_landing_content(monday), None),
        )
        return render_template("web/landing.html", content=content)
    home = home_for(db_session(), current_user, utcnow())
    return render_template("home/index.html", home=home)


def _landing_content(monday: date) -> str:
    sunday = monday + timedelta(days=6)
    return render_template(
        "web/_landing_content.html",
        week=opendata.week_summary(db_session(), first=monday, last=sunday),
        week_number=monday.isocalendar().week,
        first_day=format_date(monday, "d MMMM"),
        last_day=format_date(sunday, "d MMMM"),
    )


@bp.post("/lang")
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            user = db_session().merge(current_user.user)
            user.language = lang
    return redirect(local_path(request.form.get("next"), url_for("web.index")))


nav.register("web.index", _l("Översikt"), lambda user: True, order=0)
