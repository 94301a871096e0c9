"""Exporters and importers of a cleaned table into firms: resolve, then write firms in bulk.

Each row's party is (name, country, identifier). A firm's country is the one the file gives for
it (an exporter or importer country column). Where the file gives none, one spelling (one name
key) is one firm within the file: its country is the one the file gives for that name elsewhere
when there is exactly one, else the country it most often ships from (exporter: the country of
dispatch) or receives in (importer: destination). A trader shipping from CN, HK, KZ and TR is one
firm, not four; its dispatch countries stay on its shipments. Distinct parties are resolved
once; rows get firm ids through their party codes.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from sqlmodel import Session

from casebook.core.identifiers import SCHEMES
from casebook.core.names import sort_key
from casebook.ingest.firms import (
    FirmRef,
    Party,
    Resolution,
    near_matches,
    party_key,
    resolve_parties,
)
from casebook.store import firms as store
from casebook.store.models import new_uid

ROLES = {"exporter": ("dispatch", "supplier"), "importer": ("destination", "importer")}


class PartyWriter:
    """Resolves a table's parties against the store and writes the new firms and aliases."""

    def __init__(self, session: Session, *, case_id: int, dataset_id: int | None = None):
        self.session = session
        self.case_id = case_id
        self.dataset_id = dataset_id
        self.created = self.matched = self.suggested = 0

    def resolve(self, columns: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Firm ids per row for exporters and importers (-1 where the row names none)."""
        coded = {role: _party_codes(columns, role) for role in ROLES}
        counts: Counter = Counter()
        addresses: dict[Party, str] = {}
        for parties, codes, address in coded.values():
            tally = np.bincount(codes[codes >= 0], minlength=len(parties))
            for party, n in zip(parties, tally.tolist(), strict=True):
                counts[party] += n
            addresses.update(
                {p: a for p, a in zip(parties, address, strict=True) if a and p not in addresses}
            )
        resolution = resolve_parties(dict(counts), self._known(counts))
        self._write(resolution, addresses)
        self._link_roles(coded, resolution)
        return tuple(_firm_ids(parties, codes, resolution) for parties, codes, _ in coded.values())

    def resolve_firms(self, firms: list[tuple[str, str | None, dict[str, str]]]) -> list[int]:
        """Firm ids for (name, country, {scheme: identifier}) as a chart or register names
        them, by the same rules as an import (identifier, else name key and country; near or
        ambiguous matches become suggestions); they join the case without a role."""
        parties = [_party(name, _first(idents), country) for name, country, idents in firms]
        counts = Counter(parties)
        resolution = resolve_parties(dict(counts), self._known(counts))
        for party, (_name, _country, idents) in zip(parties, firms, strict=True):
            firm = resolution.firm_of[party]
            for scheme, value in idents.items():
                if scheme not in firm.identifiers:
                    firm.identifiers[scheme] = value
                    if not firm.is_new:
                        firm.new_identifiers[scheme] = value
        ids = self._write_and_link(resolution, role=None)
        return [ids[p] for p in parties]

    def resolve_named(self, parties: Counter, *, role: str = "other") -> dict[Party, int]:
        """Firm ids of parties named outside shipments (a registry table), by the same rules;
        the firms join the case with ``role`` unless they have one there."""
        return self._write_and_link(resolve_parties(dict(parties), self._known(parties)), role=role)

    def _write_and_link(self, resolution, *, role: str | None) -> dict[Party, int]:
        """Write a resolution's firms and join them to the case with ``role``; their ids."""
        self._write(resolution, {})
        ids = {p: f.id for p, f in resolution.firm_of.items()}
        store.link_case_firms(
            self.session, case_id=self.case_id, roles=dict.fromkeys(ids.values(), role)
        )
        return ids

    def _known(self, parties: Counter) -> list[FirmRef]:
        pairs = [(p.scheme, p.ident) for p in parties if p.ident]
        ids = store.firms_by_identifier(self.session, pairs=pairs)
        ids += store.firms_by_key(self.session, keys={p.key for p in parties})
        live = store.canonical_ids(self.session, ids)
        facts = store.firm_facts(self.session, ids=set(live.values()))
        return [
            FirmRef(
                id=fid,
                country=f["country"],
                identifiers=dict(f["identifiers"]),
                keys=set(f["keys"]),
            )
            for fid, f in sorted(facts.items())
        ]

    def _write(self, resolution: Resolution, addresses: dict[Party, str]) -> None:
        first_address = {}
        for party, firm in resolution.firm_of.items():
            if party in addresses:
                first_address.setdefault(id(firm), addresses[party])
        suggestions = resolution.suggestions + self._near(resolution)
        rows = [
            {
                "uid": new_uid(),
                "name": (name := firm.display_name()),
                "native_name": firm.native_name(),
                "country": firm.country,
                "address": first_address.get(id(firm)),
                "name_key": party_key(name),
                "sort_key": sort_key(name),
            }
            for firm in resolution.created
        ]
        # One batch: a round trip per new firm was most of a server import's firms stage.
        ids = store.insert_firms_with_uids(self.session, rows=rows)
        for firm, row in zip(resolution.created, rows, strict=True):
            firm.id = ids[row["uid"]]
        self.created = len(resolution.created)
        self.matched = len(resolution.matched)
        store.insert_identifiers(self.session, rows=_identifier_rows(resolution))
        store.insert_aliases(
            self.session,
            rows=[(f.id, p.name, p.key, p.country) for p, f in resolution.firm_of.items()],
        )
        self.suggested = store.insert_suggestions(
            self.session,
            case_id=self.case_id,
            dataset_id=self.dataset_id,
            rows=[(s.a.id, s.b.id, s.score, s.reason) for s in suggestions],
        )

    def _near(self, resolution: Resolution) -> list:
        """Near matches between the new firms and every stored firm (identifier clashes left out)."""
        if not resolution.created:
            return []
        known = {f.id: f for f in resolution.matched}
        stored = []
        for fid, key, country in store.all_alias_keys(self.session):
            firm = known.setdefault(fid, FirmRef(id=fid, country=country))
            stored.append((key, firm))
        found = near_matches(resolution.created, stored, already=resolution.suggestions)
        _fill_identifiers(
            self.session, [s.b for s in found if not s.b.is_new and not s.b.identifiers]
        )
        return [s for s in found if not s.a.clashes_with(s.b)]

    def _link_roles(self, coded: dict, resolution: Resolution) -> None:
        roles: dict[int, str] = {}
        for role, (parties, codes, _) in coded.items():
            used = np.unique(codes[codes >= 0]).tolist()
            for code in used:
                roles.setdefault(resolution.firm_of[parties[code]].id, ROLES[role][1])
        store.link_case_firms(self.session, case_id=self.case_id, roles=roles)


def _fill_identifiers(session: Session, firms: list[FirmRef]) -> None:
    facts = store.firm_facts(session, ids=[f.id for f in firms])
    for firm in firms:
        firm.identifiers.update(facts.get(firm.id, {}).get("identifiers", {}))


def _identifier_rows(resolution: Resolution) -> list[tuple[int, str, str]]:
    rows = []
    for firm in resolution.created:
        rows += [(firm.id, s, v) for s, v in firm.identifiers.items()]
    for firm in resolution.matched:
        rows += [(firm.id, s, v) for s, v in firm.new_identifiers.items()]
    return rows


def _party_codes(columns: dict[str, np.ndarray], role: str):
    """Distinct parties of one role, each row's code into them (-1: none), and addresses."""
    names = _codes(columns[role])
    country = _countries(columns, role, names)
    parts = [names, _codes(columns[f"{role}_id"]), _codes(country)]
    combined = np.zeros(len(country), dtype=np.int64)
    for codes, uniques in parts:
        combined = combined * (len(uniques) + 1) + codes + 1
    present = (parts[0][0] >= 0) | (parts[1][0] >= 0)
    _, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    parties: list[Party] = []
    slot = np.full(len(first), -1, dtype=np.int64)
    addresses = columns[f"{role}_address"]
    party_address: list[str | None] = []
    for n, row in enumerate(first.tolist()):
        if not present[row]:
            continue
        ident = columns[f"{role}_id"][row]
        parties.append(_party(columns[role][row], ident, country[row]))
        party_address.append(addresses[row])
        slot[n] = len(parties) - 1
    return parties, slot[inverse], party_address


def _countries(columns: dict[str, np.ndarray], role: str, names: tuple) -> np.ndarray:
    """Each row's party country: the file's own for the row, else the one of its name key (see
    the module docstring), else (no name) the row's dispatch or destination. ``names``: the
    role's names as ``_codes``."""
    country = columns[f"{role}_country"].copy()
    empty = np.equal(country, None)
    if not empty.any():
        return country
    fallback = columns[ROLES[role][0]]
    key = _key_codes(*names)
    inferred = np.full(int(key.max(initial=-1)) + 1, None, dtype=object)
    for source, rows in ((country, ~empty), (fallback, empty)):
        seen = rows & (key >= 0) & ~np.equal(source, None)
        keys, values = _most_common(key[seen], source[seen], only=source is country)
        open_ = np.equal(inferred[keys], None)
        inferred[keys[open_]] = values[open_]
    named = empty & (key >= 0)
    country[named] = inferred[key[named]]
    still = empty & np.equal(country, None)
    country[still] = fallback[still]
    return country


def _key_codes(codes: np.ndarray, uniques: np.ndarray) -> np.ndarray:
    """Each row's name key as a code (-1: no name); the key computed once per distinct name."""
    import pandas as pd

    keys, _ = pd.factorize(np.array([party_key(n) for n in uniques], dtype=object))
    return np.append(keys, -1).astype(np.int64)[codes]


def _most_common(keys: np.ndarray, values: np.ndarray, *, only: bool) -> tuple[np.ndarray, ...]:
    """Key codes and the value each takes: with ``only``, the keys with a single value (a key
    the file gives two countries takes none); else every key's most frequent value (ties: the
    first in alphabetical order)."""
    import pandas as pd

    codes, uniques = pd.factorize(values, sort=True)
    width = max(len(uniques), 1)
    pairs, counts = np.unique(keys * width + codes, return_counts=True)
    key, value = np.divmod(pairs, width)
    if only:
        single = np.isin(key, np.flatnonzero(np.bincount(key) == 1))
        key, value = key[single], value[single]
    else:
        order = np.lexsort((value, -counts, key))
        first = np.unique(key[order], return_index=True)[1]
        key, value = key[order][first], value[order][first]
    return key, np.asarray(uniques, dtype=object)[value]


def _codes(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Factorise an object column (None as -1; identifier tuples as text) with pandas: the
    tuples are joined once per distinct one, and no Python loop runs per row (0.2 -> 0.06 s
    CPU for a column of a million names)."""
    import pandas as pd

    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    distinct = uniques.tolist()
    if any(isinstance(v, tuple) for v in distinct):
        texts = ["\x1f".join(v) if isinstance(v, tuple) else v for v in distinct]
        joined, uniques = pd.factorize(np.array(texts, dtype=object), use_na_sentinel=True)
        codes = np.append(joined, -1)[codes]  # code -1 (no value) picks the trailing -1
    return codes.astype(np.int64), uniques


def _first(idents: dict[str, str]) -> tuple[str, str] | None:
    """The identifier a firm is matched by: the first of its schemes in ``SCHEMES`` order."""
    return next(((s, idents[s]) for s in SCHEMES if s in idents), None)


def named_party(name: str | None, ident: tuple | None, country: str | None) -> Party | None:
    """The party of a firm's name, ``(scheme, identifier)`` and country (None without both)."""
    return _party(name, ident, country)


def _party(name: str | None, ident: tuple | None, country: str | None) -> Party | None:
    if name is None and ident is None:
        return None
    scheme, value = ident if ident else (None, None)
    if name is None:
        name = f"{SCHEMES.get(scheme, scheme)} {value}"
    return Party(name=name, country=country, scheme=scheme, ident=value)


def _firm_ids(parties: list[Party], codes: np.ndarray, resolution: Resolution) -> np.ndarray:
    ids = np.array([resolution.firm_of[p].id for p in parties] + [-1], dtype=np.int64)
    return ids[codes]  # code -1 picks the trailing -1
