"""The layering rules of DESIGN.md that users feel: the core runs without Qt."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("module", ["casebook.book", "casebook.cli", "casebook.store.engine"])
def test_core_layers_do_not_import_qt(module):
    code = f"import sys, {module}; print(any(m.startswith(('PySide6', 'shiboken6')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("module", ["casebook.ui.main_window", "casebook.ui.cases_page"])
def test_the_windows_modules_leave_the_store_to_the_worker(module):
    """The DB worker imports the facade (SQLModel, pydantic) as it opens the store, while the
    GUI thread imports the tabs' modules: a module both threads import at once can reach one of
    them half made ("cannot import name 'import_string' from partially initialized module
    'pydantic._internal._validators'", seen once at start). So the window's modules import none
    of it; the facade's modules are the worker's to import."""
    heavy = ("casebook.book", "casebook.store", "sqlmodel", "sqlalchemy", "pydantic")
    code = f"import sys, {module}; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[]"


def test_cli_start_does_not_import_pandas_or_reportlab():
    code = "import sys; from casebook.__main__ import main; main(['--version'])"
    probe = (
        "import sys, atexit\n"
        "atexit.register(lambda: print('HEAVY', sorted(m for m in sys.modules if m.split('.')[0] in ('pandas','reportlab'))))\n"
        + code
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert "HEAVY []" in out.stdout


#: What only the store may do: build SQL and query or write through a session (#16).
_STORE_ONLY = re.compile(
    r"\b(select|text|insert|update|delete)\("
    r"|\bsession\.(exec|execute|get|scalar|scalars|query|add|add_all|delete|merge)\("
    r"|\.(exec|execute|exec_driver_sql|scalar|scalars)\("
)
_BOOK = Path(__file__).resolve().parents[1] / "desktop" / "casebook" / "book"


def _store_work(path: Path) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        code = line.split("#", 1)[0]
        if _STORE_ONLY.search(code):
            found.append(f"{path.name}:{number}: {line.strip()}")
    return found


def test_the_facade_leaves_queries_to_the_store():
    """No SQL construct and no session query or write under book/: the store owns them."""
    found = [hit for path in sorted(_BOOK.glob("*.py")) for hit in _store_work(path)]
    assert found == []


def test_the_facade_check_sees_a_query():
    """The check above is not vacuous: it finds each kind of statement it forbids."""
    for line in (
        "rows = session.exec(select(m.Firm)).all()",
        'session.execute(text("DELETE FROM firm"))',
        "session.add(row)",
        "case = session.get(m.Case, 3)",
    ):
        assert _STORE_ONLY.search(line), line
    assert not _STORE_ONLY.search("with self._write() as session: session.commit()")
