"""``casebook import`` of officers and owners (issue 21, step 3): a table with a ``kind =
"people"`` mapping; firms resolved by the import's rules, one person per identifier (else name
key and birth date), all or nothing with errors naming file, row and column."""

from __future__ import annotations

import pytest
from tests.conftest import sql_on

MAPPING = """kind = "people"
[columns]
"Компания" = "firm"
"ИНН" = "firm_id"
"ФИО" = "person"
"Дата рождения" = "birth_date"
"ИНН физлица" = "person_inn"
"Должность" = "role"
"Доля" = "share"
"С" = "start"
"По" = "end"
"""
HEADER = "Компания;ИНН;ФИО;Дата рождения;ИНН физлица;Должность;Доля;С;По"
ROWS = [
    "ООО «Вектор»;7707083893;Петров Иван Сергеевич;1970-05-01;;генеральный директор;;2021-01-01;",
    "ООО «Вектор»;7707083893;Петров Иван Сергеевич;1970-05-01;;участник;50;2021-01-01;",
    "Vector LLC;7707083893;Ivan Sergeevich Petrov;1970-05-01;;director;;2021-01-01;",
    "ООО «Анка Трейд»;;Петров Иван Сергеевич;1970-05-01;;директор;;2022-02-01;2023-03-01",
    "ООО «Анка Трейд»;;Петров Иван Сергеевич;1988;;employee;;;",
    "ООО «Анка Трейд»;;Сидорова Ольга;1980;773407989940;учредитель;;;",
    "ООО «Анка Трейд»;;Ольга Сидорова-Смит;;773407989940;бенефициар;100;;",
]


@pytest.fixture
def files(tmp_path, run_cli):
    assert run_cli("case", "new", "Officers", "--ref", "P-3").code == 0
    mapping = tmp_path / "people.toml"
    mapping.write_text(MAPPING, encoding="utf-8")

    def table(rows: list[str]):
        path = tmp_path / "officers.csv"
        path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
        return str(path), str(mapping)

    return table


def test_officers_and_owners_become_persons_linked_to_resolved_firms(run_cli, files, db_path):
    path, mapping = files(ROWS)
    r = run_cli("import", path, "--case", "P-3", "--mapping", mapping, "--json")
    assert r.code == 0, r.err
    assert r.json["kind"] == "people" and r.json["rows_imported"] == 7
    # one firm per INN whatever its spelling, and the firm without an identifier by its name
    assert (r.json["firms_created"], r.json["firms_matched"]) == (2, 0)
    persons = run_cli("person", "list", "--case", "P-3", "--json").json["persons"]
    by_name = {(p["name"], p["birth_date"]): p for p in persons}
    # the same name in Latin letters and the same birth date is the same person; a namesake
    # born in 1988 is another; the same personal INN is one person under two names
    assert len(persons) == 3
    ivan = by_name["Петров Иван Сергеевич", "1970-05-01"]
    assert "Ivan Sergeevich Petrov" in ivan["aliases"]
    assert ("Петров Иван Сергеевич", "1988") in by_name
    olga = by_name["Сидорова Ольга", "1980"]
    assert olga["identifiers"] == {"ru_inn": "773407989940"}
    rels = run_cli("rel", "list", "--case", "P-3", "--json").json["relationships"]
    kinds = sorted((x["from_name"], x["kind"], x["share"]) for x in rels)
    assert kinds == [
        ("Петров Иван Сергеевич", "director", None),
        ("Петров Иван Сергеевич", "director", None),
        ("Петров Иван Сергеевич", "employee", None),
        ("Петров Иван Сергеевич", "shareholder", 50.0),
        ("Сидорова Ольга", "beneficial owner", 100.0),
        ("Сидорова Ольга", "founder", None),
    ]
    tenure = next(x for x in rels if x["to_name"] == "ООО «Анка Трейд»" and x["kind"] == "director")
    assert (tenure["start"], tenure["end"]) == ("2022-02-01", "2023-03-01")
    again = run_cli("import", path, "--case", "P-3", "--mapping", mapping, "--json")
    assert again.code == 0 and again.json["links_created"] == 0
    assert again.json["persons_created"] == 0 and again.json["firms_created"] == 0
    assert sql_on(db_path, "SELECT count(*) FROM auditevent WHERE action = 'people.import'") == [
        (2,)
    ]


