"""Active content: files that would fetch or run something when opened as they are.

A browser renders a file named ``.html`` whatever its first bytes say, and a file that starts
``GIF89a`` or ``%PDF-`` can carry a whole page after them; an image tag in it sends the analyst's
address to whoever wrote it. So what opens as text is decided by the content, read whole, and by
the name the copy would get; never by the MIME type a record (or a partner's bundle) declares.
"""

from __future__ import annotations

import re
from pathlib import Path

CHUNK = 1 << 20
OVERLAP = 64  # bytes kept between chunks, so a marker split across two is still seen

#: Markup and script that fetches or runs: HTML and its elements, SVG, XSLT, script URLs, and
#: MIME web archives (MHT) or mails with an HTML part. Matched case-insensitively, also with NUL
#: bytes removed (UTF-16 text).
MARKERS = re.compile(
    rb"<\s*(?:!doctype\s+html|\?xml-stylesheet|html|head|body|script|svg|iframe|frame|frameset"
    rb"|img|image|object|embed|applet|meta|link|base|style|form|video|audio|source|math)[\s/>]"
    rb"|(?:java|vb)script\s*:"
    rb"|content-type\s*:\s*(?:multipart/related|text/html|image/svg|application/xhtml)"
    rb"|content-location\s*:",
    re.IGNORECASE,
)

#: Names a desktop opens with a browser, a script host or a shortcut resolver.
ACTIVE_SUFFIXES = {
    ".htm", ".html", ".xhtml", ".shtml", ".xht", ".svg", ".svgz", ".mht", ".mhtml", ".eml",
    ".xml", ".xsl", ".xslt", ".js", ".mjs", ".vbs", ".vbe", ".wsf", ".hta", ".ps1", ".bat",
    ".cmd", ".sh", ".command", ".url", ".webloc", ".desktop", ".lnk", ".scf", ".library-ms",
    ".jar", ".exe", ".com", ".scr", ".msi", ".swf", ".php", ".py", ".pl", ".rb",
}  # fmt: skip

#: Types recognised by their first bytes, with the suffixes a copy of them may keep.
MAGIC = [
    (b"%PDF-", ".pdf", {".pdf"}),
    (b"\x89PNG\r\n\x1a\n", ".png", {".png"}),
    (b"\xff\xd8\xff", ".jpg", {".jpg", ".jpeg", ".jpe"}),
    (b"GIF8", ".gif", {".gif"}),
    (b"PK\x03\x04", ".zip", {".zip", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"}),
]


def active_reason(path: Path, name: str) -> str | None:
    """Why a file must open as text (``contains HTML or script``, ``a .svg file``), or None."""
    suffix = Path(name).suffix.lower()
    if suffix in ACTIVE_SUFFIXES:
        return f"a {suffix} file"
    if _has_markers(path):
        return "it is or contains web content (HTML, SVG, MHT or script)"
    return None


def safe_suffix(path: Path, name: str) -> str:
    """The suffix a copy of a (not active) file gets: its own, unless its first bytes say it
    is another known type, whose suffix is then added (``scan.pdf`` holding a PNG:
    ``scan.pdf.png``)."""
    with open(path, "rb") as handle:
        head = handle.read(16)
    suffix = Path(name).suffix.lower()
    for magic, proper, allowed in MAGIC:
        if head.startswith(magic):
            return "" if suffix in allowed else proper
    return ""


def _has_markers(path: Path) -> bool:
    with open(path, "rb") as handle:
        tail = b""
        while chunk := handle.read(CHUNK):
            window = tail + chunk
            if MARKERS.search(window) or MARKERS.search(window.replace(b"\x00", b"")):
                return True
            tail = window[-OVERLAP:]
    return False
