"""Screening quality and speed on the real reference lists (run on demand, prints figures).

    python tests/benchmarks/bench_screening.py [--reference DIR] [--sources N] [--seed S]
        [--split tune|test|all] [--peer]
    python tests/benchmarks/bench_screening.py --people [options of bench_screening_people.py]

Evaluation set, built from the lists themselves:
- positives: for sampled listed entities, an alias of theirs, the name with another legal
  form, with its words reversed, with one typo, and transliterated (Latin -> Cyrillic for
  Russian entities, Cyrillic -> Latin in a scholarly scheme that differs from the core's);
  and the harder kinds of issue #22: the listed name cut to a customs field width (35-70
  characters), words dropped, two typos at once (keyboard neighbours, OCR confusions, a word
  split or two joined), Cyrillic names in GOST 7.79-B, German and ad hoc romanisations,
  Chinese names in pinyin or Wade-Giles, legal forms as romanised Russian phrases or
  hyphenated, and two or three of these changes at once;
- hard negatives: the generic words of listed names alone ("MACHINE TOOL PLANT LLC"), listed
  names whose distinctive words are replaced by invented ones (so only the common words are
  shared), invented "STANKO…"/"MASH…"/"TEKHNO…" compounds, invented but plausible Chinese,
  Turkish, Central Asian and Russian machine-tool firms, invented Chinese names (in
  characters or pinyin), a word many listed names use with another word ("ZAVOD START"), and
  listed names carrying a different valid INN or OGRN.
A hit is correct when it is the source entity or an entry of another list that is the same
party (one of its names has the same key, or it shares a certain identifier). Two precisions
are printed: per firm (a firm flagged with at least one correct hit counts as right) and over
all hits (every hit on a record that is not the same party is a false positive, also a second
hit of a firm that correctly hits its own party: a parent and its "Import and Export"
subsidiary, a short name and a longer one containing it), positives and negatives together.

Entities (and the negatives built from them) are split in two halves by a hash of their source
id: ``--split tune`` is the half the scores were calibrated on, ``--split test`` (the default)
the half they were not. ``--peer`` also scores every case with nomenklatura's LogicV2 (as
yente configures it, threshold 0.70) when ``import nomenklatura`` works, on the candidates
Casebook's index and rapidfuzz propose (a stand-in for yente's search step).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import re
import statistics
import sys
import time
import zlib
from collections import defaultdict
from pathlib import Path

from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from stdnum.ru import inn

from casebook.analysis.screening import (
    CERTAIN_SCHEMES,
    DEFAULT_THRESHOLD,
    Candidate,
    ScreeningIndex,
)
from casebook.core.names import name_key
from casebook.ingest.lists import load_list

ROOT = Path(__file__).resolve().parents[2]
LISTS = [
    (
        "ofac_sdn_2024-05-03_subset.csv",
        {"alt": "ofac_alt_2025-01_subset.csv", "add": "ofac_add_2025-01_subset.csv"},
    ),
    ("us_csl_consolidated_sample_2025.csv", {}),
    ("us_csl_sample_2019.csv", {}),
    ("opensanctions_zala_aero_cluster.ftm.jsonl", {}),
    ("opensanctions_eu_fsf_sample.ftm.jsonl", {}),
    ("eu_reg833_2014_annexes.csv", {}),
    ("eu_reg269_2014_annexI_subset.csv", {}),
]
PEER_THRESHOLD = 0.70  # yente's default
PEER_IDENTIFIERS = {"ru_inn": "innCode", "ru_ogrn": "ogrnCode", "lei": "leiCode"}  # FtM
THRESHOLDS = [0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.78, 0.80, 0.82, 0.85, 0.88, 0.90, 0.95]
LEGAL_FORMS = [
    "LLC", "OOO", "JSC", "AO", "OJSC", "PJSC", "Co., Ltd.", "Limited", "Ltd", "GmbH", "Inc.",
    "Limited Liability Company", "Joint Stock Company", "ООО", "АО",
]  # fmt: skip
FORM_WORDS = {
    "llc", "ooo", "jsc", "ao", "ojsc", "pjsc", "cjsc", "oao", "zao", "pao", "co", "co.", "ltd",
    "ltd.", "limited", "gmbh", "inc", "inc.", "company", "liability", "joint", "stock", "open",
    "closed", "public", "corporation", "corp", "corp.", "co.,", "llp", "s.a.", "sa", "ооо", "ао",
    "obshchestvo", "obshestvo", "s", "ogranichennoy", "ogranichennoi", "otvetstvennostyu",
    "aktsionernoe", "aktsionernoye", "otkrytoe", "otkrytoye", "zakrytoe", "zakrytoye",
    "publichnoe", "publichnoye",
}  # fmt: skip
LATIN_TO_CYRILLIC = [
    ("shch", "щ"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("zh", "ж"), ("yu", "ю"),
    ("ya", "я"), ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"),
    ("z", "з"), ("i", "и"), ("y", "ы"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"),
    ("c", "к"), ("h", "х"), ("w", "в"), ("x", "кс"), ("j", "дж"), ("q", "к"),
]  # fmt: skip
SCHOLARLY = str.maketrans({
    "ж": "ž", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč", "ю": "ju", "я": "ja",
    "й": "j", "ы": "y", "э": "è", "ъ": "", "ь": "'", "а": "a", "б": "b", "в": "v", "г": "g",
    "д": "d", "е": "e", "ё": "ë", "з": "z", "и": "i", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
})  # fmt: skip
CITIES = [
    "Ningbo", "Wuxi", "Jinan", "Foshan", "Dongguan", "Changzhou", "Tianjin", "Kunshan", "Xiamen",
    "Suzhou", "Qingdao", "Hefei", "Kayseri", "Bursa", "Konya", "Almaty", "Tashkent", "Bishkek",
    "Yerevan", "Samara", "Kazan", "Tula", "Perm", "Ufa",
]  # fmt: skip
INDUSTRY = [
    "Machine Tool", "Precision Machinery", "CNC Equipment", "Industrial Technology",
    "Trading", "Import and Export", "Machinery Manufacturing", "Tooling", "Engineering",
    "Stanko Trade", "Mashinery Group", "Technology Development",
]  # fmt: skip
SYLLABLES = [
    "hua", "xin", "da", "tong", "rui", "feng", "jia", "bo", "long", "sheng", "yuan", "kai", "vel",
    "tor", "mir", "ros", "gal", "ner", "vik", "dar", "lum", "zen", "tek", "pol", "ark", "sel",
]  # fmt: skip


HAN = re.compile(r"[\u4e00-\u9fff]")
KANA = re.compile(r"[\u3040-\u30ff]")


@dataclasses.dataclass
class Case:
    """One evaluation firm: its name, and the record indexes a hit may correctly point at."""

    name: str
    kind: str
    correct: frozenset[int]
    country: str | None = None
    identifiers: dict[str, str] = dataclasses.field(default_factory=dict)

    def firm(self, key: int) -> Candidate:
        return Candidate(
            key=key, name=self.name, country=self.country, identifiers=dict(self.identifiers)
        )


def load_records(reference: Path):
    """Every record of every reference list, and the load time."""
    records = []
    started = time.perf_counter()
    for file_name, companions in LISTS:
        extra = {k: reference / v for k, v in companions.items()}
        records.extend(load_list(reference / file_name, **extra).records)
    return records, time.perf_counter() - started


def same_party_groups(records) -> dict[int, frozenset[int]]:
    """For each screenable record, the records that are the same party (name key or certain id)."""
    by_key: dict[str, set[int]] = defaultdict(set)
    for i, record in enumerate(records):
        if not record.screenable:
            continue
        for name in record.names:
            key = name_key(name)
            if key and len(key) > 3:
                by_key[key].add(i)
        for scheme in CERTAIN_SCHEMES:
            for value in record.identifiers.get(scheme, ()):
                by_key[f"{scheme}:{value}"].add(i)
    groups: dict[int, set[int]] = defaultdict(set)
    for members in by_key.values():
        for i in members:
            groups[i] |= members
    return {i: frozenset(g) for i, g in groups.items()}


def strip_forms(name: str) -> list[str]:
    """The words of a name without legal-form words."""
    return [
        w
        for w in name.replace("«", " ").replace("»", " ").split()
        if w.casefold().strip('"“”‘’,') not in FORM_WORDS
    ]


def typo(word: str, rng: random.Random) -> str:
    """One substitution, deletion, insertion or transposition inside a word."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice("sdit")
    letters = "abcdefghiklmnoprstuvyz"
    if kind == "s":
        return word[:i] + rng.choice([c for c in letters if c != word[i].lower()]) + word[i + 1 :]
    if kind == "d":
        return word[:i] + word[i + 1 :]
    if kind == "i":
        return word[:i] + rng.choice(letters) + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def to_cyrillic(text: str) -> str:
    """A crude Latin -> Cyrillic spelling, as a Russian customs clerk might write a name."""
    out, text, i = [], text.lower(), 0
    while i < len(text):
        for latin, cyr in LATIN_TO_CYRILLIC:
            if text.startswith(latin, i):
                out.append(cyr)
                i += len(latin)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out).upper()


