"""Firm names: display form, transliteration, legal forms, and keys for matching and sorting.

``name_key`` is the matching key. Steps, in order: NFKC and case-folding; Cyrillic
transliterated (GOST-like, see ``transliterate``); accents dropped; apostrophes and hyphens
inside words deleted (``Vasil'ev``, ``FZ-LLC``), all other punctuation and quotes made
spaces; Chinese/Japanese runs split from other letters; runs of single letters joined
(``S.p.A.`` -> ``spa``, ``L.L.C.`` -> ``llc``); legal forms removed wherever they stand
(Chinese ones as prefixes or suffixes of a word); then each Latin token is folded so the
usual spellings of one Cyrillic name agree:

    shch/sch/shh -> sh   tsch/tch -> ch   zh -> z   kh -> h   tz -> ts   x -> ks
    w -> v   ph -> f   j, y -> i   ie -> e   doubled letters -> one

so ``Техностанок``, ``TEKHNOSTANOK`` and ``TEHNOSTANOK`` give ``tehnostanok``, and ``Южный``,
``Yuzhnyy`` and ``Iuzhnyi`` give ``iuzni``. The key is for comparing, never for display.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from casebook.core.numbers import is_missing

_CYRILLIC_LETTERS = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Ukrainian, Belarusian, Kazakh, Kyrgyz, Tajik and Serbian letters
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u", "ә": "a", "ғ": "g", "қ": "k",
    "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "ҳ": "h", "ҷ": "j", "ӣ": "i",
    "ӯ": "u", "ј": "j", "ђ": "dj", "ћ": "c", "љ": "lj", "њ": "nj", "џ": "dz",
}  # fmt: skip
_LOWER = str.maketrans(_CYRILLIC_LETTERS)
_TITLE = str.maketrans({k.upper(): v.capitalize() for k, v in _CYRILLIC_LETTERS.items()})
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_WORD = re.compile(r"\w+")


def transliterate(text: str) -> str:
    """Cyrillic to Latin (GOST-like: ж zh, х kh, ц ts, щ shch, ю yu, я ya); other scripts kept."""
    if not text or not _CYRILLIC.search(text):
        return text or ""
    return _WORD.sub(_transliterate_word, text)


def _transliterate_word(match: re.Match[str]) -> str:
    word = match.group()
    if len(word) > 1 and word.isupper():  # ЩУКА -> SHCHUKA, not ShCHUKA
        return word.lower().translate(_LOWER).upper()
    return word.translate(_TITLE).translate(_LOWER)


_SPACES = re.compile(r"[\s\u200b\ufeff]+")


def clean_name(value: object) -> str | None:
    """The display form of a name: whitespace collapsed and stripped; None when missing."""
    if isinstance(value, bool) or not isinstance(value, str | int | float) or is_missing(value):
        return None
    text = _SPACES.sub(" ", str(value)).strip()
    return text or None


# Legal forms by display label; each spelling goes through the key pipeline, so only
# genuinely different spellings need listing. Label None: removed but not a legal form.
# Left out on purpose, as they are common words or initials: AB (Sweden), AT/PAT (Ukraine).
_LEGAL_FORMS: dict[str | None, str] = {
    "LLC": "ООО; OOO; Общество с ограниченной ответственностью; LLC; Limited Liability Company; "
    "Limited Liability Co; Obshchestvo s Ogranichennoy Otvetstvennostyu; "
    "Obshchestvo s Ogranichennoi Otvetstvennostiu; Obshestvo s Ogranichennoy Otvetstvennostyu; ТОВ; TOV; Товариство з обмеженою відповідальністю; 有限责任公司; "
    "有限責任公司",
    "JSC": "АО; AO; Акционерное общество; JSC; Joint Stock Company; Joint Stock Co; Joint Stock; "
    "Aktsionernoye Obshchestvo; Aktsionernoe Obshchestvo; "
    "Акціонерне товариство",
    "PJSC": "ПАО; PAO; Публичное акционерное общество; PJSC; Public Joint Stock Company",
    "OJSC": "ОАО; OAO; Открытое акционерное общество; OJSC; Open Joint Stock Company",
    "CJSC": "ЗАО; ZAO; Закрытое акционерное общество; CJSC; Closed Joint Stock Company",
    "NAO": "НАО; NAO; Непубличное акционерное общество",
    "IP": "ИП; Индивидуальный предприниматель",
    "FSUE": "ФГУП; FGUP; FSUE; Федеральное государственное унитарное предприятие",
    "SUE": "ГУП; GUP; Государственное унитарное предприятие; МУП; MUP; "
    "Муниципальное унитарное предприятие",
    "ANO": "АНО; ANO; Автономная некоммерческая организация",
    "LLP": "ТОО; TOO; Товарищество с ограниченной ответственностью; ЖШС; LLP; "
    "Limited Liability Partnership",
    "Co., Ltd.": "Co Ltd; Company Limited; Co Limited; Company Ltd; 有限公司; 股份有限公司",
    "Ltd": "Ltd; Limited",
    "Pte Ltd": "Pte Ltd; Pte Limited; Private Limited; Pte",
    "Pvt Ltd": "Pvt Ltd; Pvt Limited; Pvt",
    "Sdn Bhd": "Sdn Bhd; Sendirian Berhad; Bhd; Berhad",
    "Co": "Co; Company; 公司",
    "Corp": "Corp; Corporation",
    "Inc": "Inc; Incorporated",
    "GmbH & Co. KG": "GmbH & Co KG; GmbH und Co KG",
    "GmbH": "GmbH; Gesellschaft mit beschränkter Haftung",
    "AG": "AG; Aktiengesellschaft",
    "KG": "KG; Kommanditgesellschaft",
    "SA": "S.A.; Société Anonyme; Sociedad Anónima",
    "SL": "S.L.",
    "SRL": "S.R.L.",
    "SARL": "SARL; S.à r.l.",
    "SAS": "SAS",
    "SpA": "S.p.A.",
    "BV": "B.V.",
    "NV": "N.V.",
    "PLC": "PLC; Public Limited Company",
    "A.Ş.": "A.Ş.; Anonim Şirketi; A/S",
    "Ltd. Şti.": "Ltd. Şti.; Limited Şirketi; Şti.",
    "FZE": "FZE",
    "FZCO": "FZCO; FZC",
    "FZ-LLC": "FZ-LLC; FZ LLC",
    "DMCC": "DMCC",
    "Sp. z o.o.": "Sp. z o.o.",
    "s.r.o.": "s.r.o.",
    "Kft.": "Kft",
    "Oy": "Oy",
    "ApS": "ApS",
    "OOD": "OOD; EOOD",
    "KK": "K.K.; Kabushiki Kaisha; 株式会社",
    None: "Sanayi ve Ticaret; San. ve Tic.; Sanayi Ticaret; San. Tic.; Sanayi ve Dış Ticaret",
}

_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK_CHARS}]+|[^\W_{_CJK_CHARS}]+")
_INNER_JOINER = re.compile(r"(?<=\w)['\u2019\u02bc`\u00b4\-\u2010\u2011](?=\w)")
_INNER_APOSTROPHE = re.compile(r"(?<=\w)['\u2019\u02bc`\u00b4](?=\w)")
_NON_WORD = re.compile(r"[\W_]+")
_SPECIAL_LETTERS = str.maketrans(
    {"ı": "i", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th"}
)
_FOLDS = (
    ("shch", "sh"),
    ("tsch", "ch"),
    ("sch", "sh"),
    ("shh", "sh"),
    ("tch", "ch"),
    ("zh", "z"),
    ("kh", "h"),
    ("tz", "ts"),
    ("x", "ks"),
    ("w", "v"),
    ("ph", "f"),
    ("j", "i"),
    ("y", "i"),
    ("ie", "e"),
)
_DOUBLED = re.compile(r"([a-z])\1+")


def _display_tokens(value: object, joiner: re.Pattern[str] = _INNER_JOINER) -> list[str]:
    """Case-folded, transliterated, accent-free words, with initials joined."""
    text = clean_name(value)
    if text is None:
        return []
    text = transliterate(unicodedata.normalize("NFKC", text).casefold())
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LETTERS))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NON_WORD.sub(" ", joiner.sub("", text))
    return _join_initials(_TOKEN.findall(text))


def _join_initials(tokens: list[str]) -> list[str]:
    """``s p a`` -> ``spa``: a run of two or more single letters is one word."""
    joined: list[str] = []
    run = ""
    for token in [*tokens, ""]:
        if len(token) == 1 and token.isascii() and token.isalpha():
            run += token
            continue
        if run:
            joined.append(run)
            run = ""
        if token:
            joined.append(token)
    return joined


def _fold(token: str) -> str:
    if not token.isascii():
        return token
    for old, new in _FOLDS:
        if old in token:
            token = token.replace(old, new)
    return _DOUBLED.sub(r"\1", token)


def _build_forms() -> tuple[dict[str, list[tuple[tuple[str, ...], str | None]]], list]:
    by_first: dict[str, list[tuple[tuple[str, ...], str | None]]] = {}
    cjk: list[tuple[str, str | None]] = []
    for label, spellings in _LEGAL_FORMS.items():
        for spelling in spellings.split("; "):
            tokens = tuple(_display_tokens(spelling))
            if len(tokens) == 1 and not tokens[0].isascii():
                cjk.append((tokens[0], label))
            by_first.setdefault(tokens[0], []).append((tokens, label))
    for forms in by_first.values():
        forms.sort(key=lambda form: -len(form[0]))
    cjk.sort(key=lambda form: -len(form[0]))
    return by_first, cjk


_FORMS, _CJK_FORMS = _build_forms()


def _strip_cjk(token: str, found: list[str | None]) -> str:
    """Remove Chinese/Japanese legal forms at either end of a word (集团 is kept)."""
    changed = True
    while changed and token and not token.endswith("分公司"):  # a branch is part of the name
        changed = False
        for form, label in _CJK_FORMS:
            if token.endswith(form) or token.startswith(form):
                token = token[: -len(form)] if token.endswith(form) else token[len(form) :]
                found.append(label)
                changed = True
                break
    return token


def _split_forms(tokens: list[str]) -> tuple[list[str], list[str | None]]:
    """The name's words without legal forms, and the labels of the forms found."""
    kept: list[str] = []
    found: list[str | None] = []
    i = 0
    while i < len(tokens):
        for form, label in _FORMS.get(tokens[i], ()):
            if tuple(tokens[i : i + len(form)]) == form:
                found.append(label)
                i += len(form)
                break
        else:
            token = tokens[i] if tokens[i].isascii() else _strip_cjk(tokens[i], found)
            if token:
                kept.append(token)
            i += 1
    return kept, found


