"""Chart data: one small table per chart, drawn by the GUI (Qt) and the briefing (vector).

Nothing here draws. Each function returns a ``ChartTable`` with its columns, rows and unit, so
either front end can draw it and export its data as CSV.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from casebook.analysis import flows, reference
from casebook.core.names import with_countries


@dataclass
class ChartTable:
    """A chart's data: ``columns`` name the fields of each row; ``kind`` hints the drawing."""

    name: str
    title: str
    kind: str  # stacked-bar | line | bar | grouped-bar
    columns: list[str]
    rows: list[tuple]
    unit: str = "USD"
    notes: list[str] = field(default_factory=list)
    #: The shipments a row stands for, as filter options (``{"hs": "845811,845961"}``) keyed
    #: by the row's first value, where its columns do not say it (a CHPL tier's codes).
    row_filters: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_csv(self) -> str:
        """The table as CSV text (header row first)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(self.rows)
        return out.getvalue()

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "kind": self.kind,
            "columns": self.columns,
            "rows": [list(r) for r in self.rows],
            "unit": self.unit,
            "notes": self.notes,
        }


def _stats(session, filters, by, *, top=None, compare=False) -> list[dict]:
    request = flows.StatsRequest(filters, tuple(by), "value", top, compare)
    return flows.shipment_stats(session, request=request)["rows"]


def every_month(months) -> list[str]:
    """Every month from the first to the last of ``months``, gaps included: a chart whose bars
    stand for consecutive months must not close up a year without shipments."""
    known = sorted(set(months))
    if not known:
        return []
    year, month = int(known[0][:4]), int(known[0][5:7])
    out = []
    while (label := f"{year:04d}-{month:02d}") <= known[-1]:
        out.append(label)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def monthly_by_country(session, *, filters, field: str = "origin", top: int = 8) -> ChartTable:
    """Monthly USD value by country of origin (or dispatch), top N and "other", stacked."""
    rows = _stats(session, filters, ("month", field), top=top)
    countries = sorted({r[field] for r in rows}, key=lambda c: (c == flows.OTHER, c))
    table: dict[str, dict[str, float]] = {}
    for r in rows:
        if r["month"]:
            table.setdefault(r["month"], {})[r[field]] = r["value_usd"] or 0.0
    data = [
        (mo, *(round(table.get(mo, {}).get(c, 0.0), 2) for c in countries))
        for mo in every_month(table)
    ]
    title = f"Monthly value by country of {field}"
    return ChartTable(f"monthly_by_{field}", title, "stacked-bar", ["month", *countries], data)


def country_share(session, *, filters, country: str = "CN", field: str = "origin") -> ChartTable:
    """One country's monthly value and share of the month's total, by origin or dispatch."""
    rows = _stats(session, filters, ("month", field))
    months = every_month(r["month"] for r in rows if r["month"])
    mine = {r["month"]: r for r in rows if r[field] == country}
    data = [
        (mo, (mine.get(mo) or {}).get("value_usd") or 0.0, (mine.get(mo) or {}).get("share") or 0.0)
        for mo in months
    ]
    title = f"Share of {country} (country of {field}) in monthly value"
    return ChartTable(
        f"share_{field}_{country}", title, "line", ["month", "value_usd", "share"], data
    )


def origin_vs_dispatch(session, *, filters, top: int = 10) -> ChartTable:
    """Value and share per country, by origin and by dispatch side by side."""
    by_origin = {r["origin"]: r for r in _stats(session, filters, ("origin",))}
    by_dispatch = {r["dispatch"]: r for r in _stats(session, filters, ("dispatch",))}
    countries = set(by_origin) | set(by_dispatch)

    def cell(table, c, key):
        return (table.get(c) or {}).get(key) or 0.0

    ranked = sorted(
        countries,
        key=lambda c: -max(cell(by_origin, c, "value_usd"), cell(by_dispatch, c, "value_usd")),
    )
    data = [
        (
            c,
            cell(by_origin, c, "value_usd"),
            cell(by_origin, c, "share"),
            cell(by_dispatch, c, "value_usd"),
            cell(by_dispatch, c, "share"),
        )
        for c in ranked[:top]
    ]
    columns = [
        "country",
        "value_by_origin",
        "share_by_origin",
        "value_by_dispatch",
        "share_by_dispatch",
    ]
    notes = [
        "Where dispatch exceeds origin, goods of other origins were shipped from that country."
    ]
    return ChartTable(
        "origin_vs_dispatch",
        "Country of origin vs country of dispatch",
        "grouped-bar",
        columns,
        data,
        notes=notes,
    )


def top_parties(session, *, filters, role: str = "exporter", top: int = 10) -> ChartTable:
    """The top exporters or importers by USD value, the rest as "other"."""
    rows = _stats(session, filters, (role,), top=top)
    rows.sort(key=lambda r: (r[role] == flows.OTHER, -(r["value_usd"] or 0.0)))
    names = _with_countries(session, [(r[role], r[f"{role}_name"]) for r in rows])
    data = [
        (r[role], name, r["value_usd"] or 0.0, r["shipments"], r["share"] or 0.0)
        for r, name in zip(rows, names, strict=True)
    ]
    columns = ["uid", "name", "value_usd", "shipments", "share"]
    return ChartTable(f"top_{role}s", f"Top {role}s by value", "bar", columns, data)


def _with_countries(session, firms: list[tuple[str, str | None]]) -> list[str | None]:
    """The names of ``(uid, name)`` firms as a chart shows them: where two share a name, each
    with its country beside it ("Nova Trade Ltd (TR)"), so one bar is never read as another."""
    from casebook.store import firms as firm_store

    known = firm_store.firms_by_uid(session, uids=[u for u, _ in firms if u != flows.OTHER])
    told = with_countries([
        (None, None) if uid == flows.OTHER else (name, (known.get(uid) or {}).get("country"))
        for uid, name in firms
    ])  # fmt: skip
    return [
        name if uid == flows.OTHER else label
        for (uid, name), label in zip(firms, told, strict=True)
    ]


def chpl_tiers(session, *, filters) -> ChartTable:
    """USD value and shipments per CHPL tier (rows of HS6 codes on the list)."""
    chpl = reference.chpl()
    totals: dict[str, list[float]] = {}
    codes: dict[str, set[str]] = {}
    for r in _stats(session, filters, ("hs6",)):
        item = chpl.get(r["hs6"] or "")
        if item:
            acc = totals.setdefault(item.tier, [0.0, 0])
            acc[0] += r["value_usd"] or 0.0
            acc[1] += r["shipments"]
            codes.setdefault(item.tier, set()).add(r["hs6"])
    data = [(tier, round(v, 2), int(n)) for tier, (v, n) in sorted(totals.items())]
    return ChartTable(
        "chpl_tiers",
        "Common High Priority List items by tier",
        "bar",
        ["tier", "value_usd", "shipments"],
        data,
        # The tier's codes in these shipments: its bar shows or pins exactly its rows.
        row_filters={tier: {"hs": ",".join(sorted(c))} for tier, c in codes.items()},
    )


def foreign_controllers(session, *, filters) -> ChartTable:
    """Chinese-origin machines whose description names a foreign controller, by maker country."""
    from casebook.analysis.flags import row_test_totals

    totals: dict[str, list[float]] = {}
    for detail, n, value in row_test_totals(
        session, case_id=filters.case_id, test="foreign_controller", lens=filters.lens
    ):
        country = detail.split("|")[1]
        acc = totals.setdefault(country, [0.0, 0])
        acc[0] += value or 0.0
        acc[1] += n
    data = [(c, round(v, 2), int(n)) for c, (v, n) in sorted(totals.items())]
    title = "Foreign control systems in Chinese machines, by maker country"
    return ChartTable(
        "foreign_controllers", title, "bar", ["maker_country", "value_usd", "shipments"], data
    )


CHARTS = {
    "monthly_by_country": monthly_by_country,
    "country_share": country_share,
    "origin_vs_dispatch": origin_vs_dispatch,
    "top_parties": top_parties,
    "chpl_tiers": chpl_tiers,
    "foreign_controllers": foreign_controllers,
}
