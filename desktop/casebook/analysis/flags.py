"""Red flags: small rules over a case's shipments, each naming the firms and rows it caught.

A rule is a function ``(ctx) -> list[Hit]`` registered with ``@rule(...)``; ``flag_firms`` runs
every rule and scores each firm by the weights of the distinct rules that caught it. To add a
rule, write one more decorated function here. Sources of the indicators: STANDARDS.md
(FinCEN/BIS alerts, UK freight guidance, the CHPL) and resources/reference/README.md.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from casebook.analysis import reference
from casebook.core.countries import country_name
from casebook.store import stats as sql

INVASION = "2022-02-24"
SAMPLE = 20  # rows listed per flag; ``count`` gives the total
MACHINE_HS4 = tuple(str(h) for h in range(8456, 8466))  # metal-working machines 8456-8465
GROWTH_FACTOR = 3.0  # best later 3 months vs first 3 months
JUMP_FACTOR = 5.0  # a month vs the mean of the 3 months before it
JUMP_MIN_USD = 50_000.0  # ignore jumps smaller than this
JUMP_FIRM_SHARE = 0.10  # a firm is named in a country jump when it made 10% of that month
UNIT_VALUE_FACTOR = 10.0  # USD/kg over 10x or under 1/10 of the HS6 median
UNIT_VALUE_PEERS = 5  # priced rows of the same HS6 needed for a median

_TRADING_MARKS = re.compile(
    r"(?<![^\W\d_])(?:"
    r"trad(?:e|es|ing|ers?)|logistics?|forward(?:ing|ers?)|freight|shipping|cargo|impex|"
    r"imp(?:ort)?\.?\s*(?:&|and|-|/)\s*exp(?:ort)?\.?|import|export|suppl(?:y|ies)|distribution|"
    r"торгов\w*|трейд\w*|логисти\w*|импорт\w*|экспорт\w*|снабж\w*|экспеди\w*|дистрибью\w*|тд"
    r")(?![^\W\d_])|贸易|貿易|商贸|物流|进出口|進出口|供应链|供應鏈|货运|貨運|外贸",
    re.IGNORECASE,
)


@dataclass
class Hit:
    """One firm caught by one rule: why, and which rows."""

    firm_id: int
    reason: str
    count: int
    sample_ids: list[int] = field(default_factory=list)
    value_usd: float | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    explanation: str
    weight: int
    find: Callable[[Context], list[Hit]]


RULES: list[Rule] = []


def rule(id: str, title: str, explanation: str, *, weight: int = 1):
    """Register a rule function under an id, with its title, explanation and score weight."""

    def register(fn: Callable[[Context], list[Hit]]):
        RULES.append(Rule(id, title, explanation, weight, fn))
        return fn

    return register


class Context:
    """What rules share: the case, its session, and data computed once on first use."""

    def __init__(self, session, case_id: int):
        self.session, self.case_id = session, case_id

    @cached_property
    def firms(self) -> dict[int, tuple]:
        """``{firm id: (id, uid, name, first date, shipments, value_usd)}``."""
        return {r[0]: r for r in sql.case_firms(self.session, case_id=self.case_id)}

    @cached_property
    def firm_months(self) -> dict[int, dict[str, float]]:
        """``{firm id: {month: USD value}}``."""
        out: dict[int, dict[str, float]] = {}
        for firm, month, value, _n in sql.firm_month_values(self.session, case_id=self.case_id):
            out.setdefault(firm, {})[month] = value or 0.0
        return out

    def rows_by_firm(self, test: sql.RowTest) -> dict[int, list[sql.FlaggedFirm]]:
        found: dict[int, list[sql.FlaggedFirm]] = {}
        for item in sql.flagged_firms(self.session, case_id=self.case_id, test=test, sample=SAMPLE):
            found.setdefault(item.firm_id, []).append(item)
        return found


# ---- helpers --------------------------------------------------------------------------------


def _money(value: float | None) -> str:
    if value is None:
        return "no USD value"
    for size, suffix in ((1e9, " bn"), (1e6, " m"), (1e3, " k")):
        if abs(value) >= size:
            return f"${value / size:,.1f}{suffix}"
    return f"${value:,.0f}"


def _rows(n: int) -> str:
    return f"{n} shipment" + ("" if n == 1 else "s")


def _hit(firm_id: int, items: list[sql.FlaggedFirm], reason: str) -> Hit:
    ids = sorted({i for item in items for i in item.sample_ids})[:SAMPLE]
    values = [item.value_usd for item in items if item.value_usd is not None]
    return Hit(firm_id, reason, sum(i.count for i in items), ids, sum(values) if values else None)


def _row_rule(ctx: Context, test: sql.RowTest, describe: Callable[[sql.FlaggedFirm], str]):
    hits = []
    for firm_id, items in ctx.rows_by_firm(test).items():
        items.sort(key=lambda i: (-i.count, i.detail))
        parts = [describe(i) for i in items[:5]]
        more = f"; and {len(items) - 5} more" if len(items) > 5 else ""
        hits.append(_hit(firm_id, items, "; ".join(parts) + more))
    return hits


def _firm_rows(ctx: Context, firm_months: dict[int, set[str] | None]) -> dict[int, list]:
    """The rows of these firms (in these months, when given), for firm-level rules."""
    if not firm_months:
        return {}
    months = sorted({mo for ms in firm_months.values() if ms for mo in ms})
    found = ctx.rows_by_firm(sql.firms_in(list(firm_months), months=months or None))
    return {
        firm: [i for i in items if firm_months[firm] is None or i.detail in firm_months[firm]]
        for firm, items in found.items()
        if firm in firm_months
    }


def _country(code: str) -> str:
    name = country_name(code)
    return f"{code} ({name})" if name and name != code else code


# ---- the rules ------------------------------------------------------------------------------


@rule(
    "chpl_item",
    "Common High Priority List item",
    "The HS6 code is on the Common High Priority List (BIS, EU, UK, Japan; 23 Feb 2024): "
    "items Russia's weapons production depends on. Tier 1 is of highest concern; "
    "tier 4.B covers CNC machine tools.",
    weight=2,
)
def chpl_item(ctx: Context) -> list[Hit]:
    chpl = reference.chpl()

    def describe(item: sql.FlaggedFirm) -> str:
        entry = chpl[item.detail]
        return (
            f"HS {item.detail} {entry.description} (CHPL tier {entry.tier}): "
            f"{_rows(item.count)}, {_money(item.value_usd)}"
        )

    return _row_rule(ctx, sql.hs6_in(chpl), describe)


@rule(
    "eu_banned_cn8",
    "EU export-banned CN8 code",
    "The first 8 digits of the declared code are a CN8 code whose export to Russia is banned "
    "by Council Regulation (EU) No 833/2014 (list of Oct 2022). A national 10-digit code need "
    "not match the EU CN exactly at digits 7-8: check the description.",
    weight=2,
)
def eu_banned_cn8(ctx: Context) -> list[Hit]:
    codes = reference.eu_banned_cn8()

    def describe(item: sql.FlaggedFirm) -> str:
        product = codes[item.detail]
        product = product if len(product) <= 60 else product[:57] + "..."
        return f"CN8 {item.detail} ({product}): {_rows(item.count)}, {_money(item.value_usd)}"

    return _row_rule(ctx, sql.cn8_in(codes), describe)


def _route(item: sql.FlaggedFirm) -> str:
    origin, dispatch = item.detail.split(">")
    return (
        f"goods of origin {_country(origin)} dispatched from {_country(dispatch)}: "
        f"{_rows(item.count)}, {_money(item.value_usd)}"
    )


@rule(
    "origin_dispatch",
    "Country of origin differs from country of dispatch",
    "The goods were made in one country and shipped from another: a sign of transshipment "
    "or of goods bought through an intermediary (FinCEN/BIS alerts). An EU member and 'EU' "
    "count as the same country.",
    weight=1,
)
def origin_dispatch(ctx: Context) -> list[Hit]:
    test = sql.dispatch_differs(same_groups={"EU": reference.EU_MEMBERS})
    return _row_rule(ctx, test, _route)


@rule(
    "hub_dispatch",
    "Dispatched through a transshipment hub",
    "The country of dispatch is one the FinCEN/BIS alerts name as a transshipment point for "
    "goods bound for Russia, and it is not the country of origin (a Chinese machine shipped "
    "from China is not flagged).",
    weight=2,
)
def hub_dispatch(ctx: Context) -> list[Hit]:
    test = sql.dispatch_differs(
        same_groups={"EU": reference.EU_MEMBERS}, dispatch_in=reference.transshipment_hubs()
    )
    return _row_rule(ctx, test, _route)


def _controller_answer(text: str | None) -> str | None:
    found = reference.find_controller(text, exclude_country="CN")
    if found is None:
        return None
    maker, spelling = found
    return f"{maker.maker}|{maker.country}|{spelling}"


def controller_test() -> sql.RowTest:
    """Chinese-origin machines (HS 8456-8465) whose description names a non-Chinese CNC maker."""
    return sql.description_match(_controller_answer, origin="CN", hs=MACHINE_HS4)


@rule(
    "foreign_controller",
    "Foreign control system in a Chinese machine",
    "The description of a Chinese-origin machine tool names a Japanese, German, Taiwanese or "
    "Spanish CNC control system. Such controls are themselves controlled items; a Chinese "
    "machine can carry Western technology to Russia.",
    weight=3,
)
def foreign_controller(ctx: Context) -> list[Hit]:
    def describe(item: sql.FlaggedFirm) -> str:
        maker, country, spelling = item.detail.split("|")
        return (
            f"Chinese-origin machines described with a {maker} ({_country(country)}) control "
            f"system ('{spelling}' in the description): {_rows(item.count)}, {_money(item.value_usd)}"
        )

    return _row_rule(ctx, controller_test(), describe)


def trading_mark(name: str | None) -> str | None:
    """The word in a firm name that marks a trading or logistics firm, or None."""
    match = _TRADING_MARKS.search(name or "")
    return match.group(0) if match else None


@rule(
    "trading_name",
    "Trading or logistics firm",
    "The firm's name marks a trading, import-export or logistics firm rather than a maker or "
    "end user; freight forwarders and trading firms as consignees are a FinCEN/BIS red flag.",
    weight=1,
)
def trading_name(ctx: Context) -> list[Hit]:
    marked = {fid: trading_mark(row[2]) for fid, row in ctx.firms.items()}
    marked = {fid: word for fid, word in marked.items() if word}
    rows = _firm_rows(ctx, {fid: None for fid in marked})
    return [
        _hit(fid, rows.get(fid, []), f"the name '{ctx.firms[fid][2]}' contains '{word}'")
        for fid, word in marked.items()
    ]


def _months_between(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _series(months: dict[str, float]) -> list[tuple[str, float]]:
    """A firm's monthly values from its first to its last month, gaps as zero."""
    span = _months_between(min(months), max(months))
    return [(mo, months.get(mo, 0.0)) for mo in span]


