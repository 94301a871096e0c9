"""Birth dates of listed individuals, read from the real reference lists."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from pathlib import Path

import pytest

from casebook.ingest.lists import load_list
from casebook.ingest.lists.birth import birth_dates, birth_span, ofac_birth_dates

REFERENCE = Path(
    os.environ.get(
        "CASEBOOK_REFERENCE", Path(__file__).resolve().parents[1] / "fixtures" / "reference"
    )
)
SDN = REFERENCE / "ofac_sdn_2024-05-03_subset.csv"


@pytest.fixture(scope="module")
def sdn():
    return {r.source_id: r for r in load_list(SDN).records}


@pytest.mark.parametrize(
    ("source_id", "expected"),
    [
        ("16669", ["1951-12-15"]),  # ROTENBERG, Arkady Romanovich: DOB 15 Dec 1951
        ("6365", ["1957-07-30", "1958"]),  # BIN LADIN: DOB 30 Jul 1957; alt. DOB 1958
        ("18640", ["1980/1982"]),  # ASELDEROV: DOB 01 Jan 1980 to 31 Dec 1982
        ("23957", ["1956"]),  # MOLCHANOV: DOB 01 Jan 1956 to 31 Dec 1956 (a whole year)
        ("28366", ["1961-06"]),  # WANG, Zhiqing: DOB 01 Jun 1961 to 30 Jun 1961
        ("23279", ["1963-04"]),  # GAO, Yan: DOB Apr 1963
    ],
)
def test_ofac_entries_give_their_birth_dates(sdn, source_id, expected):
    assert sdn[source_id].birth_dates == expected


def test_every_ofac_dob_remark_is_read(sdn):
    """Each 'DOB …' part of an individual's Remarks in the raw file gives one date."""
    with SDN.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.reader(handle) if len(r) == 12 and r[2] == "individual"]
    assert len(rows) > 2000
    for row in rows:
        parts = {p.strip() for p in re.findall(r"DOB ([^;]+)", row[11])}
        assert len(sdn[row[0]].birth_dates) == len(parts), (row[0], row[11][:200])


def test_eu_journal_dates_with_alternatives_and_doubts():
    records = {
        r.source_id: r for r in load_list(REFERENCE / "eu_reg269_2014_annexI_subset.csv").records
    }
    assert records["I.PERSONS/6"].birth_dates == [
        "1970-01-18",
        "1965-03-29",
    ]  # 18.1.1970 or 29.3.1965
    assert records["I.PERSONS/89"].birth_dates == ["1981-07-23"]  # possibly 23.7.1981
    assert records["I.PERSONS/166"].birth_dates == ["1964"]  # 1964 (possibly: 21 April)
    persons = [r for r in records.values() if r.schema == "individual"]
    assert all(r.birth_dates for r in persons)  # every person of the subset has one
    assert not any(r.birth_dates for r in records.values() if r.schema != "individual")


def test_followthemoney_and_csl_birth_dates():
    zala = load_list(REFERENCE / "opensanctions_zala_aero_cluster.ftm.jsonl").records
    people = [r for r in zala if r.schema == "individual"]
    assert {d for r in people for d in r.birth_dates} >= {"1964-03-18", "1965-09-21"}
    csl = {r.name: r for r in load_list(REFERENCE / "us_csl_consolidated_sample_2025.csv").records}
    assert csl["RIM, Ryong Nam"].birth_dates == ["1978-12-05"]
    assert csl["Mohammed ABU JHEISHEH"].birth_dates == ["1955"]


@pytest.mark.parametrize(
    ("text", "expected", "span"),
    [
        ("circa 1960", ["1960~"], (dt.date(1958, 1, 1), dt.date(1962, 12, 31))),
        ("1958 to 1960", ["1958/1960"], (dt.date(1958, 1, 1), dt.date(1960, 12, 31))),
        ("between 1955 and 1958", ["1955/1958"], (dt.date(1955, 1, 1), dt.date(1958, 12, 31))),
        ("12 Mar 1965", ["1965-03-12"], (dt.date(1965, 3, 12), dt.date(1965, 3, 12))),
        ("Feb 1964", ["1964-02"], (dt.date(1964, 2, 1), dt.date(1964, 2, 29))),
        ("1965-09", ["1965-09"], (dt.date(1965, 9, 1), dt.date(1965, 9, 30))),
    ],
)
def test_forms_the_issue_names(text, expected, span):
    """Forms OFAC uses in the full list (not in the subset): circa, year ranges."""
    assert birth_dates(text) == expected
    assert birth_span(expected[0]) == span


@pytest.mark.parametrize("text", ["", None, "possibly: 21 April", "unknown", "31.2.1965"])
def test_text_that_is_no_date_gives_nothing(text):
    assert birth_dates(text) == []


def test_only_dob_remarks_count():
    remarks = "POB Moscow, Russia 1965; nationality Russia; DOB 10 Jul 1963; alt. DOB circa 1960"
    assert ofac_birth_dates(remarks) == ["1963-07-10", "1960~"]
