"""Facade section: flows (``stats``), chart data and red flags of a case, under the lens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from casebook.book.cases import find_case
from casebook.book.shipments import check_lens
from casebook.core.errors import UsageError
from casebook.core.filters import COUNTRY_FIELDS, EVERYTHING, ShipmentFilter, clean_countries
from casebook.store import stats as sql

if TYPE_CHECKING:
    from casebook.analysis import charts

SOURCES = ("shipments", "trade")
TRADE_COUNTRY_FIELDS = ("reporter", "partner")
EXTRA_FILTERS = (
    *COUNTRY_FIELDS,
    *TRADE_COUNTRY_FIELDS,
    "firms",
    "datasets",
    "text",
    "min_value",
)
#: Lens fields that select shipments only (trade flows have no such columns): their options.
_SHIPMENT_ONLY = {
    **{name: name for name in COUNTRY_FIELDS},
    "firms": "firm",
    "text": "text",
    "min_value": "min-value",
}


class AnalysisSection:
    """Totals by period, country, firm, code and brand; chart tables; red flags."""

    def _filters(
        self, session, case, *, source: str, lens: ShipmentFilter | None = None, **given
    ) -> sql.Filters:
        """The lens with the command's own options over it, checked for the source: what a
        trade flow cannot be filtered by is a usage error, an unknown uid NotFound."""
        own = ShipmentFilter.parse(
            date_from=given.get("date_from"),
            date_to=given.get("date_to"),
            hs=given.get("hs"),
            origin=given.get("origin"),
            dispatch=given.get("dispatch"),
            destination=given.get("destination"),
            firm=given.get("firms"),
            dataset=given.get("datasets"),
            text=given.get("text"),
            min_value=given.get("min_value"),
        )
        lens = (lens or EVERYTHING).merged(own)
        if source == "shipments":
            wrong = [n for n in TRADE_COUNTRY_FIELDS if given.get(n)]
        else:
            wrong = [o for n, o in _SHIPMENT_ONLY.items() if getattr(lens, n) not in (None, ())]
        if wrong:
            raise UsageError(f"--{wrong[0]} does not apply to {source}")
        lens = check_lens(session, lens, case_id=case.id)
        countries = {
            name: clean_countries(given.get(name), name)
            for name in TRADE_COUNTRY_FIELDS
            if given.get(name)
        }
        return sql.Filters(case_id=case.id, lens=lens, countries=countries)

    def stats(
        self,
        *,
        case_ref: str,
        by: str | Sequence[str] | None = None,
        source: str = "shipments",
        hs: str | Sequence[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        measure: str = "value",
        top: int | None = None,
        compare: bool = True,
        lens: ShipmentFilter | None = None,
        **filters,
    ) -> dict:
        """Totals in the ``stats`` JSON shape of DESIGN.md, of the shipments in the ``lens``.

        The options ``hs``, ``date_from``, ``date_to`` and these ``filters`` replace the lens's
        own: ``origin``, ``dispatch``, ``destination`` (shipments) or ``reporter``, ``partner``
        (trade) as country lists, ``firms`` and ``datasets`` as uid lists, ``text`` and
        ``min_value``.
        """
        from casebook.analysis import flows

        if source not in SOURCES:
            raise UsageError(f"unknown source {source!r}; use shipments or trade")
        keys = flows.clean_keys(by, source=source)
        measure = flows.clean_measure(measure, source=source)
        unknown = sorted(set(filters) - set(EXTRA_FILTERS))
        if unknown:
            raise UsageError(f"stats has no filter {unknown[0]!r}")
        if top is not None and top < 1:
            raise UsageError("--top must be at least 1")
        with self._read() as session:
            case = find_case(session, case_ref)
            f = self._filters(
                session,
                case,
                source=source,
                lens=lens,
                hs=hs,
                date_from=date_from,
                date_to=date_to,
                **filters,
            )
            request = flows.StatsRequest(f, keys, measure, top, compare)
            run = flows.shipment_stats if source == "shipments" else flows.trade_stats
            result = run(session, request=request)
        result["filters"] = _filters_json(case.ref, source, keys, f, measure, top)
        if source == "trade":
            currencies = {r["currency"] for r in result["rows"]}
            result["unit"] = currencies.pop() if len(currencies) == 1 else "mixed"
        return result

    def chart(
        self, name: str, *, case_ref: str, lens: ShipmentFilter | None = None, **options
    ) -> charts.ChartTable:
        """One chart's data table (see ``analysis.charts.CHARTS`` for the names), of the
        shipments in the ``lens`` (``filters``: ``stats`` options over it)."""
        from casebook.analysis import charts

        if name not in charts.CHARTS:
            raise UsageError(f"unknown chart {name!r}; use {', '.join(charts.CHARTS)}")
        with self._read() as session:
            case = find_case(session, case_ref)
            given = options.pop("filters", {})
            f = self._filters(session, case, source="shipments", lens=lens, **given)
            return charts.CHARTS[name](session, filters=f, **options)

    def flags(self, *, case_ref: str, lens: ShipmentFilter | None = None) -> dict:
        """Red flags per firm, in the ``flags`` JSON shape of DESIGN.md (plus the rules): only
        the shipments in the ``lens`` count, and every shipment a flag cites lies inside it."""
        from casebook.analysis import flags, person_flags

        with self._read() as session:
            case = find_case(session, case_ref)
            lens = check_lens(session, lens, case_id=case.id)
            firms = flags.flag_firms(session, case_id=case.id, lens=lens)
            firms = person_flags.add_person_flags(session, case_id=case.id, firms=firms)
            firms = _with_country(session, firms)
        rules = flags.rules_json() + person_flags.rules_json()
        out = {"firms": firms, "rules": rules, "case": case.ref}
        if lens:
            out["filters"] = lens.to_json()
        return out


def _with_country(session, firms: list[dict]) -> list[dict]:
    """Each flagged firm with its ``country`` after its name: firms that share a name are told
    apart by it wherever they are listed."""
    from casebook.store import firms as firm_store

    known = firm_store.firms_by_uid(session, uids=[f["uid"] for f in firms])
    return [
        {"uid": f["uid"], "name": f["name"], "country": (known.get(f["uid"]) or {}).get("country")}
        | f
        for f in firms
    ]


def _filters_json(ref, source, keys, f: sql.Filters, measure, top) -> dict:
    """The ``filters`` field of ``stats``: the keys it always had, and the lens's other set
    options under their JSON names."""
    lens = f.lens
    out = {
        "case": ref,
        "source": source,
        "by": list(keys),
        "measure": measure,
        "hs": list(lens.hs),
        "from": lens.date_from,
        "to": lens.date_to,
    }
    out |= {name: list(getattr(lens, name)) for name in COUNTRY_FIELDS if getattr(lens, name)}
    out |= {name: list(codes) for name, codes in f.countries.items()}
    for name in ("firms", "datasets"):
        if getattr(lens, name):
            out[name] = list(getattr(lens, name))
    if lens.text:
        out["text"] = lens.text
    if lens.min_value is not None:
        out["min_value"] = lens.min_value
    if top:
        out["top"] = top
    return out