def _growth(series: list[tuple[str, float]]) -> tuple[float, str] | None:
    """Best later 3-month total over the first 3 months' total, and where it ends."""
    values = [v for _, v in series]
    if len(values) < 6:
        return None
    first = sum(values[:3])
    best, end = max((sum(values[i - 2 : i + 1]), series[i][0]) for i in range(5, len(values)))
    if first <= 0:
        return (float("inf"), end) if best >= JUMP_MIN_USD else None
    return best / first, end


@rule(
    "new_fast_growth",
    "New firm, fast growth",
    "The firm first appears after Russia's full-scale invasion (24 Feb 2022) in a case whose "
    "data starts before it, and its trade grew fast: recently formed firms that scale quickly "
    "are a FinCEN/BIS red flag.",
    weight=2,
)
def new_fast_growth(ctx: Context) -> list[Hit]:
    start = sql.min_date(ctx.session, case_id=ctx.case_id)
    if not start or start >= INVASION:
        return []
    grown: dict[int, str] = {}
    for fid, row in ctx.firms.items():
        months = ctx.firm_months.get(fid)
        if not row[3] or row[3] <= INVASION or not months:
            continue
        growth = _growth(_series(months))
        if growth and growth[0] >= GROWTH_FACTOR:
            ratio = "from nothing" if growth[0] == float("inf") else f"x{growth[0]:.1f}"
            grown[fid] = f"first seen {row[3]}; 3-month value grew {ratio} by {growth[1]}"
    rows = _firm_rows(ctx, {fid: None for fid in grown})
    return [_hit(fid, rows.get(fid, []), reason) for fid, reason in grown.items()]


