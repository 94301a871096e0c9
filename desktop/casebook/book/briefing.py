"""Facade section: ``brief`` — assemble a case's BriefingData and render it as a PDF."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from casebook.book.cases import find_case
from casebook.book.demo import is_demo
from casebook.book.figures import recompute_command as _command
from casebook.book.shipments import check_lens
from casebook.briefing.data import SECTIONS, BriefingData
from casebook.core.domain import APPENDIX_ROWS
from casebook.core.errors import Cancelled, UsageError
from casebook.core.files import output_path
from casebook.core.filters import ShipmentFilter
from casebook.core.standards import Marking, clean_marking
from casebook.store import firms as firm_store
from casebook.store import network as network_store
from casebook.store import shipment_table, suggestions

PAPERS = ("a4", "letter")
#: Firms drawn in the printed network: a page holds about this many legible nodes (and the
#: layout of 16,000 took 50 s). The listed firms first, then the largest by trade.
NETWORK_NODES = 60
#: Trade links drawn on the network page: the largest; the rest summed in a sentence.
NETWORK_LINKS = 40
#: Rows of the full table read at a time, between two looks at ``cancelled``.
TABLE_BATCH = 5_000


def table_path(out: Path) -> Path:
    """The full shipment table written beside the briefing ``out``."""
    return out.with_name(f"{out.stem}.shipments.csv")


def clean_sections(sections: str | Sequence[str] | None) -> tuple[str, ...]:
    """The sections to print, in the briefing's order; all by default."""
    if not sections:
        return SECTIONS
    wanted = sections.split(",") if isinstance(sections, str) else list(sections)
    wanted = [w.strip().lower() for w in wanted if w.strip()]
    unknown = [w for w in wanted if w not in SECTIONS]
    if unknown:
        raise UsageError(f"unknown section {unknown[0]!r}; use {', '.join(SECTIONS)}")
    return tuple(s for s in SECTIONS if s in wanted)


def choose_marking(case_marking: str, wanted: str | None) -> Marking:
    """The case's marking, or a more restrictive one; a lower one is a usage error."""
    floor = clean_marking(case_marking) or Marking.AMBER
    if not wanted:
        return floor
    chosen = clean_marking(wanted)
    if chosen is None:
        raise UsageError(f"unknown marking {wanted!r}; use TLP:CLEAR, GREEN, AMBER, …, RED")
    if chosen < floor:
        raise UsageError(f"{chosen.label} is below the case's marking {floor.label}")
    return chosen


