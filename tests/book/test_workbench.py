"""The GUI's facade calls: previews, the shipment view's filters, the merge queue (audited)."""

from __future__ import annotations

from pathlib import Path

from casebook.book.cases import find_case
from casebook.core.names import name_key
from casebook.store import models as m

CSV = (
    "Declaration No,Item No,Date,Exporter,Importer,Country of Origin,Country of Dispatch,HS Code,"
    "Goods Description,Value,Currency\n"
    "D-1,1,2022-01-10,JINMA CO LTD,OOO STANKI,CN,TR,8458110000,Lathe,100,USD\n"
    "D-2,1,2022-05-10,ACME AG,OOO STANKI,DE,DE,8466930000,Parts,5,USD\n"
    "D-3,1,bad,ACME AG,OOO STANKI,DE,DE,8466930000,Parts,5,USD\n"
)


def setup(book, tmp_path) -> Path:
    book.create_case(title="W", ref="W-1")
    path = tmp_path / "s.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_preview_shows_raw_rows_preset_and_errors(book, tmp_path):
    path = setup(book, tmp_path)
    p = book.preview_file(path)
    assert (p["kind"], p["preset"], p["delimiter"]) == ("shipments", "generic-en", ",")
    assert len(p["raw"]) == 3 and p["rows_valid"] == 2
    assert p["errors"][0]["row"] == 4 and p["cleaned"][2]["errors"] == {"Date": "not a date"}
    edited = book.preview_file(
        path, mapping={"columns": {"date": 2, "exporter": 3, "value": 9, "hs_code": 7}}
    )
    assert set(edited["cleaned"][0]["values"]) >= {"date", "exporter", "value", "hs_code"}
    saved = book.save_import_mapping({**edited, "edited": True}, tmp_path / "m.toml")
    assert '"Goods Description"' not in saved.read_text(encoding="utf-8")


def test_import_with_an_edited_preview_and_view_filters(book, tmp_path):
    path = setup(book, tmp_path)
    p = book.preview_file(path)
    result = book.import_with_preview(path, {**p, "edited": True}, case_ref="W-1",
                                      skip_bad_rows=True)  # fmt: skip
    assert result["rows_imported"] == 2
    source = book.shipment_view_source("W-1", filters={"hs": "8458", "date_from": "2022-01"})
    assert source.count() == 1
    assert book.shipment_view_source("W-1", filters={"origin": "CN,DE"}).count() == 2
    firm = next(f for f in book.list_firms(case_ref="W-1") if f["name"] == "ACME AG")
    assert book.shipment_view_source("W-1", filters={"firm": firm["uid"]}).count() == 1
    [row] = book.shipment_view_source("W-1", filters={"firm": firm["uid"]}).fetch(0, 1)
    detail = book.shipment_detail(row[-1])
    assert detail["source"]["file_name"] == "s.csv" and detail["source"]["row"] == 3


def test_merge_queue_accept_reopen_dismiss(book, tmp_path):
    book.create_case(title="Q", ref="Q-1")
    ids = []
    with book.store.write() as session:
        case = find_case(session, "Q-1")
        for name in ("JINMA CO", "JINMA COMPANY"):
            firm = m.Firm(name=name, name_key=name_key(name))
            session.add(firm)
            session.flush()
            session.add(m.CaseFirm(case_id=case.id, firm_id=firm.id, role="supplier"))
            ids.append(firm.id)
        s = m.MergeSuggestion(case_id=case.id, firm_a_id=ids[0], firm_b_id=ids[1], score=0.9)
        session.add(s)
        session.flush()
        sid = s.id
    [queued] = book.merge_queue(case_ref="Q-1")
    book.accept_suggestion(sid)
    assert book.merge_queue(case_ref="Q-1") == []
    assert [f["name"] for f in book.case_firms(case_ref="Q-1")] == ["JINMA CO"]
    book.reopen_suggestion(sid)
    assert len(book.case_firms(case_ref="Q-1")) == 2
    assert book.merge_queue(case_ref="Q-1")[0]["id"] == queued["id"]
    book.dismiss_suggestion(sid)
    assert book.merge_queue(case_ref="Q-1") == []
    assert book.merge_queue(case_ref="Q-1", status="dismissed")[0]["status"] == "dismissed"