def jumps(months: dict[str, float]) -> list[tuple[str, float, float]]:
    """Months whose value is ``JUMP_FACTOR`` times the mean of the 3 months before it."""
    series = _series(months)
    found = []
    for i in range(3, len(series)):
        month, value = series[i]
        before = statistics.fmean(v for _, v in series[i - 3 : i])
        if before > 0 and value >= JUMP_FACTOR * before and value - before >= JUMP_MIN_USD:
            found.append((month, value, before))
    return found


@rule(
    "firm_jump",
    "Sudden jump in a firm's monthly value",
    "In some month the firm's trade was at least five times its average of the three months "
    "before: a sudden change of volume, route or partner deserves a look.",
    weight=1,
)
def firm_jump(ctx: Context) -> list[Hit]:
    found = {fid: jumps(months) for fid, months in ctx.firm_months.items()}
    found = {fid: js for fid, js in found.items() if js}
    rows = _firm_rows(ctx, {fid: {j[0] for j in js} for fid, js in found.items()})
    return [
        _hit(
            fid,
            rows.get(fid, []),
            "; ".join(
                f"{mo}: {_money(v)} against a 3-month mean of {_money(b)} (x{v / b:.1f})"
                for mo, v, b in js
            ),
        )
        for fid, js in found.items()
    ]


