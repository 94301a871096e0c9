"""A case as the facade hands it out: plain, frozen data (never a live database row)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CaseInfo:
    """One case. ``id`` is the store's integer key (for callers that pass it back)."""

    id: int
    uid: str
    ref: str
    title: str
    summary: str
    status: str
    priority: str
    marking: str
    created: datetime
    updated: datetime
