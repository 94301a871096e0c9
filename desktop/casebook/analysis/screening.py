"""Screen firms against listed entities: blocked candidates, weighted token scores, identifiers.

Names are compared as the core normalises them (case, quotes, legal forms, Cyrillic/Latin).
Candidates come only from a blocking index (shared tokens, tokens one edit apart, names equal
without spaces); each candidate gets a weighted token score in which words that are common in
the loaded lists ("machine", "tool", "trading", "stanko" …) count less. Identifiers settle a
match (same INN/OGRN/USCC/LEI) or weigh strongly against it (different valid ones).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA

from casebook.core.errors import Cancelled
from casebook.core.identifiers import clean_identifier
from casebook.core.names import name_key
from casebook.ingest.lists.model import ListedRecord

DEFAULT_THRESHOLD = 0.78  # chosen from tests/benchmarks/bench_screening.py
# Identifier schemes whose values name exactly one legal person: equal values settle a match.
CERTAIN_SCHEMES = ("ru_inn", "ru_ogrn", "cn_uscc", "lei", "by_unp", "ua_edrpou", "tr_vkn")
# Schemes whose equal values support a match without settling it (formats vary by country).
SUPPORTING_SCHEMES = ("registration", "tax_id", "ru_kpp")
WEAK_ALIAS_FACTOR = 0.90
COUNTRY_BONUS = 0.03
COUNTRY_PENALTY = 0.05
CONFLICT_PENALTY = 0.35
SUPPORT_BONUS = 0.15
FUZZY_MIN_LEN = 5  # shorter tokens must be equal
TOKEN_SIMILARITY_MIN = 0.80  # normalised edit similarity (a swap is one edit) to count
FUZZY_POWER = 1.0  # 1: a typo costs its share of letters (see the benchmark)
COMMON_SHARE = 0.002  # a token in more of the loaded names than this counts less
# …but only once it is in at least this many names: on a short watch list every word is in a
# large share of the names, and none of them is "common" in the sense that matters.
COMMON_MIN_NAMES = 5
MIN_WEIGHT = 0.05
MAX_POSTING_SHARE = 0.01  # tokens in more names than this do not propose candidates alone
PROGRESS_EVERY = 100


@dataclass
class Candidate:
    """A firm to screen: its key, names, country and identifiers by scheme."""

    key: int
    name: str
    aliases: list[str] = field(default_factory=list)
    country: str | None = None
    identifiers: dict[str, str] = field(default_factory=dict)


@dataclass
class Hit:
    """The best match of one firm with one listed record."""

    firm_key: int
    record_index: int
    score: float
    firm_name: str
    matched_name: str
    reasons: list[str]


@dataclass(frozen=True)
class _Entry:
    """One screenable name of a listed record, normalised."""

    record_index: int
    name: str
    tokens: tuple[str, ...]
    weak: bool
    token_set: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Query:
    """One name of a firm, normalised."""

    name: str
    tokens: tuple[str, ...]
    token_set: frozenset[str] = frozenset()


# Per candidate entry: best similarity of each query token, and of each entry token.
_Matches = tuple[dict[str, float], dict[str, float]]


class ScreeningIndex:
    """Blocking and identifier indexes over the screenable records of some lists."""

    def __init__(self, records: Sequence[ListedRecord]):
        self._records = records
        self._entries: list[_Entry] = list(_entries(records))
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._compact: dict[str, list[int]] = defaultdict(list)
        for number, entry in enumerate(self._entries):
            for token in set(entry.tokens):
                self._postings[token].append(number)
            self._compact["".join(entry.tokens)].append(number)
        self._weights = _TokenWeights(self._postings, total=len(self._entries))
        self._neighbours = _deletion_index(self._postings)
        self._max_posting = max(50, int(MAX_POSTING_SHARE * len(self._entries)))
        self._ids = _identifier_index(records)
        self._similar: dict[str, list[tuple[str, float]]] = {}

    @property
    def size(self) -> int:
        """How many names (of screenable records) the index holds."""
        return len(self._entries)

    def vocabulary(self) -> list[str]:
        """Every token of the indexed names."""
        return list(self._postings)

    def keys(self) -> list[str]:
        """The normalised key of every indexed name."""
        return [" ".join(e.tokens) for e in self._entries]

    def weight(self, token: str) -> float:
        """The weight a (normalised) token gets: 1 when rare, less the more names use it."""
        return self._weights.weight(token)

    def common_tokens(self, *, limit: int = 20) -> list[tuple[str, float]]:
        """The most common tokens of the loaded names with the weight each gets."""
        tokens = sorted(self._postings, key=lambda t: -len(self._postings[t]))[:limit]
        return [(t, round(self._weights.weight(t), 3)) for t in tokens]

    def screen(
        self,
        firms: Iterable[Candidate],
        *,
        threshold: float = DEFAULT_THRESHOLD,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[Hit]:
        """Hits at or above the threshold, the best per (firm, record), by firm then score."""
        firms = list(firms)
        hits: list[Hit] = []
        for done, firm in enumerate(firms, start=1):
            if cancelled is not None and cancelled():
                raise Cancelled("screening cancelled")
            hits.extend(h for h in self.screen_firm(firm) if h.score >= threshold)
            if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(firms)):
                progress(done, len(firms))
        if progress is not None and not firms:
            progress(0, 0)
        return hits

    def screen_firm(self, firm: Candidate) -> list[Hit]:
        """Every candidate hit of one firm (no threshold), best first."""
        best: dict[int, Hit] = {}
        for query in _queries(firm):
            for number, score in self._name_scores(query).items():
                _keep_best(best, self._name_hit(firm, query, self._entries[number], score))
        for record_index, scheme, value in self._identifier_matches(firm):
            best[record_index] = self._identifier_hit(firm, record_index, scheme, value, best)
        for hit in best.values():
            self._adjust(firm, hit)
        return sorted(best.values(), key=lambda h: (-h.score, h.record_index))

    # --- candidates and name scores ---------------------------------------------------------

    def _name_scores(self, query: _Query) -> dict[int, float]:
        """Name scores of the entries the blocking index proposes for one firm name."""
        matched = self._blocked(query)
        for number in self._compact.get("".join(query.tokens), ()):
            matched[number] = None  # equal once spaces are ignored
        scores = {}
        for number, found in matched.items():
            entry = self._entries[number]
            if found is None:
                scores[number] = 1.0
                continue
            self._add_common(query, entry, found)
            scores[number] = self._f1(query, entry, found)
        return scores

    def _blocked(self, query: _Query) -> dict[int, _Matches]:
        """Entries sharing a distinctive token (or one a typo away) with the query."""
        matched: dict[int, _Matches] = {}
        tokens = set(query.tokens)
        if all(len(self._postings.get(t, ())) > self._max_posting for t in tokens):
            # a name of common words only: its rarest word proposes, or it would never match
            rarest = min(tokens, key=lambda t: len(self._postings.get(t, ())))
            for number in self._postings.get(rarest, ()):
                matched[number] = ({rarest: 1.0}, {rarest: 1.0})
        for token in tokens:
            for number in self._compact.get(token, ()):
                entry = self._entries[number]
                found = matched.setdefault(number, ({}, {}))
                found[0][token] = 1.0
                found[1].update(dict.fromkeys(entry.tokens, 1.0))
            for similar, similarity in self._similar_tokens(token):
                posting = self._postings[similar]
                if len(posting) > self._max_posting:
                    continue  # common words alone propose nothing
                for number in posting:
                    query_best, entry_best = matched.setdefault(number, ({}, {}))
                    if similarity > query_best.get(token, 0.0):
                        query_best[token] = similarity
                    if similarity > entry_best.get(similar, 0.0):
                        entry_best[similar] = similarity
        return matched

    def _similar_tokens(self, token: str) -> list[tuple[str, float]]:
        """Indexed tokens equal to the token or a typo away, with their similarity (cached)."""
        cached = self._similar.get(token)
        if cached is None:
            cached = self._similar[token] = _similar_tokens(token, self._postings, self._neighbours)
        return cached

    def _add_common(self, query: _Query, entry: _Entry, found: _Matches) -> None:
        """Count the common words the two names share (they proposed nothing themselves)."""
        for token in query.tokens:
            if token not in found[0] and token in entry.token_set:
                found[0][token] = 1.0
                found[1][token] = 1.0

    def _f1(self, query: _Query, entry: _Entry, found: _Matches) -> float:
        """Weighted token F1: how much of each name's weight the other covers."""
        weight = self._weights.weight
        query_total = sum(weight(t) for t in query.token_set)
        entry_total = sum(weight(t) for t in entry.token_set)
        precision = sum(weight(t) * s for t, s in found[0].items()) / query_total
        recall = sum(weight(t) * s for t, s in found[1].items()) / entry_total
        if precision + recall == 0:
            return 0.0
        return 2 * precision * recall / (precision + recall)

    # --- scores ---------------------------------------------------------------------------

    def _name_hit(self, firm: Candidate, query: _Query, entry: _Entry, score: float) -> Hit:
        """A hit from one firm name against one listed name."""
        reasons = [f"name {score:.2f}: {query.name!r} ~ {entry.name!r}"]
        if entry.weak:
            score *= WEAK_ALIAS_FACTOR
            reasons.append("weak alias (counts less)")
        return Hit(firm.key, entry.record_index, score, query.name, entry.name, reasons)

    def _identifier_matches(self, firm: Candidate):
        """(record index, scheme, value) for each listed record sharing a firm's identifier."""
        for scheme, value in _firm_identifiers(firm).items():
            for record_index in self._ids.get((scheme, value), ()):
                yield record_index, scheme, value

    def _identifier_hit(
        self, firm: Candidate, record_index: int, scheme: str, value: str, best: dict[int, Hit]
    ) -> Hit:
        """A hit carried by a shared identifier: certain, or support for a name match."""
        record = self._records[record_index]
        hit = best.get(record_index) or Hit(firm.key, record_index, 0.0, firm.name, record.name, [])
        if scheme in CERTAIN_SCHEMES:
            score = 1.0
            reason = f"same {scheme} {value} (certain)"
        else:
            score = min(1.0, hit.score + SUPPORT_BONUS) if hit.score else 0.0
            reason = f"same {scheme} {value}"
        return Hit(
            firm.key,
            record_index,
            max(score, hit.score),
            hit.firm_name,
            hit.matched_name,
            [reason, *hit.reasons],
        )

    def _adjust(self, firm: Candidate, hit: Hit) -> None:
        """Country agreement and conflicting identifiers move a name-based score."""
        if hit.score >= 1.0 and any("(certain)" in r for r in hit.reasons):
            return
        record = self._records[hit.record_index]
        for scheme, theirs, ours in _conflicts(firm, record):
            hit.score -= CONFLICT_PENALTY
            hit.reasons.append(f"different {scheme}: firm {ours}, listed {', '.join(theirs)}")
        if firm.country and record.countries:
            if firm.country in record.countries:
                hit.score += COUNTRY_BONUS
                hit.reasons.append(f"same country {firm.country}")
            else:
                hit.score -= COUNTRY_PENALTY
                hit.reasons.append(
                    f"different country: firm {firm.country}, listed {', '.join(record.countries)}"
                )
        hit.score = round(min(1.0, max(0.0, hit.score)), 4)


