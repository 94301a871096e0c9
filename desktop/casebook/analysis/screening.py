"""Screen firms against listed entities: blocked candidates, weighted token scores, identifiers.

Names are compared in the core's screening key (``screen_words``: case, quotes, hyphens,
transliteration schemes, loanwords, then legal forms); Chinese names also as pinyin and
Wade–Giles syllables, and Latin names that are nothing but syllables as those syllables.
Candidates come only from a blocking index (shared tokens, tokens one or two edits apart, words
split or joined, names equal without spaces); each candidate gets a weighted token score in
which words that are common in the loaded lists ("machine", "tool", "trading", "stanko" …)
count less. A name that is all of a listed name's first words (a customs field cut at 35–70
characters) or whose words all belong to it scores as a partial match weighted by how
distinctive the kept words are; a name resting on one word that many listed names use
("START", "OPTIMA") needs more than that word. A name that is a listed name plus distinctive
words of its own names another firm; and once a firm is near-certainly one listed name, another
listed name hits too only when it is as close on its own words (not the parent of a subsidiary,
nor a longer name containing a short one). Identifiers settle a match (same
INN/OGRN/USCC/LEI) or weigh strongly against it (different valid ones, also those of a listed
party the firm's identifier has already matched).
"""

from __future__ import annotations

import bisect
import functools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from casebook.core.domain import SCREENING_THRESHOLD
from casebook.core.errors import Cancelled
from casebook.core.identifiers import clean_identifier
from casebook.core.names import (
    LEGAL_FORM_PARTS,
    clean_name,
    is_legal_form_word,
    screen_fold,
    screen_words,
)
from casebook.core.pinyin import romanisations, syllabify
from casebook.ingest.lists.model import ListedRecord

