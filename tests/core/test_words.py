"""Counts in words."""

from __future__ import annotations

import pytest

from casebook.core.words import plural


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "0 shipments"), (1, "1 shipment"), (2, "2 shipments"), (1204, "1,204 shipments")],
)
def test_plural(n, expected):
    assert plural(n, "shipment") == expected


def test_irregular_plural():
    assert plural(1, "entry", "entries") == "1 entry"
    assert plural(3, "entry", "entries") == "3 entries"
