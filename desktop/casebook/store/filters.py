"""The one place a ``ShipmentFilter`` becomes SQL.

``shipment_clauses`` gives text conditions over a shipment table alias (the ``stats`` queries
and every other raw query), ``shipment_condition`` the same as one SQLAlchemy clause (paged
table views). Firms and datasets are matched by uid through subqueries, so a filter needs no
lookups first; ``unknown_uids`` tells the facade which uids do not exist, to refuse them.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import TextClause, text
from sqlmodel import Session

from casebook.core.filters import COUNTRY_FIELDS, ShipmentFilter
from casebook.store import backend

#: Sorts after any date text that starts with the bound ("2023-12" covers "2023-12-31").
DATE_END = "\x7f"
#: The columns ``--text`` searches (as the Shipments tab's text box always did).
TEXT_COLUMNS = ("description", "brand", "manufacturer", "declaration_no")


def like_pattern(value: str) -> str:
    """A LIKE pattern (escape ``\\``) matching ``value`` anywhere, its wildcards taken literally."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class Params(dict):
    """Named parameters with fresh names, so clauses can be built independently and joined."""

    def add(self, value: object) -> str:
        name = f"p{len(self)}"
        self[name] = value
        return f":{name}"

    def many(self, values: Iterable[object]) -> str:
        return ", ".join(self.add(v) for v in values)


def hs_clause(column: str, prefixes: Iterable[str], params: Params) -> str:
    """Code starts with one of the prefixes: one ``substr(…) IN (…)`` per prefix length."""
    by_length: dict[int, list[str]] = {}
    for prefix in prefixes:
        by_length.setdefault(len(prefix), []).append(prefix)
    parts = [
        f"substr({column}, 1, {n}) IN ({params.many(group)})" for n, group in by_length.items()
    ]
    return "(" + " OR ".join(parts) + ")"


def dataset_clause(column: str, uids: Iterable[str], *, case_id: int, params: Params) -> str:
    """``column`` (a dataset id) is one of the case's datasets with these uids (trade flows use
    it too)."""
    return (
        f"{column} IN (SELECT id FROM dataset WHERE case_id = {params.add(case_id)} "
        f"AND uid IN ({params.many(uids)}))"
    )


def shipment_clauses(
    lens: ShipmentFilter | None,
    *,
    case_id: int,
    params: Params,
    alias: str = "s",
    date: str | None = None,
    hs: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> list[str]:
    """SQL conditions (joined with AND by the caller) selecting the case's shipments in the lens.

    A rollup passes its own ``date`` (a month column) and ``hs`` columns and month bounds in
    ``date_from``/``date_to``; the firm, dataset and country columns have the shipment's names.
    """
    lens = lens or ShipmentFilter()
    a = alias
    where = [f"{a}.case_id = {params.add(case_id)}"]
    date, hs = date or f"{a}.date", hs or f"{a}.hs_code"
    start = date_from if date_from is not None else lens.date_from
    end = date_to if date_to is not None else lens.date_to
    if start:
        where.append(f"{date} >= {params.add(start)}")
    if end:
        where.append(f"{date} <= {params.add(end + DATE_END)}")
    if lens.hs:
        where.append(hs_clause(hs, lens.hs, params))
    for name in COUNTRY_FIELDS:
        codes = getattr(lens, name)
        if codes:
            where.append(f"coalesce({a}.{name}, 'XX') IN ({params.many(codes)})")
    if lens.firms:
        ids = f"SELECT id FROM firm WHERE uid IN ({params.many(lens.firms)})"
        where.append(f"({a}.exporter_id IN ({ids}) OR {a}.importer_id IN ({ids}))")
    if lens.datasets:
        where.append(
            dataset_clause(f"{a}.dataset_id", lens.datasets, case_id=case_id, params=params)
        )
    if lens.text:
        if lens.text.isascii():
            pattern = params.add(like_pattern(lens.text))
            like = backend.current().like_operator()
            tests = [f"{a}.{c} {like} {pattern} ESCAPE '\\'" for c in TEXT_COLUMNS]
        else:
            needle = params.add(lens.text)
            tests = [backend.current().contains_clause(f"{a}.{c}", needle) for c in TEXT_COLUMNS]
        where.append("(" + " OR ".join(tests) + ")")
    if lens.min_value is not None:
        where.append(f"{a}.value_usd >= {params.add(lens.min_value)}")
    return where


def shipment_condition(
    lens: ShipmentFilter | None, *, case_id: int, alias: str = "shipment"
) -> TextClause:
    """The lens as one SQLAlchemy clause over the ``shipment`` table (or an alias of it)."""
    params = Params()
    where = shipment_clauses(lens, case_id=case_id, params=params, alias=alias)
    return text(" AND ".join(where)).bindparams(**params)


def firms_in_lens(lens: ShipmentFilter | None, *, case_id: int, column: str) -> TextClause:
    """``column`` (a firm id) is the exporter or importer of a shipment of the case in the lens."""
    params = Params()
    where = " AND ".join(shipment_clauses(lens, case_id=case_id, params=params))
    sql = (
        f"{column} IN (SELECT s.exporter_id FROM shipment s WHERE {where} "
        f"UNION SELECT s.importer_id FROM shipment s WHERE {where})"
    )
    return text(sql).bindparams(**params)


def needs_rows(lens: ShipmentFilter | None) -> bool:
    """True when a rollup cannot answer: text, minimum value and firm filters need the rows."""
    return bool(lens and (lens.text or lens.min_value is not None or lens.firms))


def unknown_uids(session: Session, lens: ShipmentFilter | None, *, case_id: int) -> dict:
    """``{"firm": [uid, …], "dataset": [uid, …]}`` of the lens's uids that do not exist."""
    missing: dict[str, list[str]] = {}
    if not lens:
        return missing
    for kind, uids, sql in (
        ("firm", lens.firms, "SELECT uid FROM firm WHERE uid IN ({})"),
        ("dataset", lens.datasets, "SELECT uid FROM dataset WHERE case_id = :case AND uid IN ({})"),
    ):
        if not uids:
            continue
        params = Params(case=case_id)
        found = {row[0] for row in session.execute(text(sql.format(params.many(uids))), params)}
        if absent := [u for u in uids if u not in found]:
            missing[kind] = absent
    return missing
