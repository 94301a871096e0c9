"""Factories for facade tests: firms linked to a case (without the customs import)."""

from __future__ import annotations

import pytest

from casebook.book.cases import find_case
from casebook.core.names import name_key
from casebook.store import models as m


def add_case_firm(
    book,
    *,
    case_ref: str,
    name: str,
    native_name: str | None = None,
    country: str | None = None,
    aliases: tuple[str, ...] = (),
    identifiers: dict[str, str] | None = None,
    role: str = "supplier",
) -> m.Firm:
    """A firm with aliases and identifiers, linked to the case."""
    with book.store.write() as session:
        case = find_case(session, case_ref)
        firm = m.Firm(name=name, native_name=native_name, country=country, name_key=name_key(name))
        session.add(firm)
        session.flush()
        for alias in aliases:
            session.add(m.FirmAlias(firm_id=firm.id, name=alias, name_key=name_key(alias)))
        for scheme, value in (identifiers or {}).items():
            session.add(m.FirmIdentifier(firm_id=firm.id, scheme=scheme, value=value))
        session.add(m.CaseFirm(case_id=case.id, firm_id=firm.id, role=role))
    return firm


@pytest.fixture
def make_firm(book):
    """``make_firm(case_ref=…, name=…, …)`` adds a firm to a case in the open store."""

    def make(**fields) -> m.Firm:
        return add_case_firm(book, **fields)

    return make
