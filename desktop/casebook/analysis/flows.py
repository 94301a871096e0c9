"""Flows: totals of shipments and trade statistics by period, country, firm, code and brand.

SQL does the grouping (``store.stats``); pandas shapes the small result: top N with "other",
shares within each period, change against the same period a year earlier. Every function
returns plain rows (dicts) ready for JSON, the GUI's charts and the briefing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from casebook.core.errors import UsageError
from casebook.store import stats as sql

PERIOD_KEYS = ("month", "quarter", "year")
MEASURES = ("value", "count", "quantity", "weight")
TRADE_MEASURES = ("value", "count")
FIRM_KEYS = ("exporter", "importer")
OTHER = "other"


@dataclass(frozen=True)
class StatsRequest:
    """What to total and how: group keys, measure, filters, top N, year-on-year change."""

    filters: sql.Filters
    by: tuple[str, ...] = ()
    measure: str = "value"
    top: int | None = None
    compare: bool = True


# ---- cleaning the request -------------------------------------------------------------------


def clean_keys(by: str | Sequence[str] | None, *, source: str = "shipments") -> tuple[str, ...]:
    """Group keys from ``"month,origin"`` or a list; UsageError naming an unknown key."""
    allowed = sql.SHIPMENT_KEYS if source == "shipments" else sql.TRADE_KEYS
    items = by.split(",") if isinstance(by, str) else list(by or ())
    keys = tuple(k.strip().lower() for k in items if k and k.strip())
    for key in keys:
        if key not in allowed:
            raise UsageError(f"unknown --by key {key!r}; use {', '.join(allowed)}")
    if len(set(keys)) != len(keys):
        raise UsageError("a --by key is repeated")
    if sum(k in PERIOD_KEYS for k in keys) > 1:
        raise UsageError("group by one period at most (month, quarter or year)")
    return keys


def clean_measure(measure: str | None, *, source: str = "shipments") -> str:
    """The measure name; UsageError when the source has no such measure."""
    allowed = MEASURES if source == "shipments" else TRADE_MEASURES
    name = (measure or "value").strip().lower()
    if name not in allowed:
        raise UsageError(f"unknown measure {measure!r} for {source}; use {', '.join(allowed)}")
    return name


# ---- shipments ------------------------------------------------------------------------------


def _period_key(keys: Sequence[str]) -> str | None:
    return next((k for k in keys if k in PERIOD_KEYS), None)


def year_earlier(period: str | None) -> str | None:
    """The same month, quarter or year one year earlier (``2023-07`` -> ``2022-07``)."""
    if not period or not period[:4].isdigit():
        return None
    return f"{int(period[:4]) - 1:04d}{period[4:]}"


def _prior(request: StatsRequest) -> sql.Filters | None:
    """The same date range one year earlier (the comparison), or None when there is none."""
    f = request.filters
    if not (request.compare and _period_key(request.by)):
        return None
    return f.with_dates(year_earlier(f.date_from), year_earlier(f.date_to))


_SHIPMENT_COLUMNS = ("value_usd", "shipments", "valued", "measure_sum", "measure_rows", "units")


def _shipment_frame(session, request: StatsRequest, filters: sql.Filters):
    import pandas as pd

    rows = sql.shipment_groups(session, keys=request.by, filters=filters, measure=request.measure)
    return pd.DataFrame(rows, columns=[*request.by, *_SHIPMENT_COLUMNS])


def _measure_column(measure: str) -> str:
    return {"value": "value_usd", "count": "shipments"}.get(measure, "measure_sum")


def _top_groups(df, *, keys: Sequence[str], column: str, top: int | None) -> set | None:
    """The ``top`` groups of the non-period keys by total, or None when nothing is folded."""
    others = [k for k in keys if k not in PERIOD_KEYS]
    if not top or not others or df.empty:
        return None
    totals: dict[tuple, float] = {}
    for group, value in zip(_groups(df, others), df[column], strict=True):
        if value == value and value is not None:
            totals[group] = totals.get(group, 0.0) + float(value)
    return set(sorted(totals, key=lambda g: -totals[g])[:top])


def _groups(df, others: Sequence[str]) -> list[tuple]:
    return list(zip(*(df[k].where(df[k].notna(), None) for k in others), strict=True))


def _fold(df, *, keys: Sequence[str], keep: set | None):
    """Sum the groups outside ``keep`` as "other"."""
    others = [k for k in keys if k not in PERIOD_KEYS]
    if keep is None or df.empty:
        return df
    fold = [g not in keep for g in _groups(df, others)]
    if not any(fold):
        return df
    df = df.copy()
    for key in others:
        df[key] = df[key].astype(object)
        df.loc[fold, key] = OTHER
    return _regroup(df, keys)


def _regroup(df, keys: Sequence[str]):
    import pandas as pd

    grouped = df.groupby(list(keys), dropna=False)
    out = grouped[["shipments", "valued", "measure_rows"]].sum()
    for column in ("value_usd", "measure_sum"):  # None when no row of the group has a value
        out[column] = pd.to_numeric(df[column]).groupby(grouped.ngroup()).sum(min_count=1).values
    if "units" in df and df["units"].notna().any():
        out["units"] = grouped["units"].agg(
            lambda s: ",".join(sorted({u for x in s.dropna() for u in x.split(",")}))
        )
    return out.reset_index()


def _add_change(df, prior, *, keys: Sequence[str], column: str):
    """Add ``previous`` (the same period a year earlier, over the same part of it: the date
    range moved back one year) and ``change`` (a fraction)."""
    period = _period_key(keys)
    others = [k for k in keys if k != period]
    before = prior.loc[prior[period].notna(), [*keys, column]].rename(columns={column: "previous"})
    before[period] = before[period].map(lambda p: f"{int(p[:4]) + 1:04d}{p[4:]}")
    merged = df.merge(before, on=[period, *others], how="left")
    base = merged["previous"]
    merged["change"] = (merged[column] - base) / base.where(base != 0)
    return merged


def _add_share(df, *, keys: Sequence[str], column: str):
    period = _period_key(keys)
    values = df[column].astype(float)
    totals = values.groupby(df[period], dropna=False).transform("sum") if period else values.sum()
    df["share"] = (
        values / totals.where(totals != 0) if period else values / (totals or float("nan"))
    )
    return df


def shape_shipments(df, prior=None, *, request: StatsRequest):
    """Top N (the same groups in the comparison), year-on-year change, shares."""
    keys, column = request.by, _measure_column(request.measure)
    if df.empty:
        return df.assign(share=[], previous=[], change=[])
    keep = _top_groups(df, keys=keys, column=column, top=request.top)
    df = _fold(df, keys=keys, keep=keep)
    if prior is not None:
        df = _add_change(df, _fold(prior, keys=keys, keep=keep), keys=keys, column=column)
    return _add_share(df, keys=keys, column=column)


def _sort_rows(rows: list[dict], keys: Sequence[str]) -> list[dict]:
    def order(row: dict) -> tuple:
        return tuple((row[k] is None, row[k] == OTHER, str(row[k] or "")) for k in keys)

    return sorted(rows, key=order)


def _num(value, places: int | None = None):
    if value is None or value != value:  # None or NaN
        return None
    return round(float(value), places) if places is not None else float(value)


def _row(record: dict, *, request: StatsRequest, labels: dict) -> dict:
    row = {}
    for key in request.by:
        row[key] = _label_key(record[key])
        if key in FIRM_KEYS:
            row[key], row[f"{key}_name"] = _firm(record[key], labels)
    valued = int(record["valued"])
    row["value_usd"] = _num(record["value_usd"], 2) if valued else None
    row["shipments"] = int(record["shipments"])
    row["share"] = _num(record["share"], 6)
    row["missing_value"] = row["shipments"] - valued
    _measure_fields(row, record, request.measure)
    if "change" in record:
        previous = _num(record["previous"], 6 if request.measure == "quantity" else 3)
        if request.measure == "value" and previous is not None:
            previous = round(previous, 2)
        elif request.measure == "count" and previous is not None:
            previous = int(previous)
        row["previous"] = previous
        row["change"] = _num(record["change"], 6)
    return row


def _label_key(value):
    if value is None or value != value:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _firm(value, labels: dict) -> tuple[str | None, str | None]:
    if value is None or value != value:
        return None, None
    if value == OTHER:
        return OTHER, "Other"
    return labels.get(int(value), (None, None))


def _measure_fields(row: dict, record: dict, measure: str) -> None:
    if measure == "quantity":
        row["quantity"] = _num(record["measure_sum"], 6)
        units = [u for u in (record["units"] or "").split(",") if u]
        row["quantity_unit"] = units[0] if len(units) == 1 else ("mixed" if units else None)
        row["missing_quantity"] = row["shipments"] - int(record["measure_rows"])
    elif measure == "weight":
        row["weight_kg"] = _num(record["measure_sum"], 3)
        row["missing_weight"] = row["shipments"] - int(record["measure_rows"])


_UNITS = {"value": "USD", "count": "shipments", "weight": "kg", "quantity": "as declared"}


def shipment_stats(session, *, request: StatsRequest) -> dict:
    """The ``stats`` result of DESIGN.md for shipments (before the facade adds its filters)."""
    df = _shipment_frame(session, request, request.filters)
    prior_filters = _prior(request)
    prior = None
    if prior_filters is not None:
        same = prior_filters == request.filters  # no bounds: the comparison is in the totals
        prior = df if same else _shipment_frame(session, request, prior_filters)
    df = shape_shipments(df, prior, request=request)
    records = df.astype(object).where(df.notna(), None).to_dict("records")
    ids = [
        r[k] for r in records for k in request.by if k in FIRM_KEYS and r[k] not in (None, OTHER)
    ]
    labels = sql.firm_labels(session, ids=[int(i) for i in ids])
    rows = [_row(r, request=request, labels=labels) for r in records]
    return {
        "rows": _sort_rows(rows, request.by),
        "unit": "USD",
        "measure": request.measure,
        "measure_unit": _UNITS[request.measure],
    }


# ---- trade statistics -----------------------------------------------------------------------


def trade_stats(session, *, request: StatsRequest) -> dict:
    """The ``stats`` result for trade flows: ``value`` and ``currency``, never mixed."""
    import pandas as pd

    keys = request.by
    columns = [*keys, "currency", "value", "records", "valued"]

    def frame(filters: sql.Filters):
        return pd.DataFrame(sql.trade_groups(session, keys=keys, filters=filters), columns=columns)

    df = frame(request.filters)
    column = "value" if request.measure == "value" else "records"
    by = [*keys, "currency"]
    if not df.empty:
        prior_filters = _prior(request)
        if prior_filters is not None:
            prior = df if prior_filters == request.filters else frame(prior_filters)
            df = _add_change(df, prior, keys=by, column=column)
        df = _add_trade_share(df, keys=keys, column=column)
    records = df.astype(object).where(df.notna(), None).to_dict("records") if not df.empty else []
    out = [_trade_row(r, keys=keys, measure=request.measure) for r in records]
    return {"rows": _sort_rows(out, by), "unit": "currency", "measure": request.measure}


def _add_trade_share(df, *, keys: Sequence[str], column: str):
    period = _period_key(keys)
    group = [df["currency"]] + ([df[period].fillna("")] if period else [])
    df["share"] = df[column] / df.groupby(group)[column].transform("sum").where(lambda s: s != 0)
    return df


def _trade_row(record: dict, *, keys: Sequence[str], measure: str) -> dict:
    row = {k: record[k] for k in keys}
    valued = int(record["valued"])
    row["value"] = _num(record["value"], 2) if valued else None
    row["currency"] = record["currency"]
    row["records"] = int(record["records"])
    row["share"] = _num(record["share"], 6)
    row["missing_value"] = row["records"] - valued
    if "change" in record:
        row["previous"] = _num(record["previous"], 2 if measure == "value" else None)
        row["change"] = _num(record["change"], 6)
    return row