DEFAULT_THRESHOLD = SCREENING_THRESHOLD
# Identifier schemes whose values name exactly one legal person: equal values settle a match.
CERTAIN_SCHEMES = ("ru_inn", "ru_ogrn", "cn_uscc", "lei", "by_unp", "ua_edrpou", "tr_vkn")
# Schemes whose equal values support a match without settling it (formats vary by country).
SUPPORTING_SCHEMES = ("registration", "tax_id", "ru_kpp")
WEAK_ALIAS_FACTOR = 0.90
COUNTRY_BONUS = 0.03
COUNTRY_PENALTY = 0.05
CONFLICT_PENALTY = 0.35
CONFLICT_CAP = 0.70  # different valid identifiers of one scheme: below the default threshold
SUPPORT_BONUS = 0.15
FUZZY_MIN_LEN = 4  # shorter tokens must be equal; longer ones may be one edit apart
TWO_EDITS_MIN_LEN = 8  # …and tokens this long two edits (a swap is one edit)
TOKEN_SIMILARITY_MIN = 0.80  # …and very long ones as many as leave this normalised similarity
SPLIT_MIN_LEN = 6  # a token this long may be two listed words written as one
# Partial names (calibrated on the "tune" half of tests/benchmarks/bench_screening.py). A firm
# name that is a listed name's first words, cut inside a word or not, in a name at least this
# long (customs fields cut names at 35-70 characters):
TRUNCATED_MIN_CHARS = 28
FIELD_WIDTHS = (35, 40, 50, 70)
TRUNCATED_BASE = 0.70  # plus TRUNCATED_PER_WEIGHT for each unit of weight the kept words carry,
TRUNCATED_PER_WEIGHT = 0.15
TRUNCATED_MAX = 0.95  # up to this
TRUNCATED_MIN_WEIGHT = 0.5  # the kept words must weigh this much (half a distinctive word)…
TRUNCATED_WHOLE_WEIGHT = 1.0  # …or, when no word was cut, this much (it may be a short name)
TRUNCATED_RARE_WEIGHT = 0.5  # …of which rare words (not "research and production") this much
CUT_WORD_MIN_LEN = 3  # a word cut shorter than this proposes no candidates
# A firm name whose words all belong to a listed name (some of its words dropped) scores
# CONTAINED_BASE + (1 - CONTAINED_BASE) * the listed name's weight it covers, when its words
# weigh this much and one of them is this rare (not "named after"):
CONTAINED_BASE = 0.66
CONTAINED_MIN_WEIGHT = 1.2
CONTAINED_RARE_WEIGHT = 0.7
# A word other listed names are built on too (START, OPTIMA, RESURS): a match resting on it
# alone, the firm's name saying more or being that word alone, stays below the threshold.
CARRIER_MIN_NAMES = 1  # distinct listed names using the word besides the one compared
CARRIER_CAP = 0.70
CARRIER_REST = 0.5  # …unless the other words shared weigh this much together
DISTINCTIVE_WEIGHT = 0.5  # a token weighing this much is distinctive
# A firm name that is a listed name plus distinctive words of its own (``MOSCOW MECHANICAL PLANT
# OF SPECIAL EQUIPMENT`` ~ ``PLANT OF SPECIAL EQUIPMENT``) names another firm: it stays below
# the threshold when its extra words weigh this much.
EXTRA_WORDS_WEIGHT = 0.9
# When a firm name is near-certainly one listed name on the words alone, another listed name
# must be as close on its own words to hit too; one that only shares most of them (a parent and
# its "Import and Export" subsidiary, a name contained in a longer one) stays below threshold.
NEAR_CERTAIN = 0.95
SECONDARY_CAP = 0.74  # below the threshold even with the same-country bonus
# Without one, a partial match (a cut or contained name) hits only when no other listed name
# scores more than this above it, nor covers more of its own words by more than this: a name
# contained in several listed ones names the closest. A cut name that begins more listed names
# than this (``LIMITED LIABILITY COMPANY NATSIONAL``) says too little to name any of them.
CUT_MAX_NAMES = 15
PARTIAL_MARGIN = 0.05
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
    joined: tuple[str, ...] = ()  # each two neighbouring words written as one, folded
    words: tuple[str, ...] = ()  # the words before folding
    join_set: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Query:
    """One name of a firm, normalised; cut when it may have been cut to a field width."""

    name: str
    tokens: tuple[str, ...]
    token_set: frozenset[str] = frozenset()
    cut: bool = False
    joined: tuple[str, ...] = ()  # each two neighbouring words written as one, folded
    words: tuple[str, ...] = ()  # the words before folding
    join_set: frozenset[str] = frozenset()


# Per candidate entry: best similarity of each query token, and of each entry token.
_Matches = tuple[dict[str, float], dict[str, float]]


