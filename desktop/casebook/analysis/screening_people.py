"""Screen persons against the listed individuals: names in any order and script, birth dates,
personal identifiers.

Names are compared word by word in the scheme-neutral key the firm matcher uses
(``screen_words``/``screen_fold``: ``Алексей``, ``Aleksey``, ``Alexei`` and ``Aleksej`` meet; so
do ``Джамшид``, ``Dzhamshid`` and ``Jamshid``), as bags of words, so ``ROTENBERG, Arkady
Romanovich``, ``Arkady Romanovich Rotenberg`` and ``Ротенберг Аркадий`` are one name. Words a
typo or two apart match as similar (before or after folding), an initial (``A. R.``, ``Ю.``)
matches a word it begins, a hyphenated name also matches written as one word, and each word
counts by how rare it is among the listed names (``Sergey`` says less than ``Rotenberg``, but
a given name that differs still tells two people apart). Individuals only: entities, vessels
and aircraft are never compared.

A patronymic (``-ovich``, ``-owitsch``, ``-evna``, ``-ovych``, ``-ivna`` …; one word at most,
in a name of three or more, never before a comma) one side leaves out neither counts for nor
against, unless the other name has a word of its own left over (then it is a surname:
``Rusakevich``); one the listed person has in none of their names names another person
(brothers share a surname, namesakes a given name) and caps the score below the threshold.
Patronymics are compared by their fathers' names (Igorevich is not Yurevich), and a word
ending as patronymics do matches one that does not only a typo apart (Ivanovich is not
Ivanov).

Birth dates then move the score: the same day raises it, a date within the listed year, month or
range a little; another day of the same year, or each year apart, lowers it; five years or more
apart rule the hit out; a missing date changes nothing. A personal identifier settles it: the
same personal INN (12 digits, checked with python-stdnum) makes the hit certain on its own,
a different valid one (also than the same person's in another list) keeps it below the
threshold; the same passport or national id (or tax id) makes a name at least half as close
certain.

Candidates come only from a blocking index (the words, and words a typo away): a listed name is
compared when two of the person's words propose it, or one rare word does, and only when the
words that proposed it could bring it to the threshold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import itertools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA

from casebook.analysis.screening import (
    CONFLICT_CAP,
    CONFLICT_PENALTY,
    SUPPORT_BONUS,
    WEAK_ALIAS_FACTOR,
    _deletion_index,
    _deletions,
    _TokenWeights,
    token_similarity,
)
from casebook.core.identifiers import clean_identifier
from casebook.core.names import screen_fold, screen_words, transliterate
from casebook.ingest.lists.birth import birth_dates, birth_span
from casebook.ingest.lists.model import ListedRecord

DEFAULT_THRESHOLD = 0.80  # chosen from tests/benchmarks/bench_screening.py --people
# Birth dates (issue 21): the same day raises the score, a date within the listed year, month
# or range a little; each year apart lowers it, and this many years apart rules the hit out.
SAME_DAY_BONUS = 0.10
WITHIN_BONUS = 0.03
OTHER_DAY_PENALTY = 0.05  # both give a day, in the same year, and the days differ
YEAR_PENALTY = 0.06  # per year between the closest dates, below RULED_OUT_YEARS
RULED_OUT_YEARS = 5
NATIONALITY_BONUS = 0.02
PATRONYMIC_WEIGHT = 0.5  # a patronymic says less than a given name or a surname …
PATRONYMIC_CONFLICT_CAP = 0.60  # … but two different ones name two people
MIN_WORD_WEIGHT = 0.6  # a common given name that differs still tells two people apart
INITIAL_WEIGHT = 0.3
INITIAL_SIMILARITY = 0.9
PASSPORT_NAME_MIN = 0.5  # the same passport makes a hit certain when the names are this close
PERSONAL_INN_DIGITS = 12
FREE_SCHEMES = ("passport", "national_id", "tax_id")  # compared as written, less spaces
MAX_POSTING_SHARE = 0.01  # a word in more listed persons than this proposes only with another
MIN_MAX_POSTING = 20

_SEPARATORS = re.compile(r"[\s,.;:/()\[\]\"«»]+")
_ALTERNATIVE = re.compile(r"(\S+)\s*\(([^()]+)\)")  # Ihor (Igor): two spellings of one name
# Russian, Ukrainian and Belarusian patronymic endings once folded, whatever the romanisation:
# -ovich, -ovitch, -owitsch, -ovych (ovih); -ovič (ovik); -ovna, -owna, -ivna, -auna, -ichna
_PATRONYMIC = re.compile(r"(?<=[a-z]{2})(?:ovih|evih|avih|ovik|evik|ovna|evna|ivna|auna|ihna)$")
_AFFRICATE = re.compile(r"dzh|dj")
_TITLES = frozenset({"dr", "mr", "mrs", "ms", "prof", "sir"})


@dataclass(frozen=True)
class PersonCandidate:
    """A person to screen: names, birth date (``YYYY-MM-DD`` or ``YYYY``), nationality (ISO2)
    and identifiers as (scheme, value) pairs (``("ru_inn", "773407989940")``)."""

    name: str
    native_name: str | None = None
    aliases: tuple[str, ...] = ()
    birth_date: str | None = None
    nationality: str | None = None
    identifiers: tuple[tuple[str, str], ...] = ()


@dataclass
class Hit:
    """The best match of the person with one listed individual."""

    record_index: int
    score: float
    name: str  # the person's name that matched
    matched_name: str
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Word:
    """One word of a person's name: its screening token, first letter, and what it is."""

    token: str
    raw: str  # the transliterated word before folding (a typo may hide in the fold)
    initial: bool
    stem: str = ""  # ending as patronymics do, the rest: ``igor`` of Igorevich (folded)
    patronymic: bool = False  # the name's patronymic (see ``_words``)


