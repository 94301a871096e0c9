"""Person screening quality and speed on the real reference lists (run on demand, prints figures).

    PYTHONPATH=desktop python tests/benchmarks/bench_screening_people.py [--reference DIR]
        [--sources N] [--seed S] [--split tune|test|all] [--no-speed]

Evaluation set, built from the individuals of the lists themselves (OFAC SDN, the EU journal,
OpenSanctions, the CSL samples):
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
  names with another valid personal INN; a listed person's given name and patronymic alone. A constructed name that is some listed person's name (with or without the
  patronymic) is not used.
A hit is correct when it is the source individual or another list's entry for the same person
(the same words of the name once folded and compatible birth dates, or the same personal INN).
Precision per person: a person flagged with at least one correct hit counts as right; all-hits
precision counts every hit on another person as false.

Individuals (and the negatives built from them) are split in halves by a hash of their source
id: ``--split tune`` is the half the constants were calibrated on, ``--split test`` (the
default) the other.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from bench_screening import (
    GERMAN,
    GOST_B,
    ROOT,
    SCHOLARLY,
    ad_hoc,
    in_split,
    is_cyrillic,
    load_records,
    romanise,
    to_cyrillic,
    typo,
)
from rapidfuzz import fuzz, process
from stdnum.ru import inn

from casebook.analysis.screening_people import DEFAULT_THRESHOLD, PersonCandidate, PersonIndex
from casebook.core.names import screen_words
from casebook.ingest.lists.birth import birth_span

# Russian passports since 2013 (ICAO Doc 9303), and French usage (Iouri Tchernychev)
ICAO = {
    **GOST_B, "ж": "zh", "х": "kh", "ц": "ts", "щ": "shch", "й": "i", "ы": "y", "ъ": "ie",
    "ь": "", "э": "e", "ю": "iu", "я": "ia", "ё": "e",
}  # fmt: skip
FRENCH = {
    **ICAO, "ж": "j", "х": "kh", "ч": "tch", "ш": "ch", "щ": "chtch", "у": "ou", "ю": "iou",
    "я": "ia", "й": "i", "ы": "y", "ъ": "", "ё": "io",
}  # fmt: skip
THRESHOLDS = [0.60, 0.65, 0.70, 0.75, 0.78, 0.80, 0.82, 0.85, 0.88, 0.90, 0.95]
PATRONYMIC = re.compile(r"(?:ovich|evich|ovitch|ovych|evych|ovna|evna|ivna|ichna)$", re.I)
TITLES = {"dr.", "dr", "mr", "mr.", "general", "colonel"}


@dataclasses.dataclass
class Case:
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


def positives(records, people, groups, rng, *, sources: int, split: str) -> list[Case]:
    """Variants of sampled listed individuals' names, with or without their birth date."""
    pool = [i for i in people if in_split(records[i], split) and parts(records[i].name)]
    sampled = rng.sample(pool, min(sources, len(pool)))
    sampled += [i for i in pool if i not in sampled and any(map(is_cyrillic, records[i].names))]
    cases = []
    for i in sampled:
        record = records[i]
        for name, kind in variants(record, rng):
            born = given_date(record, rng)
            if kind == "order: given first" and born and rng.random() < 0.5:
                born, kind = slip(born, rng), "order + birth date slip"
            nationality = record.countries[0] if record.countries and rng.random() < 0.3 else None
            person = PersonCandidate(name, birth_date=born, nationality=nationality)
            cases.append(Case(person, kind, groups[i]))
    return cases


def variants(record, rng: random.Random) -> list[tuple[str, str]]:
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


def negatives(records, people, rng, *, count: int, split: str) -> list[Case]:
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
    cases: list[Case] = []
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
        cases.append(Case(person, kind, frozenset()))
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


def evaluate(index: PersonIndex, cases: list[Case]) -> tuple[dict, list[list]]:
    """Recall and precision (per person and per hit) over the thresholds, and the hits."""
    hits = [index.screen(c.person, threshold=min(THRESHOLDS)) for c in cases]
    table = {}
    positives = sum(1 for c in cases if c.correct)
    for threshold in THRESHOLDS:
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


def by_kind(cases, hits, threshold) -> dict[str, tuple[int, int]]:
    """Per kind: (positives found or negatives flagged, cases)."""
    totals, found = defaultdict(int), defaultdict(int)
    for case, found_hits in zip(cases, hits, strict=True):
        flagged = {h.record_index for h in found_hits if h.score >= threshold}
        totals[case.kind] += 1
        found[case.kind] += bool(flagged & case.correct) if case.correct else bool(flagged)
    return {k: (found[k], totals[k]) for k in totals}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
    pos = positives(records, people, groups, rng, sources=args.sources, split=args.split)
    neg = negatives(records, people, rng, count=len(pos), split=args.split)
    cases = pos + neg
    print(
        f"\nevaluation set ({args.split} half): {len(pos)} positives from {args.sources} "
        f"individuals sampled and every one with a Cyrillic name, {len(neg)} hard negatives"
    )
    table, hits = evaluate(index, cases)
    print(
        f"\n{'threshold':>9} {'recall':>7} {'precision':>9} {'all-hits precision':>18} {'negatives flagged':>17}"
    )
    for threshold, m in table.items():
        mark = "  <- default" if abs(threshold - DEFAULT_THRESHOLD) < 1e-9 else ""
        print(
            f"{threshold:>9.2f} {m['recall']:>7.3f} {m['precision']:>9.3f} "
            f"{m['hit_precision']:>18.3f} {m['negatives_flagged']:>10}/{len(neg)}{mark}"
        )
    kinds = by_kind(cases, hits, DEFAULT_THRESHOLD)
    print(f"\n| kind | cases | Casebook @{DEFAULT_THRESHOLD} |")
    print("|---|---:|---:|")
    for part, label in ((pos, "found"), (neg, "flagged")):
        for kind in sorted({c.kind for c in part}):
            found, total = kinds[kind]
            print(f"| {kind} ({label}) | {total} | {found / total:.2f} |")
    if args.show:
        show(records, cases, hits, args.show)
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


def show(records, cases, hits, limit: int) -> None:
    """Print some misses and some false hits at the default threshold."""
    misses = [
        (c, h)
        for c, h in zip(cases, hits, strict=True)
        if c.correct and not {x.record_index for x in h if x.score >= DEFAULT_THRESHOLD} & c.correct
    ]
    wrong = [
        (c, h)
        for c, h in zip(cases, hits, strict=True)
        if not c.correct and any(x.score >= DEFAULT_THRESHOLD for x in h)
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
