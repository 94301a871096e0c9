"""Issue #24, findings 8 and 11: a full disk, a read-only store and a workbook with hostile XML
each end in one ``error:`` line naming the place, never a traceback; nothing is left behind."""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
import zipfile

import pytest

from casebook.book import Casebook
from casebook.core.errors import Refused


def _full(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _one_error_line(r, *words: str) -> None:
    assert r.out == "" and "Traceback" not in r.err, r.err
    assert r.err.startswith("error: ") and r.err.count("\n") == 1, r.err
    for word in words:
        assert word in r.err, r.err


@pytest.fixture
def case(run_cli):
    assert run_cli("case", "new", "Faults", "--ref", "CB-1").code == 0
    return "CB-1"


@pytest.fixture
def doc(tmp_path):
    path = tmp_path / "extract.txt"
    path.write_text("Registry extract: ООО «Техностанок»", encoding="utf-8")
    return path


def _store_files(db_path):
    folder = db_path.with_name(db_path.stem + ".files")
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.mark.sqlite_only("the store file's disk filling up")
def test_evidence_add_on_a_full_disk(run_cli, case, doc, db_path, monkeypatch):
    monkeypatch.setattr(os, "fsync", _full)  # where a full disk shows (delayed allocation)
    r = run_cli("evidence", "add", str(doc), "--case", case, "--json")
    assert r.code == 1
    _one_error_line(r, "no space left", str(db_path.with_name("cases.files")))
    monkeypatch.undo()
    assert _store_files(db_path) in ([], ["tmp"], ["tmp", "vault"], ["vault"])
    assert run_cli("verify").code == 0


@pytest.mark.sqlite_only("the store file's disk filling up")
def test_backup_on_a_full_disk_leaves_nothing_beside_the_output(
    run_cli, case, doc, db_path, tmp_path, monkeypatch
):
    assert run_cli("evidence", "add", str(doc), "--case", case).code == 0
    out_dir = tmp_path / "usb"
    out_dir.mkdir()
    monkeypatch.setattr(os, "fsync", _full)
    r = run_cli("backup", "--out", str(out_dir / "b.zip"))
    assert r.code == 1
    _one_error_line(r, "no space left")
    assert list(out_dir.iterdir()) == []
    assert not any(p.startswith("tmp/") for p in _store_files(db_path))


@pytest.mark.sqlite_only("the store file's disk filling up")
def test_import_on_a_full_disk(run_cli, case, db_path, tmp_path, monkeypatch):
    """SQLite itself reports the disk full (``max_page_count`` reached): SQLITE_FULL."""
    rows = ["Exporter;Importer;Country of origin;HS code;Value USD"]
    rows += [f"Firm {i} Ltd;ООО Покупатель {i};CN;845811;{i}00" for i in range(3000)]
    data = tmp_path / "extract.csv"
    data.write_text("\n".join(rows), encoding="utf-8")
    real_connect = sqlite3.connect

    def connect(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={pages + 20}")
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)
    r = run_cli("import", str(data), "--case", case, "--json")
    monkeypatch.undo()
    assert r.code == 1
    _one_error_line(r, "no space left", str(db_path))
    assert run_cli("datasets", "list", "--case", case, "--json").json["datasets"] == []


@pytest.mark.sqlite_only("the store file's disk filling up")
def test_open_bundle_on_a_full_disk(run_cli, db_path, tmp_path, monkeypatch):
    sys.path.insert(0, str(os.path.join(os.path.dirname(__file__), "..", "exchange")))
    from conftest import fill_case  # tests/exchange/conftest.py

    sys.path.pop(0)
    source = tmp_path / "partner.db"
    with Casebook.open(source, create=True) as partner:
        ref = fill_case(partner, tmp_path).ref
        partner.export_bundle(case_ref=ref, out=tmp_path / "case.casebook")
    monkeypatch.setattr(os, "fsync", _full)
    r = run_cli("open-bundle", str(tmp_path / "case.casebook"), "--json")
    monkeypatch.undo()
    assert r.code == 1
    _one_error_line(r, "no space left")
    assert run_cli("verify").code == 0


XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    "<!DOCTYPE x [<!ENTITY l0 'lol'>"
    + "".join(f"<!ENTITY l{i} '{f'&l{i - 1};' * 10}'>" for i in range(1, 10))
    + "]>"
)


def _hostile_workbook(folder, doctype: str, ref: str, header: list, row: list):
    """A workbook whose first sheet declares entities (``doctype``) and uses one (``ref``)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(header)
    book.active.append(row)
    plain, hostile = folder / "plain.xlsx", folder / "hostile.xlsx"
    book.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(hostile, "w") as out:
        for name in src.namelist():
            data = src.read(name).decode()
            if name == "xl/worksheets/sheet1.xml":
                data = doctype + data.replace("PLACEHOLDER", ref)
            out.writestr(name, data)
    return hostile


ENTITIES = pytest.mark.parametrize(
    "doctype,ref", [(XXE, "&xxe;"), (LAUGHS, "&l9;")], ids=["xxe", "laughs"]
)


@ENTITIES
def test_a_workbook_with_entity_declarations_is_refused_by_name(
    run_cli, case, tmp_path, doctype, ref
):
    header, row = ["Exporter", "Importer", "Value USD"], ["PLACEHOLDER", "ООО Покупатель", 100]
    hostile = _hostile_workbook(tmp_path, doctype, ref, header, row)
    r = run_cli("import", str(hostile), "--case", case, "--json")
    assert r.code == 1
    _one_error_line(r, "hostile.xlsx", "not a readable")


@pytest.mark.sqlite_only("permissions of the store file and folder")
def test_a_read_only_store_folder_is_named_as_such(run_cli, case, db_path, monkeypatch):
    real_access = os.access
    folder = db_path.parent

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and os.fspath(path) == os.fspath(folder):
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    r = run_cli("case", "list", "--json")
    assert r.code == 3
    _one_error_line(r, "read-only", str(db_path))
    assert "not a Casebook store" not in r.err


@pytest.mark.sqlite_only("permissions of the store file and folder")
def test_sqlite_refusing_to_write_is_reported_as_read_only(run_cli, case, db_path, monkeypatch):
    """What SQLite says when the folder denies it its WAL files, injected (root can write)."""
    real_connect = sqlite3.connect

    def connect(*args, **kwargs):
        real_connect(*args, **kwargs).close()
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(sqlite3, "connect", connect)
    r = run_cli("case", "list")
    monkeypatch.undo()
    assert r.code == 3
    _one_error_line(r, "read-only", str(db_path))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through chmod; see the tests above")
@pytest.mark.sqlite_only("permissions of the store file and folder")
def test_a_chmod_read_only_store_folder(run_cli, case, db_path):
    db_path.parent.chmod(0o555)
    try:
        r = run_cli("case", "list")
    finally:
        db_path.parent.chmod(0o755)
    assert r.code == 3
    _one_error_line(r, "read-only")


@ENTITIES
def test_the_apps_import_paths_refuse_such_a_workbook_too(book, tmp_path, doctype, ref):
    """The GUI calls the facade, not the CLI: shipment preview and trade import refuse the file
    by name too (a raw XML ParseError used to escape the trade reader)."""
    book.create_case(title="Hostile", ref="CB-X")
    trade = ["reporter", "partner", "period", "PLACEHOLDER"], ["DE", "RU", "2022-01", 5]
    hostile = _hostile_workbook(tmp_path, doctype, ref, *trade)
    with pytest.raises(Refused, match="hostile.xlsx"):
        book.import_trade(hostile, case_ref="CB-X")
