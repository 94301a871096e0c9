"""The briefing's sections, each a list of flowables built from BriefingData."""

from __future__ import annotations

import shlex

from casebook.briefing.data import BriefingData
from casebook.briefing.styles import LINK, styles
from casebook.briefing.tables import fit_widths, para_table, plain_table
from casebook.briefing.text import CELL_CHARS, esc, percent
from casebook.core.numbers import money
from casebook.core.words import plural

TITLES = {
    "bluf": "Bottom line up front",
    "trade": "Trade picture",
    "network": "Network of firms",
    "firms": "Firms",
    "people": "People",
    "shipments": "Largest shipments",
    "screening": "Sanctions screening",
    "evidence": "Evidence register",
    "appendix": "Appendix A: shipments",
    "provenance": "Appendix B: provenance",
}


def heading(text: str, key: str, *, level: int = 0):
    """A heading that keeps with what follows and adds an outline entry."""
    from reportlab.platypus import Paragraph

    para = Paragraph(esc(text), styles()["h1" if level == 0 else "h2"])
    para._outline = (text, level, key)
    return para


def cite(evidence_id: str, *, linked: bool = True) -> str:
    """``[E3]``, linked to the register entry when the register is printed."""
    if not linked:
        return f"[{esc(evidence_id)}]"
    return f'<a href="#{evidence_id}" color="{LINK}">[{evidence_id}]</a>'


def story_for(data: BriefingData, *, width: float) -> list:
    """Every flowable of the briefing, in order."""
    from reportlab.platypus import CondPageBreak, PageBreak

    story = cover(data, width)
    builders = {
        "bluf": bluf,
        "trade": trade,
        "network": network,
        "firms": firms,
        "people": people,
        "shipments": shipments,
        "screening": screening,
        "evidence": evidence,
        "appendix": appendix,
        "provenance": provenance,
    }
    big = {"network", "appendix", "firms"}
    for name in data.sections:
        full = _has_content(data, name)
        if not full and name in SKIPPED_WHEN_EMPTY:
            continue
        part = builders[name](data, width) if full else _nothing(name)
        if not part:
            continue
        first = name == data.sections[0]
        story.append(PageBreak() if (name in big and full) or first else CondPageBreak(160))
        story += part
    return story


#: Sections left out of a case that has nothing for them (most cases record no people).
SKIPPED_WHEN_EMPTY = {"people"}
_CONTENT = {
    "trade": lambda d: d.charts or d.figures,
    "firms": lambda d: d.firms,
    "people": lambda d: d.people,
    "shipments": lambda d: d.top_shipments,
    "evidence": lambda d: d.evidence,
    "appendix": lambda d: d.totals.get("shipments"),
    "provenance": lambda d: d.datasets,
}


def _has_content(data: BriefingData, name: str) -> bool:
    test = _CONTENT.get(name)
    return test is None or bool(test(data))


def _nothing(name: str) -> list:
    """A section with nothing to show still says so (the reader should not wonder)."""
    from reportlab.platypus import Paragraph

    return [
        heading(TITLES[name], name),
        Paragraph("Nothing recorded in this case.", styles()["body"]),
    ]


def cover(data: BriefingData, width: float) -> list:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    s = styles()
    marking = Table(
        [
            [
                Paragraph(
                    f'<font color="{data.marking_colour}"><b>{esc(data.marking)}</b></font>',
                    s["subtitle"],
                )
            ]
        ],
        hAlign="LEFT",
    )
    marking.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.black)]))
    rows = [
        ("Case reference", data.case_ref),
        ("Handling", f"{data.marking} — {data.marking_meaning}"),
        ("Date", data.date),
        ("Author", data.author),
        ("Audit chain head", data.head_hash),
    ]
    facts = Table(
        [[Paragraph(esc(k), s["cellbold"]), Paragraph(esc(v), s["body"])] for k, v in rows],
        colWidths=[100, width - 100],
        hAlign="LEFT",
    )
    facts.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)])
    )
    cover_title = Paragraph(esc(data.title, None), s["title"])
    cover_title._outline = ("Cover", 0, "cover")
    story = [
        Spacer(1, 40),
        marking,
        Spacer(1, 18),
        cover_title,
        Spacer(1, 6),
        Paragraph("Casebook briefing", s["subtitle"]),
        Spacer(1, 28),
        facts,
    ]
    if data.filtered:
        story += [
            Spacer(1, 12),
            Paragraph(
                f"<b>Filtered:</b> {esc(data.filtered)}. Every figure, chart and table counts "
                "only the shipments this filter selects.",
                s["body"],
            ),
        ]
    if data.illustrative:
        story += [
            Spacer(1, 24),
            Paragraph(
                "<b>Illustrative data — fictional firms.</b> This briefing was printed from the "
                "Casebook demo case. Every firm, person, document and list entry in it is invented; "
                "the monthly totals follow published figures.",
                s["body"],
            ),
        ]
    story += [
        Spacer(1, 24),
        Paragraph(
            "The audit chain head hash identifies the state of the store this briefing was printed "
            "from: a reader can compare it with <i>casebook verify</i> on the analyst's store.",
            s["note"],
        ),
    ]
    return story


