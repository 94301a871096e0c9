"""The one place that finds packaged resources (fonts, icons, reference data).

Looked up, in order: ``CASEBOOK_RESOURCES`` (tests, odd installs), the copy installed inside the
package (wheel or frozen bundle: ``casebook/_resources``), the checkout's top-level
``resources/`` (editable install).
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@cache
def root() -> Path:
    """The folder that holds fonts/, icons/ and reference/."""
    candidates = []
    if env := os.environ.get("CASEBOOK_RESOURCES"):
        candidates.append(Path(env))
    candidates.append(_HERE / "_resources")
    if frozen := getattr(sys, "_MEIPASS", None):
        candidates.append(Path(frozen) / "casebook" / "_resources")
    candidates.append(_HERE.parent.parent / "resources")
    for path in candidates:
        if (path / "fonts").is_dir():
            return path
    raise FileNotFoundError(
        "Casebook resources not found; looked in " + ", ".join(map(str, candidates))
    )


def path(*parts: str) -> Path:
    """Absolute path of a resource, e.g. ``path("fonts", "DejaVuSans.ttf")``."""
    return root().joinpath(*parts)


def fonts() -> list[Path]:
    """Every font file shipped with the application."""
    return sorted(
        p for p in path("fonts").iterdir() if p.suffix.lower() in {".ttf", ".ttc", ".otf"}
    )


def reference(name: str) -> Path:
    """A reference-data file (CHPL, export-ban codes, hub countries, controller makers)."""
    return path("reference", name)