class ScreeningIndex:
    """Blocking and identifier indexes over the screenable records of some lists."""

    def __init__(self, records: Sequence[ListedRecord]):
        self._records = records
        self._entries: list[_Entry] = list(_entries(records))
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._compact: dict[str, list[int]] = defaultdict(list)
        self._joins: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        for number, entry in enumerate(self._entries):
            for token in entry.token_set:
                self._postings[token].append(number)
            self._compact["".join(entry.tokens)].append(number)
            for position, joined in enumerate(entry.joined):
                if joined:
                    self._joins[joined].append((number, *entry.tokens[position : position + 2]))
        self._weights = _TokenWeights(self._postings, total=len(self._entries))
        self._weight = {t: self._weights.weight(t) for t in self._postings}  # unknown: 1
        self._totals = [sum(self._weight[t] for t in e.token_set) for e in self._entries]
        self._neighbours = _deletion_index([*self._postings, *self._joins])
        self._shapes = _shape_index([*self._postings, *self._joins])
        self._sorted = sorted(self._postings)
        self._prefixed: dict[str, list[str]] = {}
        self._names_using = Counter(
            t for name in {e.token_set for e in self._entries} for t in name
        )
        self._max_posting = max(50, int(MAX_POSTING_SHARE * len(self._entries)))
        self._ids = _identifier_index(records)
        self._namesakes = _namesake_identifiers(records, self._entries)
        self._similar: dict[str, list[tuple[str, float]]] = {}
        self._splits: dict[str, list[tuple[str, str]]] = {}

    @property
    def size(self) -> int:
        """How many distinct spellings of screenable records' names the index holds (a
        Chinese name counts with its pinyin and Wade–Giles readings)."""
        return len(self._entries)

    def vocabulary(self) -> list[str]:
        """Every token of the indexed names."""
        return list(self._postings)

    def keys(self) -> list[str]:
        """The screening key of every indexed spelling."""
        return [" ".join(e.tokens) for e in self._entries]

    def weight(self, word: str) -> float:
        """The weight a word gets (folded as screening folds it): 1 when rare, less the more
        names use it."""
        return self._weights.weight(screen_fold(word.casefold()))

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
        strongest: dict[int, tuple[float, _Query, _Entry]] = {}  # per record
        own: dict[int, float] = {}  # per record: the best score on the words alone
        for query in _queries(firm):
            for number, (score, whole) in self._name_scores(query).items():
                entry = self._entries[number]
                factor = WEAK_ALIAS_FACTOR if entry.weak else 1.0
                score, whole = score * factor, whole * factor
                own[entry.record_index] = max(own.get(entry.record_index, 0.0), whole)
                current = strongest.get(entry.record_index)
                if current is None or score > current[0]:
                    strongest[entry.record_index] = (score, query, entry)
        if own:
            self._cap_secondary(strongest, own)
        best = {
            index: self._name_hit(firm, query, entry, score)
            for index, (score, query, entry) in strongest.items()
        }
        known = {scheme: {value} for scheme, value in _firm_identifiers(firm).items()}
        for record_index, scheme, value in self._identifier_matches(firm):
            best[record_index] = self._identifier_hit(firm, record_index, scheme, value, best)
            if scheme in CERTAIN_SCHEMES:  # the firm is that party: its identifiers are ours
                for other in CERTAIN_SCHEMES:
                    values = self._records[record_index].identifiers.get(other, ())
                    known.setdefault(other, set()).update(v for v in values if v)
        for hit in best.values():
            self._adjust(firm, hit, known)
        return sorted(best.values(), key=lambda h: (-h.score, h.record_index))

    def _cap_secondary(
        self,
        strongest: dict[int, tuple[float, _Query, _Entry]],
        own: dict[int, float],
    ) -> None:
        """Cap the hits that are second to a near-certain one (not as close on their own
        words), and the partial ones (cut, contained) but the firm's best: of those scoring
        alike, the ones its name covers most of (``UNITED SHIPBUIL`` is United Shipbuilding
        Corporation more than each of its shipyards)."""
        near_certain = max(own.values()) >= NEAR_CERTAIN
        best = max(score for score, _, _ in strongest.values())
        partial = [  # contained names (a cut one may be any of the names it begins)
            i for i, (score, query, _) in strongest.items() if score > own[i] and not query.cut
        ]
        closest = [i for i in partial if strongest[i][0] >= best - PARTIAL_MARGIN]
        if closest:
            fullest = max(own[i] for i in closest)
            closest = [i for i in closest if own[i] >= fullest - PARTIAL_MARGIN]
        cuts = [  # the names a cut name begins, when too many to say which
            i
            for i, (score, query, _) in strongest.items()
            if score > own[i] and query.cut and score >= best - PARTIAL_MARGIN
        ]
        for index, (score, query, entry) in strongest.items():
            if near_certain:
                second = own[index] < NEAR_CERTAIN
            else:
                second = (index in partial and index not in closest) or (
                    len(cuts) > CUT_MAX_NAMES and index in cuts
                )
            if second and score > SECONDARY_CAP:
                strongest[index] = (SECONDARY_CAP, query, entry)

    # --- candidates and name scores ---------------------------------------------------------

    def _name_scores(self, query: _Query) -> dict[int, tuple[float, float]]:
        """(score, score on the whole words alone) of the entries the blocking index proposes
        for one firm name."""
        matched, near_common = self._blocked(query)
        for number in self._compact.get("".join(query.tokens), ()):
            matched[number] = None  # equal once spaces are ignored
        scores = {}
        query_total = sum(self._weight.get(t, 1.0) for t in query.token_set)
        for number, found in matched.items():
            if found is None:
                scores[number] = (1.0, 1.0)
                continue
            entry = self._entries[number]
            self._add_common(query, entry, found, near_common)
            scores[number] = self._score(query, query_total, number, found)
        return scores

    def _blocked(self, query: _Query) -> tuple[dict[int, _Matches], list[tuple[str, str, float]]]:
        """Entries sharing a distinctive token (a typo away, split or joined) with the query,
        and the (query token, common token, similarity) of common words a typo away."""
        matched: dict[int, _Matches] = {}
        near_common: list[tuple[str, str, float]] = []

        def credit(number: int, ours: Sequence[str], theirs: Sequence[str], similarity: float):
            query_best, entry_best = matched.setdefault(number, ({}, {}))
            for token in ours:
                if similarity > query_best.get(token, 0.0):
                    query_best[token] = similarity
            for token in theirs:
                if similarity > entry_best.get(token, 0.0):
                    entry_best[token] = similarity

        def propose(similar: str, ours: Sequence[str], similarity: float) -> None:
            posting = self._postings[similar]
            if len(posting) > self._max_posting:  # common words alone propose nothing
                if len(ours) == 1 and similarity < 1.0:
                    near_common.append((ours[0], similar, similarity))
                return
            for number in posting:
                credit(number, ours, (similar,), similarity)

        tokens = query.token_set
        if all(len(self._postings.get(t, ())) > self._max_posting for t in tokens):
            # a name of common words only: its rarest word proposes, or it would never match
            rarest = min(tokens, key=lambda t: len(self._postings.get(t, ())))
            for number in self._postings.get(rarest, ()):
                credit(number, (rarest,), (rarest,), 1.0)
        for token in tokens:
            for similar, similarity in self._similar_tokens(token):
                if similar in self._postings:
                    propose(similar, (token,), similarity)
                for number, a, b in self._joins.get(similar, ()):  # two listed words as one
                    if not (token_similarity(token, a) or token_similarity(token, b)):
                        credit(number, (token,), (a, b), similarity)
            for left, right in self._split(token):
                propose(left, (token,), len(left) / len(token) if right else 1.0)
                if right:
                    propose(right, (token,), len(right) / len(token))
                    for number in set(self._postings[left]) & set(self._postings[right]):
                        credit(number, (token,), (left, right), 1.0)
        for position, joined in enumerate(query.joined):  # one listed word written as two
            for similar, similarity in self._similar_tokens(joined):
                if similar in self._postings:
                    propose(similar, query.tokens[position : position + 2], similarity)
        if query.cut and query.tokens[-1] not in self._postings:  # a word cut short
            last = query.tokens[-1]  # less its last letter: it may be half a digraph (kh)
            for longer in {*self._completions(last), *self._completions(last[:-1])}:
                propose(longer, (), 1.0)
        return matched, near_common

    def _completions(self, start: str) -> list[str]:
        """Indexed tokens starting with a (cut) token of three letters or more (cached)."""
        cached = self._prefixed.get(start)
        if cached is None:
            cached = []
            if len(start) >= CUT_WORD_MIN_LEN:
                position = bisect.bisect_left(self._sorted, start)
                while position < len(self._sorted) and self._sorted[position].startswith(start):
                    cached.append(self._sorted[position])
                    position += 1
            self._prefixed[start] = cached
        return cached

    def _similar_tokens(self, token: str) -> list[tuple[str, float]]:
        """Indexed tokens equal to the token or a typo or two away, with similarity (cached)."""
        cached = self._similar.get(token)
        if cached is None:
            known = token in self._postings or token in self._joins
            found = {token: 1.0} if known else {}
            if len(token) >= FUZZY_MIN_LEN:
                for variant in _deletions(token):
                    for other in self._neighbours.get(variant, ()):
                        if other not in found:
                            similarity = token_similarity(token, other)
                            if similarity:
                                found[other] = similarity
            if len(token) >= TWO_EDITS_MIN_LEN and not found:  # none a typo away: two?
                for other in self._two_edits(token):
                    if other not in found:
                        found[other] = token_similarity(token, other)
            cached = self._similar[token] = [(t, s) for t, s in found.items() if s]
        return cached

    def _two_edits(self, token: str) -> set[str]:
        """Indexed tokens two edits from the token, among those of about its length that share
        its first or its last letter (two typos rarely hit both)."""
        found: set[str] = set()
        for length in range(len(token) - 2, len(token) + 3):
            for shape in ((length, token[0], 0), (length, token[-1], -1)):
                choices = self._shapes.get(shape)
                if choices:
                    found.update(
                        m[0]
                        for m in process.extract(
                            token, choices, scorer=OSA.distance, score_cutoff=2, limit=None
                        )
                    )
        return found

    def _split(self, token: str) -> list[tuple[str, str]]:
        """(left, right) listed words an unknown token may be written from; right is empty
        when what follows the left word is a legal form (``freightoy``: freight + Oy)."""
        cached = self._splits.get(token)
        if cached is None:
            cached = []
            if len(token) >= SPLIT_MIN_LEN and token.isascii() and token not in self._postings:
                for cut in range(3, len(token) - 1):
                    left, right = token[:cut], token[cut:]
                    if left not in self._postings:
                        continue
                    if is_legal_form_word(right):
                        cached.append((left, ""))
                    elif len(right) >= 3 and right in self._postings:
                        cached.append((left, right))
            self._splits[token] = cached
        return cached

    def _add_common(
        self,
        query: _Query,
        entry: _Entry,
        found: _Matches,
        near_common: list[tuple[str, str, float]],
    ) -> None:
        """Count the common words the two names share (they proposed nothing themselves),
        also a typo apart, and where one name writes them as one word and the other as two."""
        query_best, entry_best = found
        for token in query.token_set.intersection(entry.token_set):
            query_best[token] = entry_best[token] = 1.0
        for token, common, similarity in near_common:
            if common in entry.token_set and similarity > query_best.get(token, 0.0):
                query_best[token] = similarity
                entry_best[common] = max(entry_best.get(common, 0.0), similarity)
        if query.join_set.isdisjoint(entry.token_set) and entry.join_set.isdisjoint(
            query.token_set
        ):
            return
        for position, joined in enumerate(query.joined):
            if joined in entry.token_set:
                entry_best[joined] = 1.0
                query_best.update(dict.fromkeys(query.tokens[position : position + 2], 1.0))
        for position, joined in enumerate(entry.joined):
            if joined in query.token_set:
                query_best[joined] = 1.0
                entry_best.update(dict.fromkeys(entry.tokens[position : position + 2], 1.0))

    def _score(
        self, query: _Query, query_total: float, number: int, found: _Matches
    ) -> tuple[float, float]:
        """Weighted token F1 (how much of each name's weight the other covers), raised for a
        name that is a cut or a part of the listed one, capped for one resting on a carrier
        or one with distinctive words the listed name lacks; and the F1 alone."""
        weight = self._weight.get
        entry, entry_total = self._entries[number], self._totals[number]
        query_best, entry_best = found
        kept = sum(weight(t, 1.0) * s for t, s in entry_best.items())
        precision = sum(weight(t, 1.0) * s for t, s in query_best.items()) / query_total
        recall = kept / entry_total
        if precision + recall == 0:
            return 0.0, 0.0
        score = whole = 2 * precision * recall / (precision + recall)
        if score > SECONDARY_CAP and self._says_more(query, entry, found):
            return SECONDARY_CAP, whole
        if (
            kept >= CONTAINED_MIN_WEIGHT
            and len(query_best) == len(query.token_set)
            and any(weight(t, 1.0) >= CONTAINED_RARE_WEIGHT for t in entry_best)
        ):
            score = max(score, precision * (CONTAINED_BASE + (1 - CONTAINED_BASE) * recall))
        if score > CARRIER_CAP and self._rests_on_a_carrier(query, entry, found):
            score = CARRIER_CAP
        if query.cut:
            score = max(score, self._cut_score(query, entry))
        return score, whole

    def _says_more(self, query: _Query, entry: _Entry, found: _Matches) -> bool:
        """Whether the firm's name has every word of the listed name and distinctive words
        besides (a longer name containing it names another firm unless the extra words are
        generic or legal forms)."""
        query_best, entry_best = found
        if len(entry_best) < len(entry.token_set):
            return False
        cut = query.tokens[-1] if query.cut else None  # perhaps part of a word or legal form
        extra = sum(
            self._weight.get(t, 1.0)
            for t in query.token_set - query_best.keys()
            if t != cut and not _form_like(t)
        )
        return extra >= EXTRA_WORDS_WEIGHT

    def _cut_score(self, query: _Query, entry: _Entry) -> float:
        """The score of a name that is the listed name's first words, perhaps cut in a word."""
        ours, theirs = query.tokens, entry.tokens
        if len(ours) > len(theirs) or not entry.words:
            return 0.0
        # cut between words (or not at all) when the last word is whole
        whole = query.words[-1] == entry.words[len(ours) - 1]
        kept = rare = 0.0
        for position, (token, listed) in enumerate(zip(ours, theirs, strict=False)):
            word, listed_word = query.words[position], entry.words[position]
            if position == len(ours) - 1 and (
                listed.startswith(token) or listed_word.startswith(word)
            ):
                similarity = min(1.0, len(word) / len(listed_word))
            else:
                similarity = token_similarity(token, listed)
            if not similarity:
                return 0.0
            weight = self._weight.get(listed, 1.0)
            kept += weight * similarity
            carrier = whole and self._names_using[listed] > CARRIER_MIN_NAMES
            if weight >= CONTAINED_RARE_WEIGHT and not carrier:
                rare += weight * similarity  # (a whole carrier word is not enough: "… START")
        if (whole and len(ours) == len(theirs)) or rare < TRUNCATED_RARE_WEIGHT:
            return 0.0
        if kept < (TRUNCATED_WHOLE_WEIGHT if whole else TRUNCATED_MIN_WEIGHT):
            return 0.0
        return min(TRUNCATED_MAX, TRUNCATED_BASE + TRUNCATED_PER_WEIGHT * kept)

    def _rests_on_a_carrier(self, query: _Query, entry: _Entry, found: _Matches) -> bool:
        """Whether the only distinctive word the names share is one other listed names use
        too, and the firm's name says more than the listed one (``ZAVOD START`` ~ ``START``)
        or is that word alone (``START`` ~ ``ZAVOD START``). A listed name with words the
        firm left out (``DRAGON GROUP`` ~ ``SHINE DRAGON GROUP``) is not capped."""
        query_best, entry_best = found
        weight = self._weight.get
        shared = [t for t in entry_best if weight(t, 1.0) >= DISTINCTIVE_WEIGHT]
        if len(shared) != 1 or self._names_using[shared[0]] <= CARRIER_MIN_NAMES:
            return False
        rest = sum(weight(t, 1.0) * s for t, s in entry_best.items()) - weight(shared[0], 1.0)
        if rest >= CARRIER_REST:
            return False  # other shared words, common as they are, carry the match with it
        if len(query_best) < len(query.token_set):
            return True
        return len(query.token_set) == 1 and len(entry_best) < len(entry.token_set)

    # --- scores ---------------------------------------------------------------------------

    def _name_hit(self, firm: Candidate, query: _Query, entry: _Entry, score: float) -> Hit:
        """A hit from one firm name against one listed name (score already weighed for a
        weak alias)."""
        reasons = [
            f"name {score / (WEAK_ALIAS_FACTOR if entry.weak else 1.0):.2f}: "
            f"{query.name!r} ~ {entry.name!r}"
        ]
        if entry.weak:
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

    def _adjust(self, firm: Candidate, hit: Hit, known: dict[str, set[str]]) -> None:
        """Country agreement and conflicting identifiers move a name-based score."""
        if hit.score >= 1.0 and any("(certain)" in r for r in hit.reasons):
            return
        record = self._records[hit.record_index]
        listed = self._namesakes.get(hit.record_index, record.identifiers) if known else {}
        for scheme, theirs, ours in _conflicts(known, listed):
            hit.score = min(hit.score - CONFLICT_PENALTY, CONFLICT_CAP)
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


