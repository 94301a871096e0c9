"""Screening quality and speed on the real reference lists (run on demand, prints figures).

    python tests/benchmarks/bench_screening.py [--reference DIR] [--sources N] [--seed S]
        [--split tune|test|all] [--peer]
    python tests/benchmarks/bench_screening.py --people [--reference DIR] [--sources N]
        [--seed S] [--split tune|test|all] [--no-speed] [--show N]

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

Persons (``--people``): analysis/screening_people.py screens people against the listed
individuals only. Evaluation set, built from the individuals of the lists themselves (OFAC SDN,
the EU journal, OpenSanctions, the CSL samples):
- positives: for sampled listed individuals, an alias of theirs; the name in the other order
  (``SURNAME, Given Patronymic`` <-> ``Given Patronymic Surname``); without the patronymic;
  with initials (``Timchenko G. N.``, as Russian registers write it); with a typo in the
  surname; written in Cyrillic (a Latin name as a Russian clerk would, crudely), and Cyrillic
  names romanised in GOST 7.79-B, ICAO (Russian passports), French, German, a scholarly and
  an ad hoc scheme (every individual listed with a Cyrillic name is sampled); two changes at
  once; the listed birth date slipped (another day, or a year off). Each is given the listed
  birth date (half), its year only (a quarter) or none.
- hard negatives: namesakes, the listed name (or a variant) with a birth year 5 to 30 years
  from every listed one; other people sharing a surname (a listed surname with another listed
  person's given name and patronymic), sharing a given name and patronymic (with another
  surname), brothers and sisters (the same given name and surname, another patronymic); listed
  names with another valid personal INN; a listed person's given name and patronymic alone.
  A constructed name that is some listed person's name (with or without the patronymic) is
  not used.
A hit is correct when it is the source individual or another list's entry for the same person
(the same words of the name once folded and compatible birth dates, or the same personal INN).
Precision per person: a person flagged with at least one correct hit counts as right; all-hits
precision counts every hit on another person as false.

Individuals are split in halves by the same hash of their source id (``--split``); the
person matcher's constants were calibrated on the tune half.
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
from casebook.analysis.screening_people import DEFAULT_THRESHOLD as PERSON_THRESHOLD
from casebook.analysis.screening_people import PersonCandidate, PersonIndex
from casebook.core.names import name_key, screen_words
from casebook.ingest.lists import load_list
from casebook.ingest.lists.birth import birth_span

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
    if "--people" in argv:  # persons against the listed individuals (below)
        return people_main([a for a in argv if a != "--people"])
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


# --- Persons against the listed individuals (``--people``) -----------------------------

# Russian passports since 2013 (ICAO Doc 9303), and French usage (Iouri Tchernychev)
ICAO = {
    **GOST_B, "ж": "zh", "х": "kh", "ц": "ts", "щ": "shch", "й": "i", "ы": "y", "ъ": "ie",
    "ь": "", "э": "e", "ю": "iu", "я": "ia", "ё": "e",
}  # fmt: skip
FRENCH = {
    **ICAO, "ж": "j", "х": "kh", "ч": "tch", "ш": "ch", "щ": "chtch", "у": "ou", "ю": "iou",
    "я": "ia", "й": "i", "ы": "y", "ъ": "", "ё": "io",
}  # fmt: skip
PERSON_THRESHOLDS = [0.60, 0.65, 0.70, 0.75, 0.78, 0.80, 0.82, 0.85, 0.88, 0.90, 0.95]
PATRONYMIC = re.compile(r"(?:ovich|evich|ovitch|ovych|evych|ovna|evna|ivna|ichna)$", re.I)
TITLES = {"dr.", "dr", "mr", "mr.", "general", "colonel"}


@dataclasses.dataclass
class PersonCase:
    """One evaluation person and the record indexes a hit may correctly point at."""

    person: PersonCandidate
    kind: str
    correct: frozenset[int]


@dataclasses.dataclass
class Parts:
    """A listed name cut into given names, patronymic and surname."""

    given: list[str]
    patronymic: str | None
    surname: list[str]


def parts(name: str) -> Parts | None:
    """``SURNAME, Given Patronymic`` (OFAC), ``Given Patronymic SURNAME`` (EU), else the last
    word as the surname; None for a one-word name or one with brackets."""
    if "(" in name or '"' in name:
        return None
    if "," in name:
        surname, _, rest = name.partition(",")
        given, surname = rest.split(), surname.split()
    else:
        words = name.split()
        upper = [w for w in words if w.isupper() and len(w) > 1]
        if upper and len(upper) < len(words):
            surname, given = upper, [w for w in words if w not in upper]
        else:
            surname, given = words[-1:], words[:-1]
    given = [w for w in given if w.casefold() not in TITLES]
    if not given or not surname:
        return None
    patronymic = given[-1] if len(given) >= 2 and PATRONYMIC.search(given[-1]) else None
    if patronymic:
        given = given[:-1]
    return Parts(given, patronymic, surname)


def bag(words) -> tuple[str, ...]:
    """The folded words of a name, sorted (word order ignored)."""
    return tuple(sorted(t for w in words for _, t in screen_words(w)))


def coarse(words) -> tuple[str, ...]:
    """The first four letters of each folded word, sorted: Alexander and Aleksandr, Sergei
    and Sergii agree (to keep listed people out of the negatives)."""
    return tuple(sorted(t[:4] for t in bag(words)))


def title(words) -> str:
    return " ".join(w.capitalize() if w.isupper() else w for w in words)


def person_groups(records, people: list[int]) -> dict[int, frozenset[int]]:
    """For each individual, the individuals that are the same person: a name with the same
    folded words and compatible birth dates, or the same personal INN."""
    by_name: dict[tuple[str, ...], set[int]] = defaultdict(set)
    by_inn: dict[str, set[int]] = defaultdict(set)
    for i in people:
        for name in records[i].names:
            key = bag(name.replace(",", " ").split())
            if len(key) >= 2:
                by_name[key].add(i)
        for value in records[i].identifiers.get("ru_inn", ()):
            by_inn[value].add(i)
    groups: dict[int, set[int]] = defaultdict(set)
    for members in by_inn.values():
        for i in members:
            groups[i] |= members
    for members in by_name.values():
        for i in members:
            groups[i] |= {j for j in members if born_alike(records[i], records[j])}
    return {i: frozenset(groups[i] | {i}) for i in people}


def born_alike(a, b) -> bool:
    """Whether two records' birth dates may be the same person's (either missing, or within
    a year of each other)."""
    if not a.birth_dates or not b.birth_dates:
        return True
    return any(year_gap(x, y) <= 1 for x in a.birth_dates for y in b.birth_dates)


def year_gap(x: str, y: str) -> int:
    (s1, e1), (s2, e2) = birth_span(x), birth_span(y)
    return max(0, s1.year - e2.year, s2.year - e1.year)


def given_date(record, rng: random.Random) -> str | None:
    """The birth date a register gives: the listed day (half), its year (a quarter), none."""
    if not record.birth_dates:
        return None
    start, end = birth_span(rng.choice(record.birth_dates))
    roll = rng.random()
    if roll < 0.5 and start == end:
        return start.isoformat()
    if roll < 0.75:
        return str(rng.randint(start.year, end.year))
    return None


def slip(born: str, rng: random.Random) -> str:
    """A birth date as a register may get it wrong: another day or month, or a year off."""
    year = int(born[:4])
    if len(born) == 4 or rng.random() < 0.5:
        return f"{year + rng.choice([-1, 1])}{born[4:]}"
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def person_positives(records, people, groups, rng, *, sources: int, split: str) -> list[PersonCase]:
    """Variants of sampled listed individuals' names, with or without their birth date."""
    pool = [i for i in people if in_split(records[i], split) and parts(records[i].name)]
    sampled = rng.sample(pool, min(sources, len(pool)))
    sampled += [i for i in pool if i not in sampled and any(map(is_cyrillic, records[i].names))]
    cases = []
    for i in sampled:
        record = records[i]
        for name, kind in person_variants(record, rng):
            born = given_date(record, rng)
            if kind == "order: given first" and born and rng.random() < 0.5:
                born, kind = slip(born, rng), "order + birth date slip"
            nationality = record.countries[0] if record.countries and rng.random() < 0.3 else None
            person = PersonCandidate(name, birth_date=born, nationality=nationality)
            cases.append(PersonCase(person, kind, groups[i]))
    return cases


