"""Flask's signed-cookie session: one signing serializer per set of keys, and an unchanged
login session signed anew once in a while rather than on every response."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer

#: An unchanged permanent session is signed anew once this share of its lifetime has passed
#: since it was last signed: with the default 12 hours, at most once an hour. The lifetime
#: still slides with use; it may end up to this share early for someone idle that long.
REFRESH_SHARE = 1 / 12


class Session(SecureCookieSession):
    #: When the cookie this session came from was signed; None for a new session or a
    #: cookie signed with a previous key (both are signed with the current key on the way out).
    signed_at: datetime | None = None


class SessionInterface(SecureCookieSessionInterface):
    """Flask builds a new itsdangerous serializer to open the session of every request, and
    again to save a changed one. A serializer holds only its keys and settings, so one serves
    every request until SECRET_KEY or SECRET_KEY_FALLBACKS changes (tests change them).

    Flask also signs a permanent session anew on every response to slide its lifetime
    (SESSION_REFRESH_EACH_REQUEST): a signature and a Set-Cookie per page view. Here an
    unchanged session is signed anew only once ``REFRESH_SHARE`` of its lifetime has passed,
    or when its cookie was signed with a previous key."""

    session_class = Session

    def __init__(self) -> None:
        self._built: tuple[object, tuple[URLSafeTimedSerializer, ...] | None] | None = None

    def _serializers(self, app: Flask) -> tuple[URLSafeTimedSerializer, ...] | None:
        """The serializer that also accepts previous keys, then one for the current key only."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        built = self._built
        if built is None or built[0] != keys:
            accepting = super().get_signing_serializer(app)
            pair = None
            if accepting is not None:
                current = URLSafeTimedSerializer(
                    app.secret_key,  # type: ignore[arg-type]
                    salt=self.salt,
                    serializer=self.serializer,
                    signer_kwargs=accepting.signer_kwargs,
                )
                pair = (accepting, current)
            built = self._built = (keys, pair)
        return built[1]

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        pair = self._serializers(app)
        return None if pair is None else pair[0]

    def open_session(self, app: Flask, request: Request) -> Session | None:
        pair = self._serializers(app)
        if pair is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return Session()
        accepting, current = pair
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = current.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            try:
                data = accepting.loads(cookie, max_age=max_age)
            except BadSignature:
                return Session()
            return Session(data)  # a previous key: signed_at stays None
        opened = Session(data)
        opened.signed_at = signed_at
        return opened

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        if signed_at is None:
            return True
        age = datetime.now(UTC) - signed_at
        return age >= app.permanent_session_lifetime * REFRESH_SHARE