@functools.lru_cache(maxsize=4096)
def _form_like(token: str) -> bool:
    """Whether a token is a word of a legal form, or a typo or two away from one."""
    return token in LEGAL_FORM_PARTS or any(token_similarity(token, f) for f in LEGAL_FORM_PARTS)


def token_similarity(a: str, b: str) -> float:
    """1 for equal tokens; for long tokens a typo or two apart, their similarity; else 0."""
    if a == b:
        return 1.0
    if min(len(a), len(b)) < FUZZY_MIN_LEN:
        return 0.0
    longest = max(len(a), len(b))
    allowed = max(
        2 if longest >= TWO_EDITS_MIN_LEN else 1, int(longest * (1 - TOKEN_SIMILARITY_MIN))
    )
    edits = OSA.distance(a, b, score_cutoff=allowed)
    return 1 - edits / longest if edits <= allowed else 0.0


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


CHINESE_COUNTRIES = frozenset({"CN", "HK", "MO", "TW"})


def _spellings(
    name: str, *, syllables: bool
) -> list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    """(tokens, neighbouring words joined) of a name's screening spellings: its screening
    tokens; for a Chinese name also its pinyin and Wade–Giles syllables; with ``syllables``,
    a Latin name that is only syllables also as those. Syllables are compared in pairs
    (``meixin xindian dianzi``): single ones are shared by too many unrelated names."""
    words = screen_words(name)
    if not words:
        return []
    raw = [word for word, _ in words]
    tokens = tuple(token for _, token in words)
    joined = tuple(
        "" if folded in (a, b) else folded  # a stem swallowed the second word: no join
        for a, b, folded in zip(
            tokens,
            tokens[1:],
            (screen_fold(a + b) for a, b in zip(raw, raw[1:], strict=False)),
            strict=False,
        )
    )
    found = {tokens: (joined, tuple(raw))}
    romanised = romanisations(raw)
    if syllables:
        cut = syllabify(raw)
        if cut is not None:
            romanised.append(cut)
    for spelled in romanised:
        pairs = tuple(a + b for a, b in zip(spelled, spelled[1:], strict=False)) or spelled
        found.setdefault(pairs, ((), ()))
    return [(tokens, joined, words) for tokens, (joined, words) in found.items()]


