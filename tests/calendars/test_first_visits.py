"""Simultaneous first visits of personal pages (which make the feed link) all answer 200."""

from __future__ import annotations

import threading

from nattvandring import tokens
from nattvandring.accounts.models import TokenPurpose
from tests.calendars.conftest import personal_page_token


def test_twenty_simultaneous_first_visits_all_answer_200(app, db, world):  # type: ignore[no-untyped-def]
    ids = [world.ids["vol_a"], world.ids["vol_a2"]]
    pages = [personal_page_token(db, user_id) for user_id in ids]
    db.commit()
    start = threading.Barrier(20)
    statuses: list[int] = []
    lock = threading.Lock()

    def visit(number: int) -> None:
        client = app.test_client()
        start.wait()
        status = client.get(f"/me/{pages[number % 2]}").status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=visit, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 20
    # Everyone got the same feed link: one live personal-feed token per volunteer.
    for user_id in ids:
        live = [
            row
            for row in db.exec(
                tokens.select(tokens.AccessToken).where(
                    tokens.AccessToken.user_id == user_id,
                    tokens.AccessToken.purpose == TokenPurpose.PERSONAL_FEED,
                    tokens.AccessToken.revoked_at.is_(None),
                )
            ).all()
        ]
        assert len(live) == 1
