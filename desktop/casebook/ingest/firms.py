"""Firm resolution: the parties named in shipments become firms, each spelling an alias.

Rules, in order: the same validated identifier is the same firm. Otherwise the same name key in
the same country is the same firm, unless both carry identifiers of one scheme that differ
(then never). Near matches found through a blocking index (sorted neighbourhoods of the name
keys, never all pairs) become merge suggestions, not merges. Pure logic: the caller supplies
what the store already knows as ``FirmRef``s and writes the outcome.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from casebook.core.names import name_key

NEIGHBOURS = 6  # sorted-neighbourhood window on each side
SUGGEST_AT = 0.9  # rapidfuzz ratio (0–1) from which a near match is suggested
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Party:
    """A firm as one shipment row names it: spelling, country and an optional identifier."""

    name: str
    country: str | None = None
    scheme: str | None = None
    ident: str | None = None
    key: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", party_key(self.name))


@lru_cache(maxsize=1 << 16)
def party_key(name: str) -> str:
    """The matching key of a spelling (its case-folded self when ``name_key`` leaves nothing).
    Cached: an import keys each distinct name twice (a firm's country, then resolution)."""
    return name_key(name) or " ".join(name.casefold().split())


@dataclass(eq=False)
class FirmRef:
    """A firm during resolution: one already stored (``id``) or one this import creates."""

    id: int | None = None
    country: str | None = None
    identifiers: dict[str, str] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)
    names: Counter = field(default_factory=Counter)
    new_identifiers: dict[str, str] = field(default_factory=dict)  # added to a stored firm
    address: str | None = None

    @property
    def is_new(self) -> bool:
        return self.id is None

    def conflicts(self, scheme: str, ident: str) -> bool:
        """True when the firm holds another identifier of this scheme."""
        held = self.identifiers.get(scheme)
        return held is not None and held != ident

    def clashes_with(self, other: FirmRef) -> bool:
        """True when the two firms hold different identifiers of one scheme."""
        return any(other.conflicts(s, v) for s, v in self.identifiers.items())

    def display_name(self) -> str:
        """The most frequent spelling (ties: the first seen)."""
        return self.names.most_common(1)[0][0]

    def native_name(self) -> str | None:
        """The most frequent spelling in a non-Latin script, when the display name is Latin."""
        native = [n for n, _ in self.names.most_common() if not _latin(n)]
        return native[0] if native and native[0] != self.display_name() else None


def _latin(text: str) -> bool:
    return all(
        not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in text if not ch.isascii()
    )


@dataclass
class Suggestion:
    a: FirmRef
    b: FirmRef
    score: float
    reason: str


@dataclass
class Resolution:
    """Which firm each party is, the firms to create, and the merge suggestions."""

    firm_of: dict[Party, FirmRef]
    created: list[FirmRef]
    matched: list[FirmRef]
    suggestions: list[Suggestion]


