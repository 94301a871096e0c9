"""Working copies: what "Open" hands to other programs, never the vault file itself."""

from __future__ import annotations

import re
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from casebook.vault.text import decode, html_to_text, is_html

SAFE_NAME = re.compile(r"[^\w.\- ]+")
HTML_WARNING = (
    "This is a web capture. It opens as plain text so that nothing is fetched from the "
    "internet; the original HTML is kept unaltered in the vault."
)


@dataclass(frozen=True)
class WorkingCopy:
    """A writable copy in a temporary folder, and a warning to show, if any."""

    path: Path
    warning: str | None = None


def working_copy(
    blob: Path, *, name: str, mime: str | None, folder: Path | None = None
) -> WorkingCopy:
    """Copy a blob to a fresh temporary folder; HTML becomes a ``.txt`` of its visible text."""
    target_dir = Path(tempfile.mkdtemp(prefix="casebook-open-", dir=folder))
    safe = SAFE_NAME.sub("_", Path(name or blob.name).name).strip() or "evidence"
    if is_html(mime):
        target = target_dir / f"{safe}.txt"
        target.write_text(html_to_text(decode(blob.read_bytes())), encoding="utf-8")
        return WorkingCopy(target, HTML_WARNING)
    target = target_dir / safe
    shutil.copyfile(blob, target)
    target.chmod(stat.S_IRUSR | stat.S_IWUSR)
    return WorkingCopy(target)
