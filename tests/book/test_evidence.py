"""Evidence: stored once in the vault, graded, linked, audited; the vault is verified."""

from __future__ import annotations

import hashlib
import os

import pytest
from sqlmodel import select

from casebook.core.errors import NotFound, Refused, UsageError
from casebook.store import models as m


@pytest.fixture
def case(book):
    return book.create_case(title="CNC via Turkey", ref="CB-1")


@pytest.fixture
def doc(tmp_path):
    path = tmp_path / "registry-extract.txt"
    path.write_text("ООО «Техностанок», ИНН 7701234567; СТАНОК ТОКАРНЫЙ С ЧПУ", encoding="utf-8")
    return path


@pytest.fixture
def firm(book):
    with book.store.write() as session:
        firm = m.Firm(name="Beijing Jingdiao", native_name="北京精雕科技集团有限公司")
        session.add(firm)
    return firm


def _actions(book) -> list[str]:
    with book.store.read() as session:
        return list(session.exec(select(m.AuditEvent.action).order_by(m.AuditEvent.id)))


def test_added_evidence_records_hash_size_name_and_grade(book, case, doc):
    e = book.add_evidence(doc, case_ref="CB-1", grade="B2", url="https://example.org/x").evidence
    assert e["sha256"] == hashlib.sha256(doc.read_bytes()).hexdigest()
    assert (e["size"], e["original_name"], e["id"]) == (doc.stat().st_size, doc.name, "E1")
    assert (e["grade"], e["url"]) == ("B2", "https://example.org/x")


def test_same_content_twice_is_one_item_and_one_blob(book, case, doc, tmp_path):
    copy = tmp_path / "renamed.txt"
    copy.write_bytes(doc.read_bytes())
    first = book.add_evidence(doc, case_ref="CB-1").evidence
    again = book.add_evidence(copy, case_ref="CB-1")
    assert again.existing and again.evidence["uid"] == first["uid"]
    assert list(book.vault.blobs()) == [first["sha256"]]
    assert len(book.list_evidence(case_ref="CB-1")) == 1


def test_same_content_again_links_the_existing_item(book, case, doc, firm):
    book.add_evidence(doc, case_ref="CB-1")
    again = book.add_evidence(doc, case_ref="CB-1", links=[("firm", firm.uid)])
    assert again.links_added == 1
    assert [link["uid"] for link in book.list_evidence(case_ref="CB-1")[0]["links"]] == [firm.uid]


def test_same_content_in_two_cases_shares_one_blob(book, case, doc):
    book.create_case(title="Other", ref="CB-2")
    a = book.add_evidence(doc, case_ref="CB-1").evidence
    b = book.add_evidence(doc, case_ref="CB-2").evidence
    assert a["uid"] != b["uid"] and list(book.vault.blobs()) == [a["sha256"]]


def test_vault_file_is_read_only_and_holds_the_original_bytes(book, case, doc):
    e = book.add_evidence(doc, case_ref="CB-1").evidence
    blob = book.vault.path_of(e["sha256"])
    assert blob.read_bytes() == doc.read_bytes()
    assert not blob.stat().st_mode & 0o222


def test_evidence_json_has_the_design_shape(book, case, doc):
    data = book.add_evidence(doc, case_ref="CB-1", grade="c3").json()
    assert list(data) == [
        "uid",
        "id",
        "sha256",
        "title",
        "kind",
        "grade",
        "size",
        "original_name",
        "added",
        "existing",
        "links_added",
    ]
    assert (data["id"], data["grade"], data["kind"]) == ("E1", "C3", "document")


def test_numbers_count_up_within_a_case(book, case, doc, tmp_path):
    other = tmp_path / "b.txt"
    other.write_text("another")
    book.add_evidence(doc, case_ref="CB-1")
    assert book.add_evidence(other, case_ref="CB-1").evidence["id"] == "E2"


def test_bad_grade_is_a_usage_error_and_stores_nothing(book, case, doc):
    with pytest.raises(UsageError):
        book.add_evidence(doc, case_ref="CB-1", grade="G9")
    assert list(book.vault.blobs()) == []


def test_extracted_text_is_stored_for_search(book, case, doc):
    e = book.add_evidence(doc, case_ref="CB-1").evidence
    with book.store.read() as session:
        text = session.exec(select(m.Evidence.text).where(m.Evidence.uid == e["uid"])).one()
    assert "СТАНОК ТОКАРНЫЙ" in text and e["mime"] == "text/plain"