def bluf(data: BriefingData, width: float) -> list:
    from reportlab.platypus import Paragraph

    s = styles()
    story = [
        heading(TITLES["bluf"], "bluf"),
        Paragraph(esc(data.summary, None), s["body"]),
        heading("Key judgments", "judgments", level=1),
    ]
    linked = "evidence" in data.sections
    for i, finding in enumerate(data.findings, start=1):
        refs = " ".join(cite(e["id"], linked=linked) for e in finding.get("evidence", []))
        text = (
            f"<b>{esc(finding['likelihood'].capitalize())}</b> "
            f"(confidence: {esc(finding['confidence'])}). {esc(finding['text'], None)} {refs}"
        )
        story.append(Paragraph(text, s["judgment"], bulletText=f"{i}."))
    if not data.findings:
        story.append(Paragraph("No key judgments recorded.", s["note"]))
    story.append(
        Paragraph(
            "Likelihood terms follow ICD 203; confidence is the analyst's confidence in the sources "
            "and reasoning. [E#] refer to the evidence register.",
            s["note"],
        )
    )
    return story


def trade(data: BriefingData, width: float) -> list:
    """The charts, each followed by the table of the figures it shows."""
    story = [heading(TITLES["trade"], "trade")]
    tables = {"figures": _figures_table, "shares": _shares_table}
    for i, (table, filters) in enumerate(data.charts):
        story.append(_chart_block(table, filters, f"chart{i}", width))
        follows = _FOLLOWS.get(table.name.split("_")[0])
        if follows in tables:
            story += tables.pop(follows)(data, width)
    for build in tables.values():  # their charts were not drawn
        story += build(data, width)
    return story


#: The table printed right after a chart (by the first word of the chart's name).
_FOLLOWS = {"share": "figures", "origin": "shares"}


def _chart_block(table, filters: str, key: str, width: float):
    from reportlab.platypus import KeepTogether, Paragraph, Spacer

    from casebook.briefing.charts import draw_chart

    note = f"Data: {esc(filters)}. " + esc(" ".join(table.notes))
    return KeepTogether(
        [
            heading(table.title, key, level=1),
            draw_chart(table, width),
            Paragraph(note, styles()["note"]),
            Spacer(1, 6),
        ]
    )


def _figures_table(data: BriefingData, width: float) -> list:
    """The key figures: the analyst's pinned ones, or the case's own (and which they are)."""
    from reportlab.platypus import Paragraph

    if not data.figures:
        return []
    rows = [(f["label"], f["value"], f["filters"]) for f in data.figures]
    header = ["Figure", "Value", "Recompute with"]
    widths = [width * 0.38, width * 0.2, width * 0.42]
    source = (
        "Figures pinned by the analyst, recomputed from the case's data as this briefing printed."
        if data.figures[0].get("pinned")
        else "No figure is pinned to this case: its total, and its first and last months with "
        "shipments, each with its leading country of origin."
    )
    return [
        heading("Figures", "figures", level=1),
        *para_table(header, rows, widths, styles=styles(), right=(1,)),
        Paragraph(esc(source), styles()["note"]),
    ]


