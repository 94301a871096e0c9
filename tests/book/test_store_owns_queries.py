"""Issue #16: the store owns every query; these facade sections only validate, call the store,
audit and shape results."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[2] / "desktop" / "casebook" / "book"
QUERY = re.compile(
    r"select\(|text\(|insert\(|update\(|delete\("
    r"|session\.(exec|execute|get|scalar|scalars|query|add|add_all|delete|merge)\b"
    r"|\.exec\(|\.execute\("
)
SECTIONS = ["cases", "links", "verify", "demo", "firms", "screening", "search", "__init__"]


@pytest.mark.parametrize("name", SECTIONS)
def test_the_section_holds_no_sql_and_no_session_query(name):
    source = (BOOK / f"{name}.py").read_text(encoding="utf-8").splitlines()
    found = [f"{n}: {line.strip()}" for n, line in enumerate(source, 1) if QUERY.search(line)]
    assert found == []
