"""No network: import, evidence, lists and screening, brief, every export format, bundles,
backup/restore and verify all run with socket creation patched to fail."""

from __future__ import annotations

import socket

import pytest

from casebook.cli import build_parser

INN = "7707083893"
HEADER = (
    "Номер ДТ;Дата ДТ;Номер товара;Отправитель;Получатель;ИНН получателя;Страна отправления;"
    "Страна происхождения;Код ТН ВЭД;Описание товара;Статистическая стоимость, USD"
)
ROWS = [
    f"10702070/100122/0000001;10.01.2022;1;STANKOPROM OOO;ООО Техностанок;{INN};"
    "КИТАЙ;КИТАЙ;8458 11 000 0;СТАНОК ТОКАРНЫЙ С ЧПУ;1234567,89",
    f"10702070/100122/0000001;10.01.2022;2;SHANDONG JINMA CO., LTD;ООО Техностанок;{INN};"
    "КИТАЙ;ЯПОНИЯ;8537 10 100 0;СИСТЕМА ЧПУ;10000,50",
]
SDN = (
    '45631,"STANKOPROM OOO",-0- ,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"Tax ID No. 3661073772 (Russia); Registration Number 1163668096327 (Russia)."\r\n'
)


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise NetworkUsed(f"network access attempted: {args!r}")

    class NoSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            refuse(*args)

    monkeypatch.setattr(socket, "socket", NoSocket)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.org", 80))


def _has_command(name: str) -> bool:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    return name in subparsers.choices


def test_everything_runs_without_the_network(run_cli, tmp_path, no_network):
    def ok(*args, db=None):
        result = run_cli(*args, db=db)
        assert result.code == 0, (args, result.err)
        return result

    csv = tmp_path / "dt.csv"
    csv.write_bytes(("\r\n".join([HEADER, *ROWS]) + "\r\n").encode("cp1251"))
    doc = tmp_path / "extract.txt"
    doc.write_text("Registry extract", encoding="utf-8")
    sdn = tmp_path / "sdn.csv"
    sdn.write_bytes(SDN.encode())

    ok("case", "new", "No network", "--ref", "CB-NN")
    ok("import", str(csv), "--case", "CB-NN", "--json")
    ok("evidence", "add", str(doc), "--case", "CB-NN", "--json")
    ok("lists", "load", str(sdn), "--json")
    screened = ok("screen", "--case", "CB-NN", "--json")
    assert "STANKOPROM" in screened.out
    if _has_command("brief"):
        ok("brief", "--case", "CB-NN", "--out", str(tmp_path / "b.pdf"), "--json")
    for name in ("c.casebook", "c.ftm.json", "c.ftm.jsonl", "c.xlsx", "c.zip", "c.graphml"):
        ok("export", "--case", "CB-NN", "--out", str(tmp_path / name), "--json")
    ok("backup", "--out", str(tmp_path / "backup.zip"), "--json")
    ok("open-bundle", str(tmp_path / "c.casebook"), "--json", db=tmp_path / "other.db")
    ok("restore", str(tmp_path / "backup.zip"), "--json", db=tmp_path / "restored.db")
    ok("verify", "--json", db=tmp_path / "restored.db")
    ok("verify", "--json")