def is_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def positives(records, groups, rng: random.Random, *, sources: int, split: str) -> list[Case]:
    """Variants of sampled listed entities' names (half without their country)."""
    pool = [
        i
        for i, r in enumerate(records)
        if r.screenable and r.schema == "entity" and in_split(r, split)
    ]
    chinese = [
        i for i in pool if any(HAN.search(n) and not KANA.search(n) for n in records[i].names)
    ]
    sampled = rng.sample(pool, min(sources, len(pool)))
    sampled += [i for i in chinese if i not in sampled]  # pinyin needs every Chinese name
    cases: list[Case] = []
    for i in sampled:
        record, correct = records[i], groups.get(i, frozenset({i}))
        country = record.countries[0] if record.countries else None
        for name, kind in [*variants(record, country, rng), *harder_variants(record, country, rng)]:
            cases.append(Case(name, kind, correct, country if rng.random() < 0.5 else None))
    return cases


def variants(record, country: str | None, rng: random.Random) -> list[tuple[str, str]]:
    """(name, kind) spellings of one listed entity a firm register might hold."""
    words = strip_forms(record.name)
    if not words:
        return []
    base = " ".join(words)
    found = []
    if record.aliases:
        found.append((rng.choice(record.aliases), "alias"))
    form = rng.choice(LEGAL_FORMS)
    found.append((f"{form} {base}" if rng.random() < 0.5 else f"{base} {form}", "legal form"))
    if len(words) >= 2:
        found.append((" ".join(reversed(words)) + " " + rng.choice(LEGAL_FORMS), "word order"))
    long_words = [w for w in words if len(w) >= 6 and w.isalpha()]
    if long_words:
        target = rng.choice(long_words)
        found.append((base.replace(target, typo(target, rng), 1), "typo"))
    if is_cyrillic(base):
        found.append((base.lower().translate(SCHOLARLY), "translit Cyr->Lat"))
    elif country == "RU" and base.isascii():
        found.append(("ООО «" + to_cyrillic(base) + "»", "translit Lat->Cyr"))
    return found


