from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casebook.core.numbers import MISSING, clean_number, is_missing, money


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


@pytest.mark.parametrize(
    ("value", "compact", "full"),
    [
        (11_440_752_301, "$11.4 bn", "$11,440,752,301"),
        (6_500_000, "$6.5 m", "$6,500,000"),
        (950_000, "$950 k", "$950,000"),
        (150_000, "$150 k", "$150,000"),
        (1_234.5, "$1.23 k", "$1,234.50"),
        (999.4, "$999", "$999.40"),
        (999.5, "$1 k", "$999.50"),  # rounding up to 1,000 moves to the next unit
        (999_500, "$1 m", "$999,500"),
        (1e12, "$1 tn", "$1,000,000,000,000"),
        (2.5e15, "$2,500 tn", "$2,500,000,000,000,000"),  # no unit above tn
        (12.345, "$12.3", "$12.35"),
        (0.4237, "$0.42", "$0.42"),
        (0.004, "$0", "$0"),
        (0, "$0", "$0"),
        (-0.001, "$0", "$0"),  # no minus on an amount shown as zero
        (-6_500_000, "-$6.5 m", "-$6,500,000"),
        (None, "—", "—"),
        (math.nan, "—", "—"),
        (math.inf, "too large to sum", "too large to sum"),
        (Decimal("1500"), "$1.5 k", "$1,500"),
    ],
)
def test_money(value, compact, full):
    assert money(value, compact=True) == compact
    assert money(value) == full


def test_money_other_currencies_are_a_suffix():
    assert money(6_500_000, "EUR", compact=True) == "6.5 m EUR"
    assert money(1234, "EUR") == "1,234 EUR"
    assert money(-1234, "CNY") == "-1,234 CNY"
    assert money(None, "EUR") == "—"
    assert money(5, "usd") == "$5"


_AMOUNTS = st.floats(min_value=-1e17, max_value=1e17, allow_nan=False)


@given(_AMOUNTS)
def test_full_money_reads_back_to_the_cent(value):
    text = money(value)
    assert text.startswith("-$" if value <= -0.005 else "$")
    back = float(text.replace("$", "").replace(",", ""))
    assert back == pytest.approx(value, abs=0.005, rel=1e-15)


_SCALE = {"": 1, "k": 1e3, "m": 1e6, "bn": 1e9, "tn": 1e12}


@given(_AMOUNTS)
def test_compact_money_keeps_three_significant_digits(value):
    text = money(value, compact=True)
    number, _, unit = text.replace("$", "").replace(",", "").partition(" ")
    shown = float(number) * _SCALE[unit]
    if abs(value) >= 1:
        assert shown == pytest.approx(value, rel=0.005)
    else:
        assert shown == pytest.approx(value, abs=0.005)
    digits = number.lstrip("-").replace(".", "").lstrip("0")
    assert len(digits) <= 3 or unit == "tn"
    assert unit == "tn" or abs(float(number)) < 1000