def _key_tokens(name: object) -> list[str]:
    kept, _ = _split_forms(_display_tokens(name))
    return [folded for folded in map(_fold, kept) if folded]


def name_key(name: object) -> str | None:
    """The firm-name matching key (see the module docstring), or None when nothing is left."""
    return " ".join(_key_tokens(name)) or None


def token_key(name: object) -> str | None:
    """``name_key`` with its words sorted, so word order does not matter."""
    return " ".join(sorted(_key_tokens(name))) or None


def sort_key(name: object) -> str:
    """Case-folded, transliterated name without quotes and legal forms, for sorting; never raises."""
    try:
        tokens = _display_tokens(name)
        kept, _ = _split_forms(tokens)
        return " ".join(kept or tokens)
    except Exception:  # a sort key must never break a listing
        return ""


def legal_form(name: object) -> str | None:
    """The normalised legal form in a name (``"LLC"`` for ООО), or None."""
    _, found = _split_forms(_display_tokens(name))
    return next((label for label in found if label), None)


# --- screening keys ---------------------------------------------------------------------------
# Screening compares names it has never seen, so its key is lossier than ``name_key`` (which
# firm resolution relies on and must not change): hyphens separate words, OCR digit slips inside
# words are undone, and each word is folded so that the usual romanisations of one Russian name
# (BGN/PCGN, ICAO 9303, GOST 7.79-B, German, French, ad hoc) and a few English loanwords meet:
#
#   schtsch/shch/shh/sch/zh -> sh   tsch/tch/kh/ch/ks/x -> h   ts/tz/cz/z/c (soft) -> s
#   c -> k   w -> v   ph -> f   j, y -> i   q -> k   ou -> u   rn -> m   ie -> e   doubles -> one
#
# (German writes з and с as s and ц as z, GOST 7.79-B ц as c or cz, so all of them meet in s;
# GOST 7.79-B writes х as x, and x is ks in Eksport/Export, so those meet in h.)
#
# Legal forms are stripped after folding, so ``Otkrytoye aktsionernoye obshchestvo``,
# ``Limited-Liability Company`` and ``O.O.O.`` are recognised whatever their spelling.