def invented_word(vocabulary: list[str], rng: random.Random, *, prefix: str = "") -> str:
    """A pseudo-word that is no listed token and not one edit-ish away from any."""
    while True:
        word = prefix + "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        key = name_key(word) or word
        near = process.extractOne(
            key, vocabulary, scorer=Levenshtein.normalized_similarity, score_cutoff=0.75
        )
        if near is None:
            return word


def negatives(
    records, index: ScreeningIndex, groups, rng: random.Random, *, count: int, split: str
) -> list[Case]:
    """Firms that share words with listed ones but are not listed."""
    vocabulary = list(index.vocabulary())
    listed_keys = {name_key(n) for r in records if r.screenable for n in r.names}
    pool = [r for r in records if r.screenable and r.schema == "entity" and in_split(r, split)]
    with_inn = [r for r in pool if r.identifiers.get("ru_inn") or r.identifiers.get("ru_ogrn")]
    carriers = carrier_words(records, groups)
    cases: list[Case] = []
    generic = 0
    kinds = ["generic words", "replaced word", "stanko compound", "invented"]
    kinds += ["invented Chinese", "carrier + word", "different INN/OGRN"]
    while len(cases) < count:
        kind = rng.choice(kinds)
        record = rng.choice(pool)
        words = strip_forms(record.name)
        identifiers = {}
        if kind == "different INN/OGRN":
            record = rng.choice(with_inn)
            scheme = "ru_inn" if record.identifiers.get("ru_inn") else "ru_ogrn"
            identifiers = {scheme: other_inn(record.identifiers[scheme][0], rng)}
            name = rng.choice([record.name, f"{' '.join(strip_forms(record.name))} LLC"])
            cases.append(Case(name, kind, frozenset(), None, identifiers))
            continue
        if kind == "invented Chinese":
            name = invented_chinese(rng)
        elif kind == "carrier + word":
            name = f"{rng.choice(LEGAL_FORMS)} {rng.choice(CARRIER_WORDS)} {rng.choice(carriers).upper()}"
        elif kind == "generic words":
            common = [w for w in words if index.weight(name_key(w) or "") < 0.5]
            if len(common) < 2 or generic > count // 4:
                continue
            generic += 1
            name = " ".join(common) + " " + rng.choice(LEGAL_FORMS)
        elif kind == "replaced word" and len(words) >= 2:
            # keep the listed name's common words, invent every distinctive one
            rare = {w for w in words if index.weight(name_key(w) or "") >= 0.9}
            if not rare or len(rare) == len(words):
                continue
            name = " ".join(invented_word(vocabulary, rng) if w in rare else w for w in words)
        elif kind == "stanko compound":
            prefix = rng.choice(["stanko", "mash", "tekhno", "prom", "instrument"])
            name = (
                f"{rng.choice(LEGAL_FORMS)} {invented_word(vocabulary, rng, prefix=prefix).upper()}"
            )
        else:
            name = f"{rng.choice(CITIES)} {invented_word(vocabulary, rng).title()} {rng.choice(INDUSTRY)} {rng.choice(LEGAL_FORMS)}"
        if name_key(name) and name_key(name) not in listed_keys:
            cases.append(Case(name, kind, frozenset()))
    return cases


