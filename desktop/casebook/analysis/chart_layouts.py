"""Two layouts that tell the story of a chart, apart from Qt: **geographic** (each firm at its
country, the firms of one country spread around its point, so that the flows between
countries read as on a map) and **timeline** (each firm across by the date of its first trade,
down by its layer: persons, makers, intermediaries, importers, so that a flow reads left to
right in time).

Both give starting positions in the unit square (y down) for ``layout_network``, which then
keeps the label boxes apart as it does for its other layouts. Country points are approximate
centroids (``resources/reference/country_centroids.csv``; see the README there for the source),
projected with an equirectangular projection scaled by the cosine of the chart's middle
latitude and fitted to the square.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache

from casebook.analysis.network import MARGIN, NetworkModel, Node

CENTROIDS_FILE = "country_centroids.csv"
#: Codes the store uses that are not countries, placed at a stand-in's point.
STAND_INS = {"EU": "BE"}  # the European Union: Brussels
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
#: The spread of a country's firms around its point: the n-th firm at ``SPREAD * sqrt(n)``
#: (unit square), a sunflower's spiral; the label boxes are pushed apart afterwards.
SPREAD = 0.045


@cache
def centroids() -> dict[str, tuple[float, float]]:
    """ISO alpha-2 code → (latitude, longitude) of the country's approximate centroid."""
    from casebook import resources

    with resources.reference(CENTROIDS_FILE).open(encoding="utf-8", newline="") as handle:
        return {
            row["country"]: (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(handle)
            if row["latitude"] and row["longitude"]
        }


def country_point(code: str | None) -> tuple[float, float] | None:
    """(latitude, longitude) of a country code, or None when it has none (unknown, ``XX``)."""
    code = (code or "").upper()
    return centroids().get(STAND_INS.get(code, code))


def project(
    points: dict[str, tuple[float, float]], aspect: float = 1.0
) -> dict[str, tuple[float, float]]:
    """Latitude/longitude by key → (x, y) in the unit square of a rectangle ``aspect`` times
    as wide as high, y down, the points' extent fitted inside the margins with the map's
    proportions kept (equirectangular, longitudes shrunk by the cosine of the middle
    latitude)."""
    if not points:
        return {}
    lats = [p[0] for p in points.values()]
    middle = math.radians((max(lats) + min(lats)) / 2)
    flat = {k: (lon * math.cos(middle), -lat) for k, (lat, lon) in points.items()}
    xs, ys = [p[0] for p in flat.values()], [p[1] for p in flat.values()]
    inner = 1 - 2 * MARGIN - 2 * SPREAD  # room for the spread of the outermost countries
    # one scale for both axes, in units of the rectangle's height
    scale = min(inner * aspect / max(max(xs) - min(xs), 1e-9),
                inner / max(max(ys) - min(ys), 1e-9))  # fmt: skip
    x0, y0 = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return {k: (0.5 + (x - x0) * scale / aspect, 0.5 + (y - y0) * scale)
            for k, (x, y) in flat.items()}  # fmt: skip


def geographic(model: NetworkModel, aspect: float = 1.0) -> dict[str, tuple[float, float]]:
    """Each node at its country's point (a person at its nationality's, else among the firms
    it is linked to; a firm of no known country in a row along the foot of the chart), the
    firms of one country on a spiral around it, the largest by value at the centre."""
    groups: dict[str, list[Node]] = {}
    loose: list[Node] = []  # no known country
    for node in model.nodes:
        code = (node.country or "").upper()
        if country_point(code) is not None:
            groups.setdefault(STAND_INS.get(code, code), []).append(node)
        else:
            loose.append(node)
    anchors = project({code: country_point(code) for code in groups}, aspect)
    out: dict[str, tuple[float, float]] = {}
    most = max((len(members) for members in groups.values()), default=1)
    spread = min(SPREAD, 0.35 / math.sqrt(max(most - 1, 1)))  # the largest country's spiral fits
    for code, members in sorted(groups.items()):
        cx, cy = anchors[code]
        members.sort(key=lambda n: (-n.value_usd, n.name.casefold(), n.uid))
        for i, node in enumerate(members):
            r, a = spread * math.sqrt(i), i * GOLDEN_ANGLE
            out[node.uid] = (cx + r * math.cos(a) / aspect, cy + r * math.sin(a))
    persons = [n for n in loose if n.subject == "person"]
    firms = [n for n in loose if n.subject != "person"]
    for i, node in enumerate(sorted(firms, key=lambda n: (n.name.casefold(), n.uid))):
        out[node.uid] = (MARGIN + (i + 0.5) * (1 - 2 * MARGIN) / len(firms), 1 - MARGIN)
    for i, node in enumerate(persons):
        near = [out[u] for u in model.neighbours(node.uid) if u in out]
        if near:
            x = sum(p[0] for p in near) / len(near)
            y = sum(p[1] for p in near) / len(near) - SPREAD
        else:
            x, y = MARGIN + (i + 0.5) * (1 - 2 * MARGIN) / len(persons), MARGIN
        out[node.uid] = (x, y)
    return {u: (min(1.0, max(0.0, x)), min(1.0, max(0.0, y))) for u, (x, y) in out.items()}


def first_dates(model: NetworkModel) -> dict[str, str]:
    """Each node's first date: its first trade (either way) or, for a node with no trade, the
    earliest start of its relationships (a person's directorship)."""
    trade: dict[str, str] = {}
    other: dict[str, str] = {}
    for edge in model.edges:
        if not edge.first:
            continue
        seen = trade if edge.is_trade else other
        for uid in (edge.source, edge.target):
            seen[uid] = min(seen.get(uid, edge.first), edge.first)
    return {n.uid: trade.get(n.uid) or other.get(n.uid) for n in model.nodes
            if trade.get(n.uid) or other.get(n.uid)}  # fmt: skip


#: The timeline layout's rows, top to bottom: persons, makers, intermediaries, importers.
TIME_BANDS = (0.1, 0.33, 0.58, 0.85)
UNDATED_X = MARGIN  # nodes without a date: a column of their own on the left
DATED_FROM = MARGIN + 0.1


def timeline(model: NetworkModel) -> dict[str, tuple[float, float]]:
    """x by the firm's first trade date (the first dated day at the left, the last at the
    right, firms without trade in a column left of them), y by its layer (makers, then
    intermediaries, importers at the foot), the firms of one band alternating a little up and
    down so that neighbours in time do not sit on one line; a person in a row above the
    makers, over the firms it is linked to (else at its first role's date)."""
    dates = first_dates(model)
    traded = {u for e in model.edges if e.is_trade for u in (e.source, e.target)}
    days = {u: _ordinal(d) for u, d in dates.items() if u in traded}
    days = {u: d for u, d in days.items() if d is not None}
    lo, hi = (min(days.values()), max(days.values())) if days else (0, 0)
    span = max(hi - lo, 1)

    def x_of(day: int | None) -> float:
        if day is None:
            return UNDATED_X
        day = min(max(day, lo), hi)
        return DATED_FROM + (day - lo) / span * (1 - MARGIN - DATED_FROM)

    bands: dict[int, list[Node]] = {}
    for node in model.nodes:
        band = 0 if node.subject == "person" else 1 + min(max(node.layer, 0), 2)
        bands.setdefault(band, []).append(node)
    out: dict[str, tuple[float, float]] = {}
    for band in sorted(bands, reverse=True):  # the persons last: over their firms
        members = bands[band]
        members.sort(key=lambda n: (days.get(n.uid, -1), n.name.casefold(), n.uid))
        for i, node in enumerate(members):
            wobble = (-0.06, 0.0, 0.06)[i % 3]
            near = [out[u][0] for u in model.neighbours(node.uid) if u in out]
            if band == 0 and near:
                x = sum(near) / len(near)
            else:
                x = x_of(days.get(node.uid, _ordinal(dates.get(node.uid)) if band == 0 else None))
            out[node.uid] = (x, TIME_BANDS[band] + wobble)
    return out


def _ordinal(date: str | None) -> int | None:
    import datetime as dt

    text = str(date or "")
    try:
        if len(text) >= 10:
            return dt.date.fromisoformat(text[:10]).toordinal()
        if len(text) == 7:
            return dt.date(int(text[:4]), int(text[5:7]), 1).toordinal()
        if len(text) == 4:
            return dt.date(int(text), 1, 1).toordinal()
    except ValueError:
        return None
    return None


# --- the timeline layout's date axis --------------------------------------------------------

#: A date axis is drawn while the dated firms' places follow their first trade dates at least
#: this closely (the correlation of x and date): the layout moves firms apart to keep their
#: labels clear, and the user may drag them; dragged out of date order, the axis goes.
AXIS_CORRELATION = 0.8
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class DateScale:
    """Where a date is across a timeline chart: ``x = intercept + slope * day`` (``day`` a
    date's ordinal), fitted to the dated firms' places; ``first`` and ``last`` the dated days
    (ordinals)."""

    intercept: float
    slope: float
    first: int
    last: int

    def x(self, day: float) -> float:
        return self.intercept + self.slope * day

    def day(self, x: float) -> float:
        return (x - self.intercept) / self.slope


def date_scale(model: NetworkModel, positions: dict) -> DateScale | None:
    """The date axis of the timeline layout for the firms at ``positions`` (uid → (x, y), in
    any units): the straight line of x by first trade date (``first_dates``) that fits the
    traded firms' places best (least squares: the layout puts them across by date, then
    moves them a little to keep their labels apart). None when fewer than two dates are
    placed, or the places do not follow the dates (``AXIS_CORRELATION``)."""
    traded = {u for e in model.edges if e.is_trade for u in (e.source, e.target)}
    points = []
    for uid, date in first_dates(model).items():
        day = _ordinal(date)
        if uid in traded and uid in positions and day is not None:
            points.append((float(day), float(positions[uid][0])))
    if len({day for day, _x in points}) < 2:
        return None
    n = len(points)
    mean_d = sum(d for d, _x in points) / n
    mean_x = sum(x for _d, x in points) / n
    sdd = sum((d - mean_d) ** 2 for d, _x in points)
    sxx = sum((x - mean_x) ** 2 for _d, x in points)
    sdx = sum((d - mean_d) * (x - mean_x) for d, x in points)
    if sdx <= 0 or sxx <= 0 or sdx / math.sqrt(sdd * sxx) < AXIS_CORRELATION:
        return None
    slope = sdx / sdd
    days = [int(d) for d, _x in points]
    return DateScale(mean_x - slope * mean_d, slope, min(days), max(days))


#: The ticks an axis may have, finest last: (unit, step), a step of years, months or days.
TICK_STEPS = (("year", 10), ("year", 5), ("year", 2), ("year", 1), ("month", 6), ("month", 3),
              ("month", 1), ("day", 10), ("day", 5), ("day", 1))  # fmt: skip
_APPROX_DAYS = {"year": 365.25, "month": 30.44, "day": 1.0}


def date_ticks(first: int, last: int, per_day: float, gap: float) -> list[tuple[int, str, bool]]:
    """The ticks of a date axis from day ``first`` to day ``last`` (ordinals) drawn
    ``per_day`` units a day: the finest steps (years, months or days) whose ticks are at
    least ``gap`` units apart; each tick is (day, label, major). Years are labelled
    "2023"; months "Mar" with January major and labelled by its year; days by their number
    with each month's first major and labelled "Mar 2023"; the first tick says its month
    and year ("Mar 2023", "6 Mar 2023"). The ticks reach one step past each end."""
    import datetime as dt

    if last < first or per_day <= 0:
        return []
    unit, step = next(((u, s) for u, s in reversed(TICK_STEPS)
                       if s * _APPROX_DAYS[u] * per_day >= gap), TICK_STEPS[0])  # fmt: skip
    start, end = dt.date.fromordinal(first), dt.date.fromordinal(last)
    ticks: list[tuple[int, str, bool]] = []
    if unit == "year":
        year = start.year - start.year % step
        while True:
            day = dt.date(year, 1, 1)
            ticks.append((day.toordinal(), str(year), True))
            if day > end:
                break
            year += step
    elif unit == "month":
        index = start.year * 12 + (start.month - 1)
        index -= index % step
        while True:
            year, month = divmod(index, 12)
            day = dt.date(year, month + 1, 1)
            major = month == 0
            ticks.append((day.toordinal(), str(year) if major else MONTHS[month], major))
            if day > end:
                break
            index += step
    else:
        day = dt.date(start.year, start.month, 1)
        while True:
            following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
            length = (following - day).days
            marks = range(1, length + 1) if step == 1 else range(1, length - step // 2, step)
            for number in marks:
                at = day.replace(day=number)
                if at.toordinal() < first - step:
                    continue
                major = number == 1
                label = f"{MONTHS[at.month - 1]} {at.year}" if major else str(number)
                ticks.append((at.toordinal(), label, major))
            if ticks and ticks[-1][0] > last:
                break
            day = following
    before = [t for t in ticks if t[0] <= first]
    after = next((i for i, t in enumerate(ticks) if t[0] >= last), len(ticks) - 1)
    ticks = ticks[max(len(before) - 1, 0) : after + 1]
    if ticks and not ticks[0][2]:  # the first tick says the year (and month) it is in
        at = dt.date.fromordinal(ticks[0][0])
        label = f"{MONTHS[at.month - 1]} {at.year}"
        ticks[0] = (ticks[0][0], label if unit == "month" else f"{at.day} {label}", True)
    return ticks
