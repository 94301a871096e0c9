"""The vault stores each content once, read-only, named by its SHA-256, and checks it later."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from casebook.core.errors import Cancelled
from casebook.vault import Vault, extract_text, guess_mime, html_to_text, working_copy


@pytest.fixture
def vault(tmp_path):
    return Vault(tmp_path / "vault")


@pytest.fixture
def doc(tmp_path):
    path = tmp_path / "invoice.txt"
    path.write_bytes("Счёт № 17: СТАНОК ТОКАРНЫЙ".encode())
    return path


def test_blob_is_named_by_its_sha256(vault, doc):
    stored = vault.put(doc)
    digest = hashlib.sha256(doc.read_bytes()).hexdigest()
    assert stored.sha256 == digest
    assert stored.path == vault.root / digest[:2] / digest
    assert stored.path.read_bytes() == doc.read_bytes()


def test_same_content_is_stored_once(vault, doc, tmp_path):
    copy = tmp_path / "other-name.bin"
    copy.write_bytes(doc.read_bytes())
    first, second = vault.put(doc), vault.put(copy)
    assert (first.created, second.created) == (True, False)
    assert list(vault.blobs()) == [first.sha256]


def test_blob_is_read_only(vault, doc):
    mode = vault.put(doc).path.stat().st_mode
    assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_no_temporary_file_is_left_behind(vault, doc):
    stored = vault.put(doc)
    assert [p.name for p in vault.root.iterdir()] == [stored.sha256[:2]]


def test_progress_reports_bytes_until_done(vault, tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(3 * 1024 * 1024 + 5))
    seen = []
    vault.put(big, progress=lambda done, total: seen.append((done, total)))
    assert len(seen) == 4 and seen[-1] == (big.stat().st_size, big.stat().st_size)


def test_cancel_stops_and_stores_nothing(vault, tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(2 * 1024 * 1024))
    with pytest.raises(Cancelled):
        vault.put(big, cancelled=lambda: True)
    assert list(vault.blobs()) == [] and not any(vault.root.glob(".incoming-*"))


def test_verify_blob_detects_altered_content(vault, doc):
    stored = vault.put(doc)
    stored.path.chmod(0o644)
    stored.path.write_bytes(b"tampered")
    stored.path.chmod(0o444)
    assert "content changed" in vault.verify_blob(stored.sha256)


def test_verify_blob_accepts_an_intact_blob(vault, doc):
    assert vault.verify_blob(vault.put(doc).sha256) is None


def test_missing_and_extra_blobs(vault, doc):
    stored = vault.put(doc)
    absent = "f" * 64
    assert vault.missing_blobs([stored.sha256, absent]) == [absent]
    assert vault.extra_blobs([]) == [stored.sha256]


def test_working_copy_is_a_writable_copy_outside_the_vault(vault, doc, tmp_path):
    stored = vault.put(doc)
    copy = working_copy(stored.path, name="invoice.txt", folder=tmp_path)
    assert copy.path.read_bytes() == doc.read_bytes()
    assert vault.root not in copy.path.parents and copy.warning is None
    copy.path.write_text("edited")
    assert stored.path.read_bytes() == doc.read_bytes()


def test_html_opens_as_text_with_a_warning(vault, tmp_path):
    page = tmp_path / "capture.html"
    page.write_text(
        '<html><img src="http://x/y.png"><p>ООО Ромашка</p><script>track()</script></html>'
    )
    copy = working_copy(vault.put(page).path, name="capture.html", folder=tmp_path)
    assert copy.path.suffix == ".txt" and copy.warning
    assert copy.path.read_text() == "ООО Ромашка"


def test_html_text_drops_tags_scripts_and_styles():
    html = "<html><head><style>p{}</style></head><body><h1>Title</h1><p>a &amp; b</p></body></html>"
    assert html_to_text(html) == "Title\na & b"


def test_pdf_text_is_extracted(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "registry.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, "Registry extract Jingdiao Machine Tools")
    pdf.save()
    assert guess_mime(path) == "application/pdf"
    assert "Jingdiao" in extract_text(path, mime="application/pdf")


def test_cp1251_text_is_decoded(tmp_path):
    path = tmp_path / "decl.csv"
    path.write_bytes("номер;описание\n1;СТАНОК ТОКАРНЫЙ С ЧПУ\n".encode("cp1251"))
    assert "СТАНОК ТОКАРНЫЙ" in extract_text(path, mime=guess_mime(path))
