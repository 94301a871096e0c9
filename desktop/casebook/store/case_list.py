"""The list of cases, read without the store's models.

``casebook case list`` should answer at once, and defining the store's thirty-odd SQLModel
tables is most of what opening a store costs a short command. The case table's columns are
named here as a plain SQLAlchemy ``table()`` with the types the models give them (so values
come back converted alike: ``created`` an aware datetime in UTC); a test compares both, column
for column and row for row.
"""

from __future__ import annotations

from sqlalchemy import Integer, Row, column, select, table
from sqlalchemy.orm import Session
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

#: The columns of the ``case`` table a listing reads (``casebook.core.cases.CaseInfo``).
CASE = table(
    "case",
    column("id", Integer()),
    column("uid", AutoString()),
    column("ref", AutoString()),
    column("title", AutoString()),
    column("summary", AutoString()),
    column("status", AutoString()),
    column("priority", AutoString()),
    column("marking", AutoString()),
    column("created", UTCDateTime()),
    column("updated", UTCDateTime()),
)


def list_cases(session: Session, *, include_archived: bool = True) -> list[Row]:
    """Every case (or every one not archived), newest first, as rows of the case table (a row
    reads like a case: ``row.ref``, ``row.created``)."""
    query = select(CASE).order_by(CASE.c.created.desc(), CASE.c.id.desc())
    if not include_archived:
        query = query.where(CASE.c.status != "archived")
    return list(session.connection().execute(query))