_SCREEN_FOLD = re.compile(
    r"schtsch|shch|tsch|sch|shh|zh|tch|kh|ch|ck|cz|ts|tz|ph|ks|x|c|z|w|j|y|q|ou|rn"
)
_SCREEN_LETTERS = {
    "schtsch": "sh", "shch": "sh", "tsch": "h", "sch": "sh", "shh": "sh", "zh": "sh", "tch": "h",
    "kh": "h", "ch": "h", "ck": "k", "cz": "s", "ts": "s", "tz": "s", "z": "s", "ph": "f",
    "ks": "h", "x": "h", "w": "v", "j": "i", "y": "i", "q": "k", "ou": "u", "rn": "m",
}  # fmt: skip
_OCR_DIGITS = str.maketrans("0158", "oisb")  # read as letters inside words (PRODUCT1ON)
_OCR_WORD = re.compile(r"[a-z][0158]|[0158][a-z]")
_SUFFIXES = ((re.compile(r"tions?$"), "cia"),)
# Folded words written in English and in romanised Russian that folding alone does not bring
# together (technology/tekhnologii and arctic/arktik already meet): the first spelling stands
# for the others.
_LOANWORDS_SPELT = (
    "mash mashina mashiny machine machines machinery",
    "tekhnologii technology technologies tekhnologiya tekhnologiy",
    "servis service servisa",
    "tsentr center centre tsentra",
    "grupp group gruppa gruppy",
    "resurs resursy resursa resource resources",
    "trading treyding",
    "engineering inzhiniring",
    "elektronik elektronika electronics elektronny",
)
# Legal forms only screening strips: Chinese ones in pinyin and Wade–Giles, "company" in Russian.
_SCREEN_ONLY_FORMS = (
    "Youxian Gongsi; Youxian Zeren Gongsi; Gufen Youxian Gongsi; You Xian Gong Si; "
    "You Xian Ze Ren Gong Si; Gu Fen You Xian Gong Si; Yu Hsien Kung Ssu; "
    "Yu Hsien Tse Jen Kung Ssu; Ku Fen Yu Hsien Kung Ssu; Kompaniya; Kompania"
)