GOST_B = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ц": "cz", "ч": "ch", "ш": "sh",
    "щ": "shh", "ъ": "``", "ы": "y'", "ь": "`", "э": "e`", "ю": "yu", "я": "ya", "і": "i",
    "ї": "yi", "є": "ye", "ґ": "g",
}  # fmt: skip
GERMAN = {
    "а": "a", "б": "b", "в": "w", "г": "g", "д": "d", "е": "e", "ё": "jo", "ж": "sch", "з": "s",
    "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch",
    "щ": "schtsch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "ju", "я": "ja", "і": "i",
    "ї": "ji", "є": "je", "ґ": "g",
}  # fmt: skip
AD_HOC = {
    "х": ["kh", "h", "ch", "x"], "ц": ["ts", "c", "tz", "tc"], "ч": ["ch", "tch", "tsch"],
    "ш": ["sh", "sch"], "щ": ["shch", "sch", "shh", "sh"], "ж": ["zh", "j", "z"],
    "й": ["y", "i", "j", ""], "ы": ["y", "i"], "ю": ["yu", "iu", "ju", "u"],
    "я": ["ya", "ia", "ja"], "е": ["e", "ye"], "ё": ["e", "yo", "io"], "ь": ["", "'"],
    "ъ": ["", "'"], "э": ["e"], "в": ["v", "w"], "у": ["u", "ou"],
}  # fmt: skip
ROMANISED_FORMS = [
    "Obshchestvo s ogranichennoy otvetstvennostyu", "Obshestvo s Ogranichennoi Otvetstvennostiu",
    "Otkrytoye aktsionernoye obshchestvo", "Zakrytoe aktsionernoe obshchestvo",
    "Aktsionernoye obshchestvo", "Publichnoye aktsionernoye obshchestvo",
    "Limited-Liability Company", "Joint-Stock Company", "Open Joint-Stock Company",
    "O.O.O.", "L.L.C.", "Co.,Ltd.", "Z.A.O.",
]  # fmt: skip
KEYBOARD = [
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
]
OCR = [("o", "0"), ("l", "1"), ("i", "1"), ("m", "rn"), ("s", "5"), ("b", "8"), ("e", "c")]
CARRIER_WORDS = ["ZAVOD", "TRADING", "HOLDING", "INVEST", "GROUP", "SERVICE", "PLANT", "TEKHNO"]
HAN_CITIES = ["深圳", "广州", "上海", "宁波", "苏州", "东莞", "香港", "天津"]
HAN_CHARS = "华新达通瑞丰嘉博龙盛源凯泰恒鑫宏昌富海天远金美欣明光辉永信德安"
HAN_TRADES = ["电子", "科技", "贸易", "实业", "机械", "精密", "发展", "国际"]
WIDTHS = [35, 35, 35, 50, 70]


def in_split(record, split: str) -> bool:
    """Whether a record's entity belongs to the tune or the test half (by a hash of its id)."""
    if split == "all":
        return True
    return (zlib.crc32(record.source_id.encode()) % 2 == 0) == (split == "tune")


def romanise(text: str, table: dict[str, str]) -> str:
    """Cyrillic in one scheme, keeping the case of each word."""
    out = []
    for ch in text:
        latin = table.get(ch.lower())
        if latin is None:
            out.append(ch)
        else:
            out.append(latin.upper() if ch.isupper() and text.isupper() else latin)
    return "".join(out)


def ad_hoc(text: str, rng: random.Random) -> str:
    """Cyrillic romanised the way one clerk might: one spelling per letter, chosen at random."""
    table = {**GOST_B, **{k: rng.choice(v) for k, v in AD_HOC.items()}}
    table["ц"] = table["ц"]
    return romanise(text, table)


