"""Saved link-chart positions, pins and groups: kept with the case across reopening, one audit
event per save, carried by bundles (checked like every bundle record)."""

from __future__ import annotations

import json
import sqlite3
import zipfile

import pytest
from sqlmodel import select

from casebook.book import Casebook
from casebook.core.errors import Refused, UsageError
from casebook.store import models as m


def nodes_of(filled):
    a, b = filled.firm_uids[:2]
    return [
        {"uid": a, "x": 0.25, "y": 0.75, "pinned": True, "group": "Hong Kong intermediaries"},
        {"uid": b, "x": 0.5, "y": 0.125, "pinned": False, "group": None},
    ]


def saves(book) -> list[dict]:
    with book.store.read() as session:
        events = session.exec(select(m.AuditEvent).where(m.AuditEvent.action == "chart.save"))
        return [e.after for e in events]


def test_positions_pins_and_groups_come_back_after_reopening(db_path, book, filled):
    book.save_chart_layout(case_ref=filled.ref, nodes=nodes_of(filled), layout="force")
    book.close()
    with Casebook.open(db_path) as again:
        saved = again.chart_layout(case_ref=filled.ref)
    assert saved["layout"] == "force"
    by_uid = {n["uid"]: n for n in saved["nodes"]}
    first = by_uid[filled.firm_uids[0]]
    assert (first["x"], first["y"], first["pinned"]) == (0.25, 0.75, True)
    assert first["group"] == "Hong Kong intermediaries" and first["kind"] == "firm"
    assert by_uid[filled.firm_uids[1]]["group"] is None


def test_one_audit_event_per_save_not_per_node(book, filled):
    book.save_chart_layout(case_ref=filled.ref, nodes=nodes_of(filled))
    book.save_chart_layout(case_ref=filled.ref, nodes=nodes_of(filled))  # the same: no event
    book.save_chart_layout(case_ref=filled.ref, nodes=nodes_of(filled)[:1])
    events = saves(book)
    assert len(events) == 2
    assert events[0]["positions"] == 2 and events[0]["groups"] == ["Hong Kong intermediaries"]
    assert events[1]["positions"] == 1
    # a save replaces the one before
    assert len(book.chart_layout(case_ref=filled.ref)["nodes"]) == 1


def test_moving_a_firm_keeps_its_pin_and_group(book, filled):
    book.save_chart_layout(case_ref=filled.ref, nodes=nodes_of(filled))
    a = filled.firm_uids[0]
    head = book.head_hash()
    book.save_positions(case_ref=filled.ref, positions={a: (0.9, 0.1)})
    assert book.head_hash() == head  # the view's own save: briefings stay current
    (node,) = book.chart_layout(case_ref=filled.ref)["nodes"]
    assert (node["x"], node["y"], node["pinned"], node["group"]) == (
        0.9, 0.1, True, "Hong Kong intermediaries"
    )  # fmt: skip
    assert book.load_positions(case_ref=filled.ref) == {a: (0.9, 0.1)}


def test_only_new_positions_keep_those_saved_and_add_the_others(book, filled):
    a, b = filled.firm_uids[:2]
    book.save_chart_layout(case_ref=filled.ref, nodes=nodes_of(filled)[:1], layout="layered")
    book.save_positions(case_ref=filled.ref, positions={a: (0.5, 0.5), b: (0.3, 0.4)},
                        layout="force", only_new=True)  # fmt: skip
    saved = {n["uid"]: n for n in book.chart_layout(case_ref=filled.ref)["nodes"]}
    assert (saved[a]["x"], saved[a]["y"], saved[a]["pinned"]) == (0.25, 0.75, True)
    assert (saved[b]["x"], saved[b]["y"], saved[b]["pinned"]) == (0.3, 0.4, False)
    assert book.load_layout(case_ref=filled.ref) == "layered"  # the saved arrangement's


def test_pins_and_groups_saved_with_the_positions(book, filled):
    a, b = filled.firm_uids[:2]
    book.save_positions(case_ref=filled.ref, positions={a: (0.1, 0.2), b: (0.3, 0.4)},
                        pins={a: True}, groups={b: "Hong Kong intermediaries"})  # fmt: skip
    saved = {n["uid"]: n for n in book.chart_layout(case_ref=filled.ref)["nodes"]}
    assert (saved[a]["pinned"], saved[a]["group"]) == (True, None)
    assert (saved[b]["pinned"], saved[b]["group"]) == (False, "Hong Kong intermediaries")
    book.save_positions(case_ref=filled.ref, positions={a: (0.1, 0.2), b: (0.3, 0.4)},
                        groups={b: None})  # fmt: skip
    saved = {n["uid"]: n for n in book.chart_layout(case_ref=filled.ref)["nodes"]}
    assert (saved[a]["pinned"], saved[b]["group"]) == (True, None)


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"uid": "", "x": 0, "y": 0}, "subject uid"),
        ({"uid": "a" * 32, "x": "left", "y": 0}, "two numbers"),
        ({"uid": "a" * 32, "x": float("nan"), "y": 0}, "finite"),
        ({"uid": "a" * 32, "x": 0, "y": 0, "kind": "vessel"}, "unknown chart subject"),
        ({"uid": "a" * 32, "x": 0, "y": 0, "group": "g" * 201}, "at most 200"),
    ],
)
def test_bad_positions_are_refused_and_nothing_is_saved(book, filled, bad, message):
    book.save_chart_layout(case_ref=filled.ref, nodes=nodes_of(filled))
    with pytest.raises(UsageError, match=message):
        book.save_chart_layout(case_ref=filled.ref, nodes=[bad])
    assert len(book.chart_layout(case_ref=filled.ref)["nodes"]) == 2
    assert len(saves(book)) == 1


