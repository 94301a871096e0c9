"""Facade section: ``brief`` — assemble a case's BriefingData and render it as a PDF."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from casebook.book.cases import find_case
from casebook.book.demo import is_demo
from casebook.briefing.data import SECTIONS, BriefingData
from casebook.core.errors import UsageError
from casebook.core.files import output_path
from casebook.core.standards import Marking, clean_marking
from casebook.store import models as m

PAPERS = ("a4", "letter")
#: Figures printed in the table of the trade picture: (label, month, country).
KEY_MONTHS = ("2022-02", "2023-07")
#: Firms drawn in the printed network: a page holds about this many legible nodes (and the
#: layout of 16,000 took 50 s). The listed firms first, then the largest by trade.
NETWORK_NODES = 60


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


def _command(ref: str, **flags) -> str:
    parts = [f"casebook stats --case {ref}"]
    parts += [f"--{k.replace('_', '-')} {v}" for k, v in flags.items() if v]
    return " ".join(parts)


class BriefingSection:
    """``brief``: the PDF briefing of a case."""

    def brief(
        self,
        *,
        case_ref: str,
        out: str | Path,
        paper: str = "a4",
        top: int = 15,
        sections: str | Sequence[str] | None = None,
        author: str | None = None,
        marking: str | None = None,
        force: bool = False,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> dict:
        """Render the briefing; returns ``{out, pages, sha256}``. An existing ``out`` is
        refused unless ``force``; the marking can be raised, never lowered."""
        from casebook.briefing.build import render_briefing

        paper = (paper or "a4").lower()
        if paper not in PAPERS:
            raise UsageError(f"unknown paper {paper!r}; use a4 or letter")
        if top is None or int(top) < 1:
            raise UsageError("--top must be at least 1")
        out = output_path(out, force=force)
        data = self.briefing_data(
            case_ref=case_ref, top=int(top), sections=sections, author=author, marking=marking
        )
        tmp = out.with_name(out.name + ".part")
        try:
            result = render_briefing(data, tmp, paper=paper, progress=progress, cancelled=cancelled)
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
        return result | {"out": str(out)}

    def briefing_data(
        self,
        *,
        case_ref: str,
        top: int = 15,
        sections=None,
        author: str | None = None,
        marking: str | None = None,
    ) -> BriefingData:
        """Everything the briefing prints, read from the store."""
        case = self.get_case(case_ref)
        chosen = choose_marking(case.marking, marking)
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
        )
        data.findings = self.list_findings(case_ref=case.ref)
        data.evidence = self.list_evidence(case_ref=case.ref)
        self._brief_trade(data)
        self._brief_firms(data)
        self._brief_shipments(data, top=top)
        self._brief_screening(data)
        self._brief_network(data)
        data.datasets = self.list_datasets(case_ref=case.ref)
        return data

    def _brief_trade(self, data: BriefingData) -> None:
        from casebook.briefing.text import percent, usd

        ref = data.case_ref
        charts = [
            (
                self.chart("monthly_by_country", case_ref=ref, field="origin"),
                _command(ref, by="month,origin"),
            ),
            (
                self.chart("country_share", case_ref=ref, country="CN", field="origin"),
                _command(ref, by="month,origin") + " (rows with origin CN)",
            ),
            (
                self.chart("origin_vs_dispatch", case_ref=ref),
                _command(ref, by="origin") + "; " + _command(ref, by="dispatch"),
            ),
            (self.chart("foreign_controllers", case_ref=ref), f"casebook flags --case {ref}"),
        ]
        data.charts = [(c, f) for c, f in charts if c.rows]
        total = self.stats(case_ref=ref, by=None)["rows"]
        figures = []
        if total and total[0]["shipments"]:
            value = total[0]["value_usd"]
            figures.append(
                {
                    "label": "All shipments, value (USD)",
                    "value": usd(value),
                    "filters": _command(ref),
                }
            )
            figures.append(
                {
                    "label": "All shipments, count",
                    "value": f"{total[0]['shipments']:,}",
                    "filters": _command(ref),
                }
            )
        for month in KEY_MONTHS:
            rows = self.stats(case_ref=ref, by="month,origin", date_from=month, date_to=month)
            cn = next((r for r in rows["rows"] if r["origin"] == "CN"), None)
            if cn is None or cn["value_usd"] is None or cn["share"] is None:
                continue
            command = _command(ref, by="month,origin", **{"from": month, "to": month})
            figures.append(
                {
                    "label": f"China (origin), {month}: value (USD)",
                    "value": usd(cn["value_usd"]),
                    "filters": command,
                }
            )
            figures.append(
                {
                    "label": f"China (origin), {month}: share of the month",
                    "value": percent(cn["share"]),
                    "filters": command,
                }
            )
        data.figures = figures
        shares = self.chart("origin_vs_dispatch", case_ref=ref, top=12)
        data.shares = [tuple(r) for r in shares.rows]

    def _brief_firms(self, data: BriefingData) -> None:
        from casebook.core.identifiers import SCHEMES

        listed = self.list_firms(case_ref=data.case_ref)
        with self._read() as session:
            case = find_case(session, data.case_ref)
            info = {
                firm.uid: (firm.id, firm.native_name, role)
                for firm, role in session.exec(
                    select(m.Firm, m.CaseFirm.role)
                    .join(m.CaseFirm, m.CaseFirm.firm_id == m.Firm.id)
                    .where(m.CaseFirm.case_id == case.id)
                )
            }
        listings = self.listed_firms([v[0] for v in info.values()])
        flagged = self.flags(case_ref=data.case_ref)["firms"]
        flags = {f["uid"]: f["flags"] for f in flagged}
        data.scores = {f["uid"]: f["score"] for f in flagged}
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

    def _brief_shipments(self, data: BriefingData, *, top: int) -> None:
        with self._read() as session:
            case = find_case(session, data.case_ref)
            names = dict(
                session.exec(
                    select(m.Firm.id, m.Firm.name)
                    .join(m.CaseFirm, m.CaseFirm.firm_id == m.Firm.id)
                    .where(m.CaseFirm.case_id == case.id)
                ).all()
            )
            rows = session.exec(
                select(m.Shipment)
                .where(m.Shipment.case_id == case.id)
                .order_by(m.Shipment.date, m.Shipment.id)
            ).all()
        data.shipments = [_appendix_row(i, s, names) for i, s in enumerate(rows, start=1)]
        ranked = sorted(rows, key=lambda s: -(s.value_usd or 0))[:top]
        data.top_shipments = [_top_row(s, names) for s in ranked]
        data.totals = {"shipments": len(rows)}

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

    def _brief_network(self, data: BriefingData) -> None:
        if "network" not in data.sections:
            return
        if not hasattr(self, "network"):
            data.network_note = "The network diagram is not available in this version."
            return
        from casebook.analysis import network as net

        model = self.network(case_ref=data.case_ref, scores=False)
        if not model.nodes:
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
            "importers). Trade edges are exporter → importer, width by value; coloured lines "
            "are recorded relationships."
        )
        if total > NETWORK_NODES:
            data.network_note += (
                f" Drawn: the {NETWORK_NODES} listed or largest (by trade) of the case's "
                f"{total:,} firms, and the links among them; the Network tab shows them all."
            )


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
        return list(session.exec(select(m.Firm.id).where(m.Firm.uid.in_(uids))).all())


def _top_row(s: m.Shipment, names: dict) -> dict:
    return {
        "date": s.date or "",
        "exporter": names.get(s.exporter_id, ""),
        "importer": names.get(s.importer_id, ""),
        "origin": s.origin or "XX",
        "dispatch": s.dispatch or "XX",
        "hs": s.hs_code or s.hs6 or "",
        "description": s.description or "",
        "value_usd": s.value_usd,
    }


def _appendix_row(number: int, s: m.Shipment, names: dict) -> tuple:
    from casebook.briefing.text import usd

    value = "" if s.value_usd is None else usd(s.value_usd)
    return (
        str(number),
        s.date or "",
        s.declaration_no or "",
        names.get(s.exporter_id, ""),
        names.get(s.importer_id, ""),
        s.origin or "",
        s.dispatch or "",
        s.hs_code or s.hs6 or "",
        value,
    )
