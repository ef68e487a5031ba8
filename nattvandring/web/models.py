"""What the web layer keeps in the database: the data versions that key cached pages."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class PageVersion(SQLModel, table=True):
    """A change counter per municipality (``scope`` = its id) and one for everything else
    (``scope`` 0), raised in the transaction of every write that a cached page may show
    (``web.page_cache``). ``created`` is set once, when the row is made, so a database made
    anew (a restore, a test) never repeats an old key even though its counters start over.
    """

    __tablename__ = "page_version"

    scope: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    version: int = Field(default=0)
    created: int = Field(default=0, sa_type=BigInteger)
