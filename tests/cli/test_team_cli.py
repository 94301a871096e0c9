"""Team mode on a PostgreSQL server (issue 17): users, case grants and row-level security.

Each test makes its own database (``pg_database``) and its own login roles (named after the
database, since roles are the cluster's), logs in as them over TCP with a password, and drops
them after. What a role may not see must be missing from ``psql`` and from
``pg_dump --enable-row-security`` too, not only from Casebook.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from tests.conftest import sql_on

pytestmark = pytest.mark.postgresql

HEADER = (
    "Номер ДТ;Дата ДТ;Номер товара;Отправитель;Получатель;ИНН получателя;Страна отправления;"
    "Страна происхождения;Код ТН ВЭД;Описание товара;Статистическая стоимость, USD"
)
PASSWORD = "team-test-pw"
#: Per case: its ref, an exporter's name, a description, a finding and an evidence text.
CASES = {
    "alice": ("TEAM-A-1", "ALPHA TOOLS LTD", "ALPHA LATHE CNC", "Alpha ships lathes", "alpha memo"),
    "bob": ("TEAM-B-1", "BRAVO MACHINES LLC", "BRAVO MILLING UNIT", "Bravo evades", "bravo memo"),
}


@pytest.fixture
def team(pg_database, run_cli, tmp_path, monkeypatch):
    """An admin's URL (the test's superuser) and login URLs for two analysts and a viewer."""
    from casebook.core.location import parse_location

    loc = parse_location(pg_database)
    prefix = loc.dbname.replace("cb_test_", "t")
    names = {who: f"{prefix}_{who}" for who in ("alice", "bob", "vic")}
    for who, role in (("alice", "analyst"), ("bob", "analyst"), ("vic", "viewer")):
        result = run_cli("team", "add-user", names[who], "--role", role, "--json", db=pg_database)
        assert (result.code, result.json) == (0, {"user": names[who], "role": role}), result.err
        sql_on(pg_database, f"ALTER ROLE {names[who]} PASSWORD '{PASSWORD}'")
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    host, port = "127.0.0.1", int(os.environ.get("PGPORT", "5432"))
    urls = {who: f"postgresql://{n}@{host}:{port}/{loc.dbname}" for who, n in names.items()}
    try:
        yield {"admin": pg_database, "urls": urls, "names": names, "db": loc.dbname}
    finally:
        for role in names.values():
            sql_on(pg_database, f"DROP OWNED BY {role}")
            sql_on(pg_database, f"DROP ROLE {role}")


def fill_case(run_cli, url: str, tmp_path, who: str) -> str:
    ref, firm, description, finding, memo = CASES[who]
    assert run_cli("case", "new", f"{who} case", "--ref", ref, db=url).code == 0
    csv = tmp_path / f"{who}.csv"
    row = f"1/1/{who};10.01.2022;1;{firm};ООО Получатель;7707083893;КИТАЙ;КИТАЙ;8458110000;"
    csv.write_bytes(f"{HEADER}\r\n{row}{description};1234,50\r\n".encode("cp1251"))
    result = run_cli("import", str(csv), "--case", ref, "--json", db=url)
    assert result.code == 0, result.err
    note = tmp_path / f"{who}.txt"
    note.write_text(memo, encoding="utf-8")
    assert run_cli("evidence", "add", str(note), "--case", ref, "--title", memo, db=url).code == 0
    added = run_cli(
        "finding", "add", "--case", ref, "--likelihood", "likely", "--confidence", "high",
        finding, db=url,
    )  # fmt: skip
    assert added.code == 0, added.err
    return ref


def psql_all(url: str, db: str) -> str:
    """Every row of every table of the store as the URL's role reads it through ``psql``."""
    from casebook.core.location import parse_location

    loc = parse_location(url)
    base = ["psql", "-X", "-At", "-h", loc.host, "-p", str(loc.port), "-U", loc.user, db]
    tables = subprocess.run(
        [*base, "-c", "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert "shipment" in tables and "caseaccess" in tables
    query = "".join(f'SELECT * FROM "{t}"; ' for t in tables)
    done = subprocess.run([*base, "-c", query], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def dump(url: str, db: str) -> str:
    from casebook.core.location import parse_location

    loc = parse_location(url)
    done = subprocess.run(
        ["pg_dump", "--enable-row-security", "--no-password", "-h", loc.host, "-p",
         str(loc.port), "-U", loc.user, db],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def markers(who: str) -> tuple[str, ...]:
    return CASES[who]


@pytest.mark.slow
def test_rls_hides_the_ungranted_case_from_psql_and_pg_dump(team, run_cli, tmp_path):
    assert shutil.which("psql") and shutil.which("pg_dump")
    urls, db = team["urls"], team["db"]
    fill_case(run_cli, urls["alice"], tmp_path, "alice")
    fill_case(run_cli, urls["bob"], tmp_path, "bob")
    seen_by_alice = psql_all(urls["alice"], db)
    dumped_by_alice = dump(urls["alice"], db)
    for text in (seen_by_alice, dumped_by_alice):
        assert all(m in text for m in markers("alice")), "alice's own case must be there"
        assert [m for m in markers("bob") if m in text] == []
    # Casebook says the same: bob's case is an unknown reference (exit 2), not a refusal.
    shown = run_cli("case", "show", "TEAM-B-1", db=urls["alice"])
    assert (shown.code, shown.err.strip()) == (2, "error: no case 'TEAM-B-1'")
    listed = run_cli("case", "list", "--json", db=urls["alice"]).json["cases"]
    assert [c["ref"] for c in listed] == ["TEAM-A-1"]
    found = run_cli("search", "BRAVO", "--json", db=urls["alice"]).json["results"]
    assert found == []
    # Her own shipments are found through the server's search function (trigram indexes).
    own = run_cli("search", "LATHE", "--json", db=urls["alice"]).json["results"]
    shipments = [r["title"] for r in own if r["kind"] == "shipment"]
    assert len(shipments) == 1 and shipments[0].endswith("ALPHA LATHE CNC")
    # The superuser (as an admin) sees both.
    everything = psql_all_admin(team["admin"])
    assert all(m in everything for m in markers("alice") + markers("bob"))
    # Each user's verify passes: the chain's links are checked even across unseen events.
    assert run_cli("verify", "--json", db=urls["alice"]).json["ok"] is True


def psql_all_admin(admin_url: str) -> str:
    rows = sql_on(admin_url, "SELECT f.name FROM firm AS f")
    rows += sql_on(admin_url, "SELECT description FROM shipment")
    rows += sql_on(admin_url, "SELECT text FROM finding")
    rows += sql_on(admin_url, "SELECT title FROM evidence")
    rows += sql_on(admin_url, 'SELECT ref FROM "case"')
    return " ".join(str(r[0]) for r in rows)


def test_grant_viewer_reads_and_is_refused_writes_then_revoke_hides(team, run_cli, tmp_path):
    urls, names = team["urls"], team["names"]
    run_cli("case", "new", "Bravo", "--ref", "TEAM-B-1", db=urls["bob"])
    # Only an owner (or an admin) grants: alice may not grant herself bob's case.
    refused = run_cli(
        "case", "grant", "TEAM-B-1", names["alice"], "--as", "owner", db=urls["alice"]
    )
    assert refused.code == 2  # she cannot even see it
    granted = run_cli(
        "case", "grant", "TEAM-B-1", names["alice"], "--as", "viewer", "--json", db=urls["bob"]
    )
    assert (granted.code, granted.json) == (
        0,
        {"case_ref": "TEAM-B-1", "user": names["alice"], "access": "viewer"},
    )
    assert run_cli("case", "show", "TEAM-B-1", db=urls["alice"]).code == 0
    wrote = run_cli(
        "finding", "add", "--case", "TEAM-B-1", "--likelihood", "likely", "--confidence",
        "high", "not mine", db=urls["alice"],
    )  # fmt: skip
    assert (wrote.code, wrote.err.strip()) == (1, "error: read-only access to TEAM-B-1")
    edited = run_cli("case", "edit", "TEAM-B-1", "--title", "x", db=urls["alice"])
    assert (edited.code, edited.err.strip()) == (1, "error: read-only access to TEAM-B-1")
    # A record of the case, reached by its uid, is refused in the same words.
    bobs = run_cli(
        "finding", "add", "--case", "TEAM-B-1", "--likelihood", "likely", "--confidence",
        "high", "bob's judgment", "--json", db=urls["bob"],
    )  # fmt: skip
    assert bobs.code == 0, bobs.err
    changed = run_cli("finding", "edit", bobs.json["uid"], "--text", "mine", db=urls["alice"])
    assert (changed.code, changed.err.strip()) == (1, "error: read-only access to TEAM-B-1")
    # A viewer of the case may not grant either.
    regrant = run_cli("case", "grant", "TEAM-B-1", names["vic"], "--as", "viewer", db=urls["alice"])
    assert regrant.code == 1
    # Even through psql the server refuses alice's write.
    sql = "UPDATE \"case\" SET title = 'hacked' WHERE ref = 'TEAM-B-1'"
    done = subprocess.run(
        ["psql", "-X", "-At", "-h", "127.0.0.1", "-U", names["alice"], team["db"], "-c", sql],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.stdout.strip() == "UPDATE 0"
    assert sql_on(team["admin"], "SELECT title FROM \"case\" WHERE ref = 'TEAM-B-1'") == [
        ("Bravo",)
    ]
    revoked = run_cli("case", "revoke", "TEAM-B-1", names["alice"], "--json", db=urls["bob"])
    assert revoked.code == 0, revoked.err
    assert run_cli("case", "show", "TEAM-B-1", db=urls["alice"]).code == 2
    # The last owner cannot be revoked.
    last = run_cli("case", "revoke", "TEAM-B-1", names["bob"], db=urls["bob"])
    assert last.code == 1 and "last owner" in last.err


def test_a_global_viewer_granted_editor_only_reads(team, run_cli):
    urls, names = team["urls"], team["names"]
    run_cli("case", "new", "Alpha", "--ref", "TEAM-A-1", db=urls["alice"])
    grant = run_cli("case", "grant", "TEAM-A-1", names["vic"], "--as", "editor", db=urls["alice"])
    assert grant.code == 0, grant.err
    assert run_cli("case", "show", "TEAM-A-1", db=urls["vic"]).code == 0
    edited = run_cli("case", "edit", "TEAM-A-1", "--title", "x", db=urls["vic"])
    assert (edited.code, edited.err.strip()) == (1, "error: read-only access to TEAM-A-1")
    created = run_cli("case", "new", "Mine", db=urls["vic"])
    assert created.code == 1 and "read-only" in created.err


def test_the_audit_user_is_the_login_and_user_is_refused(team, run_cli):
    from casebook.__main__ import main

    urls, names = team["urls"], team["names"]
    run_cli("case", "new", "Alpha", "--ref", "TEAM-A-1", db=urls["alice"])
    actors = sql_on(team["admin"], "SELECT actor FROM auditevent WHERE action = 'case.create'")
    assert actors == [(names["alice"],)]
    assert main(["--db", urls["alice"], "--user", "mallory", "case", "list"]) == 2
    # The chain stays one line across users who see different events.
    run_cli("case", "new", "Bravo", "--ref", "TEAM-B-1", db=urls["bob"])
    links = sql_on(team["admin"], "SELECT prev_hash, hash FROM auditevent ORDER BY id")
    assert all(prev == links[n - 1][1] for n, (prev, _) in enumerate(links) if n)


WRITER = """
import sys
from casebook.book import Casebook
url, ref, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with Casebook.open(url) as book:
    for i in range(n):
        book.add_finding(case_ref=ref, text=f"{ref} finding {i}", likelihood="likely",
                         confidence="high")
"""


@pytest.mark.slow
def test_concurrent_writers_of_unseen_cases_keep_one_linear_chain(team, run_cli):
    """Two analysts who cannot see each other's events append at once: the advisory lock and
    the server's audit head keep one chain, and each one's verify passes."""
    import sys
    from pathlib import Path

    urls = team["urls"]
    run_cli("case", "new", "Alpha", "--ref", "TEAM-A-1", db=urls["alice"])
    run_cli("case", "new", "Bravo", "--ref", "TEAM-B-1", db=urls["bob"])
    desktop = str(Path(__file__).resolve().parents[2] / "desktop")
    env = {**os.environ, "PYTHONPATH": desktop}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, urls[who], ref, "8"], env=env, stderr=subprocess.PIPE
        )
        for who, ref in (("alice", "TEAM-A-1"), ("bob", "TEAM-B-1"))
    ]
    for writer in writers:
        assert writer.wait(timeout=120) == 0, writer.stderr.read().decode()
    links = sql_on(team["admin"], "SELECT prev_hash, hash FROM auditevent ORDER BY id")
    assert len(links) == 3 + 2 + 16  # three users added, two cases, sixteen findings
    assert all(prev == links[n - 1][1] for n, (prev, _) in enumerate(links) if n)
    for who in ("alice", "bob"):
        checked = run_cli("verify", "--json", db=urls[who]).json
        assert (checked["ok"], checked["problems"]) == (True, [])


def test_a_shared_firm_shows_only_what_the_visible_case_holds(team, run_cli, tmp_path):
    """An admin imports one exporter into two cases; alice, granted one, sees the firm (her
    case holds it) but only her case's shipments and case links of it; a firm only the other
    case holds is invisible to her."""
    admin, urls = team["admin"], team["urls"]
    share_a_firm(team, run_cli, tmp_path)
    seen = psql_all(urls["alice"], team["db"])
    assert "SHARED GROUP LTD" in seen and "ONLY ALPHA SIDE LLC" in seen
    assert "ONLY BRAVO SIDE LLC" not in seen and "SHARED MILL BRAVO" not in seen
    assert "TEAM-S-2" not in seen
    firms = run_cli("firms", "list", "--json", db=urls["alice"]).json
    assert "ONLY BRAVO SIDE LLC" not in str(firms) and "SHARED GROUP LTD" in str(firms)
    assert sql_on(admin, "SELECT count(*) FROM firm WHERE name = 'SHARED GROUP LTD'") == [(1,)]


def share_a_firm(team, run_cli, tmp_path) -> None:
    """An admin's two cases hold one exporter each and a shared one; alice may see TEAM-S-1."""
    admin, names = team["admin"], team["names"]
    for ref, other, description in (
        ("TEAM-S-1", "ONLY ALPHA SIDE LLC", "SHARED LATHE ALPHA"),
        ("TEAM-S-2", "ONLY BRAVO SIDE LLC", "SHARED MILL BRAVO"),
    ):
        assert run_cli("case", "new", ref, "--ref", ref, db=admin).code == 0
        rows = [
            f"1/{ref};10.01.2022;1;SHARED GROUP LTD;ООО Получатель;7707083893;КИТАЙ;КИТАЙ;"
            f"8458110000;{description};100",
            f"2/{ref};11.01.2022;1;{other};ООО Получатель;7707083893;КИТАЙ;КИТАЙ;"
            f"8458110000;{description} 2;100",
        ]
        csv = tmp_path / f"{ref}.csv"
        csv.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1251"))
        done = run_cli("import", str(csv), "--case", ref, "--json", db=admin)
        assert done.code == 0, done.err
    granted = run_cli("case", "grant", "TEAM-S-1", names["alice"], "--as", "viewer", db=admin)
    assert granted.code == 0, granted.err


def firm_titles(run_cli, url: str, *words: str, case: str | None = None) -> list[str]:
    extra = ["--case", case] if case else []
    found = run_cli("search", " ".join(words), *extra, "--json", db=url).json["results"]
    return sorted(r["title"] for r in found if r["kind"] == "firm")


def psql_as(url: str, db: str, query: str) -> list[str]:
    from casebook.core.location import parse_location

    loc = parse_location(url)
    done = subprocess.run(
        ["psql", "-X", "-At", "-h", loc.host, "-p", str(loc.port), "-U", loc.user, db,
         "-c", query],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return sorted(done.stdout.split("\n")[:-1])


def test_an_analysts_firm_search_finds_only_the_firms_of_her_cases(team, run_cli, tmp_path):
    """Under row-level security the firm search goes through ``casebook_firm_search``
    (migration 0013): alice finds the firms her case holds (by name, and with a short word),
    and nothing of a firm only the case she is not granted holds, even when asking the
    function directly for that case or for any firm."""
    admin, urls, db = team["admin"], team["urls"], team["db"]
    share_a_firm(team, run_cli, tmp_path)
    alice = urls["alice"]
    assert firm_titles(run_cli, alice, "SIDE") == ["ONLY ALPHA SIDE LLC"]
    assert firm_titles(run_cli, alice, "BRAVO") == []
    assert firm_titles(run_cli, alice, "SHARED") == ["SHARED GROUP LTD"]
    assert firm_titles(run_cli, alice, "SIDE", "LL") == ["ONLY ALPHA SIDE LLC"]
    assert firm_titles(run_cli, alice, "SI") == ["ONLY ALPHA SIDE LLC"]
    assert firm_titles(run_cli, alice, "SIDE", case="TEAM-S-1") == ["ONLY ALPHA SIDE LLC"]
    # The admin (not under row-level security) finds both.
    assert firm_titles(run_cli, admin, "SIDE") == ["ONLY ALPHA SIDE LLC", "ONLY BRAVO SIDE LLC"]
    # The function itself, as alice: no firm of the unseen case, nor through its case id.
    [hidden] = sql_on(admin, "SELECT id FROM \"case\" WHERE ref = 'TEAM-S-2'")
    ask = "SELECT title FROM casebook_firm_search(ARRAY['%SIDE%'], '{{}}', {}, 50)"
    assert psql_as(alice, db, ask.format("NULL")) == ["ONLY ALPHA SIDE LLC"]
    assert psql_as(alice, db, ask.format(hidden[0])) == []
    # Every firm it returns to her is one the firm policy shows her, and no other.
    every = psql_as(alice, db, "SELECT title FROM casebook_firm_search('{}', '{}', NULL, 99)")
    policy = psql_as(alice, db, "SELECT name FROM firm WHERE merged_into IS NULL")
    assert every == policy and "ONLY BRAVO SIDE LLC" not in every
    # Asking on behalf of another role is refused by the rule (a session asks only for itself).
    other = team["names"]["bob"]
    asked = f"SELECT count(*) FROM casebook_firm_search('{{}}', '{{}}', NULL, 99, '{other}')"
    assert psql_as(alice, db, asked) == ["0"]


def test_a_broad_search_under_row_level_security_lists_the_newest_visible_shipments(
    team, run_cli, tmp_path
):
    """60 rows in alice's case, then 60 newer ones in bob's: alice's broad search finds her
    newest 50 (among the newest rows she may see, before the server's match function)."""
    urls = team["urls"]
    for who, ref, word in (("alice", "TEAM-A-1", "ALPHA"), ("bob", "TEAM-B-1", "BRAVO")):
        assert run_cli("case", "new", f"{who} case", "--ref", ref, db=urls[who]).code == 0
        rows = [
            f"{n}/1/{who};10.01.2022;1;{word} TOOLS;ООО Получатель;7707083893;КИТАЙ;КИТАЙ;"
            f"8458110000;{word} LATHE {n:03d};1234,50"
            for n in range(60)
        ]
        csv = tmp_path / f"{who}.csv"
        csv.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1251"))
        assert run_cli("import", str(csv), "--case", ref, "--json", db=urls[who]).code == 0
    found = run_cli("search", "LATHE", "--json", db=urls["alice"]).json["results"]
    titles = [r["title"].split(" — ")[-1] for r in found if r["kind"] == "shipment"]
    assert titles == [f"ALPHA LATHE {n:03d}" for n in range(59, 9, -1)]
    assert {r["case_ref"] for r in found if r["kind"] == "shipment"} == {"TEAM-A-1"}


def test_an_import_into_a_case_not_granted_is_refused_by_the_server_too(team, run_cli, tmp_path):
    """Alice's import into bob's case stops at the case (unknown to her, exit 2); rows her own
    session sends around Casebook, by the COPY path an import uses, are refused by the server's
    row-level security, while the same path into her own case goes through. Her imports also
    keep every foreign key checked: she does not own the tables, so nothing is set aside."""
    import psycopg

    from casebook.core.location import parse_location
    from casebook.store import postgres

    admin, urls = team["admin"], team["urls"]
    fill_case(run_cli, urls["alice"], tmp_path, "alice")
    fill_case(run_cli, urls["bob"], tmp_path, "bob")
    csv = tmp_path / "more.csv"
    row = "9/1;11.01.2022;1;ALPHA TOOLS LTD;ООО Получатель;7707083893;КИТАЙ;КИТАЙ;8458110000;X;1"
    csv.write_bytes(f"{HEADER}\r\n{row}\r\n".encode("cp1251"))
    refused = run_cli("import", str(csv), "--case", "TEAM-B-1", "--json", db=urls["alice"])
    assert (refused.code, refused.err.strip()) == (2, "error: no case 'TEAM-B-1'")
    ids = dict(sql_on(admin, 'SELECT ref, id FROM "case"'))
    datasets = dict(sql_on(admin, "SELECT case_id, id FROM dataset"))
    columns = "dataset_id, case_id, source_row, row_key, description"
    loc = parse_location(urls["alice"])
    with psycopg.connect(
        dbname=loc.dbname, user=loc.user, host=loc.host, port=loc.port, autocommit=False
    ) as conn:
        for ref, allowed in (("TEAM-A-1", True), ("TEAM-B-1", False)):
            case_id = ids[ref]
            try:
                with conn.cursor() as cursor:
                    assert postgres._set_aside(cursor, 10**9) == []  # not the tables' owner
                    with postgres.copy_into(cursor, "shipment", columns) as copy:
                        copy.write_row((datasets[case_id], case_id, 99, "", "SMUGGLED ROW"))
                went_in = True
            except psycopg.errors.InsufficientPrivilege as exc:
                assert "row-level security" in str(exc)
                went_in = False
            conn.rollback()
            assert went_in is allowed, ref
    assert sql_on(admin, "SELECT count(*) FROM shipment WHERE description = 'SMUGGLED ROW'") == [
        (0,)
    ]
    assert sql_on(admin, "SELECT count(*) FROM shipment") == [(2,)]


def test_the_indexed_descriptions_are_each_cases_own_and_hidden_from_other_roles(
    team, run_cli, tmp_path
):
    """The trigram index covers the distinct descriptions (``shipmenttext``, migration 0015),
    each case its own: bob's import repeating alice's description makes bob's own row, so
    alice reads through ``psql`` exactly her case's texts, none of bob's, and each finds the
    description in their own case only. Deleting bob's dataset takes his texts with it."""
    urls, db, admin = team["urls"], team["db"], team["admin"]
    fill_case(run_cli, urls["alice"], tmp_path, "alice")
    fill_case(run_cli, urls["bob"], tmp_path, "bob")
    csv = tmp_path / "bob-more.csv"
    row = "2/1/bob;11.01.2022;1;BRAVO MACHINES LLC;ООО Получатель;7707083893;КИТАЙ;КИТАЙ;8458110000"
    csv.write_bytes(f"{HEADER}\r\n{row};ALPHA LATHE CNC;99\r\n".encode("cp1251"))
    assert run_cli("import", str(csv), "--case", "TEAM-B-1", db=urls["bob"]).code == 0
    texts = 'SELECT c.ref, t.text FROM shipmenttext AS t JOIN "case" AS c ON c.id = t.case_id'
    assert sorted(sql_on(admin, texts)) == [
        ("TEAM-A-1", "ALPHA LATHE CNC"),
        ("TEAM-B-1", "ALPHA LATHE CNC"),
        ("TEAM-B-1", "BRAVO MILLING UNIT"),
    ]
    crossed = (
        "SELECT count(*) FROM shipment AS s LEFT JOIN shipmenttext AS t ON t.id = s.text_id "
        "WHERE t.case_id IS DISTINCT FROM s.case_id OR t.text <> s.description"
    )
    assert sql_on(admin, crossed) == [(0,)]  # every shipment points to its own case's text
    # The analysts' imports left no pending list in the texts' index for each search to read.
    pending = "SELECT gin_clean_pending_list('ix_trgm_shipmenttext_text'::regclass)"
    assert sql_on(admin, pending) == [(0,)]
    assert psql_as(urls["alice"], db, "SELECT text FROM shipmenttext") == ["ALPHA LATHE CNC"]
    assert psql_as(urls["vic"], db, "SELECT count(*) FROM shipmenttext") == ["0"]
    for who, ref in (("alice", "TEAM-A-1"), ("bob", "TEAM-B-1")):
        found = run_cli("search", "lathe", "--json", db=urls[who]).json["results"]
        shipments = [r for r in found if r["kind"] == "shipment"]
        assert [(r["case_ref"], r["title"][-15:]) for r in shipments] == [(ref, "ALPHA LATHE CNC")]
    [dataset] = [
        u
        for (u,) in sql_on(admin, "SELECT uid FROM dataset WHERE file_name = ?", ("bob-more.csv",))
    ]
    assert run_cli("datasets", "delete", dataset, db=urls["bob"]).code == 0
    assert sorted(sql_on(admin, texts)) == [
        ("TEAM-A-1", "ALPHA LATHE CNC"),
        ("TEAM-B-1", "BRAVO MILLING UNIT"),
    ]
