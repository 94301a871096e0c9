"""Files a command writes: one rule for every output path."""

from __future__ import annotations

from pathlib import Path

from casebook.core.errors import Refused


def output_path(out: str | Path, *, force: bool = False) -> Path:
    """``out`` as a path to write, or Refused: it is a folder, it exists (unless ``force``), or
    its folder does not exist (nothing creates folders the analyst did not ask for)."""
    out = Path(out).expanduser()
    if out.is_dir():
        raise Refused(f"{out} is a folder; give a file name")
    if out.exists() and not force:
        raise Refused(f"{out} exists; use --force to overwrite it")
    if not out.parent.is_dir():
        raise Refused(f"no folder {out.parent}")
    return out
