"""Simultaneous first visits of personal pages (which make the feed link) all answer 200."""

from __future__ import annotations

import threading

from nattvandring import tokens
from nattvandring.accounts.models import TokenPurpose
from tests.calendars.conftest import (
    association_feed_path,
    personal_feed_path,
    personal_page_token,
)


def _all_at_once(app, paths: list[str]) -> list[int]:  # type: ignore[no-untyped-def]
    start = threading.Barrier(len(paths))
    statuses: list[int] = []
    lock = threading.Lock()

    def visit(path: str) -> None:
        client = app.test_client()
        start.wait()
        status = client.get(path).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=visit, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_twenty_simultaneous_first_visits_all_answer_200(app, db, world):  # type: ignore[no-untyped-def]
    ids = [world.ids["vol_a"], world.ids["vol_a2"]]
    pages = [personal_page_token(db, user_id) for user_id in ids]
    db.commit()
    assert _all_at_once(app, [f"/me/{pages[n % 2]}" for n in range(20)]) == [200] * 20
    feeds = [personal_feed_path(db, user_id) for user_id in ids]
    feeds.append(association_feed_path(db, world.ids["assoc_a"]))
    db.commit()
    # The feeds' first GETs (nothing rendered or cached yet) write nothing either.
    assert _all_at_once(app, [feeds[n % 3] for n in range(20)]) == [200] * 20
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
