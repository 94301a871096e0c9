"""Person screening (issue 21): names in any order and script, birth dates, personal ids."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook.analysis.screening_people import (
    DEFAULT_THRESHOLD,
    PersonCandidate,
    PersonIndex,
)
from casebook.ingest.lists import load_list
from casebook.ingest.lists.model import ListedRecord

REFERENCE = Path(
    os.environ.get(
        "CASEBOOK_REFERENCE", Path(__file__).resolve().parents[1] / "fixtures" / "reference"
    )
)
SDN = REFERENCE / "ofac_sdn_2024-05-03_subset.csv"
ROTENBERG = "16669"  # ROTENBERG, Arkady Romanovich; DOB 15 Dec 1951; Tax ID No. 780619032880


@pytest.fixture(scope="module")
def sdn():
    records = load_list(SDN).records
    return records, PersonIndex(records)


def hits_on(sdn, person, source_id, *, threshold=DEFAULT_THRESHOLD):
    records, index = sdn
    return [
        h
        for h in index.screen(person, threshold=threshold)
        if records[h.record_index].source_id == source_id
    ]


# --- acceptance (issue 21) ------------------------------------------------------------------


def test_the_listed_entry_is_as_the_reference_file_gives_it(sdn):
    records, _ = sdn
    (record,) = [r for r in records if r.source_id == ROTENBERG]
    assert record.name == "ROTENBERG, Arkady Romanovich"
    assert record.schema == "individual"
    assert record.birth_dates == ["1951-12-15"]
    assert record.identifiers["ru_inn"] == ["780619032880"]


def test_a_cyrillic_spelling_with_the_listed_birth_date_hits_the_entry(sdn):
    person = PersonCandidate("РОТЕНБЕРГ Аркадий Романович", birth_date="1951-12-15")
    (hit,) = hits_on(sdn, person, ROTENBERG)
    assert hit.score >= DEFAULT_THRESHOLD
    assert "same birth date 1951-12-15" in hit.reasons


def test_a_namesake_born_18_years_later_is_not_a_hit(sdn):
    person = PersonCandidate("РОТЕНБЕРГ Аркадий Романович", birth_date="1969-12-15")
    assert hits_on(sdn, person, ROTENBERG, threshold=0.0) == []
    assert hits_on(sdn, PersonCandidate("РОТЕНБЕРГ Аркадий Романович"), ROTENBERG)


def test_the_personal_inn_alone_makes_the_hit_certain(sdn):
    person = PersonCandidate("Иванов Пётр", identifiers=(("ru_inn", "780619032880"),))
    (hit,) = hits_on(sdn, person, ROTENBERG)
    assert hit.score == 1.0
    assert any("(certain)" in r for r in hit.reasons)


# --- names ----------------------------------------------------------------------------------


def individual(source_id, name, *, aliases=(), born=(), ids=None, countries=()):
    return ListedRecord(
        source_id=source_id,
        schema="individual",
        name=name,
        aliases=list(aliases),
        birth_dates=list(born),
        identifiers=ids or {},
        countries=list(countries),
    )


@pytest.fixture
def small():
    records = [
        individual("1", "TIMCHENKO, Gennady Nikolayevich", born=["1952-11-09"]),
        individual("2", "ROTENBERG, Boris Romanovich", born=["1957-01-03"]),
        individual("3", "ROTENBERG, Arkady Romanovich", born=["1951-12-15"]),
        individual("4", "ASELDEROV, Rustam", born=["1980/1982"]),
        individual("5", "KO, Chol Man", ids={"passport": ["836238033"]}),
        ListedRecord(source_id="6", schema="entity", name="Gennady Timchenko", screenable=True),
    ]
    return records, PersonIndex(records)


@pytest.mark.parametrize(
    "name",
    [
        "Gennady Nikolayevich Timchenko",  # given patronymic surname
        "Gennadiy Timchenko",  # no patronymic, another romanisation
        "Геннадий Николаевич Тимченко",
        "Тимченко Геннадий",
        "Gennadij Nikolaevič Timčenko".replace("č", "ch"),  # scholarly, diacritics as ch
        "G. N. Timchenko",  # initials
        "TIMCHENKO Gennadi Nikolaevitch",  # French-style romanisation
        "Gennady Timchenco",  # a typo
    ],
)
def test_name_order_scripts_and_missing_patronymic_hit(small, name):
    records, index = small
    hits = index.screen(PersonCandidate(name))
    assert [records[h.record_index].source_id for h in hits][:1] == ["1"]


def test_individuals_only_against_individuals(small):
    records, index = small
    hits = index.screen(PersonCandidate("Gennady Timchenko"), threshold=0.0)
    assert {records[h.record_index].schema for h in hits} == {"individual"}


def test_a_brother_with_another_given_name_or_patronymic_is_not_a_hit(small):
    records, index = small
    for name in ("Boris Rotenberg", "Arkady Borisovich Rotenberg"):
        hits = index.screen(PersonCandidate(name))
        assert [records[h.record_index].source_id for h in hits] == (
            ["2"] if name == "Boris Rotenberg" else []
        ), name


def test_a_short_name_that_is_a_legal_form_elsewhere_is_a_name_word(small):
    records, index = small
    hits = index.screen(PersonCandidate("Ko Chol Man"))
    assert [records[h.record_index].source_id for h in hits] == ["5"]


# --- birth dates ----------------------------------------------------------------------------


def score(index, person, records, source_id):
    hits = [
        h
        for h in index.screen(person, threshold=0.0)
        if records[h.record_index].source_id == source_id
    ]
    return hits[0].score if hits else None


def test_birth_dates_raise_lower_or_rule_out(small):
    records, index = small
    name = "Gennady Timshenko"  # a typo: the name alone scores below 1
    missing = score(index, PersonCandidate(name), records, "1")
    same_day = score(index, PersonCandidate(name, birth_date="1952-11-09"), records, "1")
    same_year = score(index, PersonCandidate(name, birth_date="1952"), records, "1")
    other_day = score(index, PersonCandidate(name, birth_date="1952-03-01"), records, "1")
    four_years = score(index, PersonCandidate(name, birth_date="1956"), records, "1")
    five_years = score(index, PersonCandidate(name, birth_date="1947-11-09"), records, "1")
    assert five_years is None
    assert missing < 1.0
    assert same_day > same_year > other_day > four_years
    assert same_day > missing and other_day < missing


def test_a_listed_range_counts_from_its_ends(small):
    records, index = small
    assert score(index, PersonCandidate("Rustam Aselderov", birth_date="1981"), records, "4")
    assert score(index, PersonCandidate("Rustam Aselderov", birth_date="1986"), records, "4")
    assert (
        score(index, PersonCandidate("Rustam Aselderov", birth_date="1987"), records, "4") is None
    )
    assert (
        score(index, PersonCandidate("Rustam Aselderov", birth_date="1975-01-01"), records, "4")
        is None
    )


# --- identifiers ----------------------------------------------------------------------------


def test_a_different_personal_inn_keeps_a_namesake_below_the_threshold(sdn):
    person = PersonCandidate("Arkady Rotenberg", identifiers=(("ru_inn", "500100732259"),))
    assert hits_on(sdn, person, ROTENBERG) == []
    assert hits_on(sdn, PersonCandidate("Arkady Rotenberg"), ROTENBERG)


def test_an_invalid_or_company_inn_settles_nothing(sdn):
    for value in ("780619032881", "7702715348"):  # bad check digit; a company's INN
        person = PersonCandidate("Иванов Пётр", identifiers=(("ru_inn", value),))
        assert hits_on(sdn, person, ROTENBERG, threshold=0.0) == []


def test_the_same_passport_makes_a_name_match_certain(small):
    records, index = small
    (hit,) = index.screen(
        PersonCandidate("Ko Chol-Man", identifiers=(("passport", "836 238 033"),))
    )
    assert records[hit.record_index].source_id == "5" and hit.score == 1.0
    alone = index.screen(PersonCandidate("Li Song", identifiers=(("passport", "836238033"),)))
    assert alone == []  # a passport number alone, under another name, is not enough
    near = PersonCandidate("Kim Chol Man Song")
    assert index.screen(near) == []  # the name alone is not close enough…
    (hit,) = index.screen(dataclasses.replace(near, identifiers=(("passport", "836238033"),)))
    assert hit.score == 1.0  # …but with the same passport it is


# --- found by the benchmark ----------------------------------------------------------------


def test_patronymics_a_typo_apart_with_other_fathers_are_a_conflict():
    """Igorevich and Yurevich are two edits apart, but name two fathers."""
    records = [individual("1", "MURANOV, Aleksander Yurievich", born=["1958-07-14"])]
    index = PersonIndex(records)
    assert index.screen(PersonCandidate("Aleksander Igorevich Muranov")) == []
    assert index.screen(PersonCandidate("Aleksander Yuryevich Muranov"))


def test_a_surname_that_looks_like_a_patronymic_still_counts():
    """``Rusakevich`` against a listed ``AWDA`` is another surname, not a missing patronymic."""
    index = PersonIndex([individual("1", "AWDA, Abd Al Aziz", born=["1960"])])
    assert index.screen(PersonCandidate("Abd Al Aziz Rusakevich")) == []
    assert index.screen(PersonCandidate("Abd Al Aziz Awda"))


@pytest.mark.parametrize(
    "name",
    ["Тимченко Г.Н.", "Тимченко Геннадий Н.", "TIMCHENKO G.N."],
)
def test_initials_in_either_script(small, name):
    records, index = small
    hits = index.screen(PersonCandidate(name, birth_date="1952-11-09"))
    assert [records[h.record_index].source_id for h in hits] == ["1"]


@pytest.mark.parametrize(
    ("listed", "name"),
    [
        ("DZHABRAILOV, Ruslan", "Ruslan Jabrailov"),
        ("IZZ-AL-DIN, Hasan", "Hasan Izzaldin"),
        ("AL-NASSER, Abdelkarim Hussein Mohamed", "Abdelkarim Hussein Mohamed Alnasser"),
    ],
)
def test_dzh_and_j_and_hyphenated_names_meet(listed, name):
    index = PersonIndex([individual("1", listed)])
    assert index.screen(PersonCandidate(name))


def test_an_inn_of_the_same_person_in_another_list_counts_against_a_namesake():
    """The EU entry has no INN; OFAC's entry for the same person (same name, same birth date)
    has one: a person with another INN is neither."""
    records = [
        individual(
            "ofac",
            "PINCHUK, Andrei Yuryevich",
            born=["1977-12-27"],
            ids={"ru_inn": ["772801473782"]},
        ),
        individual("eu", "Andrey Yurevich PINCHUK", born=["1977-12-27"]),
    ]
    index = PersonIndex(records)
    person = PersonCandidate("Andrei Yuryevich Pinchuk", identifiers=(("ru_inn", "500100732259"),))
    assert index.screen(person) == []
    assert len(index.screen(PersonCandidate("Andrei Yuryevich Pinchuk"))) == 2


# --- odd input --------------------------------------------------------------------------------

NAME_TEXT = st.text(
    alphabet=st.sampled_from(list("aAbЖжЁёХх.,-'() \u00a0\t玉山ßÖ0123456789")), max_size=40
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=NAME_TEXT,
    native=st.none() | NAME_TEXT,
    born=st.none() | st.text(max_size=12) | st.sampled_from(["1952", "1952-11-09", "1952-02-30"]),
    ids=st.lists(
        st.tuples(
            st.sampled_from(["ru_inn", "passport", "national_id", "other"]), st.text(max_size=14)
        ),
        max_size=3,
    ),
)
def test_any_input_screens_without_error(small, name, native, born, ids):
    """A person as a register may give one (blank, punctuation only, digits, an impossible
    date, junk identifiers) is screened, never an exception; every hit is a valid one."""
    records, index = small
    person = PersonCandidate(name, native_name=native, birth_date=born, identifiers=tuple(ids))
    for hit in index.screen(person, threshold=0.0):
        assert 0.0 <= hit.score <= 1.0
        assert records[hit.record_index].schema == "individual"


def test_an_unreadable_birth_date_counts_as_missing(small):
    records, index = small
    without = score(index, PersonCandidate("Gennady Timshenko"), records, "1")
    assert (
        score(index, PersonCandidate("Gennady Timshenko", birth_date="1952-02-30"), records, "1")
        == without
    )


def test_a_surname_in_ovich_is_no_patronymic():
    """A given name alone is not ABRAMOVICH, Roman Arkadyevich; his name without the
    patronymic, in any order, is."""
    index = PersonIndex([individual("1", "ABRAMOVICH, Roman Arkadyevich", born=["1966-10-24"])])
    assert index.screen(PersonCandidate("Roman")) == []
    assert index.screen(PersonCandidate("Roman Petrov")) == []
    for name in ("Roman Abramovich", "Абрамович Роман", "Абрамович Роман Аркадьевич"):
        assert index.screen(PersonCandidate(name)), name
    assert index.screen(PersonCandidate("Roman Borisovich Abramovich")) == []


def test_a_patronymic_is_no_typo_of_a_surname_but_may_have_one():
    index = PersonIndex([individual("1", "IVANOV, Victor Petrovich", born=["1950-05-12"])])
    assert index.screen(PersonCandidate("Viktor Ivanovich")) == []
    index = PersonIndex([individual("1", "PETROV, Ivan Vladimirovich", born=["1950-05-12"])])
    assert index.screen(PersonCandidate("Ivan Vladimirovih Petrov"))


def test_a_typo_in_a_surname_ending_like_a_patronymic():
    index = PersonIndex([individual("1", "MALKEVICH, Alexander Aleksandrovich")])
    assert index.screen(PersonCandidate("MLKEVICH, Alexander Aleksandrovich"))


def test_a_birth_date_missing_on_either_side_neither_raises_nor_lowers_the_score():
    """The listed entry without a date, or the person without one: the name's score alone,
    whatever date the other side gives."""
    records = [
        individual("1", "TIMCHENKO, Gennady Nikolayevich"),  # no birth date listed
        individual("2", "TIMCHENKO, Gennady Nikolayevich", born=["1952-11-09"]),
    ]
    index = PersonIndex(records)
    name = "Gennady Timshenko"  # a typo: the name alone scores below 1
    alone = score(index, PersonCandidate(name), records, "1")
    assert alone is not None and alone < 1.0
    for born in ("1952-11-09", "1990", "1930-01-01"):
        assert score(index, PersonCandidate(name, birth_date=born), records, "1") == alone, born
    assert score(index, PersonCandidate(name), records, "2") == alone
