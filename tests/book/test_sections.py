"""The facade's sections join Casebook as they are used (issue #18): a command imports only the
sections it calls, and a name resolves as it would with every section present."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import casebook.book
from casebook.book import SECTIONS, section_names
from casebook.book._index import NAMES


def test_the_index_names_every_attribute_of_every_section():
    # Stale after a section gained or lost a method: regenerate with
    # PYTHONPATH=desktop python -m casebook.book._index
    assert NAMES == section_names()


def test_no_two_sections_define_the_same_name():
    seen: dict[str, str] = {}
    for module, cls in SECTIONS:
        section = getattr(__import__(f"casebook.book.{module}", fromlist=[cls]), cls)
        for name in vars(section):
            if not (name.startswith("__") and name.endswith("__")):
                assert name not in seen, f"{name} in {cls} and {seen[name]}"
                seen[name] = cls


def test_the_type_checkers_view_lists_the_sections_in_order():
    tree = ast.parse(Path(casebook.book.__file__).read_text(encoding="utf-8"))
    (stub,) = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name == "_Sections" and node.bases
    ]
    assert [base.id for base in stub.bases] == [cls for _, cls in SECTIONS]


_PROBE = """
import json, sys
from casebook.book import Casebook, SECTIONS
book = Casebook.open(sys.argv[1], user="ann", create=True)
before = sorted(m for m in sys.modules if m.startswith("casebook.book."))
case = book.create_case(title="Drones via Almaty")
after = sorted(m for m in sys.modules if m.startswith("casebook.book."))
listed = [c.ref for c in book.list_cases()]
unbound = Casebook.verify.__qualname__
import casebook.book
casebook.book.load_sections()
mro = [c.__name__ for c in Casebook.__mro__]
try:
    book.no_such_method
except AttributeError as exc:
    missing = str(exc)
book.close()
print(json.dumps([before, after, listed, case.ref, unbound, mro, missing]))
"""


def test_sections_join_on_first_use_and_end_in_the_full_order(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tmp_path / "s.db")],
        capture_output=True,
        text=True,
        check=True,
    )
    before, after, listed, ref, unbound, mro, missing = json.loads(done.stdout)
    assert before == []  # opening the store imports no section
    assert "casebook.book.cases" in after and "casebook.book.briefing" not in after
    assert listed == [ref]
    assert unbound == "VerifySection.verify"  # asked of the class, it joins too
    assert mro == ["Casebook", *(cls for _, cls in SECTIONS), "_Sections", "object"]
    assert "no_such_method" in missing
