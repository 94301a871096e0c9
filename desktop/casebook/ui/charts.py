"""Drawing the Analysis tab's charts with matplotlib, from ``analysis.charts.ChartTable``s.

Nothing here queries: each ``draw_*`` takes a chart's small table and a ``Style`` (colours from
the Qt palette), draws on a matplotlib ``Figure`` and returns the ``Target``s — the bars or points
a hover names and a click turns into Shipments-tab filters. matplotlib is imported on first use
(``setup()``) or, once the window is painted, on a thread of its own (``warm_up()``), never on
the way to the first paint.
"""

from __future__ import annotations

import gc
import importlib
import math
import threading
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from casebook import resources
from casebook.core.countries import country_name
from casebook.core.numbers import money
from casebook.core.words import plural

OTHER = "other"
#: Series colours: distinguishable on white and on a dark grey (Tableau 10, "other" is grey).
COLOURS = [
    "#4E79A7",
    "#F28E2B",
    "#E15759",
    "#76B7B2",
    "#59A14F",
    "#EDC948",
    "#B07AA1",
    "#FF9DA7",
    "#9C755F",
    "#BAB0AC",
]
OTHER_COLOUR = "#8C8C8C"
FONT_FAMILIES = ["DejaVu Sans", "WenQuanYi Micro Hei"]
MAX_MONTH_TICKS = 12
MIN_SLOTS = 4  # a chart of one or two bars keeps bars of normal width
NAME_CHARS = 30
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


