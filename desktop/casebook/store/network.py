"""Queries behind the link chart and the timeline: firms of a case, trade edges aggregated per
exporter → importer pair, per-firm totals, relationships, monthly activity per firm, the
chart's saved positions (pins, groups) and its view settings.

Every shipment query groups in SQL, so a case of a million rows returns a few thousand rows;
the shipments are those of the lens (``store.filters.shipment_clauses``; None: the whole case).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

from sqlalchemy import delete as sa_delete
from sqlalchemy import insert as sa_insert
from sqlalchemy import select as sa_select
from sqlalchemy import text
from sqlmodel import Session, select

from casebook.core.filters import ShipmentFilter
from casebook.store import models as m
from casebook.store import rollups
from casebook.store.filters import Params, shipment_clauses


def _run(session: Session, sql: str, params: dict) -> list[tuple]:
    return [tuple(row) for row in session.execute(text(sql), params)]


def case_firms(session: Session, *, case_id: int) -> list[tuple]:
    """(id, uid, name, native_name, country, role) of the case's firms and of the firms its
    relationships name (role None when the case never gave one)."""
    sql = """
        SELECT f.id, f.uid, f.name, f.native_name, f.country, cf.role
        FROM casefirm cf JOIN firm f ON f.id = cf.firm_id
        WHERE cf.case_id = :case AND f.merged_into IS NULL
        UNION
        SELECT f.id, f.uid, f.name, f.native_name, f.country, NULL
        FROM relationship r JOIN firm f ON f.id IN (r.from_firm_id, r.to_firm_id)
        WHERE r.case_id = :case AND f.merged_into IS NULL
          AND NOT EXISTS (SELECT 1 FROM casefirm c2 WHERE c2.case_id = :case AND c2.firm_id = f.id)
        ORDER BY 1
    """
    return _run(session, sql, {"case": case_id})


def trade_edges(
    session: Session,
    *,
    case_id: int,
    lens: ShipmentFilter | None,
    min_value: float = 0.0,
    pairs: Collection[tuple[int, int]] | None = None,
) -> list[tuple]:
    """(exporter id, importer id, value USD, shipments, first date, last date) per pair of the
    lens's shipments; pairs worth less than ``min_value`` USD in all are left out. Read from
    the firm groups (``store.rollups``) for the whole case when the pairs end in a few months,
    from the rows otherwise. With ``pairs`` (firm ids, either order), only the trade between
    those firms, either way, is read (``largest_trade_pairs`` chooses them)."""
    wanted = None if pairs is None else {frozenset(pair) for pair in pairs}
    if wanted is not None and not wanted:
        return []
    if not lens:
        edges = _rollup_edges(session, case_id=case_id, min_value=min_value, wanted=wanted)
        if edges is not None:
            return edges
    params = Params()
    where = shipment_clauses(lens, case_id=case_id, params=params)
    where += ["s.exporter_id IS NOT NULL", "s.importer_id IS NOT NULL"]
    where += _between(wanted, params, "s.exporter_id", "s.importer_id")
    having = ""
    if min_value and min_value > 0:
        having = f"HAVING coalesce(sum(s.value_usd), 0) >= {params.add(float(min_value))}"
    sql = f"""
        SELECT s.exporter_id, s.importer_id, coalesce(sum(s.value_usd), 0), count(*),
               min(s.date), max(s.date)
        FROM shipment s WHERE {" AND ".join(where)}
        GROUP BY s.exporter_id, s.importer_id {having}
        ORDER BY 1, 2
    """
    return _only(wanted, _run(session, sql, params))


def _between(wanted: set[frozenset] | None, params: Params, exporter: str, importer: str) -> list:
    """SQL conditions keeping the rows whose both parties are firms of the ``wanted`` pairs
    (``_only`` then keeps the pairs themselves); none when every pair is wanted."""
    if wanted is None:
        return []
    ends = params.many(sorted({firm for pair in wanted for firm in pair}))
    return [f"{exporter} IN ({ends})", f"{importer} IN ({ends})"]


def _only(wanted: set[frozenset] | None, rows: list[tuple]) -> list[tuple]:
    """The rows (exporter id, importer id, ...) of the ``wanted`` pairs (all when None)."""
    if wanted is None:
        return rows
    return [row for row in rows if frozenset(row[:2]) in wanted]


class LargestPairs(NamedTuple):
    """The largest trade links of a case, chosen in SQL (``largest_trade_pairs``): a link is
    all the trade between two firms of the case, both ways."""

    #: (lower id, higher id) of the largest links at or over the threshold, largest first: the
    #: ``limit`` largest, and those whose value equals the last one's (ties, ordered later).
    pairs: list[tuple[int, int]]
    above: tuple[int, float, int]  # links at or over the threshold: count, USD, shipments
    below: tuple[int, float, int]  # links under it (none when the threshold is 0)
    #: firm id -> (sends, receives, its largest link's value) of every firm with a link
    firms: dict[int, tuple[bool, bool, float]]


#: ``largest_trade_pairs`` reads this many more links than asked, to see ties past the last.
TIES = 16


def largest_trade_pairs(
    session: Session,
    *,
    case_id: int,
    lens: ShipmentFilter | None,
    limit: int,
    threshold: float = 0.0,
) -> LargestPairs:
    """The ``limit`` largest trade links (by USD value) of the lens's shipments between the
    case's firms (``case_firms``), those worth less than ``threshold`` USD (when above 0) left
    out, with the count, value and shipments of the links over and under the threshold and
    each linked firm's directions and largest link: what the link chart of the largest links
    needs, without reading every pair. One query groups the links once (from the firm groups
    of the whole case, or from the lens's rows) and answers both: the firms' rows, then the
    largest links' rows."""
    params = Params()
    pairs = _pair_sql(case_id=case_id, lens=lens, params=params)
    under = f"p.v < {params.add(float(threshold))}" if threshold > 0 else "1 = 0"
    over = f"WHERE v >= {params.add(float(threshold))}" if threshold > 0 else ""
    fetch = max(limit, 0) + TIES
    sql = f"""
        WITH pairs AS ({pairs})
        SELECT 0, firm, NULL, max(v), max(sends), max(receives),
               sum(CASE WHEN under = 1 THEN 0 ELSE owns END),
               sum(CASE WHEN under = 1 THEN 0 ELSE owns * v END),
               sum(CASE WHEN under = 1 THEN 0 ELSE owns * n END),
               sum(CASE WHEN under = 1 THEN owns ELSE 0 END),
               sum(CASE WHEN under = 1 THEN owns * v ELSE 0 END),
               sum(CASE WHEN under = 1 THEN owns * n ELSE 0 END)
        FROM (
            SELECT CASE WHEN k.side = 0 THEN p.lo ELSE p.hi END AS firm, p.v, p.n,
                   CASE WHEN k.side = 0 THEN p.lo_sends ELSE p.hi_sends END AS sends,
                   CASE WHEN k.side = 0 THEN p.hi_sends ELSE p.lo_sends END AS receives,
                   1 - k.side AS owns, CASE WHEN {under} THEN 1 ELSE 0 END AS under
            FROM pairs AS p
            JOIN (SELECT 0 AS side UNION ALL SELECT 1) AS k ON k.side = 0 OR p.hi <> p.lo
        ) AS ends
        GROUP BY firm
        UNION ALL
        SELECT 1, lo, hi, v, 0, 0, 0, 0, 0, 0, 0, 0
        FROM (SELECT lo, hi, v FROM pairs {over} ORDER BY v DESC LIMIT {params.add(fetch)}) AS top
    """
    firms: dict[int, tuple[bool, bool, float]] = {}
    above, below = [0, 0.0, 0], [0, 0.0, 0]
    largest = []
    for part, firm, other, top, sends, receives, *sums in _run(session, sql, params):
        if part:
            largest.append((firm, int(other), float(top)))
            continue
        firms[firm] = (bool(sends), bool(receives), float(top))
        for totals, (links, value, shipments) in ((above, sums[:3]), (below, sums[3:])):
            totals[0] += int(links)
            totals[1] += float(value)
            totals[2] += int(shipments)
    largest.sort(key=lambda row: -row[2])
    chosen = _candidates(largest, limit, fetch)
    if chosen is None:  # ties run past what was read: read them all
        chosen = _largest_pairs(session, case_id=case_id, lens=lens, limit=limit,
                                threshold=threshold, fetch=fetch * 8)  # fmt: skip
    return LargestPairs(pairs=chosen, above=tuple(above), below=tuple(below), firms=firms)


def _candidates(rows: list[tuple], limit: int, fetch: int) -> list[tuple[int, int]] | None:
    """Of ``rows`` (lo, hi, value), the ``fetch`` largest links largest first: the ``limit``
    largest and those of the same value as the last (within a rounding error: the caller sums
    each link's two ways in its own order); None when as many as were read tie with it."""
    if limit <= 0 or not rows:
        return []
    last = rows[min(limit, len(rows)) - 1][2]
    least = last - abs(last) * 1e-9
    if len(rows) >= fetch and rows[-1][2] >= least:
        return None
    return [(lo, hi) for lo, hi, v in rows if v >= least]


def _largest_pairs(
    session: Session,
    *,
    case_id: int,
    lens: ShipmentFilter | None,
    limit: int,
    threshold: float,
    fetch: int,
) -> list[tuple[int, int]]:
    """``_candidates`` of the ``fetch`` largest links at or over the threshold, read further
    while they tie."""
    while True:
        params = Params()
        pairs = _pair_sql(case_id=case_id, lens=lens, params=params)
        over = f"WHERE p.v >= {params.add(float(threshold))}" if threshold > 0 else ""
        sql = f"""SELECT p.lo, p.hi, p.v FROM ({pairs}) AS p {over}
                  ORDER BY p.v DESC LIMIT {params.add(fetch)}"""
        rows = [(lo, hi, float(v)) for lo, hi, v in _run(session, sql, params)]
        chosen = _candidates(rows, limit, fetch)
        if chosen is not None:
            return chosen
        fetch *= 4


def _pair_sql(*, case_id: int, lens: ShipmentFilter | None, params: Params) -> str:
    """A query of the links between the case's firms: (lo, hi, v, n, lo_sends, hi_sends), the
    two firm ids in order, the link's USD value and shipments, and whether each firm sent
    goods to the other; from the firm groups for the whole case, else from the lens's rows."""
    if lens:
        where = shipment_clauses(lens, case_id=case_id, params=params)
        source = f"""SELECT s.exporter_id AS a, s.importer_id AS b, s.value_usd AS v, 1 AS n
                     FROM shipment s WHERE {" AND ".join(where)}"""
    else:
        source = f"""SELECT exporter_id AS a, importer_id AS b, value_usd AS v, shipments AS n
                     FROM partyrollup WHERE case_id = {params.add(case_id)}"""
    case = params.add(case_id)
    firms = f"""
        SELECT cf.firm_id FROM casefirm cf JOIN firm f ON f.id = cf.firm_id
        WHERE cf.case_id = {case} AND f.merged_into IS NULL
        UNION
        SELECT f.id FROM relationship r JOIN firm f ON f.id IN (r.from_firm_id, r.to_firm_id)
        WHERE r.case_id = {case} AND f.merged_into IS NULL
    """  # the ids of case_firms
    return f"""
        SELECT lo, hi, coalesce(sum(v), 0) AS v, sum(n) AS n,
               max(lo_sends) AS lo_sends, max(hi_sends) AS hi_sends
        FROM (
            SELECT CASE WHEN a < b THEN a ELSE b END AS lo, CASE WHEN a < b THEN b ELSE a END AS hi,
                   v, n, CASE WHEN a <= b THEN 1 ELSE 0 END AS lo_sends,
                   CASE WHEN a >= b THEN 1 ELSE 0 END AS hi_sends
            FROM ({source}) AS d WHERE a IS NOT NULL AND b IS NOT NULL
        ) AS u
        WHERE lo IN ({firms}) AND hi IN ({firms})
        GROUP BY lo, hi
    """


#: The groups answer when the months pairs end in hold at most this share of the rows: their
#: last dates are read through the date index, which costs about twice a scan per row.
ROLLUP_END_SHARE = 1 / 3


def _rollup_edges(
    session: Session, *, case_id: int, min_value: float, wanted: set[frozenset] | None = None
) -> list[tuple] | None:
    """``trade_edges`` of the whole case from the firm groups by month, or None when the rows
    answer faster. The groups keep each pair's first date but not its last: that is the latest
    date of the pair's rows in its last month, read from only the months some pair ends in.
    With ``wanted`` (frozensets of two firm ids), only those pairs, either way."""
    params = Params()
    case = params.add(case_id)
    between = "".join(f" AND {c}" for c in _between(wanted, params, "exporter_id", "importer_id"))
    having = ""
    if min_value and min_value > 0:
        having = f"HAVING coalesce(sum(value_usd), 0) >= {params.add(float(min_value))}"
    sql = f"""
        SELECT exporter_id, importer_id, coalesce(sum(value_usd), 0), sum(shipments),
               min(first_date), max(month)
        FROM partyrollup
        WHERE case_id = {case} AND exporter_id IS NOT NULL AND importer_id IS NOT NULL{between}
        GROUP BY exporter_id, importer_id {having} ORDER BY 1, 2
    """
    pairs = _only(wanted, _run(session, sql, params))
    ends = {pair[5] for pair in pairs} - {None}
    rows = dict(
        _run(
            session,
            "SELECT month, sum(shipments) FROM partyrollup WHERE case_id = :case GROUP BY month",
            {"case": case_id},
        )
    )
    if sum(rows.get(month, 0) for month in ends) > ROLLUP_END_SHARE * sum(rows.values()):
        return None
    last: dict[tuple, str] = {}
    for month in sorted(ends):  # a pair's latest date of all lies in its last month
        params = Params(case=case_id, month=month)
        between = "".join(
            f" AND {c}" for c in _between(wanted, params, "exporter_id", "importer_id")
        )
        sql = f"""
            SELECT exporter_id, importer_id, max(date) FROM shipment
            WHERE case_id = :case AND date >= :month AND date <= :month || '-99'
              AND exporter_id IS NOT NULL AND importer_id IS NOT NULL{between}
            GROUP BY exporter_id, importer_id
        """
        for a, b, date in _run(session, sql, params):
            last[(a, b)] = date
    return [(a, b, float(v), int(n), first, last.get((a, b)) if end else None)
            for a, b, v, n, first, end in pairs]  # fmt: skip


def firm_totals(
    session: Session, *, case_id: int, lens: ShipmentFilter | None
) -> dict[int, tuple[int, float]]:
    """Firm id → (shipments, value USD) as exporter or importer, of the lens's shipments
    (of the firm groups for the whole case)."""
    if not lens:
        return rollups.firm_totals(session, case_id=case_id)
    params = Params()
    where = " AND ".join(shipment_clauses(lens, case_id=case_id, params=params))
    sql = f"""
        SELECT firm, sum(n), sum(v) FROM (
            SELECT s.exporter_id AS firm, count(*) AS n, coalesce(sum(s.value_usd), 0) AS v
            FROM shipment s WHERE {where} AND s.exporter_id IS NOT NULL GROUP BY s.exporter_id
            UNION ALL
            SELECT s.importer_id, count(*), coalesce(sum(s.value_usd), 0)
            FROM shipment s WHERE {where} AND s.importer_id IS NOT NULL GROUP BY s.importer_id
        ) AS sides GROUP BY firm
    """
    return {row[0]: (int(row[1]), float(row[2])) for row in _run(session, sql, params)}


def relationships(session: Session, *, case_id: int) -> list[tuple]:
    """(uid, from id, to id, kind, share, start, end, notes) of the case's relationships."""
    sql = """
        SELECT r.uid, coalesce(a.merged_into, r.from_firm_id), coalesce(b.merged_into, r.to_firm_id),
               r.kind, r.share, r.start, r."end", r.notes
        FROM relationship r
        JOIN firm a ON a.id = r.from_firm_id JOIN firm b ON b.id = r.to_firm_id
        WHERE r.case_id = :case ORDER BY r.id
    """
    return _run(session, sql, {"case": case_id})


def monthly_by_firm(
    session: Session, *, case_id: int, lens: ShipmentFilter | None = None
) -> list[tuple]:
    """(firm id, month, shipments, value USD) of every firm of the case, as either party, of
    the lens's dated shipments (of the firm groups for the whole case)."""
    if not lens:
        return rollups.firm_months(session, case_id=case_id)
    return _by_firm_and_period(session, case_id=case_id, lens=lens, width=7)


def daily_by_firm(
    session: Session, *, case_id: int, lens: ShipmentFilter | None = None
) -> list[tuple]:
    """(firm id, day, shipments, value USD) as ``monthly_by_firm`` gives by month: the
    timeline's columns when it is zoomed in to days (a scan of the lens's shipments)."""
    return _by_firm_and_period(session, case_id=case_id, lens=lens, width=10)


def _by_firm_and_period(
    session: Session, *, case_id: int, lens: ShipmentFilter | None, width: int
) -> list[tuple]:
    """(firm id, period, shipments, value USD), the period being the first ``width``
    characters of the date (7: month, 10: day), of the lens's shipments, each firm as either
    party."""
    params = Params()
    where = " AND ".join(shipment_clauses(lens, case_id=case_id, params=params))
    sql = f"""
        SELECT firm, period, sum(n), sum(v) FROM (
            SELECT s.exporter_id AS firm, substr(s.date, 1, {width}) AS period, count(*) AS n,
                   coalesce(sum(s.value_usd), 0) AS v
            FROM shipment s
            WHERE {where} AND s.exporter_id IS NOT NULL AND s.date IS NOT NULL
            GROUP BY 1, 2
            UNION ALL
            SELECT s.importer_id, substr(s.date, 1, {width}), count(*),
                   coalesce(sum(s.value_usd), 0)
            FROM shipment s
            WHERE {where} AND s.importer_id IS NOT NULL AND s.date IS NOT NULL
            GROUP BY 1, 2
        ) AS parties GROUP BY firm, period ORDER BY firm, period
    """
    return [(r[0], r[1], int(r[2]), float(r[3])) for r in _run(session, sql, params)]


def firm_shipments(session: Session, *, case_id: int, firm_id: int, limit: int = 50) -> list:
    """The firm's largest shipments in the case: (date, exporter, importer, hs6, description,
    value USD), largest first."""
    sql = """
        SELECT s.date, e.name, i.name, s.hs6, s.description, s.value_usd
        FROM shipment s
        LEFT JOIN firm e ON e.id = s.exporter_id LEFT JOIN firm i ON i.id = s.importer_id
        WHERE s.case_id = :case AND (s.exporter_id = :firm OR s.importer_id = :firm)
        ORDER BY coalesce(s.value_usd, 0) DESC, s.date, s.id LIMIT :limit
    """
    return _run(session, sql, {"case": case_id, "firm": firm_id, "limit": int(limit)})


def firm_evidence(session: Session, *, case_id: int, firm_id: int) -> list[tuple]:
    """(number, uid, title, reliability, credibility, note) of evidence linked to the firm."""
    sql = """
        SELECT e.number, e.uid, e.title, e.reliability, e.credibility, l.note
        FROM evidencelink l JOIN evidence e ON e.id = l.evidence_id
        WHERE e.case_id = :case AND l.target_kind = 'firm' AND l.target_id = :firm
        ORDER BY e.number
    """
    return _run(session, sql, {"case": case_id, "firm": firm_id})


def dated_evidence(session: Session, *, case_id: int) -> list[tuple]:
    """(number, uid, title, captured, firm id or None) of the case's evidence that has a capture
    date: one row per firm it supports, or one row with no firm."""
    sql = """
        SELECT e.number, e.uid, e.title, e.captured,
               CASE WHEN l.target_kind = 'firm' THEN l.target_id END
        FROM evidence e LEFT JOIN evidencelink l
             ON l.evidence_id = e.id AND l.target_kind = 'firm'
        WHERE e.case_id = :case AND e.captured IS NOT NULL ORDER BY e.number
    """
    return _run(session, sql, {"case": case_id})


def get_setting(session: Session, *, case_id: int, key: str) -> dict | None:
    """The value of the case's view setting ``key`` (JSON), or None when it was never set."""
    row = session.exec(
        select(m.CaseSetting).where(m.CaseSetting.case_id == case_id, m.CaseSetting.key == key)
    ).first()
    return (row.value or {}) if row is not None else None


def put_setting(session: Session, *, case_id: int, key: str, value: dict) -> None:
    """Set the case's view setting ``key`` to ``value`` (JSON), replacing any earlier one."""
    row = session.exec(
        select(m.CaseSetting).where(m.CaseSetting.case_id == case_id, m.CaseSetting.key == key)
    ).first()
    if row is None:
        row = m.CaseSetting(case_id=case_id, key=key)
    row.value = value
    session.add(row)


POSITION_FIELDS = ("subject_kind", "subject_uid", "x", "y", "pinned", "group_name")


def chart_positions(session: Session, *, case_id: int) -> list[dict]:
    """The case's saved chart positions: {subject_kind, subject_uid, x, y, pinned,
    group_name}, in subject order."""
    table = m.ChartPosition.__table__
    query = (
        sa_select(*(table.c[name] for name in POSITION_FIELDS))
        .where(table.c.case_id == case_id)
        .order_by(table.c.subject_kind, table.c.subject_uid)
    )
    return [dict(row._mapping) for row in session.execute(query)]


def replace_chart_positions(session: Session, *, case_id: int, rows: list[dict]) -> None:
    """Make ``rows`` (as ``chart_positions`` returns them) the case's saved positions."""
    table = m.ChartPosition.__table__
    session.execute(sa_delete(table).where(table.c.case_id == case_id))
    if rows:
        session.execute(sa_insert(table), [row | {"case_id": case_id} for row in rows])


def delete_chart_positions(session: Session, *, case_id: int) -> None:
    """Forget the case's saved chart positions (the case is being deleted)."""
    replace_chart_positions(session, case_id=case_id, rows=[])
