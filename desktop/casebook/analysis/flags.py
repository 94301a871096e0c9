"""Red flags: small rules over a case's shipments, each naming the firms and rows it caught.

A rule is a function ``(ctx) -> list[Hit]`` registered with ``@rule(...)``; ``flag_firms`` runs
every rule and scores each firm by the weights of the distinct rules that caught it. To add a
rule, write one more decorated function here. Sources of the indicators: STANDARDS.md
(FinCEN/BIS alerts, UK freight guidance, the CHPL) and resources/reference/README.md.
"""

from __future__ import annotations

import hashlib
import math
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from casebook.analysis import reference
from casebook.core.countries import country_name
from casebook.core.numbers import money
from casebook.core.words import plural
from casebook.store import redflags as db
from casebook.store import rollups
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
    """A rule: ``find(ctx) -> hits`` for firm-level rules, or ``test(ctx) -> (RowTest,
    describe)`` for rules that pick shipments (all of those run in one scan)."""

    id: str
    title: str
    explanation: str
    weight: int
    find: Callable[[Context], list[Hit]] | None = None
    test: Callable[[Context], tuple[db.RowTest, Callable[[db.FlaggedFirm], str]]] | None = None


RULES: list[Rule] = []


def rule(id: str, title: str, explanation: str, *, weight: int = 1):
    """Register a firm-level rule ``fn(ctx) -> list[Hit]``."""

    def register(fn: Callable[[Context], list[Hit]]):
        RULES.append(Rule(id, title, explanation, weight, find=fn))
        return fn

    return register


def row_rule(id: str, title: str, explanation: str, *, weight: int = 1):
    """Register a row-level rule ``fn(ctx) -> (RowTest, describe)``."""

    def register(fn: Callable[[Context], tuple[db.RowTest, Callable[[db.FlaggedFirm], str]]]):
        RULES.append(Rule(id, title, explanation, weight, test=fn))
        return fn

    return register


@dataclass
class Activity:
    """Monthly value of firms and origins, with row counts and sample ids, from one scan."""

    firm_months: dict[int, dict[str, float]] = field(default_factory=dict)
    firm_rows: dict[int, dict[str | None, tuple[int, int, int]]] = field(default_factory=dict)
    firm_first: dict[int, str] = field(default_factory=dict)
    origin_months: dict[str, dict[str, float]] = field(default_factory=dict)
    start: str | None = None

    def add(self, kind, key, month, value, n, first, min_id, max_id) -> None:
        if first and (self.start is None or first < self.start):
            self.start = first
        if kind == "o":
            self.origin_months.setdefault(key, {})[month] = value or 0.0
        elif kind == "f":
            self.firm_rows.setdefault(key, {})[month] = (n, min_id, max_id)
            if first:
                self.firm_first[key] = min(first, self.firm_first.get(key, first))
            if month:
                self.firm_months.setdefault(key, {})[month] = value or 0.0

    def rows(self, firm_id: int, months: Iterable[str] | None = None) -> tuple[int, list[int]]:
        """How many rows a firm has (in these months), and up to SAMPLE of their ids."""
        cells = self.firm_rows.get(firm_id, {})
        picked = [cells[m] for m in (months if months is not None else cells) if m in cells]
        ids = sorted({i for _, lo, hi in picked for i in (lo, hi)})
        return sum(n for n, _, _ in picked), ids[:SAMPLE]


class Context:
    """What rules share: the case, its session, and data computed once on first use."""

    def __init__(self, session, case_id: int, rules: Sequence[Rule], lens=None):
        self.session, self.case_id, self.rules, self.lens = session, case_id, rules, lens

    @cached_property
    def activity(self) -> Activity:
        found = Activity()
        for row in db.activity(self.session, case_id=self.case_id, lens=self.lens):
            found.add(*row)
        return found

    @cached_property
    def names(self) -> dict[int, str]:
        labels = sql.firm_labels(self.session, ids=self.activity.firm_rows)
        return {fid: name for fid, (_uid, name) in labels.items()}

    @cached_property
    def row_tests(self) -> dict[str, tuple]:
        return {r.id: r.test(self) for r in self.rules if r.test}

    @cached_property
    def row_results(self) -> dict[str, list[db.FlaggedFirm]]:
        tests = {rid: test for rid, (test, _describe) in self.row_tests.items()}
        stored = {} if self.lens else _stored(self.session, self.case_id, set(tests))
        return db.flagged_firms(
            self.session,
            case_id=self.case_id,
            tests=tests,
            sample=SAMPLE,
            lens=self.lens,
            stored=stored,
        )

    def row_hits(self, rule_id: str) -> list[Hit]:
        return _row_hits(self.row_tests[rule_id][1], self.row_results[rule_id])

    def firm_hit(self, firm_id: int, reason: str, months: Iterable[str] | None = None) -> Hit:
        count, ids = self.activity.rows(firm_id, months)
        return Hit(firm_id, reason, count, ids)