def keyboard_typo(word: str, rng: random.Random) -> str:
    """One letter replaced by a neighbour on the keyboard."""
    spots = [i for i, c in enumerate(word) if c.lower() in "".join(KEYBOARD)]
    if not spots:
        return word
    i = rng.choice(spots)
    row = next(r for r in KEYBOARD if word[i].lower() in r)
    j = row.index(word[i].lower())
    near = [row[k] for k in (j - 1, j + 1) if 0 <= k < len(row)]
    new = rng.choice(near)
    return word[:i] + (new.upper() if word[i].isupper() else new) + word[i + 1 :]


def ocr_typo(word: str, rng: random.Random) -> str:
    """One OCR confusion (o/0, l/1, m/rn …), or a keyboard typo when none applies."""
    options = [(a, b) for a, b in OCR if a in word.lower()]
    if not options:
        return keyboard_typo(word, rng)
    a, b = rng.choice(options)
    spots = [i for i in range(len(word)) if word.lower().startswith(a, i)]
    i = rng.choice(spots)
    return word[:i] + (b.upper() if word[i].isupper() else b) + word[i + len(a) :]


def two_typos(words: list[str], rng: random.Random) -> tuple[list[str], str] | None:
    """Two changes in long words: (words, sub-kind)."""
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return None
    words = list(words)
    kind = rng.choice(["keyboard", "OCR", "split/joined"])
    if kind == "split/joined":
        if len(words) >= 2 and rng.random() < 0.5:
            i = rng.randrange(len(words) - 1)
            words[i : i + 2] = [words[i] + words[i + 1]]
        else:
            i = rng.choice(long_words)
            cut = rng.randrange(2, len(words[i]) - 1)
            words[i : i + 1] = [words[i][:cut], words[i][cut:]]
        long_words = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
        if long_words:
            i = rng.choice(long_words)
            words[i] = keyboard_typo(words[i], rng)
        return words, "typo: split/joined"
    change = keyboard_typo if kind == "keyboard" else ocr_typo
    eight = [i for i in long_words if len(words[i]) >= 8]
    if eight and (len(long_words) == 1 or rng.random() < 0.5):
        i = rng.choice(eight)
        words[i] = change(change(words[i], rng), rng)
    elif len(long_words) >= 2:
        for i in rng.sample(long_words, 2):
            words[i] = change(words[i], rng)
    else:
        return None
    return words, f"typo: {kind} x2"


def pinyin_variant(name: str, rng: random.Random) -> str:
    """A Chinese name in toneless pinyin or Wade-Giles, its syllables spaced, paired or joined."""
    style = Style.WADEGILES if rng.random() < 0.25 else Style.NORMAL
    form = ""
    for suffix, latin in (("股份有限公司", "Co., Ltd."), ("有限公司", "Co., Limited")):
        if name.endswith(suffix):
            name, form = name[: -len(suffix)], rng.choice([latin, "Youxian Gongsi", ""])
            break
    syllables = [s.replace("'", "").replace("ü", "u") for s in lazy_pinyin(name, style=style)]
    syllables = [s for s in syllables if s.strip("()（） ")]
    glue = rng.choice(["spaced", "paired", "joined"])
    if glue == "spaced" or style == Style.WADEGILES and glue == "joined":
        words = syllables
    elif glue == "paired":
        words = ["".join(syllables[i : i + 2]) for i in range(0, len(syllables), 2)]
        if style == Style.WADEGILES:
            words = ["-".join(syllables[i : i + 2]) for i in range(0, len(syllables), 2)]
    else:
        words = ["".join(syllables)]
    text = " ".join(w.capitalize() for w in words)
    return f"{text} {form}".strip().upper() if rng.random() < 0.5 else f"{text} {form}".strip()


def drop_words(words: list[str], rng: random.Random) -> list[str] | None:
    """One or two words left out of a name of three or more."""
    if len(words) < 3:
        return None
    keep = sorted(
        rng.sample(range(len(words)), len(words) - rng.choice([1, 1, 2][: len(words) - 2]))
    )
    return [words[i] for i in keep]


def combined(record, words: list[str], rng: random.Random) -> str | None:
    """Two or three changes at once: a typo, a dropped word, word order, a legal form, a cut."""
    changes = rng.sample(["typo", "drop", "order", "form", "cut"], rng.choice([2, 3]))
    words = list(words)
    for change in changes:
        if change == "typo":
            long_words = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
            if not long_words:
                return None
            i = rng.choice(long_words)
            words[i] = typo(words[i], rng)
        elif change == "drop":
            words = drop_words(words, rng) or words
        elif change == "order" and len(words) >= 2:
            words = words[1:] + words[:1]
    name = " ".join(words)
    if "form" in changes:
        name = f"{rng.choice(ROMANISED_FORMS + LEGAL_FORMS)} {name}"
    if "cut" in changes and len(name) > 35:
        name = name[:35].rstrip()
    return name