def _entries(records: Sequence[ListedRecord]):
    """Screenable names of the records: name and aliases strong, weak aliases weak."""
    for index, record in enumerate(records):
        if not record.screenable:
            continue
        strong = {record.name.casefold(), *(a.casefold() for a in record.aliases)}
        chinese = bool(CHINESE_COUNTRIES.intersection(record.countries))
        seen: set[tuple[str, ...]] = set()
        for name in record.names:
            weak = name.casefold() not in strong
            for tokens, joined, words in _spellings(name, syllables=chinese):
                if tokens not in seen:
                    seen.add(tokens)
                    yield _Entry(
                        index,
                        name,
                        tokens,
                        weak,
                        frozenset(tokens),
                        joined,
                        words,
                        frozenset(joined),
                    )


def _queries(firm: Candidate) -> list[_Query]:
    """The firm's name and aliases in their spellings, each once."""
    queries: dict[tuple[str, ...], _Query] = {}
    for name in [firm.name, *firm.aliases]:
        text = clean_name(name) or ""
        spellings = _spellings(text, syllables=True)
        for number, (tokens, joined, words) in enumerate(spellings):
            if tokens not in queries:
                cut = number == 0 and _may_be_cut(text)
                queries[tokens] = _Query(
                    text, tokens, frozenset(tokens), cut, joined, words, frozenset(joined)
                )
    return list(queries.values())