@cache
def setup() -> None:
    """Import matplotlib and teach it the shipped fonts (Latin, Cyrillic, then Chinese)."""
    import matplotlib
    from matplotlib import font_manager

    for path in resources.fonts():
        if path.name.lower().startswith(("dejavusans", "wqy")):
            font_manager.fontManager.addfont(str(path))
    # A list of families: matplotlib falls back glyph by glyph (Chinese after DejaVu Sans).
    matplotlib.rcParams["font.family"] = [*FONT_FAMILIES, "sans-serif"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["svg.fonttype"] = "none"  # SVG text stays text (searchable)


_warm = threading.Event()  # set once the warm-up imported everything
_warm_up: list[threading.Thread] = []  # the last warm-up thread started


def warm_up() -> threading.Thread:
    """Import matplotlib, its canvases and the shipped fonts on a thread of their own, so that
    the first case opened (its Analysis tab) does not wait for them on the GUI thread: about a
    second on a quiet machine, tens of seconds on a busy one. Then pandas, which the charts'
    first read imports on the DB worker (0.5-1 s more before a 1M case's first chart, issue
    18). Returns the started thread."""

    def work() -> None:
        setup()
        from matplotlib.backends import backend_agg, backend_qtagg  # noqa: F401
        from matplotlib.figure import Figure  # noqa: F401

        _warm.set()  # the Analysis tab may be built (its first chart read needs pandas)
        importlib.import_module("pandas")
        gc.freeze()  # their modules: out of the GUI thread's full collections for good

    thread = threading.Thread(target=work, name="matplotlib warm-up", daemon=True)
    _warm_up[:] = [thread]
    thread.start()
    return thread


def warming() -> threading.Thread | None:
    """None once matplotlib is loaded; else the warm-up thread loading it (started now when
    none runs): the Analysis tab waits for it rather than importing on the GUI thread."""
    if _warm.is_set():
        return None
    if not (_warm_up and _warm_up[0].is_alive()):
        warm_up()
    return _warm_up[0]


@dataclass(frozen=True)
class Style:
    """Colours of the current palette."""

    fg: str = "#202124"
    bg: str = "#FFFFFF"
    grid: str = "#D0D0D0"
    dark: bool = False


@dataclass
class Target:
    """Something on a chart that a hover describes and a click filters the Shipments tab by."""

    artist: Any
    label: str
    filters: dict = field(default_factory=dict)
    index: int | None = None  # the point of a line, for picks on lines


@dataclass
class Scale:
    """Money shown in millions (or thousands when small), with the unit in the axis label."""

    divisor: float
    unit: str

    @classmethod
    def for_values(cls, values, currency: str = "USD") -> Scale:
        top = max((abs(v) for v in values if v is not None), default=0.0)
        if top >= 1e6:
            return cls(1e6, f"{currency} millions")
        return cls(1e3, f"{currency} thousands")

    def __call__(self, value: float | None) -> float:
        return (value or 0.0) / self.divisor


def country_label(code: str) -> str:
    if code in (OTHER, "", None):
        return "Other"
    name = country_name(code) if code != "XX" else "Unknown"
    return f"{code} {name}" if name and name != code else code


def short(text: str, limit: int = NAME_CHARS) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def month_label(month: str, *, first: bool) -> str:
    """``Jan 2023`` for the first tick and every January, else ``Apr``."""
    try:
        year, mo = month.split("-")[:2]
        name = MONTHS[int(mo) - 1]
    except (ValueError, IndexError):
        return month
    return f"{name}\n{year}" if first or mo == "01" else name


def month_end(month: str) -> str:
    return month  # the Shipments filter takes YYYY-MM bounds inclusively


# --- figure set-up --------------------------------------------------------------------------


def _axes(fig, style: Style, *, title: str = ""):
    fig.clear()
    fig.set_facecolor(style.bg)
    ax = fig.add_subplot()
    ax.set_facecolor(style.bg)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(style.fg)
    ax.tick_params(colors=style.fg, labelsize=8.5)
    ax.xaxis.label.set_color(style.fg)
    ax.yaxis.label.set_color(style.fg)
    ax.grid(axis="y", color=style.grid, linewidth=0.6)
    ax.set_axisbelow(True)
    if title:
        ax.set_title(title, color=style.fg, fontsize=10, loc="left")
    return ax


def text_inches(text: str, points: float = 8.0) -> float:
    """Rough width of ``text`` in inches (Chinese characters are about twice as wide)."""
    wide = sum(1 for ch in text if ord(ch) >= 0x2E80)
    return (len(text) - wide + 1.6 * wide) * points * 0.72 / 72


def fit_text(text: str, inches: float, points: float = 8.0) -> str:
    """``text`` shortened at the end (its start kept, "…" added) to about ``inches`` wide."""
    text = " ".join(str(text or "").split())
    if text_inches(text, points) <= inches:
        return text
    while len(text) > 1 and text_inches(text + "…", points) > inches:
        text = text[:-1]
    return text.rstrip() + "…"


def place(fig, *, left=0.75, right=0.2, bottom=0.55, top=0.12) -> None:
    """Margins in inches (cheaper than a layout engine at every draw; redone on resize)."""
    width, height = fig.get_figwidth(), fig.get_figheight()
    lo_x = min(left / width, 0.6)
    hi_x = max(1 - right / width, lo_x + 0.2)
    lo_y = min(bottom / height, 0.5)
    hi_y = max(1 - top / height, lo_y + 0.2)
    fig.subplots_adjust(left=lo_x, right=hi_x, bottom=lo_y, top=hi_y)


def fit(fig, pad_points: float = 4.0) -> None:
    """Widen the margins ``place`` guessed until every axes' tick labels, axis titles, title
    and legend lie inside the figure (wide ticks such as "4,000.0" push the value axis's title
    off the left edge of a narrow chart). Measured, so call it after drawing and on resize."""
    get_renderer = getattr(fig.canvas, "get_renderer", None)
    if get_renderer is None or not fig.axes:
        return
    renderer, edge, pad = get_renderer(), fig.bbox, pad_points * fig.dpi / 72
    for _ in range(3):  # new margins may bring new ticks: measure again
        boxes = [b for ax in fig.axes if (b := ax.get_tightbbox(renderer)) is not None]
        if not boxes:
            return
        over = {
            "left": edge.x0 + pad - min(b.x0 for b in boxes),
            "right": max(b.x1 for b in boxes) - (edge.x1 - pad),
            "bottom": edge.y0 + pad - min(b.y0 for b in boxes),
            "top": max(b.y1 for b in boxes) - (edge.y1 - pad),
        }
        if all(v <= 0.5 for v in over.values()):
            return
        params, width, height = fig.subplotpars, edge.width, edge.height
        left = params.left + max(over["left"], 0) / width
        right = max(params.right - max(over["right"], 0) / width, left + 0.2)
        bottom = params.bottom + max(over["bottom"], 0) / height
        top = max(params.top - max(over["top"], 0) / height, bottom + 0.2)
        fig.subplots_adjust(left=left, right=right, bottom=bottom, top=top)


def caption(fig, style: Style, text: str, points: float = 7.5) -> None:
    """``text`` (the lens, "Filtered: …") across the top of the figure, the plot moved down to
    make room; shortened to the width, so an exported image names its filter too."""
    if not text:
        return
    room = 0.2 + points / 72
    fig.text(
        0.08 / fig.get_figwidth(),
        1 - 0.06 / fig.get_figheight(),
        fit_text(text, fig.get_figwidth() - 0.16, points),
        ha="left",
        va="top",
        fontsize=points,
        color=style.fg,
        style="italic",
    )
    params = fig.subplotpars
    fig.subplots_adjust(top=max(params.bottom + 0.1, params.top - room / fig.get_figheight()))


def _legend(ax, style: Style, **kw):
    legend = ax.legend(
        fontsize=8,
        frameon=False,
        labelcolor=style.fg,
        **kw,
    )
    return legend


def _month_ticks(ax, months: list[str]) -> None:
    # About one label per 0.65 inch of the plot's width (the axes once placed: a legend beside
    # it can leave an inch of a wide figure), so a narrow chart's month and year labels never
    # run together.
    width = ax.get_position().width * ax.figure.get_figwidth()
    room = max(1, min(MAX_MONTH_TICKS, int(width / 0.65)))
    step = max(1, math.ceil(len(months) / room))
    # Keep Januaries on the ticks when stepping by 2, 3, 4 or 6 months.
    start = 0
    if months and 12 % step == 0:
        try:
            start = (1 - int(months[0][5:7])) % step
        except ValueError:
            start = 0
    ticks = list(range(start, len(months), step))
    if len(ticks) < 2 and len(months) > 1:  # too narrow for two steps: the first and the last
        ax.set_xticks([0, len(months) - 1])
        ax.set_xticklabels([month_label(m, first=True) for m in (months[0], months[-1])])
        ax.set_xlim(-0.6, len(months) - 0.4)
        return
    ax.set_xticks(ticks)
    ax.set_xticklabels([month_label(months[i], first=n == 0) for n, i in enumerate(ticks)])
    ax.set_xlim(-0.6, len(months) - 0.4)


def _money_axis(ax, scale: Scale, axis: str = "y") -> None:
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _pos: f"{v:,.1f}" if scale.divisor == 1e6 else f"{v:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)
    if axis == "y":
        ax.set_ylabel(f"Value ({scale.unit})", fontsize=9)
    else:
        ax.set_xlabel(f"Value ({scale.unit})", fontsize=9)


def _min_slots(ax, n: int, axis: str) -> None:
    """Room for at least ``MIN_SLOTS`` bars, so one bar does not fill the whole chart."""
    if n >= MIN_SLOTS:
        return
    pad = (MIN_SLOTS - n) / 2
    limits = (-0.5 - pad, n - 0.5 + pad)
    (ax.set_xlim if axis == "x" else ax.set_ylim)(*limits)


def _bar_collection(ax, bottoms: list[float], heights: list[float], *, colour: str, width=0.8):
    """Vertical bars at x = 0, 1, … as one artist (hundreds of separate bars draw slowly)."""
    from matplotlib.collections import PolyCollection

    half = width / 2
    verts = [
        [(x - half, b), (x - half, b + h), (x + half, b + h), (x + half, b)]
        for x, (b, h) in enumerate(zip(bottoms, heights, strict=True))
    ]
    bars = PolyCollection(verts, facecolors=colour, edgecolors="none", picker=True)
    ax.add_collection(bars, autolim=True)
    return bars


def empty(fig, style: Style, message: str = "No shipments to show") -> list[Target]:
    fig.clear()
    fig.set_facecolor(style.bg)
    fig.text(0.5, 0.5, message, ha="center", va="center", color=style.fg, fontsize=10)
    return []


def _colour(i: int, key: str) -> str:
    return OTHER_COLOUR if key == OTHER else COLOURS[i % len(COLOURS)]


# --- the charts -----------------------------------------------------------------------------


def draw_monthly(fig, table, style: Style) -> list[Target]:
    """Stacked monthly bars per country (top N and "other")."""
    if not table.rows:
        return empty(fig, style)
    field_name = table.name.removeprefix("monthly_by_")
    countries = table.columns[1:]
    months = [r[0] for r in table.rows]
    scale = Scale.for_values([sum(r[1:]) for r in table.rows])
    ax = _axes(fig, style)
    bottoms = [0.0] * len(months)
    targets: list[Target] = []
    for i, code in enumerate(countries):
        values = [scale(r[i + 1]) for r in table.rows]
        bars = _bar_collection(ax, bottoms, values, colour=_colour(i, code))
        bars.set_label(country_label(code))
        for j, raw in enumerate(r[i + 1] for r in table.rows):
            if not raw:
                continue
            filters = {"date_from": months[j], "date_to": month_end(months[j])}
            if code != OTHER:
                filters[field_name] = code
            label = f"{country_label(code)} · {months[j]}: {money(raw, compact=True)}"
            targets.append(Target(bars, label, filters, index=j))
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    ax.autoscale_view()
    _money_axis(ax, scale)
    handles, labels = ax.get_legend_handles_labels()
    _legend(
        ax,
        style,
        handles=handles[::-1],
        labels=labels[::-1],
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        title=f"Country of {field_name}",
        title_fontsize=8,
    ).get_title().set_color(style.fg)
    widest = max(text_inches(t) for t in [*labels, f"Country of {field_name}"])
    place(fig, right=widest + 0.55)
    _month_ticks(ax, months)  # placed first: the legend beside it narrows the plot
    return targets


def draw_share(fig, table, style: Style, *, country: str, field_name: str) -> list[Target]:
    """One country's share of each month's value (line, %), its value as light bars behind."""
    if not table.rows:
        return empty(fig, style)
    months = [r[0] for r in table.rows]
    shares = [100.0 * (r[2] or 0.0) for r in table.rows]
    scale = Scale.for_values([r[1] for r in table.rows])
    ax = _axes(fig, style)
    ax.bar(
        range(len(months)),
        [scale(r[1]) for r in table.rows],
        width=0.8,
        color=COLOURS[0],
        alpha=0.35,
        label=f"Value ({scale.unit})",
    )
    _money_axis(ax, scale)
    right = ax.twinx()
    right.spines["top"].set_visible(False)
    right.spines["right"].set_color(style.fg)
    right.tick_params(colors=style.fg, labelsize=8.5)
    (line,) = right.plot(
        range(len(months)),
        shares,
        color=COLOURS[1],
        marker="o",
        markersize=3.5,
        linewidth=1.8,
        picker=True,
        pickradius=6,
        label="Share (%)",
    )
    right.set_ylim(0, 105)
    right.set_ylabel(f"Share of {country} in the month (%)", fontsize=9, color=style.fg)
    handles = ax.get_legend_handles_labels()[0] + [line]
    _legend(ax, style, handles=handles, loc="upper left")
    place(fig, right=0.75)
    _month_ticks(ax, months)
    targets = []
    for j, mo in enumerate(months):
        label = f"{country_label(country)} · {mo}: {shares[j]:.1f} % · {money(table.rows[j][1], compact=True)}"
        filters = {field_name: country, "date_from": mo, "date_to": month_end(mo)}
        targets.append(Target(line, label, filters, index=j))
    return targets


def draw_origin_dispatch(fig, table, style: Style) -> list[Target]:
    """Per country: value by origin beside value by dispatch."""
    if not table.rows:
        return empty(fig, style)
    countries = [r[0] for r in table.rows]
    scale = Scale.for_values([v for r in table.rows for v in (r[1], r[3])])
    ax = _axes(fig, style)
    xs = range(len(countries))
    targets = []
    for offset, (col, what, colour) in zip(
        (-0.2, 0.2),
        ((1, "origin", COLOURS[0]), (3, "dispatch", COLOURS[1])),
        strict=True,
    ):
        bars = ax.bar(
            [x + offset for x in xs],
            [scale(r[col]) for r in table.rows],
            width=0.4,
            color=colour,
            label=f"By country of {what}",
            picker=True,
        )
        for bar, row in zip(bars, table.rows, strict=True):
            if row[col]:
                label = (
                    f"{country_label(row[0])} as {what}: {money(row[col], compact=True)}"
                    f" ({100 * (row[col + 1] or 0):.1f} %)"
                )
                targets.append(Target(bar, label, {what: row[0]}))
    ax.set_xticks(list(xs))
    ax.set_xticklabels(countries)
    ax.set_xlabel("Country (ISO code)", fontsize=9)
    _money_axis(ax, scale)
    _legend(ax, style, loc="upper right")
    place(fig)
    return targets


def draw_top_parties(fig, table, style: Style, *, role: str) -> list[Target]:
    """Horizontal bars: the top firms by value, "other" last in grey."""
    if not table.rows:
        return empty(fig, style)
    rows = list(table.rows)[::-1]  # largest at the top
    scale = Scale.for_values([r[2] for r in rows])
    ax = _axes(fig, style)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color=style.grid, linewidth=0.6)
    # Names shortened at the end to the room at the left (at most 45 % of the width), so a
    # long name keeps its start rather than being cut by the figure's edge.
    room = max(0.6, 0.45 * fig.get_figwidth() - 0.3)
    names = ["Other firms" if r[0] == OTHER else fit_text(short(r[1] or r[0]), room) for r in rows]
    colours = [
        OTHER_COLOUR if r[0] == OTHER else COLOURS[0 if role == "exporter" else 4] for r in rows
    ]
    bars = ax.barh(range(len(rows)), [scale(r[2]) for r in rows], color=colours, picker=True)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(names, fontsize=8)
    place(fig, left=max(text_inches(n) for n in names) + 0.25, right=0.3, bottom=0.5)
    _min_slots(ax, len(rows), "y")
    _money_axis(ax, scale, axis="x")
    targets = []
    for bar, r in zip(bars, rows, strict=True):
        who = "Other firms" if r[0] == OTHER else (r[1] or r[0])
        label = f"{who}: {money(r[2], compact=True)} · {plural(r[3], 'shipment')} · {100 * (r[4] or 0):.1f} %"
        targets.append(Target(bar, label, {} if r[0] == OTHER else {"firm": r[0]}))
    return targets