def _shares_table(data: BriefingData, width: float) -> list:
    if not data.shares:
        return []
    rows = [
        (c, money(vo), percent(so), money(vd), percent(sd)) for c, vo, so, vd, sd in data.shares
    ]
    header = ["Country", "By origin, USD", "Share", "By dispatch, USD", "Share"]
    widths = [width * w for w in (0.24, 0.22, 0.12, 0.3, 0.12)]
    return [
        heading("Shares by country of origin and of dispatch", "shares", level=1),
        *para_table(header, rows, widths, styles=styles(), right=(1, 2, 3, 4)),
    ]


def network(data: BriefingData, width: float) -> list:
    from reportlab.platypus import Paragraph

    s = styles()
    if data.network is None:
        if not data.network_note:
            return []
        return [heading(TITLES["network"], "network"), Paragraph(esc(data.network_note), s["note"])]
    from casebook.analysis import network as net
    from casebook.briefing.network import draw_network, legend_drawing, legend_rows

    drawing = draw_network(data.network, data.positions, width, style_for=net.style_for)
    legend = legend_drawing(legend_rows(net.style_for, net.Node, net.Edge), width)
    return [
        heading(TITLES["network"], "network"),
        drawing,
        legend,
        *([Paragraph(esc(data.network_hidden), s["body"])] if data.network_hidden else []),
        Paragraph(esc(data.network_note), s["note"]),
    ] + _largest_links(data, width)


def _largest_links(data: BriefingData, width: float) -> list:
    """The ten largest trade links of the diagram (each all the trade between two firms,
    from the one that sent more value), as figures."""
    names = {n.uid: n.shown_name for n in data.network.nodes}
    trade_edges = sorted((e for e in data.network.edges if e.is_trade), key=lambda e: -e.value_usd)[
        :10
    ]
    if not trade_edges:
        return []
    rows = [
        (
            names.get(e.source, ""),
            names.get(e.target, ""),
            str(e.count),
            f"{e.first or ''} – {e.last or ''}",
            money(e.value_usd),
        )
        for e in trade_edges
    ]
    header = ["From", "To", "Shipments", "First – last", "Value, USD"]  # both ways summed
    widths = [w * width for w in (0.3, 0.26, 0.07, 0.2, 0.17)]
    return [
        heading("Largest trade links", "links", level=1),
        *para_table(header, rows, widths, styles=styles(), right=(2, 4)),
    ]


def _flag_text(flags: list[dict]) -> str:
    parts = []
    for x in flags:
        reason = x["reason"] if len(x["reason"]) <= 190 else x["reason"][:189] + "…"
        parts.append(f"<b>{esc(x['title'])}</b>: {esc(reason)}")
    return "<br/>".join(parts)


#: Firms printed in detail (identifiers, listings, red flags); the rest, in a large case, in a
#: short plain list: a briefing of 10,000 firms in detail would take minutes and 1,000 pages.
FIRMS_IN_DETAIL = 250
#: Listings printed per firm (the rest counted).
LISTINGS_SHOWN = 8


def _firm_row(f: dict, s: dict) -> list:
    from reportlab.platypus import Paragraph

    name = f"<b>{esc(f['name'])}</b>"
    if f.get("native_name") and f["native_name"] != f["name"]:
        name += f"<br/>{esc(f['native_name'])}"
    ids = "<br/>".join(  # identifiers are short; a long one is not, and must not fill the page
        f"{esc(k, 40)}: {esc(v, 80)}" for k, v in f.get("identifiers", {}).items()
    )
    who = f"{esc(f.get('country') or '–')} · {esc(f.get('role') or '–')}"
    listings = f.get("listings", [])
    listed = "<br/>".join(
        f"<b>{esc(x['list'])}</b>: {esc(x.get('programme') or '')} ({esc(x.get('date') or '')})"
        for x in listings[:LISTINGS_SHOWN]
    )
    if len(listings) > LISTINGS_SHOWN:
        listed += f"<br/>and {len(listings) - LISTINGS_SHOWN:,} more"
    trade_text = f"{plural(f.get('shipments', 0), 'shipment')}, {esc(money(f.get('value_usd'), compact=True))}"
    return [
        Paragraph(name, s["cell"]),
        Paragraph(who, s["cell"]),
        Paragraph(ids or "–", s["cell"]),
        Paragraph(trade_text, s["cell"]),
        Paragraph(listed or "–", s["cell"]),
    ]