def harder_variants(record, country, rng: random.Random) -> list[tuple[str, str]]:
    """(name, kind) of the harder kinds: cut, dropped words, two typos, transliteration
    schemes, pinyin, romanised legal forms, several changes at once."""
    words = strip_forms(record.name)
    found = []
    wide = [w for w in WIDTHS if len(record.name) > w + 3]
    if wide:
        cut = record.name[: rng.choice(wide)].rstrip()
        kept = strip_forms(cut)
        if kept and any(f.startswith(kept[-1].casefold()) for f in FORM_WORDS):
            kept.pop()  # the cut fell inside a legal form ("… OTVETST")
        if len("".join(kept)) >= 4:  # a name cut inside its legal form is lost
            found.append((cut, "cut to field width"))
    if words:
        dropped = drop_words(words, rng)
        if dropped:
            found.append((" ".join(dropped) + " " + rng.choice(LEGAL_FORMS), "dropped words"))
        typos = two_typos(words, rng)
        if typos:
            found.append((" ".join(typos[0]), typos[1]))
        if " ".join(words).isascii():
            found.append(
                (f"{' '.join(words)} {rng.choice(ROMANISED_FORMS)}", "romanised legal form")
            )
        several = combined(record, words, rng)
        if several and name_key(several):
            found.append((several, "2-3 changes at once"))
    cyrillic = [n for n in record.names if is_cyrillic(n)]
    if cyrillic:
        source = rng.choice(cyrillic)
        found.append((romanise(source, GOST_B), "translit GOST 7.79-B"))
        found.append((romanise(source, GERMAN), "translit German"))
        found.append((ad_hoc(source, rng), "translit ad hoc"))
    chinese = [n for n in record.names if HAN.search(n) and not KANA.search(n)]
    if chinese:
        found.append((pinyin_variant(rng.choice(chinese), rng), "pinyin"))
    return found


def invented_chinese(rng: random.Random) -> str:
    """A plausible Chinese firm that is not listed, in characters or in pinyin."""
    name = (
        rng.choice(HAN_CITIES)
        + "".join(rng.sample(HAN_CHARS, 2))
        + rng.choice(HAN_TRADES)
        + "有限公司"
    )
    return name if rng.random() < 0.5 else pinyin_variant(name, rng)


def carrier_words(records, groups) -> list[str]:
    """Listed one-word names whose word at least three listed parties use (START, OPTIMA)."""
    parties_using: dict[str, set[frozenset[int]]] = defaultdict(set)
    single = set()
    for i, record in enumerate(records):
        if not record.screenable:
            continue
        for name in record.names:
            key = name_key(name) or ""
            for word in set(key.split()):
                parties_using[word].add(groups.get(i, frozenset({i})))
            if len(key.split()) == 1 and len(key) >= 4 and key.isascii():
                single.add(key)
    return sorted(w for w in single if len(parties_using[w]) >= 3)


def other_inn(value: str, rng: random.Random) -> str:
    """A valid INN (10 digits) or OGRN (13) that is not the given one."""
    while True:
        if len(value) == 10:
            body = "".join(rng.choice("0123456789") for _ in range(9))
            candidate = body + inn.calc_company_check_digit(body)
        else:
            body = "".join(rng.choice("123456789") for _ in range(12))
            candidate = body + str(int(body) % 11 % 10)
        if candidate != value:
            return candidate


def evaluate(index: ScreeningIndex, cases: list[Case]) -> dict[float, dict]:
    """Recall and precision (per firm and per hit) over the thresholds."""
    firms = [c.firm(i) for i, c in enumerate(cases)]
    hits = index.screen(firms, threshold=min(THRESHOLDS))
    by_firm = defaultdict(list)
    for hit in hits:
        by_firm[hit.firm_key].append(hit)
    table = {}
    for threshold in THRESHOLDS:
        table[threshold] = _metrics(cases, by_firm, threshold)
    return table