def test_a_bad_row_imports_nothing_and_names_file_row_and_column(run_cli, files, db_path):
    bad = [*ROWS[:2], "ООО «Вектор»;7707083893;Петров;1970-05-01;1234;директор;;;",
           "ООО «Вектор»;;Петров;1970;;кассир;;;", "ООО «Вектор»;;Петров;1970;;director;30;;"]  # fmt: skip
    path, mapping = files(bad)
    r = run_cli("import", path, "--case", "P-3", "--mapping", mapping, "--json")
    assert r.code == 1 and r.out == ""
    assert "officers.csv row 4, column 'ИНН физлица'" in r.err
    assert "officers.csv row 5, column 'Должность'" in r.err
    assert "officers.csv row 6, column 'Доля'" in r.err
    assert sql_on(db_path, "SELECT count(*) FROM person") == [(0,)]
    assert sql_on(db_path, "SELECT count(*) FROM firm") == [(0,)]


def test_a_mapping_without_a_person_column_exits_2(run_cli, files, tmp_path):
    path, _ = files(ROWS)
    mapping = tmp_path / "half.toml"
    mapping.write_text('kind = "people"\n[columns]\n"Компания" = "firm"\n"Должность" = "role"\n')
    r = run_cli("import", path, "--case", "P-3", "--mapping", str(mapping), "--json")
    assert r.code == 2 and "no column maps to person" in r.err


def test_an_xlsx_extract_with_date_cells_and_numbers_imports_its_dates(run_cli, tmp_path):
    """A registry extract saved from Excel holds dates as date cells, INNs and shares as
    numbers: the birth dates and tenures are those of the cells, never dropped."""
    import datetime as dt

    from openpyxl import Workbook

    assert run_cli("case", "new", "Officers", "--ref", "P-4").code == 0
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    sheet.append(["ООО «Вектор»", 7707083893, "Петров Иван Сергеевич", dt.datetime(1970, 5, 1),
                  None, "генеральный директор", None, dt.datetime(2021, 1, 1),
                  dt.date(2023, 6, 30)])  # fmt: skip
    sheet.append(["ООО «Вектор»", 7707083893, "Сидорова Ольга", 1980, 773407989940,
                  "участник", 50.0, dt.date(2021, 2, 1), None])  # fmt: skip
    path = tmp_path / "officers.xlsx"
    book.save(path)
    mapping = tmp_path / "people.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    r = run_cli("import", str(path), "--case", "P-4", "--mapping", str(mapping), "--json")
    assert r.code == 0, r.err
    assert (r.json["rows_imported"], r.json["persons_created"], r.json["firms_created"]) == (
        2,
        2,
        1,
    )
    persons = run_cli("person", "list", "--case", "P-4", "--json").json["persons"]
    born = {p["name"]: (p["birth_date"], p["identifiers"]) for p in persons}
    assert born == {
        "Петров Иван Сергеевич": ("1970-05-01", {}),
        "Сидорова Ольга": ("1980", {"ru_inn": "773407989940"}),
    }
    rels = run_cli("rel", "list", "--case", "P-4", "--json").json["relationships"]
    got = sorted((x["kind"], x["share"], x["start"], x["end"]) for x in rels)
    assert got == [("director", None, "2021-01-01", "2023-06-30"),
                   ("shareholder", 50.0, "2021-02-01", None)]  # fmt: skip


def test_namesakes_born_the_same_day_with_different_personal_inns_are_two_persons(run_cli, files):
    """The same name and birth date make one person only when no personal identifier tells
    them apart: two different INNs are two people, each keeping their own."""
    rows = [
        "ООО «Вектор»;7707083893;Петров Иван Сергеевич;1970-05-01;773407989940;директор;;;",
        "ООО «Анка Трейд»;;Петров Иван Сергеевич;1970-05-01;500100732259;учредитель;;;",
        "ООО «Анка Трейд»;;Ivan Sergeevich Petrov;1970-05-01;;участник;10;;",
    ]
    path, mapping = files(rows)
    r = run_cli("import", path, "--case", "P-3", "--mapping", mapping, "--json")
    assert r.code == 0, r.err
    assert (r.json["persons_created"], r.json["persons_matched"]) == (2, 1)
    persons = run_cli("person", "list", "--case", "P-3", "--json").json["persons"]
    assert sorted(p["identifiers"]["ru_inn"] for p in persons) == ["500100732259", "773407989940"]
