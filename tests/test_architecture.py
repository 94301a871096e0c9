"""The layering rules of DESIGN.md that users feel: the core runs without Qt."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["casebook.book", "casebook.cli", "casebook.store.engine"])
def test_core_layers_do_not_import_qt(module):
    code = f"import sys, {module}; print(any(m.startswith(('PySide6', 'shiboken6')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cli_start_does_not_import_pandas_or_reportlab():
    code = "import sys; from casebook.__main__ import main; main(['--version'])"
    probe = (
        "import sys, atexit\n"
        "atexit.register(lambda: print('HEAVY', sorted(m for m in sys.modules if m.split('.')[0] in ('pandas','reportlab'))))\n"
        + code
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert "HEAVY []" in out.stdout