def _may_be_cut(text: str) -> bool:
    """Whether a name may have been cut to a field width: it is long, and it ends in a word
    of its name (a legal form at the end shows it was not cut) or in a fragment exactly at a
    usual width (where ``… CO`` may be the start of ``CONSULTING``)."""
    if len(text) < TRUNCATED_MIN_CHARS:
        return False
    last_word = text.split()[-1]
    if len(last_word) <= 2 and any(width - 1 <= len(text) <= width for width in FIELD_WIDTHS):
        return True
    words = screen_words(text)
    last = screen_words(last_word)
    return bool(words and last and last[-1] == words[-1])


def _deletions(token: str) -> set[str]:
    """The token with one character deleted, every way."""
    return {token[:i] + token[i + 1 :] for i in range(len(token))} | {token}


def _deletion_index(tokens: Iterable[str]) -> dict[str, list[str]]:
    """Deletion variants of every long indexed token -> the tokens (symmetric delete)."""
    index: dict[str, list[str]] = defaultdict(list)
    for token in tokens:
        if len(token) >= FUZZY_MIN_LEN:
            for variant in _deletions(token):
                index[variant].append(token)
    return index


def _shape_index(tokens: Iterable[str]) -> dict[tuple[int, str, int], list[str]]:
    """(length, first letter, 0) and (length, last letter, -1) -> long indexed tokens."""
    index: dict[tuple[int, str, int], list[str]] = defaultdict(list)
    for token in tokens:
        if len(token) >= TWO_EDITS_MIN_LEN - 2:
            index[(len(token), token[0], 0)].append(token)
            index[(len(token), token[-1], -1)].append(token)
    return index


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


