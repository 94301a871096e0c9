"""Chinese names in Latin letters: pinyin and Wade–Giles syllables, for screening.

A Chinese firm is listed as ``美欣電子有限公司`` and turns up in a register as ``Meixin Dianzi``,
``MEI XIN DIAN ZI`` or ``Mei-hsin Tien-tzu``. Screening compares such names as toneless
syllables: Chinese characters are read with pypinyin (MIT; its dictionaries ship with it, so
nothing is fetched), and Latin words that are nothing but syllables are cut into them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from pypinyin import Style, lazy_pinyin
from pypinyin.style.wadegiles import _convert_table  # pinyin -> Wade–Giles, every syllable

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_LETTER = re.compile(r"[^a-z]")
_STYLES = (Style.NORMAL, Style.WADEGILES)
_LONGEST = 6  # zhuang, hsiung
MIN_SYLLABLES = 2


def has_han(text: str) -> bool:
    """Whether the text holds Chinese characters."""
    return bool(_HAN.search(text))


def _clean(syllable: str) -> str:
    """A toneless syllable in plain letters (``ch'ang`` -> ``chang``, ``lü``/``lv`` -> ``lu``)."""
    return _NOT_LETTER.sub("", syllable.lower().replace("ü", "u").replace("v", "u"))


def romanisations(words: Sequence[str]) -> list[tuple[str, ...]]:
    """The words as pinyin syllables and as Wade–Giles syllables (words without Chinese kept).

    Empty when no word holds a Chinese character.
    """
    if not any(has_han(w) for w in words):
        return []
    found = []
    for style in _STYLES:
        syllables: list[str] = []
        for word in words:
            if has_han(word):
                syllables.extend(filter(None, map(_clean, lazy_pinyin(word, style=style))))
            else:
                syllables.append(word)
        found.append(tuple(syllables))
    return found


@cache
def _syllables() -> frozenset[str]:
    """Every toneless pinyin and Wade–Giles syllable: pypinyin's own conversion table."""
    return frozenset(_clean(s) for pair in _convert_table for s in pair)


def syllabify(words: Sequence[str]) -> tuple[str, ...] | None:
    """Latin words cut into the fewest syllables, or None unless every word is syllables."""
    syllables: list[str] = []
    for word in words:
        cut = _cut(word)
        if cut is None:
            return None
        syllables.extend(cut)
    return tuple(syllables) if len(syllables) >= MIN_SYLLABLES else None


@cache
def _cut(word: str) -> tuple[str, ...] | None:
    """One word as the fewest syllables (dynamic programming), or None. Neither pinyin nor
    Wade–Giles uses v, so a v is a ü typed without its dots (``lv``, ``yv``)."""
    if not word.isascii() or not word.isalpha():
        return None
    word = word.replace("v", "u")
    known = _syllables()
    best: list[tuple[str, ...] | None] = [()] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - _LONGEST), end):
            before = best[start]
            if before is not None and word[start:end] in known:
                if best[end] is None or len(before) + 1 < len(best[end]):
                    best[end] = (*before, word[start:end])
    return best[-1]
