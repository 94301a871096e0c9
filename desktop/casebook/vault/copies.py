"""Working copies: what "Open" hands to other programs, never the vault file itself."""

from __future__ import annotations

import re
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from casebook.vault.active import active_reason, safe_suffix
from casebook.vault.text import decode, html_to_text

SAFE_NAME = re.compile(r"[^\w.\- ]+")
ACTIVE_WARNING = (
    "Opened as plain text: {reason}, which a browser or another program could use to fetch "
    "from the internet (revealing your address) or to run something. The original is kept "
    "unaltered in the vault."
)


@dataclass(frozen=True)
class WorkingCopy:
    """A writable copy in a temporary folder, and a warning to show, if any."""

    path: Path
    warning: str | None = None


def working_copy(blob: Path, *, name: str, folder: Path | None = None) -> WorkingCopy:
    """Copy a blob to a fresh temporary folder. Active content (``active.active_reason``: HTML,
    SVG, MHT, script, whatever the record's MIME type says) becomes a ``.txt`` of its text with
    a warning; anything else keeps its name, plus the suffix its first bytes call for."""
    target_dir = Path(tempfile.mkdtemp(prefix="casebook-open-", dir=folder))
    safe = SAFE_NAME.sub("_", Path(name or blob.name).name).strip(" .") or "evidence"
    reason = active_reason(blob, safe)
    if reason is not None:
        target = target_dir / f"{safe}.txt"
        target.write_text(html_to_text(decode(blob.read_bytes())), encoding="utf-8")
        return WorkingCopy(target, ACTIVE_WARNING.format(reason=reason))
    target = target_dir / f"{safe}{safe_suffix(blob, safe)}"
    shutil.copyfile(blob, target)
    target.chmod(stat.S_IRUSR | stat.S_IWUSR)
    return WorkingCopy(target)
