"""The shipment filter: parsed once, refusing bad options by name, shown the same everywhere."""

from __future__ import annotations

import argparse

import pytest

from casebook.core.errors import UsageError
from casebook.core.filters import ShipmentFilter


def test_parse_cleans_lists_and_bounds():
    f = ShipmentFilter.parse(
        date_from="2023",
        date_to="2023-12-31",
        hs="8456, 8457.10",
        dispatch="kz, tr,kz",
        firm="abc-1",
        text="  станок   ЧПУ ",
        min_value="1,000",
    )
    assert f.date_from == "2023" and f.date_to == "2023-12-31"
    assert f.hs == ("8456", "845710")
    assert f.dispatch == ("KZ", "TR")
    assert f.firms == ("abc-1",)
    assert f.text == "станок ЧПУ"
    assert f.min_value == 1000.0
    assert f and not ShipmentFilter.parse()


@pytest.mark.parametrize(
    ("given", "option"),
    [
        ({"date_from": "2023-13"}, "--from"),
        ({"date_to": "yesterday"}, "--to"),
        ({"date_from": "2024", "date_to": "2023"}, "--from"),
        ({"hs": "machines"}, "--hs"),
        ({"origin": "China"}, "--origin"),
        ({"firm": "a b"}, "--firm"),
        ({"min_value": "-5"}, "--min-value"),
        ({"min_value": "nan"}, "--min-value"),
        ({"text": "x" * 201}, "--text"),
    ],
)
def test_bad_options_are_refused_by_name(given, option):
    with pytest.raises(UsageError, match=option):
        ShipmentFilter.parse(**given)


def test_cli_args_round_trip_through_argparse():
    f = ShipmentFilter.parse(
        date_from="2023-01", hs="8456", dispatch="KZ", dataset="d1", text="CNC", min_value=2.5
    )
    parser = argparse.ArgumentParser()
    for option in (
        "from",
        "to",
        "hs",
        "origin",
        "dispatch",
        "destination",
        "firm",
        "dataset",
        "text",
        "min-value",
    ):
        dest = {"from": "date_from", "to": "date_to"}.get(option, option.replace("-", "_"))
        parser.add_argument(f"--{option}", dest=dest)
    again = ShipmentFilter.from_options(parser.parse_args(f.cli_args()))
    assert again == f
    assert f.to_json() == {
        "from": "2023-01",
        "hs": ["8456"],
        "dispatch": ["KZ"],
        "dataset": ["d1"],
        "text": "CNC",
        "min_value": 2.5,
    }


def test_describe_names_every_option():
    f = ShipmentFilter.parse(date_from="2023", date_to="2023", dispatch="KZ", firm="u1")
    assert f.describe({"u1": "Dalian Machine Tool"}) == (
        "2023 to 2023 · dispatch KZ · firm Dalian Machine Tool"
    )
    assert ShipmentFilter().describe() == ""
