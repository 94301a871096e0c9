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


def _display_tokens(value: object) -> list[str]:
    """Case-folded, transliterated, accent-free words, with initials joined."""
    text = clean_name(value)
    if text is None:
        return []
    text = transliterate(unicodedata.normalize("NFKC", text).casefold())
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LETTERS))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NON_WORD.sub(" ", _INNER_JOINER.sub("", text))
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