def test_link_and_unlink_are_audited(book, case, doc, firm):
    e = book.add_evidence(doc, case_ref="CB-1").evidence
    book.link_evidence(e["uid"], "firm", firm.uid, note="shows the INN")
    book.unlink_evidence(e["uid"], "firm", firm.uid)
    assert _actions(book)[-3:] == ["evidence.add", "evidence.link", "evidence.unlink"]
    assert book.show_evidence(e["uid"])["links"] == []


def test_link_to_unknown_firm_is_not_found(book, case, doc):
    e = book.add_evidence(doc, case_ref="CB-1").evidence
    with pytest.raises(NotFound):
        book.link_evidence(e["uid"], "firm", "nope")


def test_evidence_cannot_support_a_record_of_another_case(book, case, doc):
    book.create_case(title="Other", ref="CB-2")
    e = book.add_evidence(doc, case_ref="CB-1").evidence
    with pytest.raises(Refused):
        book.link_evidence(e["uid"], "case", "CB-2")


def test_edit_changes_grade_and_is_audited(book, case, doc):
    e = book.add_evidence(doc, case_ref="CB-1", grade="B2").evidence
    edited = book.edit_evidence(e["uid"], grade="A1", notes="confirmed by registry")
    assert (edited["grade"], edited["notes"]) == ("A1", "confirmed by registry")
    assert _actions(book)[-1] == "evidence.edit"


def test_delete_removes_record_links_and_unused_blob(book, case, doc, firm):
    e = book.add_evidence(doc, case_ref="CB-1", links=[("firm", firm.uid)]).evidence
    book.delete_evidence(e["uid"])
    assert book.list_evidence(case_ref="CB-1") == [] and list(book.vault.blobs()) == []
    assert _actions(book)[-1] == "evidence.delete"


def test_open_gives_a_working_copy_not_the_vault_file(book, case, doc):
    e = book.add_evidence(doc, case_ref="CB-1").evidence
    copy = book.open_evidence(e["uid"])
    assert copy.path != book.vault.path_of(e["sha256"])
    assert copy.path.read_bytes() == doc.read_bytes()


@pytest.mark.sqlite_only(
    "edits files in the vault folder; tests/store/test_server_vault.py checks the server"
)
def test_verify_rehashes_blobs_and_reports_tampering(book, case, doc):
    e = book.add_evidence(doc, case_ref="CB-1").evidence
    blob = book.vault.path_of(e["sha256"])
    blob.chmod(0o644)
    blob.write_bytes(b"altered")
    report = book.verify()
    assert not report["ok"] and report["checked"]["blobs"] == 1
    assert any(
        p["kind"] == "vault" and "content changed" in p["detail"] for p in report["problems"]
    )


def test_verify_reports_missing_and_extra_blobs(book, case, doc, tmp_path):
    e = book.add_evidence(doc, case_ref="CB-1").evidence
    stray = tmp_path / "stray.txt"
    stray.write_text("not evidence")
    extra = book.vault.put(stray).sha256
    book.vault.remove(e["sha256"])
    details = " ".join(p["detail"] for p in book.verify()["problems"])
    assert "missing from the vault" in details and f"{extra} is in the vault but no" in details


def test_verify_is_clean_for_intact_evidence(book, case, doc):
    book.add_evidence(doc, case_ref="CB-1", grade="B2")
    assert book.verify()["ok"]


# --- issue #24: a partner's files are hostile until proven otherwise --------------------------


@pytest.mark.parametrize("declared", ["text/plain", "image/gif"])
def test_a_web_capture_opens_as_text_whatever_mime_its_record_declares(
    book, case, tmp_path, declared
):
    """Finding 5: a bundle may declare ``mime: text/plain`` for an ``.html`` blob."""
    page = tmp_path / "capture.html"
    page.write_bytes(
        'GIF89a<html><img src="http://203.0.113.5/x.gif"><p>ООО Ромашка</p></html>'.encode()
    )
    e = book.add_evidence(page, case_ref="CB-1").evidence
    with book.store.write() as session:
        row = session.exec(select(m.Evidence).where(m.Evidence.uid == e["uid"])).one()
        row.mime = declared
        session.add(row)
    copy = book.open_evidence(e["uid"])
    assert copy.path.name == "capture.html.txt" and copy.warning
    assert "ООО Ромашка" in copy.path.read_text(encoding="utf-8")
    assert "<img" not in copy.path.read_text(encoding="utf-8")