def _fold_letters(match: re.Match[str]) -> str:
    letters = match.group()
    if letters == "c":  # soft before e, i, y (GOST 7.79-B's ц), hard elsewhere
        return "s" if match.string[match.end() : match.end() + 1] in ("e", "i", "y") else "k"
    return _SCREEN_LETTERS[letters]


@lru_cache(maxsize=1 << 18)
def _fold_spelling(word: str) -> str:
    if not word.isascii():
        return word
    if _OCR_WORD.search(word):
        word = word.translate(_OCR_DIGITS)
    word = _SCREEN_FOLD.sub(_fold_letters, word)
    word = _DOUBLED.sub(r"\1", word.replace("ie", "e"))
    for pattern, replacement in _SUFFIXES:
        word = pattern.sub(replacement, word)
    return word


_LOANWORDS = {
    _fold_spelling(variant): _fold_spelling(words.split()[0])
    for words in _LOANWORDS_SPELT
    for variant in words.split()
}


def screen_fold(word: str) -> str:
    """One lower-case word in the screening key (see above); non-Latin words are kept."""
    folded = _fold_spelling(word)
    return _LOANWORDS.get(folded, folded)


def _screen_forms() -> dict[str, list[tuple[str, ...]]]:
    spellings = [s for value in _LEGAL_FORMS.values() for s in value.split("; ")]
    spellings += _SCREEN_ONLY_FORMS.split("; ")
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for spelling in spellings:
        tokens = tuple(screen_fold(t) for t in _display_tokens(spelling, _INNER_APOSTROPHE))
        if tokens and tokens[0].isascii():
            by_first.setdefault(tokens[0], []).append(tokens)
    for forms in by_first.values():
        forms.sort(key=lambda form: -len(form))
    return by_first