# --- names -----------------------------------------------------------------------------------


def token_similarity(a: str, b: str) -> float:
    """1 for equal tokens; for long tokens a typo or two apart, their similarity; else 0."""
    if a == b:
        return 1.0
    if min(len(a), len(b)) < FUZZY_MIN_LEN:
        return 0.0
    similarity = OSA.normalized_similarity(a, b)
    return similarity**FUZZY_POWER if similarity >= TOKEN_SIMILARITY_MIN else 0.0


def _similar_tokens(token: str, postings, neighbours) -> list[tuple[str, float]]:
    """Indexed tokens sharing a one-deletion variant with the token, and their similarity."""
    found = {token: 1.0} if token in postings else {}
    if len(token) >= FUZZY_MIN_LEN:
        for variant in _deletions(token):
            for other in neighbours.get(variant, ()):
                if other not in found:
                    similarity = token_similarity(token, other)
                    if similarity:
                        found[other] = similarity
    return list(found.items())


class _TokenWeights:
    """Token weights learned from how many loaded names use each token."""

    def __init__(self, postings: dict[str, list[int]], *, total: int):
        self._counts = {t: len(p) for t, p in postings.items()}
        self._total = max(total, 1)
        self._cache: dict[str, float] = {}

    def weight(self, token: str) -> float:
        """1 for a rare token, falling towards MIN_WEIGHT for the commonest ones."""
        cached = self._cache.get(token)
        if cached is None:
            cached = self._cache[token] = self._compute(token)
        return cached

    def _compute(self, token: str) -> float:
        count = self._counts.get(token, 0)
        share = count / self._total
        if share <= COMMON_SHARE or count < COMMON_MIN_NAMES:
            return 1.0
        rarity = math.log(1 / share) / math.log(1 / COMMON_SHARE)
        return max(MIN_WEIGHT, rarity * rarity)


