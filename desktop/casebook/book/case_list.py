"""Facade section: the list of cases, and the JSON shape of a case.

On its own, apart from ``cases``, so that ``casebook case list`` (and the app's case list)
imports neither the store's models nor the ORM: it reads the case table through
``store.case_list``.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from casebook.core.cases import CaseInfo
from casebook.store import case_list as store

if TYPE_CHECKING:
    from casebook.store import models as m


def iso(value: datetime | None) -> str | None:
    """A timestamp as ISO 8601 UTC with a ``Z``."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def case_json(case: m.Case | CaseInfo) -> dict:
    """The JSON shape of a case (DESIGN.md)."""
    return {
        "uid": case.uid,
        "ref": case.ref,
        "title": case.title,
        "summary": case.summary,
        "status": case.status,
        "priority": case.priority,
        "marking": case.marking,
        "created": iso(case.created),
        "updated": iso(case.updated),
    }


def case_info(case: m.Case | Any) -> CaseInfo:
    """A stored case (a model, or a row of the case table) as the plain record the facade
    returns."""
    return CaseInfo(**{f.name: getattr(case, f.name) for f in dataclasses.fields(CaseInfo)})


class CaseListSection:
    """The cases of the store, newest first."""

    def list_cases(self, *, include_archived: bool = True) -> list[CaseInfo]:
        """Every case, newest first."""
        with self._read() as session:
            return [
                case_info(row)
                for row in store.list_cases(session, include_archived=include_archived)
            ]
