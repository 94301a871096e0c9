"""terminal_safe: names from data cannot drive the terminal (issue 24, finding 11)."""

from __future__ import annotations

import pytest

from casebook.core.terminal import terminal_safe


@pytest.mark.parametrize(
    ("raw", "printed"),
    [
        ("Acme\x1b[2J\x1b[31mLtd", "AcmeLtd"),  # clear screen, colour
        ("Acme\x1b]0;pwned\x07 Ltd", "Acme Ltd"),  # OSC window title, BEL-terminated
        ("A\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\B", "AlinkB"),  # OSC 8 hyperlink
        ("Acme\x1b]0;never ends", "Acme"),  # unterminated OSC: the rest is the sequence
        ("Acme\x9b2J Ltd", "Acme Ltd"),  # 8-bit CSI
        ("Ltd\u202etxt.exe", "Ltdtxt.exe"),  # right-to-left override
        ("\u2066Acme\u2069 \u202aLtd\u202c", "Acme Ltd"),  # isolates, embeddings
        ("Acme\x00\x07\x08\x7f Ltd", "Acme Ltd"),  # NUL, BEL, backspace, DEL
        ("Acme\nLISTED Ltd\r\tX", "Acme LISTED Ltd X"),  # a name stays on its line
        ("ООО «Техностанок» 北京精雕", "ООО «Техностанок» 北京精雕"),  # scripts untouched
        (None, ""),
    ],
)
def test_controls_and_sequences_are_removed(raw, printed):
    assert terminal_safe(raw) == printed


def test_lines_keeps_line_breaks_and_tabs_but_not_sequences():
    assert terminal_safe("a\r\n\tb\x1b[Kc\u202e", lines=True) == "a\n\tbc"