@dataclass(frozen=True)
class _Name:
    """One spelling of a name, as words."""

    text: str
    words: tuple[_Word, ...]
    weak: bool = False


class PersonIndex:
    """Blocking, word-weight, birth-date and identifier indexes over the listed individuals."""

    def __init__(self, records: Sequence[ListedRecord]):
        self._records = records
        self._entries: list[tuple[int, _Name]] = []
        self._births: dict[int, list[tuple[dt.date, dt.date]]] = {}
        self._spelled: dict[int, list[int]] = defaultdict(list)  # record -> its entries
        self._patronymics: dict[int, set[_Word]] = defaultdict(set)  # in any of its names
        by_record: dict[str, set[int]] = defaultdict(set)
        for index, record in enumerate(records):
            if record.schema != "individual":
                continue
            strong = {n.casefold() for n in (record.name, *record.aliases)}
            for text in record.names:
                for name in _spellings(text, weak=text.casefold() not in strong):
                    self._spelled[index].append(len(self._entries))
                    self._entries.append((index, name))
                    for word in name.words:
                        if not word.initial:
                            by_record[word.token].add(index)
                        if word.patronymic:
                            self._patronymics[index].add(word)
            self._births[index] = [birth_span(d) for d in record.birth_dates]
        self._postings: dict[str, list[int]] = defaultdict(list)
        for number, (_, name) in enumerate(self._entries):
            for token in {t for w in name.words if not w.initial for t in (w.token, w.raw)}:
                self._postings[token].append(number)
        people = len(self._births)
        weights = _TokenWeights({t: list(r) for t, r in by_record.items()}, total=people)
        self._weight = {t: weights.weight(t) for t in by_record}
        self._max_posting = max(MIN_MAX_POSTING, int(MAX_POSTING_SHARE * people))
        self._neighbours = _deletion_index(self._postings)
        self._similar: dict[str, list[tuple[str, float]]] = {}
        self._ids = _identifier_index(records)
        self._inns = self._same_person_inns()

    @property
    def size(self) -> int:
        """How many spellings of listed individuals' names the index holds."""
        return len(self._entries)

    def screen(self, person: PersonCandidate, *, threshold: float = DEFAULT_THRESHOLD) -> list[Hit]:
        """Hits at or above the threshold, one per listed individual, best first."""
        best: dict[int, Hit] = {}
        floor = threshold - SAME_DAY_BONUS - NATIONALITY_BONUS  # the most dates and nationality add
        queries = _queries(person)
        for query in queries:
            for number, score in self._name_scores(query, floor).items():
                self._keep(best, query, number, score)
        personal = _personal_identifiers(person)
        for scheme, value in personal:
            for index in self._ids.get((scheme, value), ()):
                if index not in best:  # how close the names are, below the floor as it may be
                    for query, number in itertools.product(queries, self._spelled[index]):
                        self._keep(best, query, number, self._score(query, *self._entries[number]))
                best[index] = self._identifier_hit(person, index, scheme, value, best.get(index))
        hits = []
        for hit in best.values():
            if self._adjust(person, hit, personal):
                hit.score = round(min(1.0, max(0.0, hit.score)), 4)
                if hit.score >= threshold:
                    hits.append(hit)
        return sorted(hits, key=lambda h: (-h.score, h.record_index))

    def _keep(self, best: dict[int, Hit], query: _Name, number: int, score: float) -> None:
        """Keep a listed spelling's name score when it is its record's best so far."""
        index, name = self._entries[number]
        if name.weak:
            score *= WEAK_ALIAS_FACTOR
        if index not in best or score > best[index].score:
            reasons = [f"name {score:.2f}: {query.text!r} ~ {name.text!r}"]
            if name.weak:
                reasons.append("weak alias (counts less)")
            best[index] = Hit(index, score, query.text, name.text, reasons)

    # --- names ------------------------------------------------------------------------------

    def _name_scores(self, query: _Name, floor: float) -> dict[int, float]:
        """Name scores of the listed spellings the blocking index proposes for one name, but
        those that could not reach the floor even if every word that proposed them matched
        (``Aleksandr Yuryevich`` proposes every such name; only those with the surname count)."""
        proposed: dict[int, set[str]] = defaultdict(set)
        rare: set[int] = set()
        full = [w for w in query.words if not w.initial]
        for word in full:
            for similar in {s for t in (word.token, word.raw) for s, _ in self._similar_tokens(t)}:
                posting = self._postings[similar]
                for number in posting:
                    proposed[number].add(word.token)
                if len(posting) <= self._max_posting:
                    rare.update(posting)
        needed = min(2, len(full))
        initials = sum(self._word_weight(w) for w in query.words if w.initial)
        weights = [(w.token, w.patronymic, self._word_weight(w)) for w in full]
        scores = {}
        for number, tokens in proposed.items():
            if number not in rare and len(tokens) < needed:
                continue
            found = initials + sum(weight for token, _, weight in weights if token in tokens)
            missed = sum(w for t, patronymic, w in weights if t not in tokens and not patronymic)
            best = found / (found + missed) if found else 0.0  # precision at best; recall 1
            if 2 * best / (1 + best) >= floor:
                scores[number] = self._score(query, *self._entries[number])
        return scores

    def _similar_tokens(self, token: str) -> list[tuple[str, float]]:
        """Indexed tokens equal to the token or a typo away, with similarity (cached)."""
        cached = self._similar.get(token)
        if cached is None:
            found = {token: 1.0} if token in self._postings else {}
            if len(token) >= 4:
                for variant in _deletions(token):
                    for other in self._neighbours.get(variant, ()):
                        if other not in found:
                            found[other] = token_similarity(token, other)
            cached = self._similar[token] = [(t, s) for t, s in found.items() if s]
        return cached

    def _score(self, query: _Name, index: int, listed: _Name) -> float:
        """Weighted F1 of the two bags of words, matched one to one, best pairs first; a
        patronymic one side lacks left out, one the listed person does not have (in any of
        their names: ``ZHAROV, Aleksandr`` is also ``ZHAROV, Alexander Alexandrovich``)
        capping the score."""
        pairs = sorted(
            (
                (similarity, i, j)
                for i, ours in enumerate(query.words)
                for j, theirs in enumerate(listed.words)
                if (similarity := _similarity(ours, theirs))
            ),
            reverse=True,
        )
        ours_found: dict[int, float] = {}
        theirs_found: dict[int, float] = {}
        for similarity, i, j in pairs:
            if i not in ours_found and j not in theirs_found:
                ours_found[i], theirs_found[j] = similarity, similarity
        theirs = self._patronymics.get(index, ())
        conflict = any(
            word.patronymic and not any(_similarity(word, t) for t in theirs)
            for i, word in enumerate(query.words)
            if i not in ours_found and theirs
        )
        # a patronymic is left out only when the other name has no word of its own left over
        # (``Sivkovich`` against a listed ``EFENDIEV`` is a surname, not a missing patronymic)
        ours_extra = any(not w.patronymic for i, w in enumerate(query.words) if i not in ours_found)
        theirs_extra = any(
            not w.patronymic for j, w in enumerate(listed.words) if j not in theirs_found
        )
        precision = self._covered(
            query.words, ours_found, drop_patronymics=not (conflict or theirs_extra)
        )
        recall = self._covered(
            listed.words, theirs_found, drop_patronymics=not (conflict or ours_extra)
        )
        if precision + recall == 0:
            return 0.0
        score = 2 * precision * recall / (precision + recall)
        return min(score, PATRONYMIC_CONFLICT_CAP) if conflict else score

    def _covered(
        self, words: tuple[_Word, ...], found: dict[int, float], *, drop_patronymics: bool
    ) -> float:
        """How much of a name's weight the other name covers (an unmatched patronymic left
        out when told to, else counted in full)."""
        total = covered = 0.0
        for position, word in enumerate(words):
            similarity = found.get(position, 0.0)
            weight = self._word_weight(word)
            if not similarity and word.patronymic:
                if drop_patronymics:
                    continue
                weight /= PATRONYMIC_WEIGHT  # left over beside a word of the other's: a surname
            total += weight
            covered += weight * similarity
        return covered / total if total else 0.0

    def _word_weight(self, word: _Word) -> float:
        if word.initial:
            return INITIAL_WEIGHT
        weight = max(MIN_WORD_WEIGHT, self._weight.get(word.token, 1.0))
        return weight * PATRONYMIC_WEIGHT if word.patronymic else weight

    # --- identifiers, birth dates, nationality ----------------------------------------------

    def _identifier_hit(
        self, person: PersonCandidate, index: int, scheme: str, value: str, hit: Hit | None
    ) -> Hit:
        """A hit carried by a shared identifier: certain for a personal INN, and for a free
        identifier (passport, national id) when the names agree; else support."""
        record = self._records[index]
        hit = hit or Hit(index, 0.0, person.name, record.name, [])
        if scheme == "ru_inn" or hit.score >= PASSPORT_NAME_MIN:
            hit.score = 1.0
            hit.reasons.insert(0, f"same {scheme} {value} (certain)")
        else:
            hit.score = min(1.0, hit.score + SUPPORT_BONUS)
            hit.reasons.insert(0, f"same {scheme} {value}")
        return hit

    def _adjust(self, person: PersonCandidate, hit: Hit, personal: list[tuple[str, str]]) -> bool:
        """Move a name-based score by birth date, nationality and a conflicting personal INN;
        False when the birth dates rule the hit out. A certain hit stays as it is."""
        if any("(certain)" in r for r in hit.reasons):
            return True
        record = self._records[hit.record_index]
        ours = {v for s, v in personal if s == "ru_inn"}
        theirs = self._inns.get(hit.record_index)
        if ours and theirs and not ours.intersection(theirs):
            hit.score = min(hit.score - CONFLICT_PENALTY, CONFLICT_CAP)
            listed = ", ".join(sorted(theirs))
            hit.reasons.append(f"different ru_inn: person {', '.join(ours)}, listed {listed}")
        if person.birth_date and self._births.get(hit.record_index):
            if not self._birth(person.birth_date, hit):
                return False
        if person.nationality and person.nationality in record.countries:
            hit.score += NATIONALITY_BONUS
            hit.reasons.append(f"same nationality {person.nationality}")
        return True

    def _same_person_inns(self) -> dict[int, set[str]]:
        """Each individual's personal INNs, and those of the entries in other lists with the
        same name (patronymic aside) and birth dates a year apart at most: the same person,
        most often, so a person whose INN differs from OFAC's also differs from the EU's."""
        by_name: dict[tuple[str, ...], set[int]] = defaultdict(set)
        for index, name in self._entries:
            key = tuple(sorted(w.token for w in name.words if not w.initial and not w.patronymic))
            if len(key) >= 2:
                by_name[key].add(index)
        own = {
            index: {
                v for v in record.identifiers.get("ru_inn", ()) if len(v) == PERSONAL_INN_DIGITS
            }
            for index, record in enumerate(self._records)
            if index in self._births
        }
        pooled: dict[int, set[str]] = {i: set(v) for i, v in own.items() if v}
        for members in by_name.values():
            for i in members:
                for j in members:
                    if own[j] and i != j and self._born_alike(i, j):
                        pooled.setdefault(i, set()).update(own[j])
        return pooled

    def _born_alike(self, i: int, j: int) -> bool:
        """Whether two individuals' birth dates may be one person's (a year apart at most)."""
        first, second = self._births[i], self._births[j]
        return (
            not first
            or not second
            or any(
                max(0, s.year - e2.year, s2.year - e.year) <= 1
                for s, e in first
                for s2, e2 in second
            )
        )

    def _birth(self, birth_date: str, hit: Hit) -> bool:
        """Apply the birth-date rules to a hit; False when five or more years apart."""
        spans = birth_dates(birth_date)
        if not spans:
            return True
        start, end = birth_span(spans[0])
        listed = self._births[hit.record_index]
        gap = min(max(0, s.year - end.year, start.year - e.year) for s, e in listed)
        shown = ", ".join(self._records[hit.record_index].birth_dates)
        if gap >= RULED_OUT_YEARS:
            return False
        if gap:
            hit.score -= YEAR_PENALTY * gap
            hit.reasons.append(f"born {birth_date}, listed {shown}: {gap} year(s) apart")
        elif start == end and any(s == e == start for s, e in listed):
            hit.score += SAME_DAY_BONUS
            hit.reasons.append(f"same birth date {birth_date}")
        elif any(s <= start and end <= e for s, e in listed):
            hit.score += WITHIN_BONUS
            hit.reasons.append(f"born {birth_date}, within listed {shown}")
        elif start == end and all(s == e for s, e in listed):
            hit.score -= OTHER_DAY_PENALTY
            hit.reasons.append(f"born {birth_date}, listed {shown}: another day")
        return True


