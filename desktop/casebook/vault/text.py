"""Text of evidence files for search: PDF (pypdf), plain text, CSV and HTML (tags stripped).

Nothing here fetches anything: HTML is parsed as text, its links and images are ignored.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from casebook.core.errors import Cancelled

MAX_CHARS = 2_000_000
SNIFF = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF8": "image/gif",
    b"PK\x03\x04": "application/zip",
}
TEXT_TYPES = {"text/plain", "text/csv", "text/tab-separated-values", "text/markdown"}
HTML_TYPES = {"text/html", "application/xhtml+xml"}


def guess_mime(path: Path, name: str | None = None) -> str:
    """The file's type from its first bytes, else from its name (``name``, else the path's)."""
    with open(path, "rb") as handle:
        head = handle.read(512)
    for magic, mime in SNIFF.items():
        if head.startswith(magic):
            return mime
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "text/html"
    guessed, _ = mimetypes.guess_type(name or path.name)
    return guessed or "application/octet-stream"


def is_html(mime: str | None) -> bool:
    """True for HTML captures, which must never be opened in a browser as they are."""
    return mime in HTML_TYPES


def extract_text(path: Path, *, mime: str, cancelled: Callable[[], bool] | None = None) -> str:
    """Searchable text of a file ("" for images and unknown types), at most 2 million chars."""
    if mime == "application/pdf":
        text = _pdf_text(path, cancelled)
    elif mime in HTML_TYPES:
        text = html_to_text(decode(path.read_bytes()))
    elif mime in TEXT_TYPES or mime.startswith("text/"):
        text = decode(path.read_bytes())
    else:
        text = ""
    return text[:MAX_CHARS]


def decode(data: bytes) -> str:
    """Bytes as text: UTF-8 when valid, else the detected encoding (cp1251 is common)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    return data.decode(best.encoding if best else "cp1251", errors="replace")


def preview(path: Path, *, mime: str, chars: int) -> str:
    """The start of a file's text to show beside its record: a PDF's first page, an HTML
    capture's visible text, else the first ``chars`` characters of the file as text."""
    if mime == "application/pdf":
        return _pdf_text(path, None, first_page_only=True)[:chars]
    with open(path, "rb") as handle:
        text = decode(handle.read(chars * 4))
    return (html_to_text(text) if is_html(mime) else text)[:chars]


def _pdf_text(
    path: Path, cancelled: Callable[[], bool] | None, *, first_page_only: bool = False
) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError

    try:
        reader = PdfReader(path)
        pages = []
        for page in reader.pages:
            if cancelled is not None and cancelled():
                raise Cancelled("cancelled while reading the PDF")
            pages.append(page.extract_text() or "")
            if first_page_only or sum(map(len, pages)) > MAX_CHARS:
                break
    except (PdfReadError, DependencyError, ValueError, KeyError, OSError):
        # damaged, or encrypted (AES needs a library Casebook does not ship): still evidence,
        # just neither searchable nor previewed
        return ""
    return "\n".join(pages)


class _TextOnly(HTMLParser):
    SKIP = {"script", "style", "noscript", "template", "head"}
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The visible text of an HTML page; scripts, styles and tags dropped, nothing fetched."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)
