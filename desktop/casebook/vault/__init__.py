"""The evidence vault: content-addressed, read-only blobs, their text, and working copies."""

from __future__ import annotations

from casebook.vault.blobs import StoredBlob, Vault, hash_file
from casebook.vault.copies import WorkingCopy, working_copy
from casebook.vault.text import extract_text, guess_mime, html_to_text, is_html

__all__ = [
    "StoredBlob",
    "Vault",
    "WorkingCopy",
    "extract_text",
    "guess_mime",
    "hash_file",
    "html_to_text",
    "is_html",
    "working_copy",
]