# --- names -----------------------------------------------------------------------------------


def _words(text: str) -> tuple[_Word, ...]:
    """The words of a person's name, split at spaces, commas and dots (``V.V.`` is two
    initials), each in the screening key; titles (``Dr.``) left out.

    At most one word is the patronymic, in a name of three words or more, never before a
    comma: of ``ABRAMOVICH, Roman Arkadyevich``, ``Roman Arkadyevich Abramovich`` and
    ``Абрамович Роман Аркадьевич`` it is Arkadyevich (in the middle, else last), and ``Roman
    Abramovich`` has none.
    """
    surname, comma, given = text.partition(",")
    before = [w for part in _SEPARATORS.split(surname) for w in _part_words(part)] if comma else []
    words = [w for part in _SEPARATORS.split(given if comma else text) for w in _part_words(part)]
    candidates = [i for i, w in enumerate(words) if w.stem]
    total = len(before) + len(words)
    if candidates and total >= 3:
        middle = [i for i in candidates if 0 < len(before) + i < total - 1]
        chosen = (middle or candidates)[-1]
        words[chosen] = dataclasses.replace(words[chosen], patronymic=True)
    return (*before, *words)


@functools.lru_cache(maxsize=1 << 16)
def _part_words(part: str) -> tuple[_Word, ...]:
    """The words of one part of a name (``Rimsky-Korsakov`` is two)."""
    words: list[_Word] = []
    pairs = screen_words(part) or _bare(part)  # a word such as "Ko" is no legal form here
    initial = sum(ch.isalpha() for ch in part) == 1  # Х. (kh), Ю. (yu): one letter written
    for raw, token in pairs:
        if raw in _TITLES or not token:
            continue
        if _AFFRICATE.search(raw):  # Джамшид, Dzhamshid and Jamshid meet
            token = screen_fold(_AFFRICATE.sub("j", raw))
        suffix = None if initial else _PATRONYMIC.search(token)
        stem = token[: suffix.start()] if suffix else ""
        words.append(_Word(token, raw, initial, stem))
    return tuple(words)


