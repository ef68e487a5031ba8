"""Login, logout, sessions and rate limits."""

from __future__ import annotations

from argon2 import PasswordHasher

from tests.factories import PASSWORD, login


def _is_logged_in(client) -> bool:
    return client.get("/account/password").status_code == 200


def test_login_success_lands_on_the_dashboard(client, world):
    response = login(client, world.emails["coord_h"])
    assert response.status_code == 302
    page = client.get("/")
    assert "Hej Coord H!" in page.text
    assert "Föreningar" in page.text


def test_wrong_password_and_unknown_user_get_the_same_answer(client, world, monkeypatch):
    verified = []
    original = PasswordHasher.verify

    def spy(self, hash, password):
        verified.append(hash)
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    wrong = login(client, world.emails["coord_h"], "not-the-password")
    unknown = login(client, "nobody@example.org", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    assert "Fel e-post eller lösenord." in wrong.text
    assert "Fel e-post eller lösenord." in unknown.text
    # Both paths run one full argon2 verification: the same timing class.
    assert len(verified) == 2
    assert all(h.startswith("$argon2id$") for h in verified)
    assert not _is_logged_in(client)


def test_volunteer_without_password_cannot_log_in(client, world, db):
    from nattvandring.accounts.models import User

    volunteer = db.get(User, world.ids["vol_a"])
    volunteer.email = "vol@example.org"
    db.commit()
    assert "Fel e-post" in login(client, "vol@example.org", "any-password-at-all").text
    assert not _is_logged_in(client)


def test_login_is_rate_limited(client, world):
    for _ in range(10):
        assert login(client, world.emails["coord_h"], "wrong").status_code == 200
    limited = login(client, world.emails["coord_h"], PASSWORD)
    assert limited.status_code == 429
    assert "För många försök" in limited.text
    assert not _is_logged_in(client)


def test_logout_ends_the_session_and_old_cookies(app, world):
    client = app.test_client()
    login(client, world.emails["leader_a"])
    stolen = client.get_cookie("nv_session").value
    assert client.post("/logout").status_code == 302
    assert not _is_logged_in(client)
    replay = app.test_client()
    replay.set_cookie("nv_session", stolen)
    assert not _is_logged_in(replay)


def test_password_change_logs_out_other_sessions(app, world):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, world.emails["leader_a"])
    login(laptop, world.emails["leader_a"])
    response = laptop.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a-brand-new-password",
            "confirm": "a-brand-new-password",
        },
    )
    assert response.status_code == 302
    assert _is_logged_in(laptop)
    assert not _is_logged_in(phone)
    assert login(phone, world.emails["leader_a"], "a-brand-new-password").status_code == 302


def test_password_change_needs_the_current_password(client, world):
    login(client, world.emails["leader_a"])
    response = client.post(
        "/account/password",
        data={"current_password": "wrong", "new_password": "x" * 12, "confirm": "x" * 12},
    )
    assert response.status_code == 422
    assert "Nuvarande lösenord stämmer inte." in response.text


def test_session_cookie_flags(client, world):
    login(client, world.emails["leader_a"])
    cookie = client.get_cookie("nv_session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_remember_me_sets_a_limited_http_only_cookie(client, world):
    client.post(
        "/login", data={"email": world.emails["leader_a"], "password": PASSWORD, "remember": "y"}
    )
    remember = client.get_cookie("nv_remember")
    assert remember is not None and remember.http_only