def person_variants(record, rng: random.Random) -> list[tuple[str, str]]:
    """(name, kind) spellings of one listed individual a register might hold."""
    p = parts(record.name)
    found = []
    if record.aliases:
        found.append((rng.choice(record.aliases), "alias"))
    given = p.given + ([p.patronymic] if p.patronymic else [])
    if "," in record.name:
        found.append((title(given + p.surname), "order: given first"))
    else:
        found.append(
            (" ".join(w.upper() for w in p.surname) + ", " + title(given), "order: surname first")
        )
    if p.patronymic:
        found.append((title(p.given + p.surname), "no patronymic"))
    initials = " ".join(f"{w[0].upper()}." for w in given)
    found.append((f"{title(p.surname)} {initials}", "initials"))
    long_words = [w for w in p.surname if len(w) >= 6]
    if long_words:
        target = rng.choice(long_words)
        found.append((record.name.replace(target, typo(target, rng), 1), "typo"))
    if record.name.isascii():
        found.append((to_cyrillic(" ".join(p.surname + given)).title(), "Lat->Cyr"))
        cyrillic_initials = "".join(f"{to_cyrillic(w)[0]}." for w in given)
        found.append(
            (f"{to_cyrillic(' '.join(p.surname)).title()} {cyrillic_initials}", "Cyrillic initials")
        )
    cyrillic = [n for n in record.names if is_cyrillic(n)]
    if cyrillic:
        source = rng.choice(cyrillic)
        scheme, table = rng.choice(
            [("GOST 7.79-B", GOST_B), ("German", GERMAN), ("ICAO", ICAO), ("French", FRENCH)]
        )
        found.append((romanise(source, table), f"Cyr->Lat {scheme}"))
        found.append((source.lower().translate(SCHOLARLY).title(), "Cyr->Lat scholarly"))
        found.append((ad_hoc(source, rng), "Cyr->Lat ad hoc"))
    order = title(p.given + p.surname)  # no patronymic, given first, and a typo
    long_words = [w for w in order.split() if len(w) >= 6]
    if long_words:
        target = rng.choice(long_words)
        found.append((order.replace(target, typo(target, rng), 1), "2 changes at once"))
    return found