def _bare(part: str) -> list[tuple[str, str]]:
    """A word screen_words drops as a legal form, kept as a name word."""
    word = transliterate(part.casefold())
    return [(word, screen_fold(word))] if word.isalpha() else []


def _spellings(text: str, *, weak: bool = False) -> list[_Name]:
    """The name's spellings: ``Ihor (Igor) Petrenko`` is ``Ihor Petrenko`` and ``Igor
    Petrenko``."""
    texts = [text]
    if _ALTERNATIVE.search(text):
        texts = [_ALTERNATIVE.sub(lambda m: m[1], text), _ALTERNATIVE.sub(lambda m: m[2], text)]
    texts += [t.replace("-", "") for t in texts if "-" in t]  # Izz-al-Din, Izzaldin
    names = []
    for one in texts:
        words = _words(one)
        if words:
            names.append(_Name(text, words, weak))
    return names


def _queries(person: PersonCandidate) -> list[_Name]:
    """The person's names in their spellings, each once."""
    seen: set[tuple[_Word, ...]] = set()
    queries = []
    for text in (person.name, person.native_name, *person.aliases):
        for name in _spellings(text or ""):
            if name.words not in seen:
                seen.add(name.words)
                queries.append(name)
    return queries


def _similarity(ours: _Word, theirs: _Word) -> float:
    """1 for the same word, less for a typo, INITIAL_SIMILARITY for an initial of the word
    (``Ю.`` of ``Yuri``, ``Iouri`` or ``Юрий``)."""
    if ours.initial or theirs.initial:
        if ours.initial and theirs.initial:
            return 1.0 if ours.token == theirs.token else 0.0
        initial, word = (ours, theirs) if ours.initial else (theirs, ours)
        same = word.raw.startswith(initial.raw) or word.token.startswith(initial.token)
        return INITIAL_SIMILARITY if same else 0.0
    if bool(ours.stem) != bool(theirs.stem):  # Ivanovich is no typo of Ivanov; Ivanovih is
        edits = OSA.distance(ours.raw, theirs.raw, score_cutoff=1)
        return 1 - edits / max(len(ours.raw), len(theirs.raw)) if edits <= 1 else 0.0
    if ours.patronymic and theirs.patronymic and not _same_father(ours.stem, theirs.stem):
        return 0.0  # Igorevich and Yurevich are two letters apart, their fathers are not
    similarity = token_similarity(ours.token, theirs.token)
    if similarity < 1.0 and ours.raw.isascii() and theirs.raw.isascii():
        similarity = max(similarity, token_similarity(ours.raw, theirs.raw))
    return similarity