def _tokens(name: str) -> tuple[str, ...]:
    """A name's normalised tokens."""
    return tuple((name_key(name) or "").split())


def _entries(records: Sequence[ListedRecord]):
    """Screenable names of the records: name and aliases strong, weak aliases weak."""
    for index, record in enumerate(records):
        if not record.screenable:
            continue
        strong = {record.name.casefold(), *(a.casefold() for a in record.aliases)}
        for name in record.names:
            tokens = _tokens(name)
            if tokens:
                weak = name.casefold() not in strong
                yield _Entry(index, name, tokens, weak, frozenset(tokens))


def _queries(firm: Candidate) -> list[_Query]:
    """The firm's name and aliases, normalised, each once."""
    queries: dict[tuple[str, ...], _Query] = {}
    for name in [firm.name, *firm.aliases]:
        tokens = _tokens(name or "")
        if tokens and tokens not in queries:
            queries[tokens] = _Query(name, tokens, frozenset(tokens))
    return list(queries.values())


def _deletions(token: str) -> set[str]:
    """The token with one character deleted, every way."""
    return {token[:i] + token[i + 1 :] for i in range(len(token))} | {token}


def _deletion_index(postings: dict[str, list[int]]) -> dict[str, list[str]]:
    """Deletion variants of every long indexed token -> the tokens (symmetric delete)."""
    index: dict[str, list[str]] = defaultdict(list)
    for token in postings:
        if len(token) >= FUZZY_MIN_LEN:
            for variant in _deletions(token):
                index[variant].append(token)
    return index