def _namesake_identifiers(
    records: Sequence[ListedRecord], entries: Sequence[_Entry]
) -> dict[int, dict[str, list[str]]]:
    """For records lacking a certain scheme, the identifiers of that scheme of the listed
    records with the same name (the same party in another list, most often): so a firm
    whose INN differs from OFAC's entry also differs from the EU entry that has none."""
    by_name: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for entry in entries:
        by_name[entry.tokens].add(entry.record_index)
    pooled: dict[int, dict[str, list[str]]] = {}
    for members in by_name.values():
        if len(members) < 2:
            continue
        for scheme in CERTAIN_SCHEMES:
            values = sorted({v for i in members for v in records[i].identifiers.get(scheme, ())})
            for i in members:
                if values and not records[i].identifiers.get(scheme):
                    mine = pooled.setdefault(i, dict(records[i].identifiers))
                    mine[scheme] = sorted({*mine.get(scheme, ()), *values})
    return pooled


def _conflicts(known: dict[str, set[str]], listed: dict[str, list[str]]):
    """(scheme, listed values, firm values) where both hold valid, different identifiers."""
    for scheme, ours in known.items():
        if scheme not in CERTAIN_SCHEMES or not ours:
            continue
        theirs = [v for v in listed.get(scheme, ()) if clean_identifier(scheme, v)]
        if theirs and not ours.intersection(theirs):
            yield scheme, theirs, ", ".join(sorted(ours))