# ---- helpers --------------------------------------------------------------------------------


def _money(value: float | None) -> str:
    """An amount in a reason sentence: a missing one said in words rather than a dash."""
    return "no USD value" if value is None else money(value, compact=True)


def _rows(n: int) -> str:
    return plural(n, "shipment")


def _hit(firm_id: int, items: list[db.FlaggedFirm], reason: str) -> Hit:
    ids = sorted({i for item in items for i in item.sample_ids})[:SAMPLE]
    values = [item.value_usd for item in items if item.value_usd is not None]
    return Hit(firm_id, reason, sum(i.count for i in items), ids, sum(values) if values else None)


def _row_hits(describe: Callable, found: list[db.FlaggedFirm]) -> list[Hit]:
    by_firm: dict[int, list[db.FlaggedFirm]] = {}
    for item in found:
        by_firm.setdefault(item.firm_id, []).append(item)
    hits = []
    for firm_id, items in by_firm.items():
        items.sort(key=lambda i: (-i.count, i.detail))
        parts = [describe(i) for i in items[:5]]
        more = f"; and {len(items) - 5} more" if len(items) > 5 else ""
        hits.append(_hit(firm_id, items, "; ".join(parts) + more))
    return hits


def _country(code: str) -> str:
    name = country_name(code)
    return f"{code} ({name})" if name and name != code else code


# ---- the rules ------------------------------------------------------------------------------


def _describe_chpl(item: db.FlaggedFirm) -> str:
    entry = reference.chpl()[item.detail]
    return (
        f"HS {item.detail} {entry.description} (CHPL tier {entry.tier}): "
        f"{_rows(item.count)}, {_money(item.value_usd)}"
    )


@row_rule(
    "chpl_item",
    "Common High Priority List item",
    "The HS6 code is on the Common High Priority List (BIS, EU, UK, Japan; 23 Feb 2024): "
    "items Russia's weapons production depends on. Tier 1 is of highest concern; "
    "tier 4.B covers CNC machine tools.",
    weight=2,
)
def chpl_item(ctx: Context):
    return db.hs6_in(reference.chpl()), _describe_chpl


def _describe_cn8(item: db.FlaggedFirm) -> str:
    product = reference.eu_banned_cn8()[item.detail]
    product = product if len(product) <= 60 else product[:57] + "..."
    return f"CN8 {item.detail} ({product}): {_rows(item.count)}, {_money(item.value_usd)}"


@row_rule(
    "eu_banned_cn8",
    "EU export-banned CN8 code",
    "The first 8 digits of the declared code are a CN8 code whose export to Russia is banned "
    "by Council Regulation (EU) No 833/2014 (list of Oct 2022). A national 10-digit code need "
    "not match the EU CN exactly at digits 7-8: check the description.",
    weight=2,
)
def eu_banned_cn8(ctx: Context):
    return db.cn8_in(reference.eu_banned_cn8()), _describe_cn8


def _route(item: db.FlaggedFirm) -> str:
    origin, dispatch = item.detail.split(">")
    return (
        f"goods of origin {_country(origin)} dispatched from {_country(dispatch)}: "
        f"{_rows(item.count)}, {_money(item.value_usd)}"
    )


@row_rule(
    "origin_dispatch",
    "Country of origin differs from country of dispatch",
    "The goods were made in one country and shipped from another: a sign of transshipment "
    "or of goods bought through an intermediary (FinCEN/BIS alerts). An EU member and 'EU' "
    "count as the same country.",
    weight=1,
)
def origin_dispatch(ctx: Context):
    return db.dispatch_differs(same_groups={"EU": reference.EU_MEMBERS}), _route


@row_rule(
    "hub_dispatch",
    "Dispatched through a transshipment hub",
    "The country of dispatch is one the FinCEN/BIS alerts name as a transshipment point for "
    "goods bound for Russia, and it is not the country of origin (a Chinese machine shipped "
    "from China is not flagged).",
    weight=2,
)
def hub_dispatch(ctx: Context):
    test = db.dispatch_differs(
        same_groups={"EU": reference.EU_MEMBERS}, dispatch_in=reference.transshipment_hubs()
    )
    return test, _route


