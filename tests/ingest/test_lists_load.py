"""Format detection, refusals and defaults common to every list format."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from casebook.core.errors import Refused, UsageError
from casebook.ingest.lists import detect_format, load_list

REFERENCE = Path(
    os.environ.get(
        "CASEBOOK_REFERENCE", Path(__file__).resolve().parents[1] / "fixtures" / "reference"
    )
)


def test_every_reference_list_is_detected():
    found = {
        name: detect_format(REFERENCE / name)
        for name in (
            "ofac_sdn_2024-05-03_subset.csv",
            "us_csl_sample_2019.csv",
            "opensanctions_eu_fsf_sample.ftm.jsonl",
            "eu_reg269_2014_annexI_subset.csv",
        )
    }
    assert list(found.values()) == ["ofac", "csl", "ftm", "eu-csv"]


def test_a_binary_file_is_refused_by_name(tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    with pytest.raises(Refused, match="photo.png: not a text file"):
        load_list(path)


def test_a_csv_of_another_kind_is_refused_by_name():
    with pytest.raises(Refused, match="chpl_hs6_2024-02-23.csv: not a list format"):
        load_list(REFERENCE / "chpl_hs6_2024-02-23.csv")


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(Refused, match="empty.csv"):
        load_list(path)


def test_a_format_that_does_not_fit_the_file_is_refused():
    with pytest.raises(Refused, match="not a csl file"):
        load_list(REFERENCE / "opensanctions_eu_fsf_sample.ftm.jsonl", fmt="csl")


def test_an_unknown_format_name_is_a_usage_error():
    with pytest.raises(UsageError):
        load_list(REFERENCE / "us_csl_sample_2019.csv", fmt="xml")


def test_companions_go_with_ofac_only():
    with pytest.raises(UsageError):
        load_list(
            REFERENCE / "us_csl_sample_2019.csv", alt=REFERENCE / "ofac_alt_2025-01_subset.csv"
        )


def test_a_publication_date_that_is_no_date_is_refused():
    with pytest.raises(Refused, match="not a date"):
        load_list(REFERENCE / "us_csl_sample_2019.csv", published="last Tuesday")


def test_format_names_are_accepted_as_the_cli_spells_them():
    parsed = load_list(REFERENCE / "eu_reg269_2014_annexI_subset.csv", fmt="eu_csv")
    assert parsed.format == "eu-csv"
    assert parsed.file_name == "eu_reg269_2014_annexI_subset.csv" and len(parsed.sha256) == 64


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(Refused, match="nope.csv"):
        load_list(tmp_path / "nope.csv")
