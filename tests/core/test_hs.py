from __future__ import annotations

import pytest

from casebook.core.hs import clean_hs, hs2, hs4, hs6, hs_level, hs_prefixes


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("8457 10 100 0", "8457101000"),
        ("8457.10", "845710"),
        ("8457101000", "8457101000"),
        ("8457-10-100-0", "8457101000"),
        ("  8457 10  ", "845710"),
        ("8457\u00a010", "845710"),
        ("84", "84"),
        ("8457", "8457"),
        ("845710100.0", "0845710100"),
        ("8457101000.0", "8457101000"),
        (8457101000, "8457101000"),
        (845710100.0, "0845710100"),
        (8457101000.0, "8457101000"),
        (847130, "847130"),
        (101210, "101210"),
        ("101210", "101210"),
        (10121000, "10121000"),
        (84713, "084713"),
        ("845", "0845"),
        ("847130100", "0847130100"),
        (12, "12"),
    ],
)
def test_clean_hs_accepts(value, expected):
    assert clean_hs(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "8",
        8,
        "84571010001",
        "845710100012",
        84571010001,
        "8457A0",
        "HS 8457",
        "8457.10.xx",
        ".8457",
        "8457.",
        "8457..10",
        "-8457",
        -8457,
        8457.1,
        float("nan"),
        float("inf"),
        True,
        False,
        "８４５７",
        "8" * 1000,
        "8457 " * 100,
        ["8457"],
        b"8457",
    ],
)
def test_clean_hs_rejects(value):
    assert clean_hs(value) is None


@pytest.mark.parametrize(
    ("code", "level", "two", "four", "six"),
    [
        ("8457101000", 10, "84", "8457", "845710"),
        ("845710", 6, "84", "8457", "845710"),
        ("8457", 4, "84", "8457", None),
        ("84", 2, "84", None, None),
        ("8457.10", 6, "84", "8457", "845710"),
        (None, 0, None, None, None),
        ("junk", 0, None, None, None),
    ],
)
def test_levels_and_prefixes(code, level, two, four, six):
    assert (hs_level(code), hs2(code), hs4(code), hs6(code)) == (level, two, four, six)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8456,8457 8458", ["8456", "8457", "8458"]),
        ("8456, 8457;8458", ["8456", "8457", "8458"]),
        ("8457.10", ["845710"]),
        ("84", ["84"]),
        ("845", ["845"]),
        ("8456,8456", ["8456"]),
        ("8456,abc,8457", ["8456", "8457"]),
        ("84571010001", []),
        ("", []),
        (None, []),
        ("  ,, ", []),
    ],
)
def test_hs_prefixes(text, expected):
    assert hs_prefixes(text) == expected
