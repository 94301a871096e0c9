"""Screening quality and speed on the real reference lists (run on demand, prints figures).

    python tests/benchmarks/bench_screening.py [--reference DIR] [--sources N] [--seed S]

Evaluation set, built from the lists themselves:
- positives: for sampled listed entities, an alias of theirs, the name with another legal
  form, with its words reversed, with one typo, and transliterated (Latin -> Cyrillic for
  Russian entities, Cyrillic -> Latin in a scholarly scheme that differs from the core's);
- hard negatives: the generic words of listed names alone ("MACHINE TOOL PLANT LLC"), listed
  names whose distinctive words are replaced by invented ones (so only the common words are
  shared), invented "STANKO…"/"MASH…"/"TEKHNO…" compounds, and invented but plausible Chinese,
  Turkish, Central Asian and Russian machine-tool firms.
A hit is correct when it is the source entity or an entry of another list that is the same
party (one of its names has the same key, or it shares a certain identifier).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

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
THRESHOLDS = [0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.78, 0.80, 0.82, 0.85, 0.88, 0.90, 0.95]
LEGAL_FORMS = [
    "LLC", "OOO", "JSC", "AO", "OJSC", "PJSC", "Co., Ltd.", "Limited", "Ltd", "GmbH", "Inc.",
    "Limited Liability Company", "Joint Stock Company", "ООО", "АО",
]  # fmt: skip
FORM_WORDS = {
    "llc", "ooo", "jsc", "ao", "ojsc", "pjsc", "cjsc", "oao", "zao", "pao", "co", "co.", "ltd",
    "ltd.", "limited", "gmbh", "inc", "inc.", "company", "liability", "joint", "stock", "open",
    "closed", "public", "corporation", "corp", "corp.", "co.,", "llp", "s.a.", "sa", "ооо", "ао",
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


@dataclasses.dataclass
class Case:
    """One evaluation firm: its name, and the record indexes a hit may correctly point at."""

    name: str
    kind: str
    correct: frozenset[int]
    country: str | None = None


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


def positives(records, groups, rng: random.Random, *, sources: int) -> list[Case]:
    """Variants of sampled listed entities' names."""
    pool = [i for i, r in enumerate(records) if r.screenable and r.schema == "entity"]
    cases: list[Case] = []
    for i in rng.sample(pool, min(sources, len(pool))):
        record, correct = records[i], groups.get(i, frozenset({i}))
        country = record.countries[0] if record.countries else None
        for name, kind in variants(record, country, rng):
            cases.append(Case(name, kind, correct, country))
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


def negatives(records, index: ScreeningIndex, rng: random.Random, *, count: int) -> list[Case]:
    """Firms that share words with listed ones but are not listed."""
    vocabulary = list(index.vocabulary())
    listed_keys = {name_key(n) for r in records if r.screenable for n in r.names}
    pool = [r for r in records if r.screenable and r.schema == "entity"]
    cases: list[Case] = []
    generic = 0
    while len(cases) < count:
        kind = rng.choice(["generic words", "replaced word", "stanko compound", "invented"])
        record = rng.choice(pool)
        words = strip_forms(record.name)
        if kind == "generic words":
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


def evaluate(index: ScreeningIndex, cases: list[Case]) -> dict[float, dict]:
    """Recall and precision (per firm and per hit) over the thresholds."""
    firms = [Candidate(key=i, name=c.name, country=c.country) for i, c in enumerate(cases)]
    hits = index.screen(firms, threshold=min(THRESHOLDS))
    by_firm = defaultdict(list)
    for hit in hits:
        by_firm[hit.firm_key].append(hit)
    table = {}
    for threshold in THRESHOLDS:
        table[threshold] = _metrics(cases, by_firm, threshold)
    return table