class BriefingSection:
    """``brief``: the PDF briefing of a case."""

    def brief(
        self,
        *,
        case_ref: str,
        out: str | Path,
        paper: str = "a4",
        top: int = 15,
        appendix_rows: int = APPENDIX_ROWS,
        sections: str | Sequence[str] | None = None,
        author: str | None = None,
        marking: str | None = None,
        force: bool = False,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        lens: ShipmentFilter | None = None,
        network_threshold: float = 0.0,
        network_links: int = NETWORK_LINKS,
    ) -> dict:
        """Render the briefing; returns ``{out, pages, sha256}``, and with the appendix the full
        table written beside it (``table``, ``table_sha256``, ``table_rows``) and the rows
        printed (``appendix_rows``). An existing ``out`` or table is refused unless
        ``force``; the marking can be raised, never lowered. A cancelled or failed briefing
        leaves neither file. Under a ``lens``, every figure, chart and table counts the
        shipments in it only; the cover says so and every recompute command carries it."""
        from casebook.briefing.build import render_briefing

        paper = (paper or "a4").lower()
        if paper not in PAPERS:
            raise UsageError(f"unknown paper {paper!r}; use a4 or letter")
        if top is None or int(top) < 1:
            raise UsageError("--top must be at least 1")
        if appendix_rows is None or int(appendix_rows) < 0:
            raise UsageError("--appendix-rows must be 0 or more")
        chosen = clean_sections(sections)
        out = output_path(out, force=force)
        table = output_path(table_path(out), force=force) if "appendix" in chosen else None
        data = self.briefing_data(
            case_ref=case_ref,
            top=int(top),
            appendix_rows=int(appendix_rows),
            sections=chosen,
            author=author,
            marking=marking,
            lens=lens,
            network_threshold=network_threshold,
            network_links=network_links,
        )
        table = table if data.totals["shipments"] else None
        parts = [out.with_name(out.name + ".part")]
        if table is not None:
            parts.append(table.with_name(table.name + ".part"))
        extra = {}
        try:
            if table is not None:
                data.table = self._write_table(
                    data, parts[1], progress=progress, cancelled=cancelled
                )
                extra = {
                    "table": str(table),
                    "table_sha256": data.table["sha256"],
                    "table_rows": data.table["rows"],
                    "appendix_rows": len(data.shipments),
                }
            result = render_briefing(
                data, parts[0], paper=paper, progress=progress, cancelled=cancelled
            )
            if table is not None:
                parts[1].replace(table)
            try:
                parts[0].replace(out)
            except OSError:
                if table is not None:
                    table.unlink(missing_ok=True)
                raise
        finally:
            for part in parts:
                part.unlink(missing_ok=True)
        return result | {"out": str(out)} | extra

    def print_chart(
        self,
        *,
        case_ref: str,
        model,
        positions: dict,
        out: str | Path,
        threshold: float = 0.0,
        caption: str = "",
        paper: str = "a4",
        force: bool = False,
    ) -> dict:
        """File → Print chart: the link chart as the Network tab shows it (``model``, its
        trade aggregated and links under ``threshold`` USD hidden, at ``positions``) on one
        landscape page of ``paper``, titled with the case and marked with its marking;
        ``{out, nodes, links, hidden}``."""
        from casebook.book.network import usd_floor
        from casebook.briefing.chart_print import write_chart_pdf

        paper = (paper or "a4").lower()
        if paper not in PAPERS:
            raise UsageError(f"unknown paper {paper!r}; use a4 or letter")
        threshold = usd_floor(threshold, "the threshold")
        out = output_path(out, force=force)
        with self._read() as session:
            case = find_case(session, case_ref)
            title, marking = f"{case.ref} · {case.title} — link chart", case.marking
        printed = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return write_chart_pdf(out, model, positions, title=title, caption=caption,
                               threshold=threshold, paper=paper, marking=marking,
                               printed=printed)  # fmt: skip

    def _write_table(self, data: BriefingData, path: Path, *, progress, cancelled) -> dict:
        """Every shipment of the case as a CSV (UTF-8 with a BOM, so spreadsheets read the
        encoding; text that would run as a formula quoted), streamed from one query; numbers
        the appendix's shipments as in it. Returns ``{rows, sha256}``."""
        from casebook.exchange import spreadsheet  # its bundle code only when a table is written

        listed = {r["id"]: r for r in data.shipments}
        total = data.totals["shipments"]
        number = 0
        with self._read() as session, path.open("w", encoding="utf-8-sig", newline="") as out:
            case_id = find_case(session, data.case_ref).id
            writer = csv.writer(out)
            writer.writerow(shipment_table.TABLE_COLUMNS)
            chunks = shipment_table.table_rows(
                session,
                case_id=case_id,
                quote=spreadsheet.FORMULA_START,
                batch=TABLE_BATCH,
                lens=data.lens,
            )
            for chunk in chunks:
                if cancelled is not None and cancelled():
                    raise Cancelled("briefing cancelled")
                for row in chunk:
                    number += 1
                    if row[0] in listed:
                        listed[row[0]]["number"] = number
                    writer.writerow((number, *row[1:]))
                if progress is not None:
                    progress(number, total)
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256")
        return {"rows": number, "sha256": digest.hexdigest()}

    def briefing_data(
        self,
        *,
        case_ref: str,
        top: int = 15,
        appendix_rows: int = APPENDIX_ROWS,
        sections=None,
        author: str | None = None,
        marking: str | None = None,
        lens: ShipmentFilter | None = None,
        network_threshold: float = 0.0,
        network_links: int = NETWORK_LINKS,
    ) -> BriefingData:
        """Everything the briefing prints, read from the store (shipment figures: those in the
        ``lens``); the network page is the link chart under ``network_threshold`` USD (as
        the Network tab's slider), its ``network_links`` largest trade links drawn."""
        case = self.get_case(case_ref)
        chosen = choose_marking(case.marking, marking)
        with self._read() as session:
            lens = check_lens(session, lens, case_id=find_case(session, case.ref).id)
        data = BriefingData(
            case_ref=case.ref,
            title=case.title,
            summary=case.summary or "",
            marking=chosen.label,
            marking_colour=chosen.colour,
            marking_meaning=chosen.meaning,
            date=datetime.now(UTC).strftime("%Y-%m-%d"),
            author=author or self.user,
            head_hash=self.head_hash(),
            illustrative=is_demo(case.ref),
            sections=clean_sections(sections),
            lens=lens,
            filtered=lens.describe(self._lens_names(case.ref, lens)),
        )
        data.findings = self.list_findings(case_ref=case.ref)
        data.evidence = self.list_evidence(case_ref=case.ref)
        self._brief_trade(data)
        self._brief_firms(data)
        self._brief_shipments(data, top=top, appendix_rows=appendix_rows)
        self._brief_screening(data)
        data.people = self.briefing_people(case_ref=case.ref)
        self._brief_network(data, threshold=network_threshold, links=network_links)
        data.datasets = self.list_datasets(case_ref=case.ref)
        return data

    def _lens_names(self, case_ref: str, lens: ShipmentFilter) -> dict[str, str]:
        """Names of the lens's firms and datasets (uid -> name), for the cover."""
        if not (lens.firms or lens.datasets):
            return {}
        names = {f["uid"]: f["name"] for f in self.list_firms(case_ref=case_ref)}
        names |= {d["uid"]: d["file_name"] for d in self.list_datasets(case_ref=case_ref)}
        return {uid: names[uid] for uid in (*lens.firms, *lens.datasets) if uid in names}

    def _brief_trade(self, data: BriefingData) -> None:

        ref, lens = data.case_ref, data.lens
        charts = [
            (
                self.chart("monthly_by_country", case_ref=ref, field="origin", lens=lens),
                _command(ref, lens, by="month,origin"),
            ),
            (
                self.chart("country_share", case_ref=ref, country="CN", field="origin", lens=lens),
                _command(ref, lens, by="month,origin") + " (rows with origin CN)",
            ),
            (
                self.chart("origin_vs_dispatch", case_ref=ref, lens=lens),
                _command(ref, lens, by="origin") + "; " + _command(ref, lens, by="dispatch"),
            ),
            (
                self.chart("foreign_controllers", case_ref=ref, lens=lens),
                _command(ref, lens, command="flags"),
            ),
        ]
        data.charts = [(c, f) for c, f in charts if c.rows]
        data.figures = self._pinned_figures(ref) or self._derived_figures(ref, lens)
        shares = self.chart("origin_vs_dispatch", case_ref=ref, top=12, lens=lens)
        data.shares = [tuple(r) for r in shares.rows]

    def _pinned_figures(self, ref: str) -> list[dict]:
        """The figures the analyst pinned, recomputed now, each with its own filters (a pinned
        figure means what its label says, whatever the briefing's lens)."""
        return [
            {
                "label": f["label"],
                "value": f"{f['shown']} ({f['problem']})" if f.get("problem") else f["shown"],
                "filters": f["command"],
                "pinned": True,
            }
            for f in self.list_figures(case_ref=ref)
        ]

    def _derived_figures(self, ref: str, lens: ShipmentFilter) -> list[dict]:
        """Figures of a case with none pinned, from its own data in the lens: the total value
        and count, and for its first and last months with shipments, the leading country of
        origin's value and share of the month."""
        from casebook.briefing.text import percent
        from casebook.core.countries import country_name
        from casebook.core.numbers import money

        (total,) = self.stats(case_ref=ref, by=None, lens=lens, compare=False)["rows"]
        if not total["shipments"]:
            return []
        which = "Shipments in the filter" if lens else "All shipments"
        command = _command(ref, lens)
        figures = [
            {
                "label": f"{which}, value (USD)",
                "value": money(total["value_usd"]),
                "filters": command,
            },
            {"label": f"{which}, count", "value": f"{total['shipments']:,}", "filters": command},
        ]
        months = self.stats(case_ref=ref, by="month", lens=lens, compare=False)["rows"]
        dated = [r["month"] for r in months if r["month"] and r["shipments"]]
        for month in dict.fromkeys(dated[:1] + dated[-1:]):
            in_month = lens.within(month, month)
            rows = self.stats(case_ref=ref, by="month,origin", lens=in_month, compare=False)
            valued = [r for r in rows["rows"] if r["value_usd"] and r["share"] is not None]
            if not valued:
                continue
            lead = max(valued, key=lambda r: r["value_usd"])
            command = _command(ref, in_month, by="month,origin")
            name = f"{country_name(lead['origin'])} (origin), {month}"
            figures.append(
                {
                    "label": f"{name}: value (USD)",
                    "value": money(lead["value_usd"]),
                    "filters": command,
                }
            )
            figures.append(
                {
                    "label": f"{name}: share of the month",
                    "value": percent(lead["share"]),
                    "filters": command,
                }
            )
        return figures

    def _brief_firms(self, data: BriefingData) -> None:
        from casebook.core.identifiers import SCHEMES

        listed = self.list_firms(case_ref=data.case_ref)
        with self._read() as session:
            case = find_case(session, data.case_ref)
            info = {
                uid: (fid, native, role)
                for uid, (native, role, fid) in suggestions.case_firm_roles(
                    session, case_id=case.id
                ).items()
            }
        listings = self.listed_firms([v[0] for v in info.values()])
        flagged = self.flags(case_ref=data.case_ref, lens=data.lens)["firms"]
        flags = {f["uid"]: f["flags"] for f in flagged}
        data.scores = {f["uid"]: f["score"] for f in flagged}
        if data.lens:
            listed = self._firms_in_lens(data, listed, {uid: v[0] for uid, v in info.items()})
        firms = []
        for f in sorted(listed, key=lambda f: -(f.get("value_usd") or 0.0)):
            firm_id, native, role = info.get(f["uid"], (None, None, None))
            firms.append(
                f
                | {
                    "native_name": native,
                    "role": role,
                    "identifiers": {
                        SCHEMES.get(k, k): v for k, v in (f.get("identifiers") or {}).items()
                    },
                    "listings": listings.get(firm_id, []),
                    "flags": flags.get(f["uid"], []),
                }
            )
        data.firms = firms

    def _firms_in_lens(self, data: BriefingData, listed: list[dict], ids: dict) -> list[dict]:
        """The case's firms with a shipment in the lens, their counts and values from it."""
        with self._read() as session:
            case_id = find_case(session, data.case_ref).id
            totals = network_store.firm_totals(session, case_id=case_id, lens=data.lens)
        out = []
        for f in listed:
            found = totals.get(ids.get(f["uid"]))
            if found:
                out.append(f | {"shipments": found[0], "value_usd": found[1]})
        return out

    def _brief_shipments(self, data: BriefingData, *, top: int, appendix_rows: int) -> None:
        """The top-N table and the appendix's shipments: one SQL query for the largest,
        never every row (the appendix numbers them as the full table is written)."""
        listed = appendix_rows if "appendix" in data.sections else 0
        with self._read() as session:
            case_id = find_case(session, data.case_ref).id
            total = shipment_table.count_shipments(session, case_id=case_id, lens=data.lens)
            largest = shipment_table.largest_shipments(
                session, case_id=case_id, limit=max(top, listed), lens=data.lens
            )
        data.top_shipments = [_top_row(r) for r in largest[:top]]
        data.shipments = largest[:listed]
        data.totals = {"shipments": total}

    def _brief_screening(self, data: BriefingData) -> None:
        hits = self.list_hits(case_ref=data.case_ref)
        confirmed = [h for h in hits if h["status"] == "confirmed"]
        listed_on = {}
        for listings in self.listed_firms(_firm_ids(self, data.firms)).values():
            for x in listings:
                listed_on[x["listed_uid"]] = x.get("date")
        data.hits = [h | {"listed_on": listed_on.get(h["listed_uid"])} for h in confirmed]
        data.dismissed = sum(h["status"] == "dismissed" for h in hits)
        data.unreviewed = sum(h["status"] == "unreviewed" for h in hits)

    def _brief_network(self, data: BriefingData, *, threshold: float, links: int) -> None:
        if "network" not in data.sections:
            return
        from casebook.analysis import network as net

        chart = self.link_chart(case_ref=data.case_ref, threshold=threshold, scores=False,
                                lens=data.lens, persons=True, links=links)  # fmt: skip
        model = chart.model
        if not model.nodes and not chart.smaller.nodes:  # none over the threshold
            return
        for node in model.nodes:
            node.score = data.scores.get(node.uid, 0.0)
        total = len(model.nodes)
        if total > NETWORK_NODES:
            model = _largest(model, NETWORK_NODES)
        data.network = model
        data.positions = net.layout_network(model, kind="layered", seed=0)
        data.network_note = (
            "Same model and layout as the Network tab (layered: makers, intermediaries, "
            "importers). A trade link is all the trade between two firms, drawn the way most "
            "of the value went, width by value; coloured lines are recorded relationships."
        )
        data.network_hidden = _hidden_sentence(chart.hidden, chart.smaller, threshold)
        if total > NETWORK_NODES:
            data.network_note += (
                f" Drawn: the {NETWORK_NODES} listed or largest (by trade) of the case's "
                f"{total:,} firms, and the links among them; the Network tab shows them all."
            )


