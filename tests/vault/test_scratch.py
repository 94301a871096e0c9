"""Issue #24, finding 9: temporary files live in the store's ``tmp/``; the next start removes
what a killed process left there, never what a running one is writing."""

from __future__ import annotations

import os
import subprocess
import sys

from casebook.vault import Vault
from casebook.vault.scratch import note_outside, scratch_dir, stale_entries, sweep


def test_incoming_files_go_through_the_stores_tmp_folder(tmp_path):
    vault = Vault(tmp_path / "s.files" / "vault")
    assert vault.tmp == tmp_path / "s.files" / "tmp"
    doc = tmp_path / "doc.bin"
    doc.write_bytes(os.urandom(3 << 20))
    during = []

    def look(done, total):
        during.append(([p.name for p in vault.tmp.glob("*/blob")], vault.leftovers()))

    vault.put(doc, progress=look)
    assert during and all(blobs == ["blob"] and not left for blobs, left in during)
    assert list(vault.tmp.iterdir()) == [] and vault.leftovers() == []


def test_sweep_removes_what_a_killed_process_left_and_keeps_live_work(tmp_path):
    tmp = tmp_path / "tmp"
    outside = tmp_path / "elsewhere" / ".backup.zip.partial"
    outside.parent.mkdir()
    code = (
        "import os, sys, pathlib\n"
        "from casebook.vault.scratch import scratch_dir, note_outside\n"
        "with scratch_dir(pathlib.Path(sys.argv[1]), 'incoming') as e:\n"
        "    (e / 'blob').write_bytes(b'x' * 1000)\n"
        "    note_outside(e, pathlib.Path(sys.argv[2]))\n"
        "    pathlib.Path(sys.argv[2]).write_bytes(b'partial copy of the store')\n"
        "    os._exit(9)  # dies without cleaning up, as kill -9 would\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp), str(outside)], check=False)
    assert outside.exists() and len(stale_entries(tmp)) == 1
    with scratch_dir(tmp, "backup") as live:
        (live / "casebook.db").write_bytes(b"copy")
        note_outside(live, tmp_path / "not-written-yet")
        removed = sweep(tmp)
        assert len(removed) == 1 and live.is_dir() and (live / "casebook.db").is_file()
    assert not outside.exists() and list(tmp.iterdir()) == []
