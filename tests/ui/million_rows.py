"""Build a store with many shipments quickly (sqlite3 executemany), for paging tests and benchmarks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from casebook.store import rollups
from casebook.store.engine import Store

COUNTRIES = ("CN", "TR", "KZ", "AE", "AM", "DE", "JP", "TW")
HS6 = ("845710", "845811", "845891", "845961", "846693", "854231")
CASE_REF = "CB-BULK-001"


def _rows(n: int, case_id: int, dataset_id: int, firms: int):
    for i in range(n):
        yield (
            dataset_id,
            case_id,
            i + 1,
            f"k{i}",
            f"10702070/{i // 3:07d}",
            str(i % 3 + 1),
            f"20{22 + i % 3}-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
            "import",
            i % firms + 1,
            (i * 7) % firms + 1,
            COUNTRIES[i % len(COUNTRIES)],
            COUNTRIES[(i // 3) % len(COUNTRIES)],
            "RU",
            HS6[i % len(HS6)] + "00",
            HS6[i % len(HS6)],
            f"Станок токарный с ЧПУ, модель {i % 997}",
            ("JINGDIAO", "SIEMENS", "FANUC", None)[i % 4],
            float(i % 5 + 1),
            "pcs",
            1000.0 + i % 500,
            25000.0 + (i % 1000) * 10,
            "USD",
            25000.0 + (i % 1000) * 10,
        )


def build_shipments(path: Path, n: int, *, firms: int = 500) -> Path:
    """A store at ``path`` holding one case with ``n`` shipments between ``firms`` firms."""
    Store(path, create=True).close()
    con = sqlite3.connect(path)
    # Speed only: a throwaway file, so no durability; indexes rebuilt once after the insert.
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-262144")
    indexes = con.execute(
        "SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name='shipment' AND sql IS NOT NULL"
    ).fetchall()
    with con:
        for (sql,) in indexes:
            con.execute("DROP INDEX " + sql.split()[2])
        con.execute(
            'INSERT INTO "case" (uid, ref, title, summary, status, priority, marking, created, updated)'
            " VALUES ('bulkcase', ?, 'Bulk case', '', 'open', 'medium', 'TLP:AMBER',"
            " '2024-01-01 00:00:00', '2024-01-01 00:00:00')",
            (CASE_REF,),
        )
        case_id = con.execute('SELECT id FROM "case" WHERE ref = ?', (CASE_REF,)).fetchone()[0]
        con.execute(
            "INSERT INTO dataset (uid, case_id, kind, file_name, sha256, mapping, row_count,"
            " content_hash, imported, imported_by) VALUES ('bulkds', ?, 'shipments', 'bulk.csv',"
            " '', '{}', ?, '', '2024-01-01 00:00:00', 'tester')",
            (case_id, n),
        )
        dataset_id = con.execute("SELECT id FROM dataset WHERE uid='bulkds'").fetchone()[0]
        con.executemany(
            "INSERT INTO firm (uid, name, sort_key, created) VALUES (?, ?, ?, '2024-01-01')",
            [(f"firm{i}", f"Firm {i:04d} LLC", f"firm {i:04d}") for i in range(1, firms + 1)],
        )
        con.executemany(
            "INSERT INTO shipment (dataset_id, case_id, source_row, row_key, declaration_no, item_no, date,"
            " direction, exporter_id, importer_id, origin, dispatch, destination, hs_code, hs6,"
            " description, brand, quantity, unit, net_weight, value, currency, value_usd)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            _rows(n, case_id, dataset_id, firms),
        )
        for (sql,) in indexes:
            con.execute(sql)
    con.close()
    # The per-dataset totals an import makes (case counts, charts and firm totals read them).
    store = Store(path)
    with store.write() as session:
        rollups.rebuild_all(session)
    store.close()
    return path