@rule(
    "country_jump",
    "Sudden jump in a country's monthly value",
    "Shipments of one country of origin jumped to at least five times their average of the "
    "three months before; firms that made at least a tenth of that month are named.",
    weight=1,
)
def country_jump(ctx: Context) -> list[Hit]:
    months: dict[str, dict[str, float]] = {}
    for origin, month, value in sql.origin_month_values(ctx.session, case_id=ctx.case_id):
        months.setdefault(origin, {})[month] = value or 0.0
    cells = {(o, mo): (v, b) for o, ms in months.items() for mo, v, b in jumps(ms)}
    by_firm: dict[int, list] = {}
    rows = sql.firm_origin_month_values(ctx.session, case_id=ctx.case_id, cells=cells)
    for origin, month, fid, value, ids in rows:
        total, before = cells[(origin, month)]
        if (value or 0.0) >= JUMP_FIRM_SHARE * total:
            by_firm.setdefault(fid, []).append((origin, month, value, total, before, ids))
    return [_country_hit(fid, items) for fid, items in by_firm.items()]


def _country_hit(firm_id: int, items: list) -> Hit:
    parts, ids, value = [], set(), 0.0
    for origin, month, mine, total, before, id_text in sorted(items):
        parts.append(
            f"origin {_country(origin)} in {month}: {_money(total)} against a 3-month mean of "
            f"{_money(before)} (x{total / before:.1f}); this firm {_money(mine)}"
        )
        ids.update(int(i) for i in (id_text or "").split(",") if i)
        value += mine or 0.0
    return Hit(firm_id, "; ".join(parts), len(ids), sorted(ids)[:SAMPLE], value)


@rule(
    "unit_value",
    "Unit value far from the norm for its HS6 code",
    "The value per kilogram is more than ten times above or below the median of the case's "
    "shipments with the same HS6 code: the goods may be misdescribed or misvalued.",
    weight=1,
)
def unit_value(ctx: Context) -> list[Hit]:
    def describe(item: sql.FlaggedFirm) -> str:
        hs6, side, median = item.detail.split("|")
        word = "above" if side == "high" else "below"
        return (
            f"HS {hs6}: {_rows(item.count)} priced far {word} the median of "
            f"{_money(float(median))}/kg"
        )

    test = sql.unit_value_outliers(factor=UNIT_VALUE_FACTOR, min_peers=UNIT_VALUE_PEERS)
    return _row_rule(ctx, test, describe)


# ---- per firm -------------------------------------------------------------------------------


def rules_json() -> list[dict]:
    """Every rule: id, title, explanation and score weight."""
    return [
        {"id": r.id, "title": r.title, "explanation": r.explanation, "weight": r.weight}
        for r in RULES
    ]


def run_rules(session, *, case_id: int, only: set[str] | None = None) -> dict[str, list[Hit]]:
    """Each rule's hits (all rules, or the ids in ``only``)."""
    ctx = Context(session, case_id)
    return {r.id: r.find(ctx) for r in RULES if only is None or r.id in only}


def flag_firms(session, *, case_id: int) -> list[dict]:
    """Flagged firms, highest score first, in the ``flags`` JSON shape of DESIGN.md."""
    results = run_rules(session, case_id=case_id)
    by_firm: dict[int, list[tuple[Rule, Hit]]] = {}
    for r in RULES:
        for hit in results.get(r.id, []):
            by_firm.setdefault(hit.firm_id, []).append((r, hit))
    refs = sql.row_refs(
        session, ids={i for hs in by_firm.values() for _, h in hs for i in h.sample_ids}
    )
    labels = sql.firm_labels(session, ids=by_firm)
    firms = [
        _firm_json(fid, labels.get(fid, ("", "")), hits, refs) for fid, hits in by_firm.items()
    ]
    return sorted(firms, key=lambda f: (-f["score"], f["name"].casefold(), f["uid"]))


def _firm_json(firm_id: int, label: tuple[str, str], hits: list, refs: dict) -> dict:
    uid, name = label
    return {
        "uid": uid,
        "name": name,
        "score": sum(r.weight for r, _ in hits),
        "flags": [
            {
                "rule": r.id,
                "title": r.title,
                "reason": h.reason,
                "shipments": [
                    {"dataset": refs[i][0], "row": refs[i][1]} for i in h.sample_ids if i in refs
                ],
                "shipment_count": h.count,
                "value_usd": round(h.value_usd, 2) if h.value_usd is not None else None,
            }
            for r, h in hits
        ],
    }
