"""Issue #24, finding 5: what opens as text is decided by the content and the copy's name,
never by the MIME type a record (or a partner's bundle) declares."""

from __future__ import annotations

import pytest

from casebook.vault import Vault, active_reason, working_copy

BEACON = b'<img src="http://203.0.113.5/beacon.gif">'

HOSTILE = {
    "gif-polyglot-named-html": ("evidence.html", b"GIF89a\x01\x00<html>" + BEACON + b"</html>"),
    "pdf-polyglot-named-html": ("registry.html", b"%PDF-1.4\n%\xe2\xe3\n<html><body>" + BEACON),
    "gif-polyglot-named-gif": ("photo.gif", b"GIF89a\x01\x00\x01\x00" + b"\x00" * 40 + BEACON),
    "html-named-txt": ("notes.txt", b"Notes\n<p>hello</p>" + BEACON),
    "svg": (
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://x/y"/></svg>',
    ),
    "mht": (
        "page.mht",
        b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=b\r\n\r\n--b\r\n"
        b"Content-Location: http://203.0.113.5/\r\n\r\nhello\r\n--b--",
    ),
    "utf16-html-named-pdf": ("scan.pdf", "<html><body>Привет</body></html>".encode("utf-16")),
    "script-url": ("link.txt", b"see javascript:fetch('http://203.0.113.5')"),
    "late-html-in-big-file": ("big.bin", b"\x00" * (3 << 20) + b"<html>" + BEACON),
}


@pytest.fixture
def vault(tmp_path):
    return Vault(tmp_path / "store.files" / "vault")


@pytest.mark.parametrize("name,data", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_content_opens_as_a_txt_copy_with_a_warning(vault, tmp_path, name, data):
    source = tmp_path / "incoming.bin"
    source.write_bytes(data)
    copy = working_copy(vault.put(source).path, name=name, folder=tmp_path)
    assert copy.path.suffix == ".txt", copy.path.name
    assert copy.warning and "plain text" in copy.warning
    assert b"<img" not in copy.path.read_bytes() and b"<svg" not in copy.path.read_bytes()


@pytest.mark.parametrize(
    "name,data,suffix",
    [
        ("registry.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n", ".pdf"),
        ("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, ".png"),  # a PNG named .pdf
        ("invoice.txt", "Счёт № 17: СТАНОК ТОКАРНЫЙ < 5 шт.".encode(), ".txt"),
    ],
)
def test_other_files_keep_their_name_or_gain_their_real_suffix(vault, tmp_path, name, data, suffix):
    source = tmp_path / "incoming.bin"
    source.write_bytes(data)
    copy = working_copy(vault.put(source).path, name=name, folder=tmp_path)
    assert copy.warning is None and copy.path.suffix == suffix
    assert copy.path.name.startswith(name) and copy.path.read_bytes() == data


def test_the_decision_reads_content_not_a_declared_type(tmp_path):
    page = tmp_path / "blob"
    page.write_bytes(b"<!DOCTYPE html><p>x</p>")
    assert active_reason(page, "capture.txt")  # whatever a record calls it
    page.write_bytes(b"plain words")
    assert active_reason(page, "capture.txt") is None
    assert active_reason(page, "capture.html")  # the name a browser would go by
