"""GUI test setup: offscreen Qt, temporary settings, and bulk shipment stores."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

# Before anything imports Qt: no display needed, no style or theme from the host.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest  # noqa: E402


def _load_helper(name: str):
    # Tests run with --import-mode=importlib, so sibling helpers are loaded by path.
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


million_rows = _load_helper("million_rows")


@pytest.fixture(scope="session")
def bulk():
    """The bulk-store helper module (``build_shipments``, ``CASE_REF``)."""
    return million_rows