@lru_cache(maxsize=65536)
def _controller_answer(text: str | None) -> str | None:
    found = reference.find_controller(text, exclude_country="CN")
    if found is None:
        return None
    maker, spelling = found
    return f"{maker.maker}|{maker.country}|{spelling}"


def controller_test() -> db.RowTest:
    """Chinese-origin machines (HS 8456-8465) whose description names a non-Chinese CNC maker."""
    return db.description_match(_controller_answer, origin="CN", hs=MACHINE_HS4)


def controller_version() -> str:
    """Changes when the controller test or its list of makers changes (stored totals expire)."""
    test = controller_test()
    text = repr((reference.controller_makers(), test.where, test.detail, sorted(test.params)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


#: Row tests whose totals per dataset are stored at import (``store.rollups``): the Analysis
#: tab's foreign-controller chart reads them instead of matching a million descriptions.
STORED_TESTS = {"foreign_controller": (controller_test, controller_version)}


def store_row_tests(session, *, case_id: int) -> None:
    """Store the totals of ``STORED_TESTS`` for the case's datasets that lack them."""
    for name, (make, version_of) in STORED_TESTS.items():
        version = version_of()
        for dataset_id in rollups.untested_datasets(
            session, case_id=case_id, test=name, version=version
        ):
            rollups.build_row_test(
                session,
                case_id=case_id,
                dataset_id=dataset_id,
                test=name,
                version=version,
                row_test=make(),
            )


def _stored(session, case_id: int, names: set[str]) -> dict[str, tuple[str, str]]:
    """``{test: (test, version)}`` of the ``STORED_TESTS`` among ``names`` whose groups are
    stored for every dataset of the case (the others are tested on the rows)."""
    out = {}
    for name in names & set(STORED_TESTS):
        version = STORED_TESTS[name][1]()
        if not rollups.untested_datasets(session, case_id=case_id, test=name, version=version):
            out[name] = (name, version)
    return out


def row_test_totals(session, *, case_id: int, test: str, lens=None) -> list[tuple]:
    """``(detail, shipments, value_usd)`` of a stored test: stored totals for the whole case,
    else (under a lens, or before they are stored) from the rows."""
    make, version_of = STORED_TESTS[test]
    if not lens:
        stored = rollups.row_test_totals(session, case_id=case_id, test=test, version=version_of())
        if stored is not None:
            return stored
    return db.row_test_totals(session, case_id=case_id, test=make(), lens=lens)


def _describe_controller(item: db.FlaggedFirm) -> str:
    maker, country, spelling = item.detail.split("|")
    return (
        f"Chinese-origin machines with a {maker} control system ({country_name(country)}; "
        f"'{spelling}' in the description): {_rows(item.count)}, {_money(item.value_usd)}"
    )


@row_rule(
    "foreign_controller",
    "Foreign control system in a Chinese machine",
    "The description of a Chinese-origin machine tool names a Japanese, German, Taiwanese or "
    "Spanish CNC control system. Such controls are themselves controlled items; a Chinese "
    "machine can carry Western technology to Russia.",
    weight=3,
)
def foreign_controller(ctx: Context):
    return controller_test(), _describe_controller


def _describe_unit_value(item: db.FlaggedFirm) -> str:
    hs6, side, median = item.detail.split("|")
    word = "above" if side == "high" else "below"
    return f"HS {hs6}: {_rows(item.count)} priced far {word} the median of about {_money(float(median))}/kg"


@row_rule(
    "unit_value",
    "Unit value far from the norm for its HS6 code",
    "The value per kilogram is more than ten times above or below the median of the case's "
    "shipments with the same HS6 code: the goods may be misdescribed or misvalued.",
    weight=1,
)
def unit_value(ctx: Context):
    medians = hs6_medians(db.unit_value_histogram(ctx.session, case_id=ctx.case_id, lens=ctx.lens))
    return db.unit_value_outliers(medians=medians, factor=UNIT_VALUE_FACTOR), _describe_unit_value


def hs6_medians(histogram: list[tuple]) -> dict[str, float]:
    """Median USD/kg per HS6 from log-binned counts (HS6 codes with enough priced rows)."""
    bins: dict[str, list[tuple[int, int]]] = {}
    for hs6, b, n in histogram:
        bins.setdefault(hs6, []).append((b, n))
    medians = {}
    for hs6, counts in bins.items():
        total = sum(n for _, n in counts)
        if total < UNIT_VALUE_PEERS:
            continue
        seen = 0
        for b, n in sorted(counts):
            seen += n
            if seen * 2 >= total:
                medians[hs6] = math.exp(b / rollups.LOG_BINS)
                break
    return medians


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
    hits = []
    for fid, name in ctx.names.items():
        word = trading_mark(name)
        if word:
            hits.append(ctx.firm_hit(fid, f"the name '{name}' contains '{word}'"))
    return hits


@lru_cache(maxsize=4096)
def _months_between(first: str, last: str) -> tuple[str, ...]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(out)


def _series(months: dict[str, float]) -> list[tuple[str, float]]:
    """Monthly values from the first to the last month, gaps as zero."""
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
    act = ctx.activity
    if not act.start or act.start >= INVASION:
        return []
    hits = []
    for fid, months in act.firm_months.items():
        first = act.firm_first.get(fid)
        if not first or first <= INVASION:
            continue
        growth = _growth(_series(months))
        if growth and growth[0] >= GROWTH_FACTOR:
            ratio = "from nothing" if growth[0] == float("inf") else f"x{growth[0]:.1f}"
            reason = f"first seen {first}; 3-month value grew {ratio} by {growth[1]}"
            hits.append(ctx.firm_hit(fid, reason))
    return hits


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


def _jump_text(month: str, value: float, before: float) -> str:
    return f"{month}: {_money(value)} against a 3-month mean of {_money(before)} (x{value / before:.1f})"


@rule(
    "firm_jump",
    "Sudden jump in a firm's monthly value",
    "In some month the firm's trade was at least five times its average of the three months "
    "before: a sudden change of volume, route or partner deserves a look.",
    weight=1,
)
def firm_jump(ctx: Context) -> list[Hit]:
    hits = []
    for fid, months in ctx.activity.firm_months.items():
        found = jumps(months)
        if found:
            reason = "; ".join(_jump_text(*j) for j in found)
            hits.append(ctx.firm_hit(fid, reason, months=[j[0] for j in found]))
    return hits


@rule(
    "country_jump",
    "Sudden jump in a country's monthly value",
    "Shipments of one country of origin jumped to at least five times their average of the "
    "three months before; firms that made at least a tenth of that month are named.",
    weight=1,
)
def country_jump(ctx: Context) -> list[Hit]:
    by_firm: dict[int, list] = {}
    for origin, months in ctx.activity.origin_months.items():
        for month, total, before in jumps(months):
            cell = db.origin_month_firms(
                ctx.session,
                case_id=ctx.case_id,
                origin=origin,
                month=month,
                sample=SAMPLE,
                lens=ctx.lens,
            )
            for fid, value, n, ids in cell:
                if (value or 0.0) >= JUMP_FIRM_SHARE * total:
                    by_firm.setdefault(fid, []).append(
                        (origin, month, total, before, value, n, ids)
                    )
    return [_country_hit(fid, items) for fid, items in by_firm.items()]


def _country_hit(firm_id: int, items: list) -> Hit:
    parts, ids, value, count = [], set(), 0.0, 0
    for origin, month, total, before, mine, n, id_text in sorted(items):
        parts.append(
            f"origin {_country(origin)} in {_jump_text(month, total, before)}; this firm {_money(mine)}"
        )
        ids.update(int(i) for i in (id_text or "").split(",") if i)
        value, count = value + (mine or 0.0), count + n
    return Hit(firm_id, "; ".join(parts), count, sorted(ids)[:SAMPLE], value)


# ---- per firm -------------------------------------------------------------------------------


def rules_json() -> list[dict]:
    """Every rule: id, title, explanation and score weight."""
    return [
        {"id": r.id, "title": r.title, "explanation": r.explanation, "weight": r.weight}
        for r in RULES
    ]


def run_rules(
    session, *, case_id: int, only: set[str] | None = None, lens=None
) -> dict[str, list[Hit]]:
    """Each rule's hits (all rules, or the ids in ``only``) over the shipments in the lens."""
    chosen = [r for r in RULES if only is None or r.id in only]
    ctx = Context(session, case_id, chosen, lens)
    return {r.id: r.find(ctx) if r.find else ctx.row_hits(r.id) for r in chosen}


def flag_firms(session, *, case_id: int, lens=None) -> list[dict]:
    """Flagged firms, highest score first, in the ``flags`` JSON shape of DESIGN.md; only the
    shipments in the lens (a ``core.filters.ShipmentFilter``; None: the whole case) count."""
    results = run_rules(session, case_id=case_id, lens=lens)
    by_firm: dict[int, list[tuple[Rule, Hit]]] = {}
    for r in RULES:
        for hit in results.get(r.id, []):
            by_firm.setdefault(hit.firm_id, []).append((r, hit))
    refs = db.row_refs(
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