def person_negatives(records, people, rng, *, count: int, split: str) -> list[PersonCase]:
    """People who are not listed but look like listed ones."""
    pool = [i for i in people if in_split(records[i], split) and parts(records[i].name)]
    split_parts = {i: parts(records[i].name) for i in people if parts(records[i].name)}
    taken = set()  # every listed name, with and without its patronymic, coarsely
    born = defaultdict(list)  # listed name without patronymic -> birth dates of its bearers
    for i in people:
        for name in records[i].names:
            words = name.replace(",", " ").split()
            short = [w for w in words if not PATRONYMIC.search(w)]
            taken.update((coarse(words), coarse(short)))
            born[coarse(short)].extend(records[i].birth_dates)
    with_inn = [
        i for i in pool if any(len(v) == 12 for v in records[i].identifiers.get("ru_inn", ()))
    ]
    others = list(split_parts.values())
    cases: list[PersonCase] = []
    kinds = ["namesake, other birth year", "same surname", "same given name and patronymic"]
    kinds += ["sibling (other patronymic)", "other personal INN"]
    kinds += ["given name and patronymic alone"]
    while len(cases) < count:
        kind = rng.choice(kinds)
        i = rng.choice(with_inn if kind == "other personal INN" else pool)
        record, p = records[i], split_parts[i]
        other = rng.choice(others)
        born_on = None
        identifiers: tuple = ()
        if kind == "namesake, other birth year":
            if not record.birth_dates:
                continue
            name = rng.choice([record.name, title(p.given + p.surname), *record.aliases[:2]])
            words = [w for w in name.replace(",", " ").split() if not PATRONYMIC.search(w)]
            born_on = namesake_year(born[coarse(words)] or record.birth_dates, rng)
        elif kind == "given name and patronymic alone":
            if not p.patronymic:
                continue  # (other names have no reliable given part: Omar Mahmoud UTHMAN)
            name = title([*p.given, p.patronymic])
            if coarse(name.split()) in taken:
                continue
        elif kind == "other personal INN":
            name = record.name  # (without the patronymic, a namesake of another would be right)
            ours = record.identifiers["ru_inn"][0]
            identifiers = (("ru_inn", other_personal_inn(ours, rng)),)
        else:
            if kind == "same surname":
                words = other.given + ([other.patronymic] if other.patronymic else []) + p.surname
            elif kind == "same given name and patronymic":
                words = p.given + ([p.patronymic] if p.patronymic else []) + other.surname
            else:
                if not p.patronymic or not other.patronymic or same_father(p, other):
                    continue
                words = p.given + [other.patronymic] + p.surname
            short = coarse([w for w in words if not PATRONYMIC.search(w)])
            if coarse(words) in taken or (short in taken and kind != "sibling (other patronymic)"):
                continue  # (a sibling's name without the patronymic is the listed one's)
            name = title(words)
            if rng.random() < 0.5:
                born_on = str(rng.randint(1940, 1995))
        person = PersonCandidate(name, birth_date=born_on, identifiers=identifiers)
        cases.append(PersonCase(person, kind, frozenset()))
    return cases


