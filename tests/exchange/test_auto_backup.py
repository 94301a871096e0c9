"""The optional automatic backup: into ``<store>.files/backups``, keeping the newest N."""

from __future__ import annotations

from casebook.book import Casebook


def test_auto_backup_keeps_the_newest(book, filled, tmp_path):
    made = [book.auto_backup(keep=2)["out"] for _ in range(4)]
    folder = book.folder / "backups"
    kept = sorted(str(p) for p in folder.glob("*.zip"))
    assert kept == sorted(made[-2:])
    restored = tmp_path / "r.db"
    Casebook.restore(made[-1], db=restored)
    with Casebook.open(restored) as copy:
        assert copy.verify()["ok"]