def _lens_args(data: BriefingData) -> list[str]:
    """The filter's command-line options (none for the whole case)."""
    return data.lens.cli_args() if data.lens else []


def firms(data: BriefingData, width: float) -> list:
    """Every firm: the listed ones and the largest by trade in detail, with their red flags;
    in a large case the others in a plain list after them."""
    from reportlab.platypus import Paragraph

    s = styles()
    budget = FIRMS_IN_DETAIL - sum(1 for f in data.firms if f.get("listings"))
    detail, rest = [], []
    for f in data.firms:  # largest trade first
        if f.get("listings"):
            detail.append(f)
        elif budget > 0:
            detail.append(f)
            budget -= 1
        else:
            rest.append(f)
    rows, spans = [], []
    for f in detail:
        rows.append(_firm_row(f, s))
        flags = _flag_text(f.get("flags", []))
        if flags:
            rows.append([Paragraph(flags, s["small"]), "", "", "", ""])
            spans.append(len(rows))
    extra = [("SPAN", (0, r), (-1, r)) for r in spans]
    extra += [("LEFTPADDING", (0, r), (-1, r), 14) for r in spans]
    extra += [("NOSPLIT", (0, r - 1), (-1, r)) for r in spans]  # a firm stays with its flags
    tables = para_table(
        ["Firm", "Country · role", "Identifiers", "Trade", "Listings"],
        rows,
        [w * width for w in (0.27, 0.15, 0.25, 0.15, 0.18)],
        styles=s,
        extra=extra,
    )
    flags_command = esc(" ".join(["casebook flags", *map(shlex.quote, _lens_args(data))]))
    scope = "with a shipment in the filter" if data.filtered else "of the case"
    where = "in the filter" if data.filtered else "in this case"
    note = (
        f"Every firm {scope} ({len(data.firms):,}), largest trade first; red "
        "flags (indented) below each firm; long reasons are shortened "
        f"({flags_command} gives them in full)."
    )
    if rest:
        note = (
            f"{plural(len(data.firms), 'firm')} {where}: every listed firm and the largest "
            f"by trade ({len(detail):,}) in detail, largest first, red flags (indented) below "
            f"each; the other {len(rest):,} in a short list after them (casebook firms list and "
            f"{flags_command} give every firm in full)."
        )
    story = [heading(TITLES["firms"], "firms"), Paragraph(note, s["note"]), *tables]
    if rest:
        story += _other_firms(rest, width)
    return story


def _other_firms(rest: list[dict], width: float) -> list:
    """The firms not printed in detail: one plain line each, largest trade first."""
    header = ["Firm", "Country", "Role", "Shipments", "Value, USD", "Red flags"]
    rows = [
        (
            f["name"],
            f.get("country") or "",
            f.get("role") or "",
            f"{f.get('shipments', 0):,}",
            money(f.get("value_usd")),
            str(len(f.get("flags", []))),
        )
        for f in rest
    ]
    widths = fit_widths(header, rows, width, names=(0,))
    return [
        heading(f"Other firms ({len(rest):,})", "other-firms", level=1),
        *plain_table(header, rows, widths, right=(3, 4, 5)),
    ]


def people(data: BriefingData, width: float) -> list:
    """The people behind the firms: names in their own script, birth dates, roles with their
    dates, and listings (confirmed screening hits)."""
    from reportlab.platypus import Paragraph

    s = styles()
    rows = []
    for p in data.people:
        name = p["name"] + (f" ({p['native_name']})" if p.get("native_name") else "")
        born = " · ".join(x for x in (p.get("birth_date"), p.get("nationality")) if x) or "–"
        rows.append((name, born, "; ".join(p["roles"]) or "–", "; ".join(p["listings"]) or "–"))
    story = [heading(TITLES["people"], "people")]
    story += para_table(
        ["Person", "Born · nationality", "Roles", "Listings"],
        rows,
        [w * width for w in (0.25, 0.15, 0.38, 0.22)],
        styles=s,
    )
    story.append(
        Paragraph(
            f"{plural(len(data.people), 'person')} of the case; listings are confirmed hits "
            "of screening against the listed individuals.",
            s["small"],
        )
    )
    return story