def same_father(a: Parts, b: Parts) -> bool:
    """Whether two patronymics may name one father (Aleksandrovich, Aliaksandrovna)."""
    stems = [PATRONYMIC.sub("", x.patronymic.casefold()) for x in (a, b)]
    return fuzz.ratio(*stems) >= 70


def namesake_year(dates: list[str], rng: random.Random) -> str:
    """A birth year 5 to 30 years from every given birth date (of every bearer of the name)."""
    spans = [birth_span(d) for d in dates]
    while True:
        year = rng.randint(1930, 2005)
        if all(max(0, s.year - year, year - e.year) >= 5 for s, e in spans):
            return str(year) if rng.random() < 0.5 else f"{year}-{rng.randint(1, 12):02d}-15"


def other_personal_inn(value: str, rng: random.Random) -> str:
    """A valid personal INN (12 digits) that is not the given one."""
    while True:
        body = value[:2] + "".join(rng.choice("0123456789") for _ in range(8))
        candidate = body + inn.calc_personal_check_digits(body)
        if candidate != value:
            return candidate


def person_evaluate(index: PersonIndex, cases: list[PersonCase]) -> tuple[dict, list[list]]:
    """Recall and precision (per person and per hit) over the thresholds, and the hits."""
    hits = [index.screen(c.person, threshold=min(PERSON_THRESHOLDS)) for c in cases]
    table = {}
    positives = sum(1 for c in cases if c.correct)
    for threshold in PERSON_THRESHOLDS:
        found = tp = fp = pairs = good_pairs = 0
        for case, found_hits in zip(cases, hits, strict=True):
            flagged = {h.record_index for h in found_hits if h.score >= threshold}
            good = flagged & case.correct
            pairs += len(flagged)
            good_pairs += len(good)
            found += bool(case.correct and good)
            if flagged:
                tp, fp = (tp + 1, fp) if good else (tp, fp + 1)
        table[threshold] = {
            "recall": found / positives,
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "hit_precision": good_pairs / pairs if pairs else 1.0,
            "negatives_flagged": sum(
                1
                for c, h in zip(cases, hits, strict=True)
                if not c.correct and any(x.score >= threshold for x in h)
            ),
        }
    return table, hits


def person_by_kind(cases, hits, threshold) -> dict[str, tuple[int, int]]:
    """Per kind: (positives found or negatives flagged, cases)."""
    totals, found = defaultdict(int), defaultdict(int)
    for case, found_hits in zip(cases, hits, strict=True):
        flagged = {h.record_index for h in found_hits if h.score >= threshold}
        totals[case.kind] += 1
        found[case.kind] += bool(flagged & case.correct) if case.correct else bool(flagged)
    return {k: (found[k], totals[k]) for k in totals}


