"""The sponsorship blueprint and the helpers its view modules share (downloads, filters)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from flask import Blueprint, Response, request, stream_with_context
from sqlmodel import Session

from ..db import get_engine, new_session
from ..exports import content_disposition

bp = Blueprint("sponsorship", __name__)

CSV_TYPES = {"excel_sv": "text/csv; charset=utf-8", "plain": "text/csv; charset=utf-8"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def stream_csv(produce: Callable[[Session], Iterator[str]], filename: str) -> Response:
    """Stream CSV text made by ``produce(session)`` after the request has been answered.

    The body is generated after ``after_request`` has committed and closed the request's
    session, so the generator reads with a session of its own, closed when the download
    ends (or is aborted); authorization happens in the view before this is called.
    """
    engine = get_engine()

    def generate() -> Iterator[bytes]:
        session = new_session(engine, write=False)
        try:
            for chunk in produce(session):
                yield chunk.encode("utf-8")
        finally:
            session.rollback()
            session.close()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response


def download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response


def csv_dialect() -> str:
    return "plain" if request.args.get("dialect") == "plain" else "excel_sv"