def _same_father(ours: str, theirs: str) -> bool:
    """Whether two patronymics' stems name one father's name: equal, one the start of the
    other (``iur`` of Yurevich, ``iuri`` of Yuryevich) or a typo apart."""
    return (
        ours.startswith(theirs) or theirs.startswith(ours) or bool(token_similarity(ours, theirs))
    )


# --- identifiers -----------------------------------------------------------------------------


def _personal_identifiers(person: PersonCandidate) -> list[tuple[str, str]]:
    """The person's identifiers the index knows, cleaned (see ``_personal``)."""
    return [
        (scheme, clean)
        for scheme, value in person.identifiers
        if (clean := _personal(scheme, value))
    ]


def _personal(scheme: str, value: str) -> str | None:
    """A personal INN (12 digits, valid), or a free identifier (passport, national id, tax
    id) as written less spaces, dots and dashes; None for anything else."""
    if scheme == "ru_inn":
        clean = clean_identifier("ru_inn", value)
        return clean if clean and len(clean) == PERSONAL_INN_DIGITS else None
    return clean_identifier("registration", value) if scheme in FREE_SCHEMES else None


def _identifier_index(records: Sequence[ListedRecord]) -> dict[tuple[str, str], list[int]]:
    """(scheme, value) -> listed individuals carrying it."""
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for number, record in enumerate(records):
        if record.schema == "individual":
            for scheme in ("ru_inn", *FREE_SCHEMES):
                for value in record.identifiers.get(scheme, ()):
                    if clean := _personal(scheme, value):
                        index[(scheme, clean)].append(number)
    return index
