from __future__ import annotations

import dataclasses

import pytest

from casebook.core.standards import (
    Confidence,
    Credibility,
    Grade,
    Likelihood,
    Marking,
    Reliability,
    clean_confidence,
    clean_grade,
    clean_likelihood,
    clean_marking,
    vocabulary,
)


@pytest.mark.parametrize(
    ("marking", "label", "colour"),
    [
        (Marking.CLEAR, "TLP:CLEAR", "#FFFFFF"),
        (Marking.GREEN, "TLP:GREEN", "#33FF00"),
        (Marking.AMBER, "TLP:AMBER", "#FFC000"),
        (Marking.AMBER_STRICT, "TLP:AMBER+STRICT", "#FFC000"),
        (Marking.RED, "TLP:RED", "#FF2B2B"),
    ],
)
def test_marking_labels_and_colours(marking, label, colour):
    assert (marking.label, str(marking), marking.colour) == (label, label, colour)
    assert marking.meaning.endswith(".") and len(marking.meaning) > 10


def test_markings_are_ordered_by_restriction():
    order = [Marking.CLEAR, Marking.GREEN, Marking.AMBER, Marking.AMBER_STRICT, Marking.RED]
    assert sorted(reversed(order)) == order
    assert Marking.RED > Marking.AMBER
    assert Marking.AMBER_STRICT > Marking.AMBER
    assert Marking.GREEN < Marking.AMBER <= Marking.AMBER
    assert max(Marking.GREEN, Marking.RED, Marking.AMBER) is Marking.RED


def test_marking_does_not_compare_with_other_types():
    with pytest.raises(TypeError):
        _ = Marking.RED > 3


def test_marking_meanings_follow_standards():
    assert "organisation only" in Marking.AMBER_STRICT.meaning
    assert "clients" in Marking.AMBER.meaning
    assert "no further disclosure" in Marking.RED.meaning


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("TLP:AMBER", Marking.AMBER),
        ("tlp:amber", Marking.AMBER),
        ("amber", Marking.AMBER),
        (" AMBER ", Marking.AMBER),
        ("TLP: RED", Marking.RED),
        ("TLP RED", Marking.RED),
        ("TLP:WHITE", Marking.CLEAR),
        ("white", Marking.CLEAR),
        ("TLP:CLEAR", Marking.CLEAR),
        ("green", Marking.GREEN),
        ("AMBER+STRICT", Marking.AMBER_STRICT),
        ("TLP:AMBER+STRICT", Marking.AMBER_STRICT),
        ("amber strict", Marking.AMBER_STRICT),
        ("AMBER_STRICT", Marking.AMBER_STRICT),
        (Marking.RED, Marking.RED),
    ],
)
def test_clean_marking_accepts(value, expected):
    assert clean_marking(value) is expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "TLP",
        "TLP:",
        "BLUE",
        "TLP:PURPLE",
        "RED+STRICT",
        "GREEN+STRICT",
        "TLP:AMBER!",
        "secret",
        3,
        "AMBER" * 20,
    ],
)
def test_clean_marking_rejects(value):
    assert clean_marking(value) is None


@pytest.mark.parametrize(
    ("member", "label"),
    [
        (Reliability.A, "Completely reliable"),
        (Reliability.B, "Usually reliable"),
        (Reliability.C, "Fairly reliable"),
        (Reliability.D, "Not usually reliable"),
        (Reliability.E, "Unreliable"),
        (Reliability.F, "Reliability cannot be judged"),
        (Credibility.CONFIRMED, "Confirmed by other sources"),
        (Credibility.PROBABLY_TRUE, "Probably true"),
        (Credibility.POSSIBLY_TRUE, "Possibly true"),
        (Credibility.DOUBTFUL, "Doubtful"),
        (Credibility.IMPROBABLE, "Improbable"),
        (Credibility.CANNOT_BE_JUDGED, "Truth cannot be judged"),
    ],
)
def test_admiralty_labels(member, label):
    assert member.label == label
    assert member.definition.endswith(".")


