"""Analytic standards: TLP 2.0 markings, Admiralty grades, ICD 203 estimative language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class _Ranked(Enum):
    """An enum whose members compare by their declaration order."""

    @property
    def rank(self) -> int:
        """Position in declaration order, from 0."""
        return list(type(self)).index(self)

    def __lt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.rank >= other.rank


class Marking(_Ranked):
    """FIRST Traffic Light Protocol 2.0 marking, ordered from least to most restrictive."""

    CLEAR = "TLP:CLEAR"
    GREEN = "TLP:GREEN"
    AMBER = "TLP:AMBER"
    AMBER_STRICT = "TLP:AMBER+STRICT"
    RED = "TLP:RED"

    @property
    def label(self) -> str:
        """The exact TLP label, e.g. ``TLP:AMBER+STRICT``."""
        return self.value

    @property
    def colour(self) -> str:
        """The TLP colour as hex, to print on black."""
        return _MARKING_COLOURS[self]

    @property
    def meaning(self) -> str:
        """One sentence on what the marking allows."""
        return _MARKING_MEANINGS[self]

    def __str__(self) -> str:
        return self.value


_MARKING_COLOURS = {
    Marking.CLEAR: "#FFFFFF",
    Marking.GREEN: "#33FF00",
    Marking.AMBER: "#FFC000",
    Marking.AMBER_STRICT: "#FFC000",
    Marking.RED: "#FF2B2B",
}
_MARKING_MEANINGS = {
    Marking.CLEAR: "No limit on disclosure.",
    Marking.GREEN: "Limited disclosure within the recipient's community, not via public channels.",
    Marking.AMBER: (
        "Limited disclosure, within the recipient's organisation and its clients, "
        "on a need-to-know basis."
    ),
    Marking.AMBER_STRICT: "Limited disclosure, within the recipient's organisation only.",
    Marking.RED: "For the eyes and ears of individual recipients only, no further disclosure.",
}
_MARKING_WORDS = {
    "CLEAR": Marking.CLEAR,
    "WHITE": Marking.CLEAR,  # TLP 1.0 name: accepted on input, never written
    "GREEN": Marking.GREEN,
    "AMBER": Marking.AMBER,
    "AMBER+STRICT": Marking.AMBER_STRICT,
    "RED": Marking.RED,
}
_MARKING_TEXT = re.compile(r"(?:TLP\s*[:\-_ ]?\s*)?([A-Z]+)(?:\s*[+_ ]\s*(STRICT))?")


def clean_marking(value: object) -> Marking | None:
    """A Marking from ``TLP:AMBER``, ``amber``, ``AMBER+STRICT``, ``TLP:WHITE``, ... or None."""
    if isinstance(value, Marking):
        return value
    if not isinstance(value, str) or len(value) > 40:
        return None
    match = _MARKING_TEXT.fullmatch(value.strip().upper())
    if not match:
        return None
    word = match[1] + ("+STRICT" if match[2] else "")
    return _MARKING_WORDS.get(word)


class Reliability(_Ranked):
    """Admiralty source reliability, A (completely reliable) to F (cannot be judged)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"

    @property
    def label(self) -> str:
        """Short label, e.g. "Usually reliable"."""
        return _RELIABILITY[self][0]

    @property
    def definition(self) -> str:
        """The STANAG 2511 wording."""
        return _RELIABILITY[self][1]


_RELIABILITY = {
    Reliability.A: (
        "Completely reliable",
        "No doubt of authenticity, trustworthiness or competency; "
        "a history of complete reliability.",
    ),
    Reliability.B: (
        "Usually reliable",
        "Minor doubt; a history of valid information most of the time.",
    ),
    Reliability.C: (
        "Fairly reliable",
        "Doubt, but has provided valid information in the past.",
    ),
    Reliability.D: (
        "Not usually reliable",
        "Significant doubt, but has provided valid information in the past.",
    ),
    Reliability.E: (
        "Unreliable",
        "Lacking authenticity, trustworthiness and competency; a history of invalid information.",
    ),
    Reliability.F: (
        "Reliability cannot be judged",
        "No basis for evaluating the source.",
    ),
}


class Credibility(_Ranked):
    """Admiralty information credibility, 1 (confirmed) to 6 (cannot be judged)."""

    CONFIRMED = 1
    PROBABLY_TRUE = 2
    POSSIBLY_TRUE = 3
    DOUBTFUL = 4
    IMPROBABLE = 5
    CANNOT_BE_JUDGED = 6

    @property
    def label(self) -> str:
        """Short label, e.g. "Probably true"."""
        return _CREDIBILITY[self][0]

    @property
    def definition(self) -> str:
        """The STANAG 2511 wording."""
        return _CREDIBILITY[self][1]