def _metrics(cases, by_firm, threshold) -> dict:
    tp = fp = found = pairs = good_pairs = 0
    positives = sum(1 for c in cases if c.correct)
    for i, case in enumerate(cases):
        flagged = [h for h in by_firm.get(i, ()) if h.score >= threshold]
        good = [h for h in flagged if h.record_index in case.correct]
        pairs += len(flagged)
        good_pairs += len(good)
        if case.correct and good:
            found += 1
        if flagged:
            tp, fp = (tp + 1, fp) if good else (tp, fp + 1)
    return {
        "recall": found / positives if positives else 0.0,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "pair_precision": good_pairs / pairs if pairs else 1.0,
        "flagged_negatives": sum(
            1
            for i, c in enumerate(cases)
            if not c.correct and any(h.score >= threshold for h in by_firm.get(i, ()))
        ),
    }


def recall_by_kind(index, cases, threshold) -> dict[str, str]:
    firms = [Candidate(key=i, name=c.name, country=c.country) for i, c in enumerate(cases)]
    hit_sets = defaultdict(set)
    for hit in index.screen(firms, threshold=threshold):
        hit_sets[hit.firm_key].add(hit.record_index)
    totals, found = defaultdict(int), defaultdict(int)
    for i, case in enumerate(cases):
        totals[case.kind] += 1
        if case.correct:
            found[case.kind] += bool(hit_sets[i] & case.correct)
        else:
            found[case.kind] += bool(hit_sets[i])
    return {k: f"{found[k]}/{totals[k]}" for k in sorted(totals)}


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=ROOT / "tests" / "fixtures" / "reference")
    parser.add_argument("--sources", type=int, default=800, help="listed entities to vary")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    records, load_seconds = load_records(args.reference)
    started = time.perf_counter()
    index = ScreeningIndex(records)
    build_seconds = time.perf_counter() - started
    names_all = sum(len(r.names) for r in records)
    print(
        f"lists: {len(records)} records, {sum(r.screenable for r in records)} screenable, "
        f"{names_all} names ({index.size} screenable names indexed); "
        f"load {load_seconds:.2f} s, index {build_seconds:.2f} s"
    )
    print(
        "commonest tokens (weight):",
        ", ".join(f"{t} {w}" for t, w in index.common_tokens(limit=12)),
    )

    groups = same_party_groups(records)
    pos = positives(records, groups, rng, sources=args.sources)
    neg = negatives(records, index, rng, count=len(pos))
    cases = pos + neg
    print(
        f"\nevaluation set: {len(pos)} positives from {args.sources} entities, {len(neg)} hard negatives"
    )
    table = evaluate(index, cases)
    print(
        f"\n{'threshold':>9} {'recall':>7} {'precision':>9} {'hit-precision':>13} {'negatives flagged':>17}"
    )
    for threshold, m in table.items():
        mark = "  <- default" if abs(threshold - DEFAULT_THRESHOLD) < 1e-9 else ""
        print(
            f"{threshold:>9.2f} {m['recall']:>7.3f} {m['precision']:>9.3f} {m['pair_precision']:>13.3f} "
            f"{m['flagged_negatives']:>10}/{len(neg)}{mark}"
        )
    print("\nat the default threshold, found (positives) / flagged (negatives) by kind:")
    for kind, figure in recall_by_kind(index, cases, DEFAULT_THRESHOLD).items():
        print(f"  {kind:<20} {figure}")

    firms = [Candidate(key=i, name=c.name, country=c.country) for i, c in enumerate(cases)]
    while len(firms) < 5000:
        firms.extend(
            dataclasses.replace(f, key=f.key + len(firms)) for f in firms[: 5000 - len(firms)]
        )
    firms = firms[:5000]
    times = timing(index, firms)
    print(
        f"\nspeed: 5000 firms against {index.size} names: median {statistics.median(times):.2f} s "
        f"(runs {', '.join(f'{t:.2f}' for t in times)})"
    )
    everything = [dataclasses.replace(r, screenable=True) for r in records]
    worst = ScreeningIndex(everything)
    times = timing(worst, firms)
    print(
        f"       with every record screened ({worst.size} names): median {statistics.median(times):.2f} s"
    )
    seconds, scaled = cdist_baseline(index, firms)
    print(
        f"baseline: rapidfuzz process.cdist (token_sort_ratio, 1 worker), 100 firms x {index.size} "
        f"names: {seconds:.2f} s -> {scaled:.1f} s for 5000 firms (full cross product)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