def test_admiralty_values():
    assert [r.value for r in Reliability] == list("ABCDEF")
    assert [c.value for c in Credibility] == [1, 2, 3, 4, 5, 6]
    assert Reliability("B").definition.startswith("Minor doubt")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("B2", "B2"),
        ("b2", "B2"),
        ("b 2", "B2"),
        ("B-2", "B2"),
        ("B/2", "B2"),
        (" a1 ", "A1"),
        ("F6", "F6"),
        ("В2", "B2"),  # Cyrillic Ve
    ],
)
def test_clean_grade_accepts(value, text):
    grade = clean_grade(value)
    assert grade is not None and str(grade) == text


@pytest.mark.parametrize(
    "value", [None, "", "B", "2", "G2", "B7", "B0", "2B", "B22", "BB2", "B2 extra", 12, "B" * 50]
)
def test_clean_grade_rejects(value):
    assert clean_grade(value) is None


def test_grade_is_frozen_and_comparable():
    grade = Grade(Reliability.B, Credibility.PROBABLY_TRUE)
    assert grade == clean_grade("b-2")
    assert clean_grade(grade) is grade
    assert grade.label == "Usually reliable, probably true"
    with pytest.raises(dataclasses.FrozenInstanceError):
        grade.reliability = Reliability.A  # type: ignore[misc]
    assert len({grade, clean_grade("B2")}) == 1


@pytest.mark.parametrize(
    ("member", "term", "alternative", "low", "high"),
    [
        (Likelihood.ALMOST_NO_CHANCE, "almost no chance", "remote", 1, 5),
        (Likelihood.VERY_UNLIKELY, "very unlikely", "highly improbable", 5, 20),
        (Likelihood.UNLIKELY, "unlikely", "improbable", 20, 45),
        (Likelihood.ROUGHLY_EVEN_CHANCE, "roughly even chance", "roughly even odds", 45, 55),
        (Likelihood.LIKELY, "likely", "probable", 55, 80),
        (Likelihood.VERY_LIKELY, "very likely", "highly probable", 80, 95),
        (Likelihood.ALMOST_CERTAIN, "almost certain", "nearly certain", 95, 99),
    ],
)
def test_likelihood_table(member, term, alternative, low, high):
    assert (member.term, member.alternative, member.low, member.high) == (
        term,
        alternative,
        low,
        high,
    )
    assert clean_likelihood(term) is member
    assert clean_likelihood(alternative) is member
    assert clean_likelihood(term.upper()) is member
    assert vocabulary(term) == "primary"
    assert vocabulary(alternative) == "alternative"


def test_likelihoods_are_ordered():
    assert Likelihood.LIKELY > Likelihood.UNLIKELY
    assert sorted(Likelihood, reverse=True)[0] is Likelihood.ALMOST_CERTAIN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Very   likely. ", Likelihood.VERY_LIKELY),
        ("Highly-probable", Likelihood.VERY_LIKELY),
        (Likelihood.LIKELY, Likelihood.LIKELY),
        ("probably", None),
        ("certain", None),
        ("", None),
        (None, None),
        (55, None),
    ],
)
def test_clean_likelihood_edges(text, expected):
    assert clean_likelihood(text) is expected


@pytest.mark.parametrize("text", ["", None, "maybe", "very likely indeed", 3])
def test_vocabulary_unknown(text):
    assert vocabulary(text) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("low", Confidence.LOW),
        ("Moderate", Confidence.MODERATE),
        ("HIGH", Confidence.HIGH),
        ("medium", Confidence.MODERATE),
        ("high confidence", Confidence.HIGH),
        (Confidence.LOW, Confidence.LOW),
        ("very high", None),
        ("", None),
        (None, None),
        (1, None),
    ],
)
def test_clean_confidence(value, expected):
    assert clean_confidence(value) is expected


def test_confidence_order_and_label():
    assert Confidence.LOW < Confidence.MODERATE < Confidence.HIGH
    assert Confidence.MODERATE.label == "moderate confidence"
