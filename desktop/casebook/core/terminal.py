"""Text from data made safe to print on a terminal.

A name imported from a partner's file can carry terminal control sequences: ``ESC [2J`` clears
the screen, an OSC sequence sets the window title or writes a hyperlink, U+202E turns the rest
of the line around so ``exe.txt`` reads ``txt.exe``. Every human-readable CLI line that shows a
value from data passes it through ``terminal_safe``; JSON output stays exact (``json.dumps``
escapes control characters, and a program reading it wants the bytes as stored).
"""

from __future__ import annotations

import re

# ESC or the 8-bit C1 introducers, and what follows up to the sequence's end: CSI (cursor,
# colour, erase), OSC / DCS / SOS / PM / APC strings (ended by BEL or ST, or running to the end
# of the text when unterminated), or a two-character escape.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# C0 and C1 controls and DEL; bidi embeddings, overrides, isolates and marks (U+202A–202E,
# U+2066–2069, U+200E/200F, U+061C), which reorder what follows them on the line.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_SPACES = re.compile(r"[\t\n\r\v\f]+")


def terminal_safe(value: object, *, lines: bool = False) -> str:
    """``value`` as text without escape sequences, control or bidi characters. Tabs and line
    breaks become one space (a name stays on its line) unless ``lines``, which keeps ``\\n``
    and tabs (a multi-line note)."""
    text = "" if value is None else str(value)
    text = _SEQUENCE.sub("", text)
    if lines:
        text = text.replace("\r\n", "\n")
        return _CONTROLS.sub(lambda m: m.group() if m.group() in "\n\t" else "", text)
    return _CONTROLS.sub("", _SPACES.sub(" ", text))
