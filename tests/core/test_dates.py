from __future__ import annotations

import datetime as dt

import pytest

from casebook.core.dates import clean_date, clean_month, infer_date_order, month_of, quarter_of

D = dt.date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D(2022, 3, 1), D(2022, 3, 1)),
        (dt.datetime(2022, 3, 1, 23, 59), D(2022, 3, 1)),
        ("2022-03-01", D(2022, 3, 1)),
        ("2022-3-1", D(2022, 3, 1)),
        (" 2022-03-01 ", D(2022, 3, 1)),
        ("2022-03-01 12:30", D(2022, 3, 1)),
        ("2022-03-01 12:30:45", D(2022, 3, 1)),
        ("2022-03-01T12:30:45.123", D(2022, 3, 1)),
        ("2022-03-01T12:30:45Z", D(2022, 3, 1)),
        ("2022-03-01T12:30:45+03:00", D(2022, 3, 1)),
        ("2022/03/01", D(2022, 3, 1)),
        ("2022.03.01", D(2022, 3, 1)),
        ("01.03.2022", D(2022, 3, 1)),
        ("01/03/2022", D(2022, 3, 1)),
        ("1-3-2022", D(2022, 3, 1)),
        ("01.03.2022 00:00:00", D(2022, 3, 1)),
        ("13.03.2022", D(2022, 3, 13)),
        ("03/13/2022", D(2022, 3, 13)),
        ("01.03.22", D(2022, 3, 1)),
        ("01.03.99", D(1999, 3, 1)),
        ("20220301", D(2022, 3, 1)),
        ("1 Mar 2022", D(2022, 3, 1)),
        ("01-Mar-2022", D(2022, 3, 1)),
        ("1 March 2022", D(2022, 3, 1)),
        ("March 1, 2022", D(2022, 3, 1)),
        ("1 марта 2022", D(2022, 3, 1)),
        ("29.02.2024", D(2024, 2, 29)),
        (44621, D(2022, 3, 1)),
        (44621.75, D(2022, 3, 1)),
        (20000, D(1954, 10, 3)),
        ("1900-01-01", D(1900, 1, 1)),
        ("2100-12-31", D(2100, 12, 31)),
    ],
)
def test_clean_date_accepts(value, expected):
    assert clean_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        "",
        "   ",
        "2022-03",
        "2022",
        "03.2022",
        "44621",
        "2022-13-01",
        "2022-02-30",
        "31.02.2022",
        "29.02.2023",
        "13/13/2022",
        "1899-12-31",
        "2101-01-01",
        D(1899, 12, 31),
        D(2200, 1, 1),
        19999,
        80001,
        20220301,
        -44621,
        float("nan"),
        float("inf"),
        "yesterday",
        "1 Foo 2022",
        "01.03.2022 garbage",
        "2022-03-01" * 50,
        [2022, 3, 1],
    ],
)
def test_clean_date_rejects(value):
    assert clean_date(value) is None


@pytest.mark.parametrize(
    ("value", "order", "expected"),
    [
        ("01/03/2022", "dmy", D(2022, 3, 1)),
        ("01/03/2022", "mdy", D(2022, 1, 3)),
        ("03/13/2022", "mdy", D(2022, 3, 13)),
        ("13/03/2022", "dmy", D(2022, 3, 13)),
        ("13/03/2022", "mdy", None),
        ("03/13/2022", "dmy", None),
        ("2022-03-01", "mdy", D(2022, 3, 1)),
        ("01/03/2022", "ymd", None),
    ],
)
def test_clean_date_with_order(value, order, expected):
    assert clean_date(value, order=order) == expected


def test_clean_date_pandas_objects():
    pd = pytest.importorskip("pandas")
    assert clean_date(pd.Timestamp("2022-03-01 10:00")) == D(2022, 3, 1)
    assert clean_date(pd.NaT) is None
    np = pytest.importorskip("numpy")
    assert clean_date(np.datetime64("2022-03-01")) == D(2022, 3, 1)
    assert clean_date(np.datetime64("NaT")) is None


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["01.03.2022", "13.03.2022", "02.04.2022"], "dmy"),
        (["03/01/2022", "03/13/2022"], "mdy"),
        (["01/02/2022", "03/04/2022"], "dmy"),
        (["13/03/2022", "03/13/2022"], None),
        ([], "dmy"),
        ([None, 5, "", "2022-03-01", "junk"], "dmy"),
        (["2022-03-13", "03/13/2022"], "mdy"),
        (["13/13/2022", "01/02/2022"], "dmy"),
    ],
)
def test_infer_date_order(values, expected):
    assert infer_date_order(values) == expected


def test_infer_date_order_reads_generators_once():
    assert infer_date_order(v for v in ["12/31/2021", "01/02/2022"]) == "mdy"


@pytest.mark.parametrize(
    ("day", "month", "quarter"),
    [
        (D(2022, 1, 1), "2022-01", "2022-Q1"),
        (D(2022, 3, 31), "2022-03", "2022-Q1"),
        (D(2022, 4, 1), "2022-04", "2022-Q2"),
        (D(2022, 9, 30), "2022-09", "2022-Q3"),
        (D(2023, 12, 31), "2023-12", "2023-Q4"),
    ],
)
def test_month_and_quarter(day, month, quarter):
    assert (month_of(day), quarter_of(day)) == (month, quarter)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-03", "2022-03"),
        ("2022-3", "2022-03"),
        ("2022M03", "2022-03"),
        ("2022m3", "2022-03"),
        ("2022/03", "2022-03"),
        ("202203", "2022-03"),
        (202203, "2022-03"),
        ("Mar 2022", "2022-03"),
        ("March 2022", "2022-03"),
        ("mar-2022", "2022-03"),
        ("2022 Mar", "2022-03"),
        ("март 2022", "2022-03"),
        ("03.2022", "2022-03"),
        ("2022-03-01", "2022-03"),
        ("01.03.2022", "2022-03"),
        (D(2022, 3, 15), "2022-03"),
        (dt.datetime(2022, 3, 15, 8), "2022-03"),
    ],
)
def test_clean_month_accepts(value, expected):
    assert clean_month(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "2022",
        "2022-13",
        "2022-00",
        "202213",
        "1899-12",
        "2022Q1",
        "Foo 2022",
        "Mar",
        2022,
        3.5,
        True,
        "2022-03" * 20,
    ],
)
def test_clean_month_rejects(value):
    assert clean_month(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1951-12-15", "1951-12-15"),
        ("15.12.1951", "1951-12-15"),
        (" 1970 ", "1970"),
        (1970, "1970"),
        (D(1970, 5, 1), "1970-05-01"),  # a spreadsheet's date cell
        (dt.datetime(1970, 5, 1), "1970-05-01"),
        (str(D.today().year), str(D.today().year)),
        (str(D.today().year + 1), None),  # a year not yet begun is no birth year
        ("2099", None),
        (D.today() + dt.timedelta(days=1), None),
        ("0001", None),
        ("1951-02-30", None),
        (True, None),
        (None, None),
        ("", None),
    ],
)
def test_clean_birth_date(value, expected):
    """A person's birth date: a day or a year alone, never in the future, from text or a
    date cell."""
    from casebook.core.dates import clean_birth_date

    assert clean_birth_date(value) == expected
