"""Facade section: the case's network (link chart), saved node positions, GraphML export, the
details of one firm for the chart, and the timeline's data."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from pathlib import Path

from casebook.analysis import network as net
from casebook.analysis.chart import (
    KIND_TITLES,
    Chart,
    Hidden,
    aggregate_trade,
    apply_threshold,
    chart_model,
    find_path,
    kind_of,
    largest_links_chart,
)
from casebook.analysis.chart_layouts import DateScale, date_scale, date_ticks
from casebook.analysis.network import (  # the chart's model, layouts and styles, for the GUI
    COMPACT_LIMIT,
    FACTS_EM,
    Edge,
    NetworkModel,
    Node,
    canvas_size,
    facts_text,
    largest,
    layout_network,
    legend,
    style_for,
    trade_width,
)
from casebook.book.cases import find_case
from casebook.core.domain import CHART_GROUP_LENGTH, CHART_SUBJECTS
from casebook.core.errors import NotFound, UsageError
from casebook.core.files import output_path
from casebook.core.filters import ShipmentFilter
from casebook.store import firms as firm_store
from casebook.store import network as db
from casebook.store import persons as person_store
from casebook.store.filters import unknown_uids

#: What the GUI draws the chart with (it imports ``casebook.book``, not ``casebook.analysis``).
__all__ = [
    "COMPACT_LIMIT",
    "KIND_TITLES",
    "Chart",
    "DateScale",
    "Hidden",
    "FACTS_EM",
    "Edge",
    "NetworkModel",
    "NetworkSection",
    "Node",
    "aggregate_trade",
    "apply_threshold",
    "canvas_size",
    "date_scale",
    "date_ticks",
    "find_path",
    "kind_of",
    "trade_width",
    "chart_lens",
    "facts_text",
    "largest",
    "layout_network",
    "legend",
    "style_for",
]

POSITIONS_KEY = "network.positions"
LANES = ("firm", "country")


def chart_lens(
    lens: ShipmentFilter | None,
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    hs: str | None = None,
) -> ShipmentFilter:
    """The lens with the chart's own date and HS options in place of the lens's (each one
    given replaces the lens's), validated as a whole (``--from`` after ``--to`` is refused)."""
    base = lens or ShipmentFilter()
    return ShipmentFilter.parse(
        date_from=date_from or base.date_from,
        date_to=date_to or base.date_to,
        hs=hs or base.hs,
        origin=base.origin,
        dispatch=base.dispatch,
        destination=base.destination,
        firm=base.firms,
        dataset=base.datasets,
        text=base.text,
        min_value=base.min_value,
    )


def _refuse_unknown(session, lens: ShipmentFilter | None, case_id: int) -> None:
    """A lens naming a firm or dataset that does not exist would quietly show nothing."""
    for kind, uids in unknown_uids(session, lens, case_id=case_id).items():
        raise NotFound(f"no {kind} {', '.join(map(repr, uids))}")


def usd_floor(value, name: str) -> float:
    """A USD amount links under which are left out (None: 0); a usage error names ``name``
    when it is not a number or is negative."""
    try:
        value = float(value or 0.0)
    except (TypeError, ValueError):
        raise UsageError(f"{name} must be a number, not {value!r}") from None
    if value < 0:
        raise UsageError(f"{name} must not be negative")
    return value


class NetworkSection:
    """Link chart, positions, GraphML, firm details and timeline of a case."""

    def network(
        self,
        *,
        case_ref: str,
        date_from: str | None = None,
        date_to: str | None = None,
        hs: str | None = None,
        min_value: float | None = 0.0,
        scores: bool = True,
        lens: ShipmentFilter | None = None,
        persons: bool = False,
    ) -> NetworkModel:
        """The case's firms and edges: trade per exporter → importer pair of the lens's
        shipments (None: the whole case; ``date_from``, ``date_to`` and ``hs`` replace the
        lens's own), pairs worth at least ``min_value`` USD in all, and every relationship;
        with ``persons``, also the persons linked to those firms (nodes of subject "person")
        and their links, each labelled with the role."""
        return self._network(case_ref=case_ref, date_from=date_from, date_to=date_to, hs=hs,
                             min_value=min_value, scores=scores, lens=lens,
                             persons=persons)[0]  # fmt: skip

    def _network(
        self,
        *,
        case_ref: str,
        date_from: str | None = None,
        date_to: str | None = None,
        hs: str | None = None,
        min_value: float | None = 0.0,
        scores: bool = True,
        lens: ShipmentFilter | None = None,
        persons: bool = False,
        largest: tuple[int, float] | None = None,
    ) -> tuple[NetworkModel, db.LargestPairs | None]:
        """``network``; with ``largest`` (count, threshold), its trade only that of the
        ``count`` largest links at or over the threshold (and ties), with what the store says
        of all the links (``store.network.largest_trade_pairs``)."""
        from casebook.analysis import flags

        min_value = usd_floor(min_value, "minimum value")
        lens = chart_lens(lens, date_from=date_from, date_to=date_to, hs=hs)
        with self._read() as session:
            case = find_case(session, case_ref)
            _refuse_unknown(session, lens, case.id)
            firm_scores = {}
            if scores:
                firm_scores = {
                    x["uid"]: x["score"] for x in flags.flag_firms(session, case_id=case.id)
                }
            ids = [row[0] for row in db.case_firms(session, case_id=case.id)]
        listed = self.listed_firms(ids) if ids else {}
        chosen = None
        with self._read() as session:
            if largest is not None:
                chosen = db.largest_trade_pairs(
                    session, case_id=case.id, lens=lens, limit=largest[0], threshold=largest[1]
                )
            model = net.build_network(
                session,
                case_id=case.id,
                lens=lens,
                min_value=min_value,
                scores=firm_scores,
                listed=listed,
                case_ref=case.ref,
                pairs=chosen.pairs if chosen else None,
                directions=chosen.firms if chosen else None,
            )
        model.filters = {
            "from": lens.date_from,
            "to": lens.date_to,
            "hs": list(lens.hs),
            "min_value": min_value,
        }
        if lens:
            model.filters["lens"] = lens.to_json()
        if persons:
            model = net.with_persons(
                model, *self._graph_people(case_ref, {n.uid for n in model.nodes})
            )
        return model, chosen

    def link_chart(
        self,
        *,
        case_ref: str,
        threshold: float | None = 0.0,
        lens: ShipmentFilter | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        hs: str | None = None,
        scores: bool = True,
        persons: bool = False,
        links: int | None = None,
    ) -> Chart:
        """The case's link chart under the lens (as ``network``): one trade link per pair of
        firms, links worth less than ``threshold`` USD hidden with the firms only they joined
        (``Chart.hidden`` says what), each entity's kind. With ``links``, only the ``links``
        largest trade links over the threshold are kept, the firms only the others joined
        taken off (``Chart.smaller`` says what): the store chooses them, so a case of a
        million links reads only those (the briefing's network page)."""
        threshold = usd_floor(threshold, "the threshold")
        if links is None:
            model = self.network(case_ref=case_ref, lens=lens, date_from=date_from,
                                 date_to=date_to, hs=hs, scores=scores, persons=persons)  # fmt: skip
            return chart_model(model, threshold=threshold)
        count = max(int(links), 0)
        model, chosen = self._network(case_ref=case_ref, lens=lens, date_from=date_from,
                                      date_to=date_to, hs=hs, scores=scores, persons=persons,
                                      largest=(count, threshold))  # fmt: skip
        return largest_links_chart(model, count=count, threshold=threshold, above=chosen.above,
                                   below=chosen.below, firms=chosen.firms)  # fmt: skip

    def save_chart_layout(
        self, *, case_ref: str, nodes: Iterable[dict], layout: str | None = None
    ) -> dict:
        """Keep the chart's positions, pins and groups for the case, in place of those saved
        before: ``nodes`` of ``{uid, kind ("firm"), x, y, pinned, group}`` (x and y in units
        of the chart's square), and the layout they came from. One audit event per save that
        changes something (none for the same chart again)."""
        return self._save_chart(case_ref, _position_rows(nodes), layout, audited=True)

    def _save_chart(self, case_ref: str, rows: list[dict], layout, *, audited: bool) -> dict:
        if layout is not None and layout not in net.LAYOUTS:
            raise UsageError(f"unknown layout {layout!r}; use {', '.join(net.LAYOUTS)}")
        with self._write() as session:
            case = find_case(session, case_ref)
            before = db.chart_positions(session, case_id=case.id)
            setting = db.get_setting(session, case_id=case.id, key=POSITIONS_KEY) or {}
            changed = _normal(before) != _normal(rows) or setting.get("layout") != layout
            if changed:
                db.replace_chart_positions(session, case_id=case.id, rows=rows)
                db.put_setting(
                    session, case_id=case.id, key=POSITIONS_KEY, value={"layout": layout}
                )
            if changed and audited:
                self._audit(session, "chart.save", "case", target_uid=case.uid,
                            case_id=case.id, after={
                                "layout": layout,
                                "positions": len(rows),
                                "pinned": sum(r["pinned"] for r in rows),
                                "groups": sorted({r["group_name"] for r in rows
                                                  if r["group_name"]}),
                            })  # fmt: skip
        return {"case": case_ref, "layout": layout, "positions": len(rows), "changed": changed}

    def chart_layout(self, *, case_ref: str) -> dict:
        """The case's saved chart: ``{layout, nodes: [{kind, uid, x, y, pinned, group}]}``."""
        with self._read() as session:
            case = find_case(session, case_ref)
            rows = db.chart_positions(session, case_id=case.id)
            setting = db.get_setting(session, case_id=case.id, key=POSITIONS_KEY) or {}
        nodes = [
            {"kind": r["subject_kind"], "uid": r["subject_uid"], "x": r["x"], "y": r["y"],
             "pinned": bool(r["pinned"]), "group": r["group_name"]}
            for r in rows
        ]  # fmt: skip
        return {"layout": setting.get("layout"), "nodes": nodes}

    def save_positions(
        self,
        *,
        case_ref: str,
        positions: dict,
        layout: str | None = None,
        only_new: bool = False,
        pins: dict | None = None,
        groups: dict | None = None,
    ) -> None:
        """Keep the chart's firm and person positions (uid → (x, y) in the unit square) and the
        layout they came from, as the Network tab does after each layout and drag (pins and groups
        saved before are kept unless ``pins`` (uid → bool) or ``groups`` (uid → name or None)
        say otherwise). With ``only_new``, positions saved already are kept as they are and only
        the others added: the tab's save after its own first layout never moves a firm placed
        since it read them (another window, an ANX import). A view's own save, not the
        analyst's: not in the audit log (an event per drag would also mark every briefing
        printed since out of date)."""
        saved = {n["uid"]: n for n in self.chart_layout(case_ref=case_ref)["nodes"]}
        persons = {p["uid"] for p in self.list_persons(case_ref=case_ref)} if positions else set()
        pins, groups = pins or {}, groups or {}
        nodes = [dict(n) for n in saved.values()] if only_new else []
        for uid, point in (positions or {}).items():
            if only_new and str(uid) in saved:
                continue
            try:
                x, y = point
            except (TypeError, ValueError):
                raise UsageError(f"position of {uid!r} must be two numbers") from None
            before = saved.get(str(uid), {})
            nodes.append({"uid": uid, "x": x, "y": y,
                          "pinned": pins.get(uid, before.get("pinned", False)),
                          "group": groups[uid] if uid in groups else before.get("group"),
                          "kind": "person" if uid in persons else "firm"})  # fmt: skip
        if only_new and saved:  # the saved arrangement's layout stays with it
            layout = self.chart_layout(case_ref=case_ref)["layout"]
        self._save_chart(case_ref, _position_rows(nodes), layout, audited=False)

    def load_positions(self, *, case_ref: str) -> dict[str, tuple[float, float]]:
        """The saved positions of the case's firms and persons (empty when none were saved)."""
        nodes = self.chart_layout(case_ref=case_ref)["nodes"]
        return {n["uid"]: (n["x"], n["y"]) for n in nodes}

    def load_layout(self, *, case_ref: str) -> str | None:
        """The layout the saved positions came from (``force``, ``layered``, ``geographic`` or
        ``timeline``), or None."""
        return self.chart_layout(case_ref=case_ref)["layout"]

    def export_graphml(
        self,
        *,
        case_ref: str,
        out,
        force: bool = False,
        lens: ShipmentFilter | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        hs: str | None = None,
        min_value: float | None = 0.0,
        keep: Collection[str] | None = None,
    ) -> dict:
        """Write the case's network (as ``network`` with the same options) as GraphML:
        ``{out, format, records, nodes, edges, sha256}``. ``keep`` limits it to those firms
        (uids) and the edges among them: the chart's visible firms."""
        from casebook.exchange import graphml

        output_path(out, force=force)  # before the model is built
        model = self.network(case_ref=case_ref, lens=lens, date_from=date_from,
                             date_to=date_to, hs=hs, min_value=min_value)  # fmt: skip
        if keep is not None:
            kept = set(keep)
            model = NetworkModel(
                nodes=[n for n in model.nodes if n.uid in kept],
                edges=[e for e in model.edges if e.source in kept and e.target in kept],
                case_ref=model.case_ref,
                filters=model.filters,
            )
        persons, links = self._graph_people(case_ref, {n.uid for n in model.nodes})
        return graphml.write_graphml(model, Path(out), force=force, persons=persons, links=links)

    def _graph_people(self, case_ref: str, firms: set[str]) -> tuple[list[dict], list[dict]]:
        """The persons linked to these firms, their links to them and among themselves."""
        links = self.list_person_links(case_ref=case_ref)
        to_firms = [k for k in links if _end(k, "firm") in firms]
        shown = {_end(k, "person") for k in to_firms}
        among = [
            k
            for k in links
            if k["from_kind"] == k["to_kind"] == "person" and {k["from_uid"], k["to_uid"]} <= shown
        ]
        persons = [p for p in self.list_persons(case_ref=case_ref) if p["uid"] in shown]
        return persons, to_firms + among

    def export_anx(
        self,
        *,
        case_ref: str,
        out,
        force: bool = False,
        lens: ShipmentFilter | None = None,
        threshold: float | None = 0.0,
    ) -> dict:
        """Write the case's link chart (as ``link_chart`` with the same lens and threshold) as
        an i2 Analyst's Notebook chart (ANX), firms where the saved layout puts them (the
        others laid out around them), with the persons linked to them and their links:
        ``{out, format, records, nodes, edges, persons, person_links, hidden, sha256}``."""
        from casebook.exchange import anx

        out = output_path(out, force=force)  # before the model is built
        chart = self.link_chart(case_ref=case_ref, lens=lens, threshold=threshold, scores=False)
        saved = self.load_positions(case_ref=case_ref)
        positions = {n.uid: saved[n.uid] for n in chart.model.nodes if n.uid in saved}
        if len(positions) < len(chart.model.nodes):
            positions = layout_network(chart.model, pinned=positions)
        positions = saved | positions  # the persons' saved places too
        ids = [n.id for n in chart.model.nodes if n.id is not None]
        with self._read() as session:
            idents = firm_store.identifiers_of(session, ids=ids)
        firms = {n.uid: {"identifiers": idents.get(n.id, {})} for n in chart.model.nodes}
        persons, links = self._graph_people(case_ref, {n.uid for n in chart.model.nodes})
        return anx.write_anx(chart, firms, positions, Path(out), persons, links)

    def network_firm(self, *, case_ref: str, uid: str, limit: int = 50) -> dict:
        """What the chart shows for a selected firm: its evidence and largest shipments."""
        with self._read() as session:
            case = find_case(session, case_ref)
            firm = firm_store.firm_by_uid(session, uid=uid)
            if firm is None:
                raise NotFound(f"no firm {uid!r}")
            role = firm_store.case_firm_roles(session, case_id=case.id, ids=[firm["id"]])
            evidence = [
                {
                    "id": f"E{n}",
                    "uid": e_uid,
                    "title": title,
                    "grade": f"{rel or ''}{cred or ''}" or None,
                    "note": note,
                }
                for n, e_uid, title, rel, cred, note in db.firm_evidence(
                    session, case_id=case.id, firm_id=firm["id"]
                )
            ]
            shipments = [
                {
                    "date": d,
                    "exporter": exp,
                    "importer": imp,
                    "hs6": hs6,
                    "description": desc,
                    "value_usd": value,
                }
                for d, exp, imp, hs6, desc, value in db.firm_shipments(
                    session, case_id=case.id, firm_id=firm["id"], limit=limit
                )
            ]
        return {
            "uid": firm["uid"],
            "name": firm["name"],
            "native_name": firm["native_name"],
            "country": firm["country"],
            "address": firm["address"],
            "role": role.get(firm["id"]),
            "evidence": evidence,
            "shipments": shipments,
        }

    def timeline(
        self,
        *,
        case_ref: str,
        lanes: str = "firm",
        lens: ShipmentFilter | None = None,
        unit: str = "month",
    ) -> dict:
        """Shipments by month per firm (or per country) of the lens's shipments (None: the
        whole case), dated evidence, relationship start and end dates, and listings (dates of
        confirmed hits' entries).

        ``{months: [YYYY-MM…], lanes: [{key, label, country, months: {YYYY-MM: {shipments,
        value_usd}}}], events: [{date, month, kind, lane, label}], tenures: [{person, name,
        firm, firm_name, kind, share, start, end}]}`` — an event's ``lane`` is a lane key or None
        (case-wide); a tenure is a person's link to a firm (director, shareholder …) with its
        dates, which the timeline draws as a bar in the person's lane. With ``unit="day"`` the
        lanes' cells are per day (``YYYY-MM-DD`` keys; ``months`` stays the month range)."""
        if lanes not in LANES:
            raise UsageError(f"unknown lanes {lanes!r}; use firm or country")
        if unit not in ("month", "day"):
            raise UsageError(f"unknown unit {unit!r}; use month or day")
        with self._read() as session:
            case = find_case(session, case_ref)
            _refuse_unknown(session, lens, case.id)
            firms = {
                fid: (uid, name, country)
                for fid, uid, name, _native, country, _role in db.case_firms(
                    session, case_id=case.id
                )
            }
            if unit == "day":
                monthly = db.daily_by_firm(session, case_id=case.id, lens=lens)
            else:
                monthly = db.monthly_by_firm(session, case_id=case.id, lens=lens)
            rels = db.relationships(session, case_id=case.id)
            tenures = [
                {"person": r["person_uid"], "name": r["person_name"], "firm": r["firm_uid"],
                 "firm_name": r["firm_name"], "kind": r["kind"], "share": r["share"],
                 "start": r["start"], "end": r["end"]}
                for r in person_store.firm_roles(session, case_id=case.id)
            ]  # fmt: skip
            evidence = db.dated_evidence(session, case_id=case.id)
        listed = self.listed_firms(list(firms)) if firms else {}

        def lane_of(fid) -> str | None:
            if fid not in firms:
                return None
            uid, _name, country = firms[fid]
            return uid if lanes == "firm" else (country or "XX")

        out_lanes: dict[str, dict] = {}
        for fid, (_uid, name, country) in firms.items():
            key = lane_of(fid)
            label = name if lanes == "firm" else _country_label(country)
            out_lanes.setdefault(
                key, {"key": key, "label": label, "country": country, "months": {}}
            )
        for fid, month, n, value in monthly:
            key = lane_of(fid)
            if key is None:
                continue
            cell = out_lanes[key]["months"].setdefault(month, {"shipments": 0, "value_usd": 0.0})
            cell["shipments"] += n
            cell["value_usd"] = round(cell["value_usd"] + value, 2)
        events = []
        for number, e_uid, title, when, fid in evidence:
            date = str(when)[:10] if when else None
            if date:
                events.append(_event(date, "evidence", lane_of(fid), f"E{number} {title}", e_uid))
        for uid, a, b, kind, _share, start, end, _notes in rels:
            names = f"{firms.get(a, ('', '?'))[1]} – {firms.get(b, ('', '?'))[1]}"
            for date, what in ((start, "starts"), (end, "ends")):
                if date:
                    for fid in (a, b):
                        events.append(
                            _event(
                                date, "relationship", lane_of(fid), f"{kind} {what}: {names}", uid
                            )
                        )
        for fid, entries in listed.items():
            for entry in entries:
                if entry.get("date"):
                    label = f"listed: {entry['list']} {entry.get('programme') or ''}".strip()
                    events.append(_event(entry["date"], "listing", lane_of(fid), label, None))
        events = _unique(events)
        months = month_range(
            {mo[:7] for lane in out_lanes.values() for mo in lane["months"]}
            | {e["month"] for e in events if e["month"]}
            | {str(t[k])[:7] for t in tenures for k in ("start", "end") if t[k]}
        )
        ordered = sorted(
            out_lanes.values(),
            key=lambda lane: (
                -sum(c["value_usd"] for c in lane["months"].values()),
                str(lane["label"]).casefold(),
            ),
        )
        return {"case": case.ref, "lanes_by": lanes, "unit": unit, "months": months,
                "lanes": ordered, "events": events, "tenures": tenures}  # fmt: skip


def _country_label(code: str | None) -> str:
    from casebook.core.countries import country_name

    code = code or "XX"
    name = country_name(code) if code != "XX" else "unknown"
    return f"{code} · {name}" if name and name != code else code


def _normal(rows: list[dict]) -> list[tuple]:
    """Saved-chart rows in a comparable form."""
    return sorted((r["subject_kind"], r["subject_uid"], round(float(r["x"]), 6),
                   round(float(r["y"]), 6), bool(r["pinned"]), r["group_name"] or None)
                  for r in rows)  # fmt: skip


def _position_rows(nodes: Iterable[dict]) -> list[dict]:
    """Saved-chart rows from the caller's nodes, each value checked (UsageError names it)."""
    rows: dict[tuple[str, str], dict] = {}
    for node in nodes or ():
        uid, kind = str(node.get("uid") or ""), node.get("kind") or "firm"
        if not uid or len(uid) > 64:
            raise UsageError(f"a chart position needs a subject uid, not {uid[:70]!r}")
        if kind not in CHART_SUBJECTS:
            raise UsageError(f"unknown chart subject {kind!r}; use {', '.join(CHART_SUBJECTS)}")
        try:
            x, y = float(node["x"]), float(node["y"])
        except (KeyError, TypeError, ValueError):
            raise UsageError(f"position of {uid!r} must be two numbers") from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise UsageError(f"position of {uid!r} must be finite")
        group = node.get("group") or None
        if group is not None and (not isinstance(group, str) or len(group) > CHART_GROUP_LENGTH):
            raise UsageError(f"the group of {uid!r} must be a name of at most "
                             f"{CHART_GROUP_LENGTH} characters")  # fmt: skip
        rows[(kind, uid)] = {"subject_kind": kind, "subject_uid": uid, "x": round(x, 6),
                             "y": round(y, 6), "pinned": bool(node.get("pinned")),
                             "group_name": group}  # fmt: skip
    return list(rows.values())


def month_range(months: set[str], limit: int = 600) -> list[str]:
    """Every month from the first to the last of ``months`` (YYYY-MM), at most ``limit``."""
    valid = sorted(m for m in months if m and len(m) == 7 and m[4] == "-" and m[:4].isdigit())
    if not valid:
        return []
    year, month = int(valid[0][:4]), int(valid[0][5:7])
    out = []
    while len(out) < limit:
        text = f"{year:04d}-{month:02d}"
        out.append(text)
        if text >= valid[-1]:
            break
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _event(date: str, kind: str, lane, label: str, uid) -> dict:
    month = date[:7] if len(date) >= 7 else None
    return {"date": date, "month": month, "kind": kind, "lane": lane, "label": label, "uid": uid}


def _unique(events: list[dict]) -> list[dict]:
    seen, out = set(), []
    for e in events:
        key = (e["date"], e["kind"], e["lane"], e["label"])
        if key not in seen:
            seen.add(key)
            out.append(e)
    return sorted(out, key=lambda e: (e["date"], e["kind"], e["label"]))


def _end(link: dict, kind: str) -> str | None:
    """The uid at the end of a person link that is a ``kind`` (firm or person), or None."""
    if link["from_kind"] == kind:
        return link["from_uid"]
    return link["to_uid"] if link["to_kind"] == kind else None
