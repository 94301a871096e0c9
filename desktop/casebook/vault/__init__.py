"""The evidence vault: content-addressed, read-only blobs, their text, and working copies."""

from __future__ import annotations

from casebook.vault.active import active_reason
from casebook.vault.blobs import (
    StoredBlob,
    Vault,
    file_kind,
    hash_file,
    open_regular,
    symlink_refused,
    write_refused,
)
from casebook.vault.copies import WorkingCopy, working_copy
from casebook.vault.scratch import remove_tree, scratch_dir
from casebook.vault.text import extract_text, guess_mime, html_to_text, is_html, preview

__all__ = [
    "StoredBlob",
    "Vault",
    "WorkingCopy",
    "active_reason",
    "extract_text",
    "file_kind",
    "guess_mime",
    "hash_file",
    "html_to_text",
    "is_html",
    "open_regular",
    "preview",
    "remove_tree",
    "scratch_dir",
    "symlink_refused",
    "working_copy",
    "write_refused",
]
