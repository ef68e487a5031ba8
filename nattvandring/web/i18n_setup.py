"""Locale selection: the user's own choice, then the session's, then Accept-Language."""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_login import current_user

from ..extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    if getattr(current_user, "is_authenticated", False):
        own = current_user.language
        if own in languages:
            return own
    return request.accept_languages.best_match(languages) or languages[0]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
