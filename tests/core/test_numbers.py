from __future__ import annotations

import math
from decimal import Decimal

import pytest

from casebook.core.numbers import MISSING, clean_number, is_missing


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 12.0),
        (0, 0.0),
        (-3, -3.0),
        (12.5, 12.5),
        (Decimal("1.25"), 1.25),
        ("12", 12.0),
        ("12,5", 12.5),
        ("-12,5", -12.5),
        ("12.5", 12.5),
        ("1,234", 1.234),
        ("1.234", 1.234),
        (",5", 0.5),
        (".5", 0.5),
        ("5.", 5.0),
        ("1.234.567", 1234567.0),
        ("1,234,567", 1234567.0),
        ("1.234.567,89", 1234567.89),
        ("1,234,567.89", 1234567.89),
        ("1 234 567,89", 1234567.89),
        ("1\u00a0234\u00a0567,89", 1234567.89),
        ("1\u202f234\u202f567,89", 1234567.89),
        ("1'234'567.89", 1234567.89),
        ("1 234", 1234.0),
        ("(12.5)", -12.5),
        ("(1 234,5)", -1234.5),
        ("+7", 7.0),
        ("\u22127,5", -7.5),
        ("  42  ", 42.0),
        ("007", 7.0),
        ("1.5E+06", 1500000.0),
        ("2e3", 2000.0),
    ],
)
def test_clean_number_accepts(value, expected):
    assert clean_number(value) == pytest.approx(expected)


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        float("nan"),
        float("inf"),
        float("-inf"),
        "",
        "   ",
        "-",
        "N/A",
        "abc",
        "12 USD",
        "USD 12",
        "12%",
        "12,5 руб.",
        "$12",
        "1,2,3",
        "1.23.4",
        "12 5",
        "1 2345",
        "1.234,567.8",
        "1,234.567,8",
        "1 234.567,8",
        "12..5",
        "1,,5",
        "--12",
        "- 12",
        "(-12)",
        "(12",
        "nan",
        "inf",
        "Infinity",
        "0x1F",
        "1_000",
        "１２",
        "1" * 100,
        "9" * 60 + "e999",
        object(),
        [1],
    ],
)
def test_clean_number_rejects(value):
    assert clean_number(value) is None


def test_clean_number_handles_numpy_scalars():
    np = pytest.importorskip("numpy")
    assert clean_number(np.int64(7)) == 7.0
    assert clean_number(np.float32(2.5)) == 2.5
    assert clean_number(np.float64("nan")) is None


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        " ",
        "-",
        "—",
        "N/A",
        "n/a",
        "NA",
        "na",
        "null",
        "NULL",
        "None",
        ":",
        " : ",
        float("nan"),
    ],
)
def test_is_missing_true(value):
    assert is_missing(value)


@pytest.mark.parametrize("value", ["0", 0, 0.0, "x", "12,5", "Nana", False])
def test_is_missing_false(value):
    assert not is_missing(value)


def test_is_missing_pandas_markers():
    pd = pytest.importorskip("pandas")
    assert is_missing(pd.NA)
    assert is_missing(pd.NaT)
    assert not is_missing(pd.Timestamp("2022-03-01"))


def test_missing_is_folded_and_stripped():
    assert all(text == text.strip().casefold() for text in MISSING)
    assert {"", "-", "—", "n/a", "na", "null", "none", ":"} <= MISSING


def test_clean_number_result_is_plain_float():
    result = clean_number("1 234,5")
    assert type(result) is float and not math.isnan(result)