def _keep_best(best: dict[int, Hit], hit: Hit) -> None:
    """Keep the higher-scoring hit per record."""
    current = best.get(hit.record_index)
    if current is None or hit.score > current.score:
        best[hit.record_index] = hit


# --- identifiers -----------------------------------------------------------------------------


def _identifier_index(records: Sequence[ListedRecord]) -> dict[tuple[str, str], list[int]]:
    """(scheme, value) -> screenable records carrying it."""
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for number, record in enumerate(records):
        if record.screenable:
            for scheme in (*CERTAIN_SCHEMES, *SUPPORTING_SCHEMES):
                for value in record.identifiers.get(scheme, ()):
                    index[(scheme, value)].append(number)
    return index


def _firm_identifiers(firm: Candidate) -> dict[str, str]:
    """The firm's identifiers in the indexed schemes, cleaned as the core cleans them."""
    cleaned = {}
    for scheme, value in (firm.identifiers or {}).items():
        if scheme in CERTAIN_SCHEMES or scheme in SUPPORTING_SCHEMES:
            clean = clean_identifier(scheme, value)
            if clean:
                cleaned[scheme] = clean
    return cleaned


def _conflicts(firm: Candidate, record: ListedRecord):
    """(scheme, listed values, firm value) where both hold valid, different identifiers."""
    for scheme, ours in _firm_identifiers(firm).items():
        if scheme not in CERTAIN_SCHEMES:
            continue
        theirs = [v for v in record.identifiers.get(scheme, ()) if clean_identifier(scheme, v)]
        if theirs and ours not in theirs:
            yield scheme, theirs, ours
