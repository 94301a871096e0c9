"""``casebook export --case REF --out F.graphml``: a real import, then GraphML that networkx
reads back with the same nodes and edges as the network model."""

from __future__ import annotations

import hashlib

import networkx as nx
import pytest

from casebook.exchange.graphml import NS

CSV = (
    "Date,Exporter,Importer,Country of Dispatch,Destination,HS Code,Value USD\n"
    "2022-01-05,Acme Machine Co,ООО Ромашка,CN,RU,845811,100\n"
    "2022-02-06,Acme Machine Co,ООО Ромашка,CN,RU,845811,50\n"
    "2022-03-07,Beta Tools,ООО Ромашка,TR,RU,845961,25\n"
    "2022-03-08,Acme Machine Co,Beta Tools,CN,TR,845961,70\n"
)


@pytest.fixture
def case(run_cli, tmp_path):
    path = tmp_path / "shipments.csv"
    path.write_text(CSV, encoding="utf-8")
    assert run_cli("case", "new", "Graph", "--ref", "CB-G-1", "--json").code == 0
    result = run_cli("import", str(path), "--case", "CB-G-1", "--json")
    assert result.code == 0, result.err
    return "CB-G-1"


def export(run_cli, out, *extra):
    return run_cli("export", "--case", "CB-G-1", "--out", str(out), "--json", *extra)


def test_export_writes_graphml_that_networkx_reads(run_cli, case, tmp_path, db_path):
    from casebook.book import Casebook

    with Casebook.open(db_path) as book:
        firms = {f["name"]: f["uid"] for f in book.list_firms(case_ref=case)}
        book.add_relationship(
            case_ref=case,
            from_uid=firms["Acme Machine Co"],
            to_uid=firms["Beta Tools"],
            kind="shared address",
        )
        model = book.network(case_ref=case)
    out = tmp_path / "case.graphml"
    result = export(run_cli, out)
    assert result.code == 0, result.err
    data = result.json
    assert set(data) >= {"out", "format", "records", "sha256"}
    assert data["format"] == "graphml" and data["out"] == str(out)
    assert data["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert data["records"] == len(model.nodes) + len(model.edges)
    assert NS in out.read_text(encoding="utf-8")

    graph = nx.read_graphml(out)
    assert graph.is_directed()
    assert set(graph.nodes) == {n.uid for n in model.nodes}
    acme = graph.nodes[firms["Acme Machine Co"]]
    assert (acme["name"], acme["country"], acme["listed"]) == ("Acme Machine Co", "CN", False)
    assert "score" in acme
    got = {(u, v, d["kind"]) for u, v, d in graph.edges(data=True)}
    assert got == {(e.source, e.target, e.kind) for e in model.edges}
    trade = [
        d
        for u, v, d in graph.edges(data=True)
        if (u, v) == (firms["Acme Machine Co"], firms["ООО Ромашка"]) and d["kind"] == "trade"
    ]
    assert [(t["value_usd"], t["count"]) for t in trade] == [(150.0, 2)]
    assert len([e for e in model.edges if e.is_trade]) == 3


def test_an_existing_file_is_refused_without_force(run_cli, case, tmp_path):
    out = tmp_path / "case.graphml"
    out.write_text("keep me")
    refused = export(run_cli, out)
    assert (refused.code, refused.out, out.read_text()) == (1, "", "keep me")
    assert "exists" in refused.err
    assert export(run_cli, out, "--force").code == 0
    assert out.read_text(encoding="utf-8").startswith("<?xml")


def test_unknown_suffix_and_unknown_case_are_usage_errors(run_cli, case, tmp_path):
    unknown = export(run_cli, tmp_path / "case.dot")
    assert (unknown.code, unknown.out) == (2, "")
    missing = run_cli("export", "--case", "CB-NONE", "--out", str(tmp_path / "x.graphml"))
    assert missing.code == 2
    assert not (tmp_path / "x.graphml").exists()


def test_persons_linked_to_the_firms_are_nodes_and_their_links_edges(run_cli, case, tmp_path):
    firms = {
        f["name"]: f["uid"]
        for f in run_cli("firms", "list", "--case", case, "--json").json["firms"]
    }
    person = run_cli("person", "add", "Ivan Petrov", "--case", case, "--native", "Иван Петров",
                     "--birth-date", "1970", "--nationality", "RU", "--json").json  # fmt: skip
    wife = run_cli("person", "add", "Olga Petrova", "--case", case, "--json").json
    loner = run_cli("person", "add", "Nobody Linked", "--case", case, "--json").json
    for args in ((person["uid"], firms["Acme Machine Co"], "--kind", "director", "--start",
                  "2021-01-01"), (person["uid"], wife["uid"], "--kind", "family")):  # fmt: skip
        assert run_cli("rel", "add", "--case", case, *args).code == 0
    out = tmp_path / "people.graphml"
    assert export(run_cli, out).code == 0
    graph = nx.read_graphml(out)
    assert graph.nodes[firms["Acme Machine Co"]]["kind"] == "firm"
    node = graph.nodes[person["uid"]]
    assert (node["kind"], node["name"], node["native_name"]) == (
        "person",
        "Ivan Petrov",
        "Иван Петров",
    )
    assert (node["birth_date"], node["country"]) == ("1970", "RU")
    assert graph.edges[person["uid"], firms["Acme Machine Co"]]["kind"] == "director"
    assert graph.edges[person["uid"], firms["Acme Machine Co"]]["first"] == "2021-01-01"
    # only persons behind the graph's firms; a wife linked to no firm is not one of them
    assert wife["uid"] not in graph.nodes and loner["uid"] not in graph.nodes
