"""Red flags with people (issue 21, step 5): one person directing or owning two firms of the
case flags both; a listed person (a confirmed hit) behind a firm flags it; each with reasons."""

from __future__ import annotations

from casebook.book import Casebook
from casebook.store import models as m

CASE = "P-5"


def _firms(db_path, *names: str) -> list[str]:
    with Casebook.open(db_path) as book, book.store.write() as session:
        case_id = book.get_case(CASE).id
        firms = [m.Firm(name=name) for name in names]
        session.add_all(firms)
        session.flush()
        session.add_all(
            [m.CaseFirm(case_id=case_id, firm_id=f.id, role="intermediary") for f in firms]
        )
    return [f.uid for f in firms]


def _person(run_cli, name: str, *args: str) -> str:
    r = run_cli("person", "add", name, "--case", CASE, *args, "--json")
    assert r.code == 0, r.err
    return r.json["uid"]


def _rel(run_cli, *args: str) -> None:
    r = run_cli("rel", "add", "--case", CASE, *args, "--json")
    assert r.code == 0, r.err


def _flags(run_cli) -> dict:
    r = run_cli("flags", "--case", CASE, "--json")
    assert r.code == 0, r.err
    return {f["name"]: f for f in r.json["firms"]}


def test_a_person_behind_two_firms_flags_both_and_a_listed_one_flags_the_firm(
    run_cli, db_path, reference_dir
):
    assert run_cli("case", "new", "Intermediaries", "--ref", CASE).code == 0
    alfa, beta, gamma = _firms(db_path, "Alfa Trade", "Beta Logistic", "Gamma Tools")
    petrov = _person(run_cli, "Ivan Petrov")
    clerk = _person(run_cli, "Olga Clerk")
    _rel(run_cli, petrov, alfa, "--kind", "director")
    _rel(run_cli, petrov, beta, "--kind", "shareholder", "--share", "60")
    _rel(run_cli, clerk, alfa, "--kind", "employee")
    _rel(run_cli, clerk, gamma, "--kind", "employee")  # employees direct nothing
    flagged = _flags(run_cli)
    assert set(flagged) == {"Alfa Trade", "Beta Logistic"}
    [flag] = flagged["Alfa Trade"]["flags"]
    assert flag["rule"] == "shared_person" and flag["persons"] == [petrov]
    assert flag["reason"] == "Ivan Petrov (director) is also behind Beta Logistic (shareholder 60%)"
    r = run_cli("flags", "--case", CASE, "--json")
    assert {"shared_person", "listed_person"} <= {rule["id"] for rule in r.json["rules"]}

    assert run_cli("lists", "load", str(reference_dir / "ofac_sdn_2024-05-03_subset.csv")).code == 0
    owner = _person(run_cli, "Ротенберг Аркадий Романович", "--birth-date", "1951-12-15")
    _rel(run_cli, owner, gamma, "--kind", "beneficial owner")
    assert "Gamma Tools" not in _flags(run_cli)  # a hit flags nothing until it is confirmed
    hits = run_cli("screen", "--case", CASE, "--json").json["hits"]
    [hit] = [h for h in hits if h["subject_uid"] == owner]
    assert run_cli("hits", "review", str(hit["id"]), "--confirm").code == 0
    gamma_flags = _flags(run_cli)["Gamma Tools"]
    [flag] = gamma_flags["flags"]
    assert flag["rule"] == "listed_person" and gamma_flags["score"] == 3
    assert flag["reason"].startswith(
        "Ротенберг Аркадий Романович (beneficial owner) is listed: OFAC SDN 16669 ROTENBERG"
    )


def test_the_briefing_lists_a_confirmed_listing_beside_the_person(run_cli, db_path, reference_dir,
                                                                  tmp_path):  # fmt: skip
    """The People section's Listings column: the list, entry and name of a confirmed hit on
    the person; a person without one has a dash there."""
    import subprocess

    assert run_cli("case", "new", "Owners", "--ref", CASE).code == 0
    (gamma,) = _firms(db_path, "Gamma Tools")
    assert run_cli("lists", "load", str(reference_dir / "ofac_sdn_2024-05-03_subset.csv")).code == 0
    owner = _person(run_cli, "Ротенберг Аркадий Романович", "--birth-date", "1951-12-15")
    clerk = _person(run_cli, "Olga Clerk")
    _rel(run_cli, owner, gamma, "--kind", "beneficial owner", "--share", "75")
    _rel(run_cli, clerk, gamma, "--kind", "employee")
    hits = run_cli("screen", "--case", CASE, "--json").json["hits"]
    [hit] = [h for h in hits if h["subject_uid"] == owner]
    assert run_cli("hits", "review", str(hit["id"]), "--confirm").code == 0
    out = tmp_path / "people.pdf"
    r = run_cli("brief", "--case", CASE, "--out", str(out), "--sections", "people", "--json")
    assert r.code == 0, r.err
    done = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True)
    text = " ".join(done.stdout.decode("utf-8").split())
    assert "People" in text and "Ротенберг Аркадий Романович" in text
    assert "OFAC SDN 16669: ROTENBERG, Arkady Romanovich" in text
    assert "beneficial owner (75%) of Gamma Tools" in text
    assert text.count("OFAC SDN 16669") == 1  # the clerk is not listed
