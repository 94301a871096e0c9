"""Every command that writes a file follows one rule: no folder is created for it, a folder is
not a file name, an existing file needs --force; each refusal is one `error:` line, exit 1."""

from __future__ import annotations

import pytest

REF = "CB-OUT-1"
COMMANDS = {
    "brief": ["brief", "--case", REF, "--out"],
    "graphml": ["export", "--case", REF, "--out"],
    "bundle": ["export", "--case", REF, "--out"],
    "backup": ["backup", "--out"],
}
NAMES = {"brief": "b.pdf", "graphml": "n.graphml", "bundle": "c.casebook", "backup": "s.zip"}


@pytest.fixture
def case(run_cli):
    assert run_cli("case", "new", "Outputs", "--ref", REF).code == 0


@pytest.mark.parametrize("kind", sorted(COMMANDS))
def test_a_missing_folder_is_refused_and_not_created(run_cli, case, tmp_path, kind):
    out = tmp_path / "missing" / NAMES[kind]
    result = run_cli(*COMMANDS[kind], str(out))
    assert result.code == 1, result.err
    assert result.err.strip() == f"error: no folder {out.parent}"
    assert not out.parent.exists()


@pytest.mark.parametrize("kind", sorted(COMMANDS))
def test_a_folder_is_not_a_file_name(run_cli, case, tmp_path, kind):
    folder = tmp_path / NAMES[kind]
    folder.mkdir()
    result = run_cli(*COMMANDS[kind], str(folder), "--force")
    assert result.code == 1 and "Traceback" not in result.err
    assert result.err.strip() == f"error: {folder} is a folder; give a file name"