def shipments(data: BriefingData, width: float) -> list:
    """The top N by value; each shipment's goods on an indented line below it."""
    from reportlab.platypus import Paragraph

    s = styles()
    rows, goods = [], []
    for r in data.top_shipments:
        route = f"{r['origin']} → {r['dispatch']}"
        rows.append(
            (r["date"], r["exporter"], r["importer"], route, r["hs"], money(r["value_usd"]))
        )
        rows.append(
            (Paragraph(esc(r["description"], 2 * CELL_CHARS), s["note"]), "", "", "", "", "")
        )
        goods.append(len(rows))
    extra = [("SPAN", (0, r), (-1, r)) for r in goods]
    extra += [("LEFTPADDING", (0, r), (-1, r), 14) for r in goods]
    extra += [("NOSPLIT", (0, r - 1), (-1, r)) for r in goods]
    extra += [("LINEBELOW", (0, r - 1), (-1, r - 1), 0, "white") for r in goods]
    header = ["Date", "Exporter", "Importer", "Origin → dispatch", "HS", "Value, USD"]
    widths = [w * width for w in (0.12, 0.25, 0.22, 0.12, 0.13, 0.16)]
    story = [
        heading(f"{TITLES['shipments']} (top {len(data.top_shipments)} by value)", "shipments"),
        *para_table(header, rows, widths, styles=s, right=(5,), extra=extra),
    ]
    if "appendix" in data.sections:
        every = len(data.shipments) == data.totals.get("shipments")
        story.append(
            Paragraph(
                "Every shipment is listed in Appendix A."
                if every
                else f"The {len(data.shipments):,} largest are listed in Appendix A; every "
                "shipment is in the full table that travels with this briefing.",
                s["note"],
            )
        )
    return story


def screening(data: BriefingData, width: float) -> list:
    from reportlab.platypus import Paragraph

    s = styles()
    story = [heading(TITLES["screening"], "screening")]
    if data.hits:
        rows = [
            (
                h["firm_name"],
                h["listed_name"],
                f"{h['list']} (version {h['version']})",
                ", ".join(h.get("programmes") or []),
                h.get("listed_on") or "–",
                (h.get("reviewed_at") or "")[:10],
                h.get("note") or "",
            )
            for h in data.hits
        ]
        story += para_table(
            ["Firm", "Listed as", "List", "Programme", "Listed on", "Confirmed", "Note"],
            rows,
            [w * width for w in (0.14, 0.14, 0.15, 0.2, 0.11, 0.11, 0.15)],
            styles=s,
        )
    else:
        story.append(Paragraph("No confirmed hits.", s["body"]))
    story.append(
        Paragraph(
            f"{plural(data.dismissed, 'hit')} dismissed after review; {data.unreviewed:,} not yet reviewed.",
            s["body"],
        )
    )
    return story


def evidence(data: BriefingData, width: float) -> list:
    from reportlab.platypus import Paragraph

    s = styles()
    rows, spans = [], []
    for item in data.evidence:
        anchor = f'<a name="{item["id"]}"/><b>{esc(item["id"])}</b>'
        source = esc(item.get("publisher") or "") + (
            f"<br/>{esc(item['url'])}" if item.get("url") else ""
        )
        grade = f"<b>{esc(item.get('grade') or '–')}</b><br/>{esc(item.get('grade_label') or '')}"
        rows.append(
            [
                Paragraph(anchor, s["cell"]),
                Paragraph(esc(item["title"]), s["cell"]),
                Paragraph(source, s["cell"]),
                (item.get("captured") or "–")[:10],
                Paragraph(grade, s["cell"]),
            ]
        )
        supports = "; ".join(
            f"{x['kind']} {x['label']}" + (f" ({x['note']})" if x.get("note") else "")
            for x in item.get("links", [])
        )
        detail = (
            f'<font name="CB-Mono">SHA-256 {esc(item["sha256"])}</font>'
            f"<br/>Supports: {esc(supports, 2 * CELL_CHARS) or '–'}"
        )
        rows.append([Paragraph(detail, s["cell"]), "", "", "", ""])
        spans.append(len(rows))
    extra = [("SPAN", (0, r), (-1, r)) for r in spans]
    extra += [("LINEBELOW", (0, r - 1), (-1, r - 1), 0, "white") for r in spans]
    extra += [("NOSPLIT", (0, r - 1), (-1, r)) for r in spans]
    tables = para_table(
        ["Id", "Title", "Source", "Captured", "Grade"],
        rows,
        [w * width for w in (0.07, 0.38, 0.25, 0.12, 0.18)],
        styles=s,
        extra=extra,
    )
    return [
        heading(TITLES["evidence"], "evidence"),
        *tables,
        Paragraph(
            "Grades: source reliability A–F and information credibility 1–6 "
            "(Admiralty system). Hashes are of the files held in the evidence vault.",
            s["note"],
        ),
    ]