def test_bundles_carry_the_saved_chart(book, filled, tmp_path):
    book.save_chart_layout(case_ref=filled.ref, nodes=nodes_of(filled), layout="layered")
    out = tmp_path / "case.casebook"
    book.export_case(case_ref=filled.ref, out=out)
    with Casebook.open(tmp_path / "other.db", create=True) as other:
        opened = other.open_bundle(out)
        assert opened["created"]["chart"] == 2 and opened["conflicts"] == []
        assert (
            other.chart_layout(case_ref=filled.ref)["nodes"]
            == book.chart_layout(case_ref=filled.ref)["nodes"]
        )
        # opened again: the colleague's own arrangement is never moved
        other.save_chart_layout(case_ref=filled.ref, nodes=nodes_of(filled)[1:])
        again = other.open_bundle(out)
        assert again["created"]["chart"] == 0 and again["matched"]["chart"] == 2
        assert len(other.chart_layout(case_ref=filled.ref)["nodes"]) == 1


def _rewrite_chart(src, dst, chart) -> None:
    """A copy of the bundle with another ``chart`` table (the manifest's hash recomputed)."""
    import hashlib

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        manifest = json.loads(zin.read("manifest.json"))
        for item in zin.infolist():
            if item.filename == "manifest.json":
                continue
            data = zin.read(item.filename)
            if item.filename == "records.json":
                records = json.loads(data)
                records["chart"] = chart
                data = json.dumps(records).encode()
                entry = manifest["members"]["records.json"]
                entry["sha256"], entry["size"] = hashlib.sha256(data).hexdigest(), len(data)
            zout.writestr(item.filename, data)
        zout.writestr("manifest.json", json.dumps(manifest))


@pytest.mark.parametrize(
    "place, message",
    [
        ({"subject": "f" * 32, "x": 0, "y": 0}, "names firm"),
        ({"subject": "SUBJECT", "x": 1e9, "y": 0}, "x is 1000000000.0, outside"),
        ({"subject": "SUBJECT", "x": 0}, "y is missing"),
        ({"subject": "SUBJECT", "x": 0, "y": 0, "pinned": "yes"}, "pinned is text"),
    ],
)
def test_a_bundle_with_a_bad_chart_position_is_refused_whole(
    book, filled, tmp_path, place, message
):
    out, bad = tmp_path / "case.casebook", tmp_path / "bad.casebook"
    book.export_case(case_ref=filled.ref, out=out)
    if place["subject"] == "SUBJECT":
        place = place | {"subject": filled.firm_uids[0]}
    _rewrite_chart(out, bad, [place])
    other_db = tmp_path / "other.db"
    with Casebook.open(other_db, create=True) as other:
        with pytest.raises(Refused, match=message):
            other.open_bundle(bad)
        assert other.list_cases() == []


def test_positions_saved_before_the_table_move_into_it(tmp_path):
    from sqlalchemy import create_engine

    from casebook.store import migrations

    path = tmp_path / "old.db"
    migrations.upgrade(create_engine(f"sqlite:///{path}"), "0005")
    with sqlite3.connect(path) as conn:
        conn.execute(
            'INSERT INTO "case" (id, uid, ref, title, summary, status, priority, marking, created,'
            " updated) VALUES (1, 'u1', 'CB-OLD-1', 'Old', '', 'open', 'high', 'TLP:RED',"
            " '2024-01-02 03:04:05', '2024-01-02 03:04:05')"
        )
        value = {"positions": {"f" * 32: [0.1, 0.2]}, "layout": "layered"}
        conn.execute(
            "INSERT INTO casesetting (case_id, key, value) VALUES (1, 'network.positions', ?)",
            (json.dumps(value),),
        )
    with Casebook.open(path) as book:
        assert book.load_positions(case_ref="CB-OLD-1") == {"f" * 32: (0.1, 0.2)}
        assert book.load_layout(case_ref="CB-OLD-1") == "layered"