def people_main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Person screening quality and speed")
    parser.add_argument("--reference", type=Path, default=ROOT / "tests" / "fixtures" / "reference")
    parser.add_argument("--sources", type=int, default=400, help="listed individuals to vary")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--split", choices=["tune", "test", "all"], default="test")
    parser.add_argument("--no-speed", action="store_true", help="skip the timing runs")
    parser.add_argument("--show", type=int, default=0, help="print N misses and false hits")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    records, load_seconds = load_records(args.reference)
    started = time.perf_counter()
    index = PersonIndex(records)
    build_seconds = time.perf_counter() - started
    people = [i for i, r in enumerate(records) if r.schema == "individual"]
    print(
        f"lists: {len(records)} records, {len(people)} individuals "
        f"({sum(bool(records[i].birth_dates) for i in people)} with a birth date), "
        f"{index.size} spellings indexed; load {load_seconds:.2f} s, index {build_seconds:.2f} s"
    )
    groups = person_groups(records, people)
    pos = person_positives(records, people, groups, rng, sources=args.sources, split=args.split)
    neg = person_negatives(records, people, rng, count=len(pos), split=args.split)
    cases = pos + neg
    print(
        f"\nevaluation set ({args.split} half): {len(pos)} positives from {args.sources} "
        f"individuals sampled and every one with a Cyrillic name, {len(neg)} hard negatives"
    )
    table, hits = person_evaluate(index, cases)
    print(
        f"\n{'threshold':>9} {'recall':>7} {'precision':>9} {'all-hits precision':>18} {'negatives flagged':>17}"
    )
    for threshold, m in table.items():
        mark = "  <- default" if abs(threshold - PERSON_THRESHOLD) < 1e-9 else ""
        print(
            f"{threshold:>9.2f} {m['recall']:>7.3f} {m['precision']:>9.3f} "
            f"{m['hit_precision']:>18.3f} {m['negatives_flagged']:>10}/{len(neg)}{mark}"
        )
    kinds = person_by_kind(cases, hits, PERSON_THRESHOLD)
    print(f"\n| kind | cases | Casebook @{PERSON_THRESHOLD} |")
    print("|---|---:|---:|")
    for part, label in ((pos, "found"), (neg, "flagged")):
        for kind in sorted({c.kind for c in part}):
            found, total = kinds[kind]
            print(f"| {kind} ({label}) | {total} | {found / total:.2f} |")
    if args.show:
        show_people(records, cases, hits, args.show)
    if args.no_speed:
        return 0

    persons = [c.person for c in cases]
    persons = (persons * (5000 // len(persons) + 1))[:5000]
    times = []
    for _ in range(3):
        started = time.perf_counter()
        for person in persons:
            index.screen(person)
        times.append(time.perf_counter() - started)
    print(
        f"\nspeed: 5000 persons against {index.size} spellings: median "
        f"{statistics.median(times):.2f} s (runs {', '.join(f'{t:.2f}' for t in times)})"
    )
    choices = [" ".join(bag(n.replace(",", " ").split())) for i in people for n in records[i].names]
    queries = [" ".join(bag(p.name.replace(",", " ").split())) for p in persons[:100]]
    started = time.perf_counter()
    process.cdist(queries, choices, scorer=fuzz.token_sort_ratio, workers=1, score_cutoff=80)
    seconds = time.perf_counter() - started
    print(
        f"baseline: rapidfuzz process.cdist (token_sort_ratio, 1 worker), 100 persons x "
        f"{len(choices)} names: {seconds:.2f} s -> {seconds * 50:.1f} s for 5000 (full cross product)"
    )
    return 0


def show_people(records, cases, hits, limit: int) -> None:
    """Print some misses and some false hits at the default threshold."""
    misses = [
        (c, h)
        for c, h in zip(cases, hits, strict=True)
        if c.correct and not {x.record_index for x in h if x.score >= PERSON_THRESHOLD} & c.correct
    ]
    wrong = [
        (c, h)
        for c, h in zip(cases, hits, strict=True)
        if not c.correct and any(x.score >= PERSON_THRESHOLD for x in h)
    ]
    print(f"\nmisses ({len(misses)}):")
    for case, found in misses[:limit]:
        best = [(records[h.record_index].name, h.score, h.reasons[1:]) for h in found[:1]]
        source = records[min(case.correct)]
        print(
            f"  [{case.kind}] {case.person.name!r} {case.person.birth_date} <- {source.name!r} {source.birth_dates}: {best}"
        )
    print(f"\nnegatives flagged ({len(wrong)}):")
    for case, found in wrong[:limit]:
        best = [(records[h.record_index].name, h.score, h.reasons) for h in found[:1]]
        print(f"  [{case.kind}] {case.person.name!r} {case.person.birth_date}: {best}")


if __name__ == "__main__":
    sys.exit(main())