def appendix(data: BriefingData, width: float) -> list:
    """The largest shipments, by date, with how many are left out; the full table is a file
    beside the PDF, identified here by its hash (pages stay bounded whatever the case size)."""
    from reportlab.platypus import Paragraph

    s = styles()
    total, listed = data.totals["shipments"], len(data.shipments)
    if listed == total:
        intro = f"All {plural(total, 'shipment')}, by date."
    elif not listed:
        whose = "the filter's" if data.filtered else "the case's"
        intro = f"None of {whose} {plural(total, 'shipment')} is listed here."
    else:
        intro = (
            f"The {listed:,} largest of {total:,} shipments by value (USD), by date; "
            f"{plural(total - listed, 'shipment')} {'is' if total - listed == 1 else 'are'} "
            "left out here."
        )
    if data.table:
        intro += (
            f" The full table of {plural(data.table['rows'], 'shipment')}, every column, is "
            "the CSV file beside this PDF, named after it with “.shipments.csv”; its SHA-256 "
            f'is <font name="CB-Mono">{esc(data.table["sha256"])}</font>. The # column is the '
            "row's number in it."
        )
    story = [heading(TITLES["appendix"], "appendix"), Paragraph(intro, s["note"])]
    if data.shipments:
        header = ["#", "Date", "Declaration", "Exporter", "Importer"]
        header += ["Orig.", "Disp.", "HS", "Value, USD"]
        rows = [_appendix_row(r) for r in sorted(data.shipments, key=lambda r: r["number"])]
        widths = fit_widths(header, rows, width, names=(3, 4))
        story.append(
            Paragraph(
                "Long names are shortened with “…”; the table file holds them whole.", s["note"]
            )
        )
        story += plain_table(header, rows, widths, right=(0, 8))
    return story


def _appendix_row(r: dict) -> tuple:
    keys = ("date", "declaration_no", "exporter", "importer", "origin", "dispatch", "hs")
    return (f"{r['number']:,}", *(r[k] or "" for k in keys), money(r["value_usd"]))


def provenance(data: BriefingData, width: float) -> list:
    from reportlab.platypus import Paragraph

    s = styles()
    rows = []
    for d in data.datasets:
        rows.append(
            [
                d["file_name"],
                d.get("kind") or "",
                str(d["rows"]),
                (d.get("imported") or "")[:16],
                d.get("preset") or "mapping file",
            ]
        )
        rows.append(
            [
                Paragraph(f'<font name="CB-Mono">SHA-256 {esc(d["sha256"])}</font>', s["cell"]),
                "",
                "",
                "",
                "",
            ]
        )
    spans = [("SPAN", (0, r), (-1, r)) for r in range(2, len(rows) + 1, 2)]
    story = [
        heading(TITLES["provenance"], "provenance"),
        heading("Datasets", "datasets", level=1),
        *para_table(
            ["File", "Kind", "Rows", "Imported (UTC)", "Mapping"],
            rows,
            [w * width for w in (0.42, 0.12, 0.1, 0.18, 0.18)],
            styles=s,
            right=(2,),
            extra=spans,
        ),
        heading("How each figure was computed", "filters", level=1),
    ]
    lines = [(f"{t.title}", f) for t, f in data.charts] + [
        (f["label"], f["filters"]) for f in data.figures
    ]
    story += para_table(
        ["Figure", "Filters (casebook command)"], lines, [width * 0.4, width * 0.6], styles=s
    )
    story.append(
        Paragraph(
            "Values are in USD as declared or converted by an explicit rate table; shipments "
            "without a USD value are counted but not summed.",
            s["note"],
        )
    )
    story.append(Paragraph(f"Audit chain head: {esc(data.head_hash)}", s["note"]))
    return story
