"""A case as tables: an ``.xlsx`` workbook (a sheet each for firms, shipments, evidence,
findings and relationships) or a ``.zip`` of CSV files with the same tables.

Text that a spreadsheet would run as a formula (a cell starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) is neutralised with a leading apostrophe, as OWASP advises.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

from sqlmodel import Session

from casebook.exchange.bundle import CaseRecords
from casebook.store import bundles as rows
from casebook.store import shipments

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_575  # a sheet's rows after its header


def neutralise(value):
    """A cell value safe to open in a spreadsheet (text never runs as a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def shipment_source(session: Session, *, dataset_id: int, lens=None) -> Iterator[dict]:
    """A dataset's shipments (those in the lens, a ``core.filters.ShipmentFilter``, when set)
    as dicts of ``store.bundles.COLUMNS``, in source order."""
    if lens:
        return shipments.dataset_rows_in_lens(
            session, dataset_id=dataset_id, lens=lens, columns=rows.COLUMNS
        )
    return rows.shipment_rows(session, dataset_id=dataset_id)


def tables(
    session: Session, records: CaseRecords, *, lens=None
) -> list[tuple[str, list[str], Iterator]]:
    """(name, header, rows) for each table of the case (its shipments: those in the lens)."""
    firms = records.firms
    names = {uid: f["name"] for uid, f in firms.items()}
    numbers = {uid: f"E{e['number']}" for uid, e in records.evidence.items()}
    supports: dict[str, list[str]] = {}
    cites: dict[tuple[str, str], list[str]] = {}
    for link in records.links:
        supports.setdefault(link["evidence"], []).append(f"{link['target_kind']} {link['target']}")
        cites.setdefault((link["target_kind"], link["target"]), []).append(
            numbers.get(link["evidence"], "")
        )

    def firm_rows():
        for uid, f in sorted(firms.items(), key=lambda x: x[1]["sort_key"] or x[1]["name"]):
            yield [
                uid, f["name"], f["native_name"], f["country"], f["address"], f["role"],
                "; ".join(f"{s}:{v}" for s, v in f["identifiers"]),
                "; ".join(a[0] for a in f["aliases"]),
                "; ".join(cites.get(("firm", uid), [])),
            ]  # fmt: skip

    def shipment_rows():
        uids = records.firm_uids
        for dataset_uid in sorted(records.datasets):
            file_name = records.datasets[dataset_uid]["file_name"]
            dataset_id = records.dataset_ids[dataset_uid]
            for r in shipment_source(session, dataset_id=dataset_id, lens=lens):
                key = f"{dataset_uid}:{r['source_row']}"
                exporter, importer = uids.get(r["exporter_id"]), uids.get(r["importer_id"])
                yield [
                    key, file_name, r["source_row"], r["declaration_no"], r["item_no"], r["date"],
                    r["direction"], exporter, names.get(exporter), importer, names.get(importer),
                    r["origin"], r["dispatch"], r["destination"], r["hs_code"], r["hs6"],
                    r["description"], r["brand"], r["manufacturer"], r["quantity"], r["unit"],
                    r["net_weight"], r["value"], r["currency"], r["value_usd"],
                    "; ".join(cites.get(("shipment", key), [])),
                ]  # fmt: skip

    def evidence_rows():
        for uid, e in sorted(records.evidence.items(), key=lambda x: x[1]["number"]):
            grade = f"{e['reliability'] or ''}{e['credibility'] or ''}" or None
            yield [
                f"E{e['number']}", uid, e["title"], e["kind"], grade, e["publisher"], e["url"],
                e["captured"], e["sha256"], e["original_name"], e["size"], e["mime"],
                e["excerpt"], e["notes"], "; ".join(supports.get(uid, [])),
            ]  # fmt: skip

    def finding_rows():
        for uid, f in sorted(records.findings.items(), key=lambda x: x[1]["position"]):
            yield [
                f["position"], uid, f["text"], f["likelihood"], f["confidence"],
                "; ".join(cites.get(("finding", uid), [])),
            ]  # fmt: skip

    def relationship_rows():
        for uid, r in sorted(records.relationships.items()):
            yield [
                uid, r["kind"], r["from"], names.get(r["from"]), r["to"], names.get(r["to"]),
                r["share"], r["start"], r["end"], r["notes"],
                "; ".join(cites.get(("relationship", uid), [])),
            ]  # fmt: skip

    return [
        ("firms", ["uid", "name", "native_name", "country", "address", "role", "identifiers",
                   "aliases", "evidence"], firm_rows()),
        ("shipments", ["shipment", "file_name", "source_row", "declaration_no", "item_no",
                       "date", "direction", "exporter", "exporter_name", "importer",
                       "importer_name", "origin", "dispatch", "destination", "hs_code", "hs6",
                       "description", "brand", "manufacturer", "quantity", "unit", "net_weight",
                       "value", "currency", "value_usd", "evidence"], shipment_rows()),
        ("evidence", ["id", "uid", "title", "kind", "grade", "publisher", "url", "captured",
                      "sha256", "original_name", "size", "mime", "excerpt", "notes",
                      "supports"], evidence_rows()),
        ("findings", ["position", "uid", "text", "likelihood", "confidence", "evidence"],
         finding_rows()),
        ("relationships", ["uid", "kind", "from", "from_name", "to", "to_name", "share",
                           "start", "end", "notes", "evidence"], relationship_rows()),
    ]  # fmt: skip


def write_xlsx(session: Session, records: CaseRecords, out: Path, *, lens=None) -> dict:
    """The case as a workbook (write-only mode, so a million shipments stream); its shipments:
    those in the lens."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    count = 0
    for name, header, table in tables(session, records, lens=lens):
        sheet, part, in_sheet = workbook.create_sheet(name), 1, 0
        sheet.append(header)
        for row in table:
            if in_sheet == XLSX_MAX_ROWS:
                part += 1
                sheet, in_sheet = workbook.create_sheet(f"{name} {part}"), 0
                sheet.append(header)
            sheet.append([neutralise(v) for v in row])
            in_sheet += 1
            count += 1
    return _finish(out, lambda temp: workbook.save(temp), "xlsx", count)


def write_csv_zip(session: Session, records: CaseRecords, out: Path, *, lens=None) -> dict:
    """The case as a zip of UTF-8 CSV files (with a BOM, so spreadsheets read the encoding);
    its shipments: those in the lens."""
    count = 0

    def save(temp: Path) -> None:
        nonlocal count
        with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, header, table in tables(session, records, lens=lens):
                with zf.open(f"{name}.csv", "w", force_zip64=True) as raw:
                    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                    writer = csv.writer(text)
                    writer.writerow(header)
                    for row in table:
                        writer.writerow(["" if v is None else neutralise(v) for v in row])
                        count += 1
                    text.flush()
                    text.detach()

    return _finish(out, save, "csv", lambda: count)


def _finish(out: Path, save, format_name: str, count) -> dict:
    temp = out.with_name(f".{out.name}.partial")
    try:
        save(temp)
        os.replace(temp, out)
    finally:
        temp.unlink(missing_ok=True)
    digest = hashlib.sha256()
    with open(out, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    records = count() if callable(count) else count
    return {
        "out": str(out),
        "format": format_name,
        "records": records,
        "sha256": digest.hexdigest(),
    }
