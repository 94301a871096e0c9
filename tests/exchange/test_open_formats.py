"""Open formats: FollowTheMoney entities, an XLSX workbook and a zip of CSVs; spreadsheet
exports neutralise formula injection."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from casebook.exchange.spreadsheet import neutralise


def ftm_entities(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("suffix", [".ftm.json", ".ftm.jsonl"])
def test_ftm_export_holds_the_case(book, filled, tmp_path, suffix):
    out = tmp_path / f"case{suffix}"
    result = book.export_case(case_ref=filled.ref, out=out)
    entities = ftm_entities(out)
    assert result["format"] == "ftm" and result["records"] == len(entities)
    by_schema: dict[str, list] = {}
    for e in entities:
        by_schema.setdefault(e["schema"], []).append(e)
    assert len(by_schema["Company"]) == 3
    assert len(by_schema["EconomicActivity"]) == 3
    assert len(by_schema["Ownership"]) == 1
    assert len(by_schema["Document"]) == 1
    assert len(by_schema["Documentation"]) == 3  # firm, shipment, relationship (not finding)
    inns = {v for c in by_schema["Company"] for v in c["properties"].get("innCode", [])}
    assert inns == {"7707083893", "7736050003"}
    activity = next(
        a for a in by_schema["EconomicActivity"] if a["properties"]["vedCode"] == ["8458110000"]
    )
    props = activity["properties"]
    assert props["originCountry"] == ["cn"] and props["ccdNumber"] == ["10702070/100122/0000001"]
    assert props["customsAmount"] == ["1234567.89"]
    ids = {e["id"] for e in entities}
    for e in entities:  # every reference resolves inside the file
        for name in ("sender", "receiver", "owner", "asset", "document", "entity"):
            for ref in e["properties"].get(name, []):
                assert ref in ids, (e["schema"], name, ref)


def test_ftm_export_validates_with_followthemoney(book, filled, tmp_path):
    ftm = pytest.importorskip("followthemoney")
    out = tmp_path / "case.ftm.json"
    book.export_case(case_ref=filled.ref, out=out)
    _validate_with_followthemoney(ftm, ftm_entities(out))


def test_demo_case_ftm_export_validates_with_followthemoney(tmp_path):
    ftm = pytest.importorskip("followthemoney")
    from casebook.book import Casebook

    with Casebook.open(tmp_path / "demo.db", create=True) as book:
        if not hasattr(book, "build_demo"):
            pytest.skip("book.build_demo() is not in this tree yet")
        demo = book.build_demo()
        ref = demo["case_ref"] if isinstance(demo, dict) and "case_ref" in demo else None
        ref = ref or book.list_cases()[0]["ref"]
        out = tmp_path / "demo.ftm.json"
        book.export_case(case_ref=ref, out=out)
    entities = ftm_entities(out)
    assert {"Company", "EconomicActivity", "Document"} <= {e["schema"] for e in entities}
    # issue 21: the demo's two people, Lin Haoran directing two firms, Volkov owning one
    persons = {e["properties"]["name"][0]: e["id"] for e in entities if e["schema"] == "Person"}
    assert set(persons) == {"Lin Haoran", "Sergei Volkov"}
    directors = [e["properties"]["director"] for e in entities if e["schema"] == "Directorship"]
    assert directors.count([persons["Lin Haoran"]]) == 2
    owners = [e["properties"]["owner"] for e in entities if e["schema"] == "Ownership"]
    assert [persons["Sergei Volkov"]] in owners
    _validate_with_followthemoney(ftm, entities)


def _validate_with_followthemoney(ftm, entities: list[dict]) -> None:
    """Each entity's schema and properties exist in the FtM model, every value survives the
    property type's cleaning, and every entity reference resolves."""
    model = ftm.model
    ids = {e["id"] for e in entities}
    for data in entities:
        schema = model.get(data["schema"])
        assert schema is not None, data["schema"]
        proxy = model.get_proxy(data, cleaned=False)
        for name, values in data["properties"].items():
            prop = schema.get(name)
            assert prop is not None, f"{schema.name} has no property {name}"
            for value in values:
                assert prop.type.clean(value) is not None, (schema.name, name, value)
                if prop.type.name == "entity":
                    assert value in ids, (schema.name, name, value)
        assert proxy.id == data["id"]
        assert not schema.abstract
        for required in schema.required:
            assert proxy.get(required), f"{schema.name} lacks required {required}"


def test_xlsx_has_a_sheet_per_table_and_no_formulas(book, filled, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "case.xlsx"
    result = book.export_case(case_ref=filled.ref, out=out)
    assert result["format"] == "xlsx"
    workbook = load_workbook(out)
    assert workbook.sheetnames[:4] == ["firms", "shipments", "evidence", "findings"]
    shipments = list(workbook["shipments"].iter_rows(values_only=True))
    assert len(shipments) == 4
    header = shipments[0]
    descriptions = [row[header.index("description")] for row in shipments[1:]]
    injected = next(d for d in descriptions if "HYPERLINK" in d)
    assert injected.startswith("'=")
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    assert [r[2] for r in workbook["findings"].iter_rows(values_only=True)][1].startswith("The")
    assert workbook["evidence"]["I2"].value == filled.evidence_sha


def test_csv_zip_has_the_same_tables_neutralised(book, filled, tmp_path):
    out = tmp_path / "case.zip"
    result = book.export_case(case_ref=filled.ref, out=out)
    assert result["format"] == "csv"
    with zipfile.ZipFile(out) as zf:
        assert {"firms.csv", "shipments.csv", "evidence.csv", "findings.csv"} <= set(zf.namelist())
        text = zf.read("shipments.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3
    assert any(r["description"].startswith("'=HYPERLINK") for r in rows)
    assert {r["importer_name"] for r in rows} >= {"ООО Стройтех"} or all(
        r["importer_name"] for r in rows
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+7 495", "'+7 495"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        (-2.5, -2.5),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_export_cli_by_suffix(run_cli, tmp_path, db_path, fill):
    from casebook.book import Casebook

    with Casebook.open(db_path, create=True) as book:
        filled = fill(book, tmp_path)
    for name in ("c.ftm.json", "c.ftm.jsonl", "c.xlsx", "c.zip", "c.casebook"):
        r = run_cli("export", "--case", filled.ref, "--out", str(tmp_path / name), "--json")
        assert r.code == 0, (name, r.err)
        assert set(r.json) == {"out", "format", "records", "sha256"}
