"""Issue 21's acceptance figure, kept by a test: person screening on the held-out half of the
individual entries of the reference lists (the evaluation of ``bench_screening.py --people``,
on a bounded sample) has recall and precision of at least 0.95 at the default threshold."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

from casebook.analysis.screening_people import DEFAULT_THRESHOLD, PersonIndex

BENCH = Path(__file__).parents[1] / "benchmarks" / "bench_screening.py"


def _bench():
    sys.path.insert(0, str(BENCH.parent))  # (the benchmark runs as a script from its folder)
    try:
        spec = importlib.util.spec_from_file_location("bench_screening", BENCH)
        module = importlib.util.module_from_spec(spec)
        sys.modules.setdefault("bench_screening", module)  # (its dataclasses look it up)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH.parent))
    return module


@pytest.mark.slow
def test_person_screening_recall_and_precision_on_the_held_out_half(reference_dir):
    bench = _bench()
    rng = random.Random(11)
    records, _seconds = bench.load_records(reference_dir)
    index = PersonIndex(records)
    people = [i for i, r in enumerate(records) if r.schema == "individual"]
    groups = bench.person_groups(records, people)
    pos = bench.person_positives(records, people, groups, rng, sources=60, split="test")
    pos = rng.sample(pos, 600)  # bounded: every kind of variant, a sample of each
    neg = bench.person_negatives(records, people, rng, count=len(pos), split="test")
    assert {c.kind for c in pos} >= {"Lat->Cyr", "order: given first", "initials", "typo"}
    assert {c.kind for c in neg} >= {"namesake, other birth year", "other personal INN"}
    table, _hits = bench.person_evaluate(index, pos + neg)
    figures = table[DEFAULT_THRESHOLD]
    assert figures["recall"] >= 0.95, figures
    assert figures["precision"] >= 0.95, figures
