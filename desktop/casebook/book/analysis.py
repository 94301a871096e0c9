"""Facade section: flows (``stats``), chart data and red flags of a case."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from casebook.book.cases import find_case
from casebook.core.errors import NotFound, UsageError
from casebook.core.hs import hs_prefixes
from casebook.store import stats as sql

if TYPE_CHECKING:
    from casebook.analysis import charts

SOURCES = ("shipments", "trade")
EXTRA_FILTERS = ("origin", "dispatch", "destination", "reporter", "partner", "firms", "datasets")


def _split(values: str | Iterable[str] | None) -> list[str]:
    items = values.split(",") if isinstance(values, str) else list(values or ())
    return [v.strip() for v in items if v and v.strip()]


def _hs(hs: str | Iterable[str] | None) -> tuple[str, ...]:
    text = hs if isinstance(hs, str) else ",".join(hs or ())
    prefixes = tuple(hs_prefixes(text))
    if text.strip() and not prefixes:
        raise UsageError(f"--hs takes digit prefixes like 8456,8457, not {text!r}")
    return prefixes


class AnalysisSection:
    """Totals by period, country, firm, code and brand; chart tables; red flags."""

    def _filters(self, session, case, *, source: str, **given) -> sql.Filters:
        from casebook.analysis import flows

        date_from = flows.clean_bound(given.get("date_from"), "--from")
        date_to = flows.clean_bound(given.get("date_to"), "--to")
        if date_from and date_to and date_from[: len(date_to)] > date_to:
            raise UsageError(f"--from {date_from} is after --to {date_to}")
        fields = sql.SHIPMENT_COUNTRY_FIELDS if source == "shipments" else sql.TRADE_COUNTRY_FIELDS
        wrong = [
            n
            for n in ("origin", "dispatch", "destination", "reporter", "partner", "firms")
            if given.get(n) and n not in fields and not (n == "firms" and source == "shipments")
        ]
        if wrong:
            raise UsageError(f"--{wrong[0]} does not apply to {source}")
        countries = {
            name: flows.clean_countries(given.get(name), f"--{name}")
            for name in fields
            if given.get(name)
        }
        return sql.Filters(
            case_id=case.id,
            date_from=date_from,
            date_to=date_to,
            hs=_hs(given.get("hs")),
            countries=countries,
            firm_ids=self._firm_ids(session, _split(given.get("firms"))),
            dataset_ids=self._dataset_ids(session, case.id, _split(given.get("datasets"))),
        )

    @staticmethod
    def _firm_ids(session, uids: Sequence[str]) -> tuple[int, ...]:
        found = sql.firm_ids_by_uid(session, uids=uids) if uids else {}
        missing = [u for u in uids if u not in found]
        if missing:
            raise NotFound(f"no firm {missing[0]!r}")
        return tuple(found[u] for u in uids)

    @staticmethod
    def _dataset_ids(session, case_id: int, uids: Sequence[str]) -> tuple[int, ...]:
        found = sql.dataset_ids_by_uid(session, case_id=case_id, uids=uids) if uids else {}
        missing = [u for u in uids if u not in found]
        if missing:
            raise NotFound(f"no dataset {missing[0]!r} in this case")
        return tuple(found[u] for u in uids)

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
        **filters,
    ) -> dict:
        """Totals in the ``stats`` JSON shape of DESIGN.md.

        More filters: ``origin``, ``dispatch``, ``destination`` (shipments) or ``reporter``,
        ``partner`` (trade) as country lists, ``firms`` and ``datasets`` as uid lists.
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
                session, case, source=source, hs=hs, date_from=date_from, date_to=date_to, **filters
            )
            request = flows.StatsRequest(f, keys, measure, top, compare)
            run = flows.shipment_stats if source == "shipments" else flows.trade_stats
            result = run(session, request=request)
        result["filters"] = _filters_json(case.ref, source, keys, f, measure, top, filters)
        if source == "trade":
            currencies = {r["currency"] for r in result["rows"]}
            result["unit"] = currencies.pop() if len(currencies) == 1 else "mixed"
        return result

    def chart(self, name: str, *, case_ref: str, **options) -> charts.ChartTable:
        """One chart's data table (see ``analysis.charts.CHARTS`` for the names)."""
        from casebook.analysis import charts

        if name not in charts.CHARTS:
            raise UsageError(f"unknown chart {name!r}; use {', '.join(charts.CHARTS)}")
        with self._read() as session:
            case = find_case(session, case_ref)
            f = self._filters(session, case, source="shipments", **options.pop("filters", {}))
            return charts.CHARTS[name](session, filters=f, **options)

    def flags(self, *, case_ref: str) -> dict:
        """Red flags per firm, in the ``flags`` JSON shape of DESIGN.md (plus the rules)."""
        from casebook.analysis import flags

        with self._read() as session:
            case = find_case(session, case_ref)
            firms = flags.flag_firms(session, case_id=case.id)
        return {"firms": firms, "rules": flags.rules_json(), "case": case.ref}


def _filters_json(ref, source, keys, f: sql.Filters, measure, top, extra) -> dict:
    out = {
        "case": ref,
        "source": source,
        "by": list(keys),
        "measure": measure,
        "hs": list(f.hs),
        "from": f.date_from,
        "to": f.date_to,
    }
    out.update({name: list(codes) for name, codes in f.countries.items()})
    for name in ("firms", "datasets"):
        if extra.get(name):
            out[name] = _split(extra[name])
    if top:
        out["top"] = top
    return out