def _metrics(cases, by_firm, threshold) -> dict:
    tp = fp = found = pairs = good_pairs = extra = 0
    positives = sum(1 for c in cases if c.correct)
    for i, case in enumerate(cases):
        flagged = [h for h in by_firm.get(i, ()) if h.score >= threshold]
        good = [h for h in flagged if h.record_index in case.correct]
        pairs += len(flagged)
        good_pairs += len(good)
        if case.correct and good:
            found += 1
            extra += len(flagged) - len(good)
        if flagged:
            tp, fp = (tp + 1, fp) if good else (tp, fp + 1)
    return {
        "recall": found / positives if positives else 0.0,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "hit_precision": good_pairs / pairs if pairs else 1.0,
        "wrong_hits": pairs - good_pairs,
        "extra_hits": extra,  # wrong hits of firms that also hit their own party
        "flagged_negatives": sum(
            1
            for i, c in enumerate(cases)
            if not c.correct and any(h.score >= threshold for h in by_firm.get(i, ()))
        ),
    }


def found_by_kind(flagged: dict[int, set[int]], cases) -> dict[str, tuple[int, int]]:
    """Per kind: (positives found or negatives flagged, cases)."""
    totals, found = defaultdict(int), defaultdict(int)
    for i, case in enumerate(cases):
        totals[case.kind] += 1
        if case.correct:
            found[case.kind] += bool(flagged.get(i, set()) & case.correct)
        else:
            found[case.kind] += bool(flagged.get(i))
    return {k: (found[k], totals[k]) for k in totals}


def casebook_flags(index, cases, threshold) -> dict[int, set[int]]:
    hit_sets = defaultdict(set)
    for hit in index.screen([c.firm(i) for i, c in enumerate(cases)], threshold=threshold):
        hit_sets[hit.firm_key].add(hit.record_index)
    return hit_sets


def peer_flags(index, records, cases, threshold: float = PEER_THRESHOLD):
    """Records nomenklatura's LogicV2 (yente's configuration) flags per case, or None when
    nomenklatura is not installed. Candidates: Casebook's ten best and rapidfuzz's five best."""
    try:
        from followthemoney import model
        from nomenklatura.matching import get_algorithm
        from nomenklatura.matching.types import ScoringConfig
    except ImportError:
        return None
    algorithm, config = get_algorithm("logic-v2"), ScoringConfig.defaults()
    listed = [i for i, r in enumerate(records) if r.screenable]
    choices = [name_key(records[i].name) or "" for i in listed]
    proxies: dict[int, object] = {}

    def proxy(i):
        if i not in proxies:
            record = records[i]
            entity = model.make_entity("Company")
            entity.id = f"r{i}"
            entity.add("name", record.names)
            entity.add("country", record.countries, quiet=True)
            for scheme, prop in PEER_IDENTIFIERS.items():
                entity.add(prop, record.identifiers.get(scheme, []), quiet=True)
            proxies[i] = entity
        return proxies[i]

    flagged = defaultdict(set)
    for n, case in enumerate(cases):
        query = model.make_entity("Company")
        query.id = f"q{n}"
        query.add("name", case.name)
        if case.country:
            query.add("country", case.country, quiet=True)
        for scheme, value in case.identifiers.items():
            query.add(PEER_IDENTIFIERS[scheme], value, quiet=True)
        candidates = {h.record_index for h in index.screen_firm(case.firm(n))[:10]}
        key = name_key(case.name) or case.name
        for _, _, position in process.extract(key, choices, scorer=fuzz.WRatio, limit=5):
            candidates.add(listed[position])
        for i in candidates:
            if algorithm.compare(query, proxy(i), config).score >= threshold:
                flagged[n].add(i)
    return flagged


def timing(index: ScreeningIndex, firms: list[Candidate], runs: int = 3) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        index.screen(firms)
        times.append(time.perf_counter() - started)
    return times


