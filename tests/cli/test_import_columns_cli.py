"""Issue 19, items 1 and 2 from the command line: a column headed with a field's plain name is
imported, every column left out is named; one exporter spelling in one file is one firm."""

from __future__ import annotations

import pytest

GENERIC = [
    "Declaration No,Date,Exporter,Importer,origin,dispatch,destination,hs_code,value_usd,junk",
    "D-1,2023-05-02,Dalian Machine Tool Group,Alfa LLC,CN,KZ,RU,845811,1000,x",
    "D-2,2023-06-03,Dalian Machine Tool Group,Alfa LLC,CN,TR,RU,845811,2000,y",
]
DALIAN = [
    ("D-1", "CN", ""),
    ("D-2", "HK", ""),
    ("D-3", "KZ", ""),
    ("D-4", "TR", ""),
]


@pytest.fixture
def case(run_cli):
    assert run_cli("case", "new", "Diversion", "--ref", "CB-D-1").code == 0
    return "CB-D-1"


def write(path, lines: list[str]):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def dalian_file(path, rows=DALIAN, *, exporter_country: bool = False):
    head = "Declaration No,Date,Exporter,Importer,Country of Dispatch,HS Code,Value USD"
    lines = [head + (",Exporter Country" if exporter_country else "")]
    for n, (decl, dispatch, country) in enumerate(rows, start=1):
        line = f"{decl},2023-0{n}-10,Dalian Machine Tool Group,Alfa LLC,{dispatch},845811,{n}000"
        lines.append(line + (f",{country}" if exporter_country else ""))
    return write(path, lines)


def dalian_firms(run_cli, case) -> list[dict]:
    firms = run_cli("firms", "list", "--case", case, "--json").json["firms"]
    return [f for f in firms if f["name"] == "Dalian Machine Tool Group"]


# --- item 1: no silent column loss --------------------------------------------------------


def test_a_column_headed_dispatch_is_imported(run_cli, case, tmp_path):
    result = run_cli("import", str(write(tmp_path / "g.csv", GENERIC)), "--case", case, "--json")
    assert result.code == 0, result.err
    rows = run_cli("shipments", "--case", case, "--json").json["rows"]
    assert sorted(r["dispatch"] for r in rows) == ["KZ", "TR"]


def test_the_import_json_lists_the_columns_left_out(run_cli, case, tmp_path):
    result = run_cli("import", str(write(tmp_path / "g.csv", GENERIC)), "--case", case, "--json")
    assert result.json["unmapped_columns"] == ["junk"]


def test_the_readable_output_warns_about_the_columns_left_out(run_cli, case, tmp_path):
    result = run_cli("import", str(write(tmp_path / "g.csv", GENERIC)), "--case", case)
    assert result.code == 0, result.err
    assert 'warning: 1 column not imported (no field): "junk"' in result.out


def test_a_file_whose_every_column_is_read_lists_none(run_cli, case, tmp_path):
    lines = [",".join(GENERIC[0].split(",")[:-1])] + [r.rsplit(",", 1)[0] for r in GENERIC[1:]]
    result = run_cli("import", str(write(tmp_path / "g.csv", lines)), "--case", case, "--json")
    assert result.json["unmapped_columns"] == []
    assert "not imported" not in run_cli("import", str(tmp_path / "g.csv"), "--case", case).out


# --- item 2: one exporter is one firm -------------------------------------------------------


def test_one_exporter_shipping_from_four_countries_is_one_firm(run_cli, case, tmp_path):
    result = run_cli("import", str(dalian_file(tmp_path / "d.csv")), "--case", case, "--json")
    assert result.code == 0, result.err
    firms = dalian_firms(run_cli, case)
    assert len(firms) == 1
    assert result.json["merge_suggestions"] == 0
    shown = run_cli("firms", "show", firms[0]["uid"], "--json").json
    assert shown["dispatch_countries"] == ["CN", "HK", "KZ", "TR"]
    assert shown["shipments"] == 4


def test_the_firm_readable_detail_lists_its_dispatch_countries(run_cli, case, tmp_path):
    run_cli("import", str(dalian_file(tmp_path / "d.csv")), "--case", case)
    uid = dalian_firms(run_cli, case)[0]["uid"]
    assert "dispatch:  CN, HK, KZ, TR" in run_cli("firms", "show", uid).out


def test_an_exporter_country_column_giving_two_countries_makes_two_firms(run_cli, case, tmp_path):
    rows = [("D-1", "CN", "CN"), ("D-2", "HK", "CN"), ("D-3", "KZ", "TR"), ("D-4", "TR", "TR")]
    path = dalian_file(tmp_path / "d.csv", rows, exporter_country=True)
    assert run_cli("import", str(path), "--case", case).code == 0
    firms = dalian_firms(run_cli, case)
    assert sorted(f["country"] for f in firms) == ["CN", "TR"]
    by_country = {f["country"]: run_cli("firms", "show", f["uid"], "--json").json for f in firms}
    assert by_country["CN"]["dispatch_countries"] == ["CN", "HK"]
    assert by_country["TR"]["dispatch_countries"] == ["KZ", "TR"]


def test_across_files_the_country_still_tells_one_spelling_apart(run_cli, case, tmp_path):
    """Within one file a spelling is one firm; a later file keeps today's rules: the same
    spelling shipping from the same country joins that firm, from another it is another."""
    first = [("D-1", "CN", ""), ("D-2", "CN", ""), ("D-3", "KZ", "")]
    assert run_cli("import", str(dalian_file(tmp_path / "a.csv", first)), "--case", case).code == 0
    (firm,) = dalian_firms(run_cli, case)
    assert firm["country"] == "CN"
    later = [("E-1", "TR", ""), ("E-2", "TR", "")]
    assert run_cli("import", str(dalian_file(tmp_path / "b.csv", later)), "--case", case).code == 0
    again = [("F-1", "CN", "")]
    assert run_cli("import", str(dalian_file(tmp_path / "c.csv", again)), "--case", case).code == 0
    firms = {f["country"]: f for f in dalian_firms(run_cli, case)}
    assert sorted(firms) == ["CN", "TR"]
    assert firms["CN"]["uid"] == firm["uid"] and firms["CN"]["shipments"] == 4
    assert firms["TR"]["shipments"] == 2