class Resolver:
    """Assign parties to firms; ``known`` are stored firms that share an identifier or a key."""

    def __init__(self, known: Iterable[FirmRef] = ()):
        self.by_ident: dict[tuple[str, str], FirmRef] = {}
        self.by_key: dict[tuple[str, str | None], list[FirmRef]] = {}
        self.homeless: dict[tuple[str, str | None], FirmRef] = {}
        self.created: list[FirmRef] = []
        self.suggestions: list[Suggestion] = []
        for firm in known:
            self._index(firm)

    def _index(self, firm: FirmRef) -> None:
        for scheme, value in firm.identifiers.items():
            self.by_ident.setdefault((scheme, value), firm)
        for key in firm.keys:
            self._add_key(key, firm.country, firm)

    def _add_key(self, key: str, country: str | None, firm: FirmRef) -> None:
        firms = self.by_key.setdefault((key, country), [])
        if firm not in firms:
            firms.append(firm)

    def resolve(self, parties: dict[Party, int]) -> Resolution:
        """Resolve parties (with their row counts): identified ones first, then by name."""
        firm_of: dict[Party, FirmRef] = {}
        ordered = sorted(parties, key=lambda p: (p.ident is None, p.key, p.name, p.country or ""))
        for party in ordered:
            firm = self._identified(party) if party.ident else self._named(party)
            firm.names[party.name] += parties[party]
            firm.keys.add(party.key)
            self._add_key(party.key, party.country, firm)
            firm_of[party] = firm
        matched = list({id(f): f for f in firm_of.values() if not f.is_new}.values())
        return Resolution(firm_of, self.created, matched, self.suggestions)

    def _identified(self, party: Party) -> FirmRef:
        found = self.by_ident.get((party.scheme, party.ident))
        if found is None:
            fits = [
                f
                for f in self.by_key.get((party.key, party.country), [])
                if not f.conflicts(party.scheme, party.ident)
            ]
            found = min(fits, key=_age) if fits else self._new(party)
            if party.scheme not in found.identifiers:
                found.identifiers[party.scheme] = party.ident
                if not found.is_new:
                    found.new_identifiers[party.scheme] = party.ident
            self.by_ident[(party.scheme, party.ident)] = found
        return found

    def _named(self, party: Party) -> FirmRef:
        place = (party.key, party.country)
        if place in self.homeless:
            return self.homeless[place]
        firms = self.by_key.get(place, [])
        if len(firms) == 1:
            return firms[0]
        firm = self._new(party)
        if firms:  # several firms share the name but differ in identifiers: do not guess
            self.homeless[place] = firm
            for other in firms:
                reason = "same name as a firm with its own identifier; which one is unknown"
                self.suggestions.append(Suggestion(firm, other, 1.0, reason))
        return firm

    def _new(self, party: Party) -> FirmRef:
        firm = FirmRef(country=party.country)
        self.created.append(firm)
        return firm


def _age(firm: FirmRef) -> tuple[int, int]:
    return (0, firm.id) if firm.id is not None else (1, 0)


def resolve_parties(parties: dict[Party, int], known: Iterable[FirmRef] = ()) -> Resolution:
    """Resolve the parties of one import against the stored firms that may be the same."""
    return Resolver(known).resolve(parties)


# --- near matches -----------------------------------------------------------------------------


def near_matches(
    new: list[FirmRef], others: Iterable[tuple[str, FirmRef]], *, already: list[Suggestion] = ()
) -> list[Suggestion]:
    """Merge suggestions between new firms and any firm whose key sorts near theirs."""
    from rapidfuzz.fuzz import ratio

    entries = [(key, firm) for firm in new for key in firm.keys] + list(others)
    seen = {_pair(s.a, s.b) for s in already}
    found: list[Suggestion] = []
    for order in (lambda e: e[0], lambda e: " ".join(sorted(e[0].split()))):
        ranked = sorted(entries, key=order)
        for i, (key, firm) in enumerate(ranked):
            if not firm.is_new:
                continue
            for other_key, other in ranked[max(0, i - NEIGHBOURS) : i + NEIGHBOURS + 1]:
                pair = _pair(firm, other)
                if other is firm or pair in seen or firm.clashes_with(other):
                    continue
                score = _score(key, other_key, ratio)
                if score >= SUGGEST_AT:
                    seen.add(pair)
                    found.append(
                        Suggestion(firm, other, score, _reason(key, other_key, firm, other))
                    )
    return found


def _pair(a: FirmRef, b: FirmRef) -> frozenset[int]:
    return frozenset((id(a), id(b)))


def _score(a: str, b: str, ratio) -> float:
    if _DIGITS.findall(a) != _DIGITS.findall(b):
        return 0.0  # "Plant 12" and "Plant 13" are different firms
    sorted_a, sorted_b = " ".join(sorted(a.split())), " ".join(sorted(b.split()))
    return round(max(ratio(a, b), ratio(sorted_a, sorted_b)) / 100, 4)


def _reason(a: str, b: str, first: FirmRef, second: FirmRef) -> str:
    if a == b:
        countries = f"{first.country or 'unknown'} and {second.country or 'unknown'}"
        return f"same name key {a!r} in {countries}"
    return f"similar names {a!r} and {b!r}"