def cdist_baseline(
    index: ScreeningIndex, firms: list[Candidate], *, sample: int = 100
) -> tuple[float, float]:
    """Seconds rapidfuzz's cdist takes for a sample against every name, and that scaled up."""
    choices = index.keys()
    queries = [name_key(f.name) or "" for f in firms[:sample]]
    started = time.perf_counter()
    process.cdist(queries, choices, scorer=fuzz.token_sort_ratio, workers=1, score_cutoff=80)
    seconds = time.perf_counter() - started
    return seconds, seconds * len(firms) / sample


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if "--people" in argv:  # persons against the listed individuals: bench_screening_people.py
        from bench_screening_people import main as people

        return people([a for a in argv if a != "--people"])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=ROOT / "tests" / "fixtures" / "reference")
    parser.add_argument("--sources", type=int, default=400, help="listed entities to vary")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--split", choices=["tune", "test", "all"], default="test")
    parser.add_argument("--peer", action="store_true", help="also run nomenklatura's LogicV2")
    parser.add_argument("--no-speed", action="store_true", help="skip the timing runs")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    records, load_seconds = load_records(args.reference)
    started = time.perf_counter()
    index = ScreeningIndex(records)
    build_seconds = time.perf_counter() - started
    names_all = sum(len(r.names) for r in records)
    print(
        f"lists: {len(records)} records, {sum(r.screenable for r in records)} screenable, "
        f"{names_all} names ({index.size} screenable spellings indexed); "
        f"load {load_seconds:.2f} s, index {build_seconds:.2f} s"
    )
    print(
        "commonest tokens (weight):",
        ", ".join(f"{t} {w}" for t, w in index.common_tokens(limit=12)),
    )

    groups = same_party_groups(records)
    pos = positives(records, groups, rng, sources=args.sources, split=args.split)
    neg = negatives(records, index, groups, rng, count=len(pos), split=args.split)
    cases = pos + neg
    print(
        f"\nevaluation set ({args.split} half): {len(pos)} positives from the entities sampled, "
        f"{len(neg)} hard negatives"
    )
    table = evaluate(index, cases)
    print(
        f"\n{'threshold':>9} {'recall':>7} {'precision':>9} {'all-hits precision':>18} "
        f"{'wrong hits (beside a right one)':>31} {'negatives flagged':>17}"
    )
    for threshold, m in table.items():
        mark = "  <- default" if abs(threshold - DEFAULT_THRESHOLD) < 1e-9 else ""
        wrong = f"{m['wrong_hits']} ({m['extra_hits']})"
        print(
            f"{threshold:>9.2f} {m['recall']:>7.3f} {m['precision']:>9.3f} "
            f"{m['hit_precision']:>18.3f} {wrong:>31} {m['flagged_negatives']:>10}/{len(neg)}{mark}"
        )
    ours = found_by_kind(casebook_flags(index, cases, DEFAULT_THRESHOLD), cases)
    peer = peer_flags(index, records, cases) if args.peer else None
    theirs = found_by_kind(peer, cases) if peer is not None else {}
    if args.peer and peer is None:
        print("\n(nomenklatura is not importable: no peer column)")
    peer_head = f" | {'nomenklatura LogicV2 @0.70':>26}" if theirs else ""
    print(f"\n| kind | cases | Casebook @{DEFAULT_THRESHOLD}{peer_head} |")
    print("|---|---:|---:|" + ("---:|" if theirs else ""))
    for part, label in ((pos, "found"), (neg, "flagged")):
        kinds = sorted({c.kind for c in part})
        for kind in kinds:
            found, total = ours[kind]
            row = f"| {kind} ({label}) | {total} | {found / total:.2f} |"
            if theirs:
                row += f" {theirs[kind][0] / total:.2f} |"
            print(row)
    if theirs:
        for name, flags, threshold in (
            ("Casebook", None, DEFAULT_THRESHOLD),
            ("peer", peer, PEER_THRESHOLD),
        ):
            flags = flags if flags is not None else casebook_flags(index, cases, threshold)
            found = sum(
                bool(flags.get(i, set()) & c.correct) for i, c in enumerate(cases) if c.correct
            )
            flagged = [i for i in range(len(cases)) if flags.get(i)]
            good = sum(1 for i in flagged if flags[i] & cases[i].correct)
            print(
                f"{name} @{threshold}: recall {found / len(pos):.3f}, "
                f"precision {good / max(len(flagged), 1):.3f}"
            )
    if args.no_speed:
        return 0

    firms = [c.firm(i) for i, c in enumerate(cases)]
    while len(firms) < 5000:
        firms.extend(
            dataclasses.replace(f, key=f.key + len(firms)) for f in firms[: 5000 - len(firms)]
        )
    firms = firms[:5000]
    times = timing(ScreeningIndex(records), firms)
    print(
        f"\nspeed: 5000 firms against {index.size} spellings: median {statistics.median(times):.2f} s "
        f"(runs {', '.join(f'{t:.2f}' for t in times)}; the first on a fresh index)"
    )
    everything = [dataclasses.replace(r, screenable=True) for r in records]
    worst = ScreeningIndex(everything)
    times = timing(worst, firms)
    print(
        f"       with every record screened ({worst.size} spellings): median {statistics.median(times):.2f} s"
    )
    seconds, scaled = cdist_baseline(index, firms)
    print(
        f"baseline: rapidfuzz process.cdist (token_sort_ratio, 1 worker), 100 firms x {index.size} "
        f"names: {seconds:.2f} s -> {scaled:.1f} s for 5000 firms (full cross product)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