def draw_counted_bars(fig, table, style: Style, *, xlabel: str, colour: str) -> list[Target]:
    """Bars of value per category (CHPL tier, maker country) with the shipment count on top."""
    if not table.rows:
        return empty(fig, style, "None in this case")
    keys = [str(r[0]) for r in table.rows]
    scale = Scale.for_values([r[1] for r in table.rows])
    ax = _axes(fig, style)
    is_country = table.name == "foreign_controllers"
    bars = ax.bar(range(len(keys)), [scale(r[1]) for r in table.rows], width=0.6, color=colour)
    # The width of one bar's slot (the plot is the figure less about 0.95 inch of margins):
    # labels wider than it would run into their neighbours. text_inches over-estimates Latin
    # text by about a fifth, hence the 1.1.
    slot = 1.1 * (fig.get_figwidth() - 0.95) / max(len(keys), MIN_SLOTS)
    counts = [plural(r[2], "shipment") for r in table.rows]
    top = 0.12
    if len(counts) > 1 and max(text_inches(c) for c in counts) > slot:
        counts = [f"{r[2]:,}" for r in table.rows]  # the count alone; the caption says what
        ax.set_title("Figures on the bars: shipments", fontsize=8, color=style.fg, loc="left")
        top = 0.35
    for bar, count in zip(bars, counts, strict=True):
        ax.annotate(
            count,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
            color=style.fg,
            xytext=(0, 2),
            textcoords="offset points",
        )
    ax.set_xticks(range(len(keys)))
    ax.set_xticklabels([_category_label(k, is_country, slot) for k in keys])
    _min_slots(ax, len(keys), "x")
    ax.set_xlabel(xlabel, fontsize=9)
    ax.margins(y=0.15)
    place(fig, bottom=0.7, top=top)
    _money_axis(ax, scale)
    targets = []
    row_filters = getattr(table, "row_filters", {}) or {}
    for bar, r in zip(bars, table.rows, strict=True):
        what = country_label(r[0]) if is_country else f"Tier {r[0]}"
        # A tier's bar stands for its codes in the lens; a control system's maker has no
        # filter (it is read from the goods descriptions), so its bar is not clickable.
        label = f"{what}: {money(r[1], compact=True)} · {plural(r[2], 'shipment')}"
        targets.append(Target(bar, label, dict(row_filters.get(str(r[0]), {}))))
    return targets


def _category_label(key: str, is_country: bool, slot: float) -> str:
    """A bar's tick label within its slot: a country's code above its name (the name shortened
    to the slot), or the CHPL tier."""
    if not is_country:
        return f"Tier {key}"
    label = country_label(key)
    code, _, name = label.partition(" ")
    if not name:
        return label
    return f"{code}\n{fit_text(name, slot, 8.5)}"
