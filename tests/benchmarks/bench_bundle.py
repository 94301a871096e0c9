"""Bundle benchmark (run on demand): open bundles whose records.json is ~120 MB.

    PYTHONPATH=desktop python tests/benchmarks/bench_bundle.py [--mb 120] [--shape case,links]

Target (issue #24): opening one stays under 500 MB of memory (peak RSS of a fresh process),
whatever records.json holds. Prints, for each shape, that figure and the baseline measured in
the same run, in a subprocess too: ``json.load`` of the same records.json.

Shapes: ``case``, what a large case holds (firms with their spellings, identifiers and the
case's notes, linked to the case; relationships; findings), opened whole; ``links``, the shape
that costs ``json.load`` the most memory per byte (a million small records: evidence links), as
a hostile bundle would send it: every record is read and checked before the bundle is refused
(its links name evidence it does not hold).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

FIRM_BYTES = 2_000  # about, in records.json
LINK_BYTES = 150
NOTES = (
    "Импортёр станков с ЧПУ; учредитель совпадает с директором поставщика. "
    "Declared consignee for lathes and machining centres shipped via Kyrgyzstan; "
    "the same address appears on invoices of two other importers. "
) * 5


def _uid(n: int, kind: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_OID, f"{kind}-{n}").hex


def _firm(n: int) -> dict:
    name = f"OOO STANKOTORG {n}"
    return {
        "name": name,
        "native_name": f"ООО «Станкоторг {n}»",
        "country": "RU",
        "address": f"ул. Заводская, д. {n % 300}, г. Москва",
        "name_key": f"stankotorg {n}",
        "sort_key": f"stankotorg {n:07d}",
        "created": "2024-05-01T10:00:00+00:00",
        "merged_into": None,
        "in_case": True,
        "role": "importer",
        "notes": NOTES,
        "aliases": [[f"{spelling} {n}", f"stankotorg {n}", "RU"] for spelling in (
            "OOO STANKOTORG", "ООО СТАНКОТОРГ", "STANKOTORG LLC")],
        "identifiers": [["registration", f"R{n:09d}"], ["tax_id", f"T{n:09d}"]],
    }  # fmt: skip


def write_records(path: Path, megabytes: int, shape: str) -> dict:
    """records.json of ``megabytes`` MB, written as it is generated; returns counts."""
    firms = megabytes * 1_000_000 // FIRM_BYTES if shape == "case" else 10
    links = 0 if shape == "case" else megabytes * 1_000_000 // LINK_BYTES
    case = {
        "uid": _uid(0, "case"),
        "ref": "BENCH-B1",
        "title": "CNC machine tools via intermediaries",
        "summary": "",
        "status": "open",
        "priority": "high",
        "marking": "TLP:AMBER",
        "created": "2024-05-01T10:00:00+00:00",
        "updated": "2024-05-01T10:00:00+00:00",
    }
    rels = firms // 100
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"case": ' + json.dumps(case) + ', "datasets": {}, "evidence": {}, ')
        out.write('"findings": {')
        for n in range(100):
            finding = {"position": n, "text": f"Judgment {n}: the firms likely share an owner.",
                       "likelihood": "likely", "confidence": "moderate"}  # fmt: skip
            out.write(("" if n == 0 else ", ") + f'"{_uid(n, "finding")}": ' + json.dumps(finding))
        out.write('}, "firms": {')
        for n in range(firms):
            text = json.dumps(_firm(n), ensure_ascii=False)
            out.write(("" if n == 0 else ", ") + f'"{_uid(n, "firm")}": ' + text)
        out.write('}, "links": [')
        for n in range(links):
            link = {"evidence": _uid(n % 1000, "evidence"), "target_kind": "firm",
                    "target": _uid(n % 10, "firm"), "note": f"p. {n % 97}"}  # fmt: skip
            out.write(("" if n == 0 else ", ") + json.dumps(link))
        out.write('], "relationships": {')
        for n in range(rels):
            rel = {"kind": "ownership", "share": 51.0, "start": "2021-03", "end": None,
                   "notes": "", "created": "2024-05-01T10:00:00+00:00",
                   "from": _uid(n, "firm"), "to": _uid(n + 1, "firm")}  # fmt: skip
            out.write(("" if n == 0 else ", ") + f'"{_uid(n, "rel")}": ' + json.dumps(rel))
        out.write("}}")
    return {"firms": firms, "relationships": rels, "findings": 100, "links": links}


def write_bundle(records: Path, out: Path) -> None:
    """A bundle holding only records.json (and its manifest)."""
    digest = hashlib.sha256()
    with open(records, "rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    members = {"records.json": {"sha256": digest.hexdigest(), "size": records.stat().st_size}}
    manifest = {
        "format": "casebook-bundle",
        "format_version": 1,
        "app_version": "bench",
        "created": "2024-05-01T10:00:00+00:00",
        "case": {"uid": _uid(0, "case"), "ref": "BENCH-B1", "title": "bench"},
        "counts": {},
        "head_hash": "0" * 64,
        "members": members,
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        zf.write(records, "records.json")
        zf.writestr("manifest.json", json.dumps(manifest))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_baseline(records: Path) -> dict:
    started = time.perf_counter()
    with open(records, "rb") as source:
        data = json.load(source)
    return {
        "seconds": time.perf_counter() - started,
        "firms": len(data["firms"]),
        "peak_rss_mb": _peak_rss_mb(),
    }


def run_open(bundle: Path, db: Path) -> dict:
    from casebook.book import Casebook
    from casebook.core.errors import Refused

    with Casebook.open(db, create=True, user="bench") as book:
        before = _peak_rss_mb()
        started = time.perf_counter()
        try:
            outcome = book.open_bundle(bundle)["created"]
        except Refused as exc:
            outcome = f"refused: {exc.message}"
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "outcome": outcome,
        "rss_before_open_mb": before,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _child(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=120, help="size of records.json, in MB")
    parser.add_argument("--shape", default="case,links", help="case, links or both")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *paths = args.child
        out = run_baseline(Path(paths[0])) if kind == "baseline" else run_open(*map(Path, paths))
        print(json.dumps(out))
        return
    for shape in args.shape.split(","):
        folder = Path(tempfile.mkdtemp(prefix="casebook-bench-bundle-"))
        try:
            bench(shape, args.mb, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def bench(shape: str, megabytes: int, folder: Path) -> None:
    records, bundle = folder / "records.json", folder / "big.casebook"
    started = time.perf_counter()
    counts = write_records(records, megabytes, shape)
    write_bundle(records, bundle)
    size = records.stat().st_size
    print(
        f"[{shape}] records.json {size / 1e6:.0f} MB ({', '.join(f'{n:,} {k}' for k, n in counts.items())}); "
        f"bundle {bundle.stat().st_size / 1e6:.1f} MB; generated in {time.perf_counter() - started:.0f} s"
    )
    base = _child("baseline", str(records))
    print(
        f"  baseline json.load: {base['seconds']:.1f} s, peak RSS {base['peak_rss_mb']:.0f} MB "
        f"({base['peak_rss_mb'] * 1024**2 / size:.1f} bytes per byte of records.json)"
    )
    opened = _child("open", str(bundle), str(folder / "store.db"))
    print(
        f"  casebook open-bundle: {opened['seconds']:.1f} s, peak RSS {opened['peak_rss_mb']:.0f} MB"
        f" ({opened['rss_before_open_mb']:.0f} MB before opening: Python, SQLAlchemy, the store)"
    )
    print(
        f"  peak RSS open / baseline: {opened['peak_rss_mb'] / base['peak_rss_mb']:.2f}; target "
        f"open < 500 MB: {'ok' if opened['peak_rss_mb'] < 500 else 'MISSED'}"
    )
    print(f"  outcome: {json.dumps(opened['outcome'], ensure_ascii=False)}")


if __name__ == "__main__":
    main()
