"""Team commands on a store file: one user, nothing to grant; each exits 2 saying so."""

from __future__ import annotations

import pytest

MESSAGE = "needs a team store on a PostgreSQL server"


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "args",
    [
        ("team", "add-user", "alice", "--json"),
        ("case", "grant", "CB-T-1", "alice", "--as", "editor", "--json"),
        ("case", "revoke", "CB-T-1", "alice", "--json"),
    ],
    ids=["add-user", "grant", "revoke"],
)
def test_team_commands_exit_2_on_a_store_file(run_cli, args):
    assert run_cli("case", "new", "T", "--ref", "CB-T-1").code == 0
    result = run_cli(*args)
    assert (result.code, result.out) == (2, "")
    assert MESSAGE in result.err


def test_grant_needs_an_access_level(run_cli):
    result = run_cli("case", "grant", "CB-T-1", "alice")
    assert result.code == 2 and "--as" in result.err