_CREDIBILITY = {
    Credibility.CONFIRMED: (
        "Confirmed by other sources",
        "Confirmed by independent sources, logical, consistent.",
    ),
    Credibility.PROBABLY_TRUE: (
        "Probably true",
        "Not confirmed; logical; consistent with other information.",
    ),
    Credibility.POSSIBLY_TRUE: (
        "Possibly true",
        "Not confirmed; reasonably logical; agrees with some other information.",
    ),
    Credibility.DOUBTFUL: (
        "Doubtful",
        "Not confirmed; possible but not logical; no other information on the subject.",
    ),
    Credibility.IMPROBABLE: (
        "Improbable",
        "Not confirmed; not logical; contradicted by other information.",
    ),
    Credibility.CANNOT_BE_JUDGED: (
        "Truth cannot be judged",
        "No basis for evaluating the information.",
    ),
}


@dataclass(frozen=True)
class Grade:
    """An Admiralty grade: source reliability and information credibility, written ``B2``."""

    reliability: Reliability
    credibility: Credibility

    def __str__(self) -> str:
        return f"{self.reliability.value}{self.credibility.value}"

    @property
    def label(self) -> str:
        """Both labels, e.g. "Usually reliable, probably true"."""
        return f"{self.reliability.label}, {self.credibility.label[0].lower()}{self.credibility.label[1:]}"


# Cyrillic letters that look like A, B, C, E: analysts on Russian keyboards type them.
_HOMOGLYPHS = str.maketrans("АВСЕ", "ABCE")
_GRADE_TEXT = re.compile(r"([A-F])\s*[-/ ]?\s*([1-6])")


def clean_grade(value: object) -> Grade | None:
    """A Grade from ``B2``, ``b 2``, ``B-2``, ``B/2``, or None."""
    if isinstance(value, Grade):
        return value
    if not isinstance(value, str) or len(value) > 10:
        return None
    match = _GRADE_TEXT.fullmatch(value.strip().upper().translate(_HOMOGLYPHS))
    if not match:
        return None
    return Grade(Reliability(match[1]), Credibility(int(match[2])))


class Likelihood(_Ranked):
    """ICD 203 estimative likelihood, ordered from least to most likely."""

    ALMOST_NO_CHANCE = "almost no chance"
    VERY_UNLIKELY = "very unlikely"
    UNLIKELY = "unlikely"
    ROUGHLY_EVEN_CHANCE = "roughly even chance"
    LIKELY = "likely"
    VERY_LIKELY = "very likely"
    ALMOST_CERTAIN = "almost certain"

    @property
    def term(self) -> str:
        """The primary term, e.g. "very likely"."""
        return self.value

    @property
    def alternative(self) -> str:
        """The alternative term of the same row, e.g. "highly probable"."""
        return _LIKELIHOOD[self][0]

    @property
    def low(self) -> int:
        """Lower bound of the probability range, in percent."""
        return _LIKELIHOOD[self][1]

    @property
    def high(self) -> int:
        """Upper bound of the probability range, in percent."""
        return _LIKELIHOOD[self][2]


_LIKELIHOOD = {
    Likelihood.ALMOST_NO_CHANCE: ("remote", 1, 5),
    Likelihood.VERY_UNLIKELY: ("highly improbable", 5, 20),
    Likelihood.UNLIKELY: ("improbable", 20, 45),
    Likelihood.ROUGHLY_EVEN_CHANCE: ("roughly even odds", 45, 55),
    Likelihood.LIKELY: ("probable", 55, 80),
    Likelihood.VERY_LIKELY: ("highly probable", 80, 95),
    Likelihood.ALMOST_CERTAIN: ("nearly certain", 95, 99),
}
_PRIMARY = {item.term: item for item in Likelihood}
_ALTERNATIVE = {item.alternative: item for item in Likelihood}
_SPACES = re.compile(r"[\s_\-]+")


def _phrase(text: object) -> str:
    if not isinstance(text, str) or len(text) > 60:
        return ""
    return _SPACES.sub(" ", text.strip().rstrip(".").casefold()).strip()


def clean_likelihood(text: object) -> Likelihood | None:
    """A Likelihood from either ICD 203 vocabulary ("very likely", "highly probable"), or None."""
    if isinstance(text, Likelihood):
        return text
    phrase = _phrase(text)
    return _PRIMARY.get(phrase) or _ALTERNATIVE.get(phrase)


def vocabulary(text: object) -> str | None:
    """``"primary"`` or ``"alternative"``: which ICD 203 column a term comes from, else None."""
    phrase = _phrase(text)
    if phrase in _PRIMARY:
        return "primary"
    if phrase in _ALTERNATIVE:
        return "alternative"
    return None


class Confidence(_Ranked):
    """Analytic confidence, stated apart from likelihood."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"

    @property
    def label(self) -> str:
        """E.g. "moderate confidence"."""
        return f"{self.value} confidence"


def clean_confidence(value: object) -> Confidence | None:
    """A Confidence from ``low``/``moderate``/``high`` (also ``medium``, ``… confidence``)."""
    if isinstance(value, Confidence):
        return value
    phrase = _phrase(value).removesuffix(" confidence")
    if phrase == "medium":
        return Confidence.MODERATE
    try:
        return Confidence(phrase)
    except ValueError:
        return None