def _hidden_sentence(below, smaller, threshold: float) -> str:
    """What the page leaves out, in words: the links under the threshold, then the smaller
    links past the largest drawn ("and 23 smaller trade links worth $1.2 m are not drawn")."""
    from casebook.core.numbers import money
    from casebook.core.words import plural

    parts = []
    if smaller:
        parts.append(f"{plural(smaller.links, 'smaller trade link')} worth "
                     f"{money(smaller.value_usd, compact=True)}")  # fmt: skip
    if below:
        parts.append(f"{plural(below.links, 'trade link')} under "
                     f"{money(threshold, compact=True)} worth "
                     f"{money(below.value_usd, compact=True)}")  # fmt: skip
    if not parts:
        return ""
    verb = "is" if smaller.links + below.links == 1 else "are"
    return f"And {' and '.join(parts)} {verb} not drawn."


def _largest(model, count: int):
    """The model restricted to its ``count`` listed or largest (by trade value) firms."""
    from casebook.analysis.network import NetworkModel

    ranked = sorted(model.nodes, key=lambda n: (not n.listed, -(n.value_usd or 0.0)))
    nodes = ranked[:count]
    kept = {n.uid for n in nodes}
    edges = [e for e in model.edges if e.source in kept and e.target in kept]
    return NetworkModel(nodes=nodes, edges=edges, case_ref=model.case_ref, filters=model.filters)


def _firm_ids(book, firms: list[dict]) -> list[int]:
    uids = [f["uid"] for f in firms]
    with book._read() as session:
        return [f["id"] for f in firm_store.firms_by_uid(session, uids=uids).values()]


def _top_row(r: dict) -> dict:
    return {
        "date": r["date"] or "",
        "exporter": r["exporter"] or "",
        "importer": r["importer"] or "",
        "origin": r["origin"] or "XX",
        "dispatch": r["dispatch"] or "XX",
        "hs": r["hs"] or "",
        "description": r["description"] or "",
        "value_usd": r["value_usd"],
    }