_SCREEN_FORMS = _screen_forms()
_FORM_WORD_SLACK = 2  # edits allowed in a long word of a long legal form (OTVETSVENNOSTYU)


_LONG_FORM_WORDS = sorted({f for f in _SCREEN_FORMS if len(f) >= 8})


@lru_cache(maxsize=1 << 14)
def _form_first(token: str) -> str:
    """The first word of a legal form the token is, allowing typos in long words."""
    if token in _SCREEN_FORMS or len(token) < 8:
        return token
    return next((f for f in _LONG_FORM_WORDS if _edits_at_most(token, f, _FORM_WORD_SLACK)), token)


def _form_at(tokens: list[str], i: int) -> int:
    """How many tokens from i make up a legal form (0: none)."""
    for form in _SCREEN_FORMS.get(_form_first(tokens[i]), ()):
        got = tokens[i : i + len(form)]
        if (
            len(got) == len(form)
            and all(
                a == b or (len(b) >= 8 and _edits_at_most(a, b, _FORM_WORD_SLACK))
                for a, b in zip(got, form, strict=True)
            )
            and (len(form) > 1 or got[0] == form[0])
        ):
            return len(form)
    return 0


def _edits_at_most(a: str, b: str, limit: int) -> bool:
    return Levenshtein.distance(a, b, score_cutoff=limit) <= limit


def screen_words(name: object) -> list[tuple[str, str]]:
    """(word, screening token) for each word of a name that is not a legal form.

    The word is the lower-case, transliterated spelling (what pinyin is read from); the
    token is its screening fold. Chinese/Japanese legal forms are cut from their words.
    """
    words = _display_tokens(name, _INNER_APOSTROPHE)
    folded = [screen_fold(w) for w in words]
    kept: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        length = _form_at(folded, i) if folded[i].isascii() else 0
        if length:
            i += length
            continue
        word = words[i] if words[i].isascii() else _strip_cjk(words[i], [])
        if word:
            kept.append((word, folded[i] if word == words[i] else word))
        i += 1
    return kept


# Every word of the legal forms (``sirketi`` of ``limited sirketi``): alone, such a word says
# nothing about which firm a name is.
LEGAL_FORM_PARTS = frozenset(t for forms in _SCREEN_FORMS.values() for form in forms for t in form)


def is_legal_form_word(token: str) -> bool:
    """Whether a screening token is a legal form by itself (``oy``, ``ooo`` folded)."""
    return (token,) in _SCREEN_FORMS.get(token, ())


def person_key(name: object) -> str | None:
    """A person's name in any word order and script as one key (``ROTENBERG, Arkady`` and
    ``Аркадий Ротенберг`` meet): the screening tokens of its words, sorted."""
    tokens = sorted(token for _, token in screen_words(transliterate(str(name or ""))))
    return " ".join(tokens) or None


def with_countries(firms: list[tuple[str | None, str | None]]) -> list[str | None]:
    """``(name, country)`` firms' names as a list shows them: where two or more share a name
    (case aside), each with its country beside it ("Nova Trade Ltd (TR)", "Nova Trade Ltd
    (KZ)"; "no country" when it has none), so one is never read as the other."""
    seen: dict[str, int] = {}
    for name, _country in firms:
        if name:
            seen[name.casefold()] = seen.get(name.casefold(), 0) + 1
    return [
        f"{name} ({country or 'no country'})" if name and seen[name.casefold()] > 1 else name
        for name, country in firms
    ]
