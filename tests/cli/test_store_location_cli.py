"""``--db`` and ``CASEBOOK_DB`` take a file path or a ``postgresql://`` URL (issue 17)."""

from __future__ import annotations

import pytest

from casebook.core.errors import UsageError
from casebook.core.location import ServerLocation, parse_location


@pytest.mark.parametrize(
    "url",
    [
        "mysql://db.example/cases",
        "postgres+foo://db.example/cases",
        "postgres://db.example/cases",
        "sqlite:///tmp/cases.db",
        "https://db.example/cases",
    ],
)
def test_a_url_of_another_scheme_is_a_usage_error_and_creates_nothing(
    run_cli, tmp_path, monkeypatch, url
):
    monkeypatch.chdir(tmp_path)
    result = run_cli("case", "new", "Team case", "--json", db=url)
    assert result.code == 2
    assert result.out == ""
    assert "unsupported URL scheme" in result.err and "postgresql://" in result.err
    assert list(tmp_path.iterdir()) == []  # no folder named "mysql:" or "postgresql:"


def test_a_password_in_the_url_is_refused_and_never_echoed(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("case", "list", "--json", db="postgresql://alice:s3cret@db.example/cases")
    assert result.code == 2
    assert "PGPASSWORD" in result.err and "s3cret" not in result.err
    assert list(tmp_path.iterdir()) == []


def test_casebook_db_with_another_scheme_is_a_usage_error(tmp_path, monkeypatch, capsys):
    from casebook.__main__ import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEBOOK_DB", "mysql://db.example/cases")
    assert main(["case", "list", "--json"]) == 2
    assert "unsupported URL scheme 'mysql'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_plain_path_keeps_its_meaning(run_cli, tmp_path, monkeypatch):
    store = tmp_path / "sub" / "cases.db"
    assert run_cli("case", "new", "Local", "--json", db=store).code == 0
    assert store.is_file()
    assert run_cli("case", "list", "--json", db=store).json["cases"][0]["title"] == "Local"


def test_a_url_names_user_host_port_database_and_socket_folder():
    assert parse_location("postgresql://alice@db.example:5433/cases") == ServerLocation(
        dbname="cases", user="alice", host="db.example", port=5433
    )
    local = parse_location("postgresql:///cases?host=/var/run/postgresql")
    assert local == ServerLocation(dbname="cases", socket_dir="/var/run/postgresql")
    assert str(local) == "postgresql:///cases?host=/var/run/postgresql"
    with pytest.raises(UsageError, match="names no database"):
        parse_location("postgresql://db.example/")
    with pytest.raises(UsageError, match="only \\?host"):
        parse_location("postgresql://db.example/cases?sslmode=disable")


def test_a_missing_server_database_is_an_unknown_store(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = "postgresql:///casebook_no_such_db?host=/var/run/postgresql"
    result = run_cli("case", "list", "--json", db=url)
    assert result.code in (2, 3)  # 2: the server says no such database; 3: no server here
    assert "casebook_no_such_db" in result.err
    assert list(tmp_path.iterdir()) == []