def test_a_symbolic_link_is_refused_and_nothing_is_stored(book, case, tmp_path):
    """Finding 6: ``registry.pdf -> ~/.ssh/id_rsa`` from a partner's zip."""
    secret = tmp_path / "id_rsa"
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY-----")
    link = tmp_path / "registry.pdf"
    link.symlink_to(secret)
    with pytest.raises(Refused, match="symbolic link"):
        book.add_evidence(link, case_ref="CB-1")
    assert list(book.vault.blobs()) == [] and book.list_evidence(case_ref="CB-1") == []


def test_a_link_followed_knowingly_records_its_target_in_the_notes(book, case, tmp_path, doc):
    link = tmp_path / "latest-extract.txt"
    link.symlink_to(doc)
    e = book.add_evidence(
        link, case_ref="CB-1", notes="From the shared drive.", follow_symlinks=True
    )
    assert e.evidence["sha256"] == hashlib.sha256(doc.read_bytes()).hexdigest()
    assert e.evidence["notes"].startswith("From the shared drive.")
    assert f"{link} -> {doc.resolve()}" in e.evidence["notes"]


def test_a_fifo_is_refused_without_waiting_for_a_writer(book, case, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(Refused, match="FIFO"):
        book.add_evidence(fifo, case_ref="CB-1")


@pytest.mark.sqlite_only(
    "edits files in the vault folder; tests/store/test_server_vault.py checks the server"
)
def test_verify_repair_removes_orphan_blobs_and_leftovers_and_audits_it(book, case, doc, tmp_path):
    """Finding 9: an interrupted open-bundle left a blob no record names (verify failed for
    good), an older version's interrupted add left ``vault/.incoming-*``."""
    kept = book.add_evidence(doc, case_ref="CB-1").evidence["sha256"]
    other = tmp_path / "other.txt"
    other.write_text("a blob whose record was never committed")
    orphan = book.vault.put(other).sha256
    leftover = book.vault.root / ".incoming-k2j3h4"
    leftover.write_bytes(b"\0" * 1000)
    report = book.verify()
    assert {p["ref"] for p in report["problems"]} == {orphan, str(leftover)}
    removed = book.repair_vault()
    assert removed == {"blobs": [orphan], "leftovers": [str(leftover)]}
    assert book.verify()["ok"] and list(book.vault.blobs()) == [kept]
    assert _actions(book)[-1] == "vault.repair"


def _pdf(path, *pages: str):
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    for text in pages:
        pdf.drawString(72, 720, text)
        pdf.showPage()
    pdf.save()
    return path


def test_a_pdf_previews_its_first_page_as_text(book, case, tmp_path):
    path = _pdf(tmp_path / "registry.pdf", "Registry extract Jingdiao", "Second page")
    e = book.add_evidence(path, case_ref="CB-1").evidence
    preview = book.evidence_preview(e["uid"])
    assert preview["kind"] == "pdf" and "Registry extract Jingdiao" in preview["text"]
    assert "Second page" not in preview["text"]


def test_a_damaged_pdf_previews_as_no_text_instead_of_failing(book, case, tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n(truncated by the mail gateway")
    e = book.add_evidence(path, case_ref="CB-1").evidence
    assert book.evidence_preview(e["uid"]) == {"kind": "pdf", "text": ""}


def test_text_html_and_images_preview_from_the_vault(book, case, doc, tmp_path):
    text = book.add_evidence(doc, case_ref="CB-1").evidence
    start = doc.read_text(encoding="utf-8")[:13]
    assert book.evidence_preview(text["uid"], chars=13) == {"kind": "text", "text": start}
    page = tmp_path / "capture.html"
    page.write_text("<html><script>track()</script><p>ТОО Станок</p></html>", encoding="utf-8")
    html = book.add_evidence(page, case_ref="CB-1").evidence
    assert book.evidence_preview(html["uid"]) == {"kind": "text", "text": "ТОО Станок"}
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(64)))
    image = book.add_evidence(png, case_ref="CB-1").evidence
    assert book.evidence_preview(image["uid"]) == {"kind": "image", "data": png.read_bytes()}


def test_no_preview_says_why(book, case, doc, tmp_path):
    archive = tmp_path / "bundle.zip"
    archive.write_bytes(b"PK\x03\x04" + bytes(32))
    zipped = book.add_evidence(archive, case_ref="CB-1").evidence
    assert book.evidence_preview(zipped["uid"]) == {
        "kind": None,
        "text": "No preview for application/zip; use Open",
    }
    e = book.add_evidence(doc, case_ref="CB-1").evidence
    book.vault.remove(e["sha256"])
    assert book.evidence_preview(e["uid"]) == {
        "kind": None,
        "text": "E2: the file is missing from the vault",
    }
    with pytest.raises(NotFound):
        book.evidence_preview("nope")
