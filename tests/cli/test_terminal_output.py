"""Issue 24, finding 11: names carrying terminal escapes, OSC or bidi overrides never reach the
terminal through the readable output; ``--json`` keeps them exactly."""

from __future__ import annotations

import csv
import json

import pytest

from casebook.book.demo import HEADER

# Clear the screen, set the window title, reverse the rest of the line.
HOSTILE = "Evil\x1b[2J\x1b]0;owned\x07 Trading\u202eLtd"
SHOWN = "Evil TradingLtd"
TRAPS = ("\x1b", "\x07", "\u202e", "\x9b")


@pytest.fixture
def case(run_cli, tmp_path):
    assert run_cli("case", "new", "Escapes", "--ref", "CB-T").code == 0
    row = dict.fromkeys(HEADER, "")
    row.update(
        {
            "Declaration No": "10702030/010122/0000001",
            "Item No": "1",
            "Date": "2022-02-10",
            "Exporter": HOSTILE,
            "Exporter Country": "CN",
            "Importer": "ООО Импортер",
            "Country of Origin": "CN",
            "HS Code": "8458110000",
            "Goods Description": "CNC lathe",
            "Value USD": "1000",
        }
    )
    path = tmp_path / "rows.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, [row[h] for h in HEADER]])
    result = run_cli("import", str(path), "--case", "CB-T", "--preset", "generic-en")
    assert result.code == 0, result.err
    evidence = tmp_path / "note.txt"
    evidence.write_text("registry extract")
    result = run_cli("evidence", "add", str(evidence), "--case", "CB-T", "--title", HOSTILE)
    assert result.code == 0, result.err
    return "CB-T"


@pytest.mark.parametrize(
    "command",
    [
        ("firms", "list", "--case", "CB-T"),
        ("search", "Evil"),
        ("evidence", "list", "--case", "CB-T"),
    ],
)
def test_readable_output_strips_control_and_bidi_characters(run_cli, case, command):
    result = run_cli(*command)
    assert result.code == 0, result.err
    assert SHOWN in result.out
    assert not any(trap in result.out for trap in TRAPS), repr(result.out)


def test_json_output_keeps_the_name_exactly(run_cli, case):
    firms = run_cli("firms", "list", "--case", "CB-T", "--json").json["firms"]
    assert HOSTILE in {f["name"] for f in firms}


def test_the_printer_cleans_readable_text_and_error_lines(capsys):
    """A backstop: a command that forgets to clean a value still prints nothing hostile."""
    from casebook.cli.context import Context, fail

    ctx = Context.__new__(Context)
    ctx.json = False
    ctx.emit(None, f"conflict: firm {HOSTILE} kept\nsecond line")
    fail(f"no firm {HOSTILE}", [f"detail {HOSTILE}"])
    printed = capsys.readouterr()
    assert printed.out == f"conflict: firm {SHOWN} kept\nsecond line\n"
    assert printed.err == f"error: no firm {SHOWN}\n  detail {SHOWN}\n"


def test_json_never_prints_nan_or_infinity(capsys):
    from casebook.cli.context import Context

    ctx = Context.__new__(Context)
    ctx.json = True
    ctx.emit({"total": float("inf"), "rows": [{"value": float("nan")}, {"value": 1.5}]})
    assert json.loads(capsys.readouterr().out) == {
        "total": None,
        "rows": [{"value": None}, {"value": 1.5}],
    }
