"""The evidence vault: content-addressed, read-only blobs, their text, and working copies.

The names below are imported from their modules on first use, so that opening a store (which
sweeps the vault's scratch folder) does not pay for the HTML parser of ``text``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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

#: Each public name -> the module of this package that defines it.
_MODULE_OF = {
    "active_reason": "active",
    "StoredBlob": "blobs",
    "Vault": "blobs",
    "file_kind": "blobs",
    "hash_file": "blobs",
    "open_regular": "blobs",
    "symlink_refused": "blobs",
    "write_refused": "blobs",
    "WorkingCopy": "copies",
    "working_copy": "copies",
    "remove_tree": "scratch",
    "scratch_dir": "scratch",
    "extract_text": "text",
    "guess_mime": "text",
    "html_to_text": "text",
    "is_html": "text",
    "preview": "text",
}

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


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
