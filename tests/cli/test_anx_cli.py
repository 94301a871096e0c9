"""``casebook export --out chart.anx`` and ``casebook import chart.anx``: an i2 Analyst's Notebook
chart with the firms named exactly as ``firms list`` prints them, trade and relationships as
links between EntityIds, positions from the saved layout; read back into an empty case."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET

import pytest

from casebook.book import Casebook

CSV = (
    "Date,Exporter,Importer,Importer INN,Country of Dispatch,Destination,HS Code,Value USD\n"
    "2022-01-05,山东金马机床有限公司,ООО «Ромашка»,7707083893,CN,RU,845811,100\n"
    "2022-02-06,山东金马机床有限公司,ООО «Ромашка»,7707083893,CN,RU,845811,50\n"
    "2022-03-07,A&B <Trading> Ltd,ООО «Ромашка»,7707083893,TR,RU,845961,25\n"
    "2022-03-08,山东金马机床有限公司,A&B <Trading> Ltd,,CN,TR,845961,70\n"
    "2022-04-08,ООО «Ромашка»,A&B <Trading> Ltd,,RU,TR,845961,5\n"
)
REF = "CB-ANX-1"


@pytest.fixture
def case(run_cli, tmp_path, db_path):
    path = tmp_path / "shipments.csv"
    path.write_text(CSV, encoding="utf-8")
    assert run_cli("case", "new", "Chart", "--ref", REF, "--json").code == 0
    result = run_cli("import", str(path), "--case", REF, "--json")
    assert result.code == 0, result.err
    with Casebook.open(db_path) as book:
        firms = {f["name"]: f["uid"] for f in book.list_firms(case_ref=REF)}
        book.add_relationship(case_ref=REF, from_uid=firms["ООО «Ромашка»"],
                              to_uid=firms["A&B <Trading> Ltd"], kind="ownership", share=51,
                              start="2021-06-01")  # fmt: skip
        book.save_chart_layout(
            case_ref=REF, nodes=[{"uid": firms["A&B <Trading> Ltd"], "x": 0.25, "y": 0.5}]
        )
    return firms


def items(path):
    root = ET.parse(path).getroot()  # well-formed, or this raises
    assert root.tag == "Chart"
    entities, links = {}, []
    for item in root.iter("ChartItem"):
        entity = item.find("End/Entity")
        attrs = {a.get("AttributeClass"): a.get("Value") for a in item.iter("Attribute")}
        if entity is not None:
            entities[entity.get("EntityId")] = (item, entity, attrs)
        else:
            links.append((item, item.find("Link"), attrs))
    return entities, links


def test_export_writes_an_anx_chart_with_exact_names_and_links(run_cli, case, tmp_path):
    out = tmp_path / "chart.anx"
    result = run_cli("export", "--case", REF, "--out", str(out), "--json")
    assert result.code == 0, result.err
    assert result.json["format"] == "anx"
    listed = run_cli("firms", "list", "--case", REF).out
    entities, links = items(out)
    labels = {item.get("Label") for item, _e, _a in entities.values()}
    assert labels == set(case)
    for name in labels:
        assert name in listed  # exactly as `firms list` prints it
    romashka = entities[case["ООО «Ромашка»"]]
    assert romashka[1].get("Identity") == case["ООО «Ромашка»"]
    assert romashka[2]["INN (Russia)"] == "7707083893" and romashka[2]["Country"] == "RU"
    maker = entities[case["山东金马机床有限公司"]][1]
    assert maker.find("Icon/IconStyle").get("Type") == "Manufacturer"  # only sends
    ids = set(entities)
    assert all({ln.get("End1Id"), ln.get("End2Id")} <= ids for _i, ln, _a in links)
    trade = {frozenset((ln.get("End1Id"), ln.get("End2Id"))): a for _i, ln, a in links
             if ln.find("LinkStyle").get("Type") == "Trade"}  # fmt: skip
    pair = trade[frozenset((case["ООО «Ромашка»"], case["A&B <Trading> Ltd"]))]
    # one link for goods both ways: $25 one way, $5 the other
    assert (pair["Trade value USD"], pair["Shipments"]) == ("30.0", "2")
    assert (pair["First shipment"], pair["Last shipment"]) == ("2022-03-07", "2022-04-08")
    (rel,) = [a for _i, ln, a in links if "Relationship" in a]
    assert (rel["Relationship"], rel["Share"], rel["Start"]) == ("ownership", "51.0", "2021-06-01")
    ab = entities[case["A&B <Trading> Ltd"]][0]
    assert (ab.get("XPosition"), ab.find("End").get("Y")) == ("250", "500")  # the saved place


def test_export_filters_apply(run_cli, case, tmp_path):
    out = tmp_path / "march.anx"
    result = run_cli("export", "--case", REF, "--out", str(out), "--from", "2022-03-01", "--json")
    assert result.code == 0, result.err
    _entities, links = items(out)
    values = sorted(a["Trade value USD"] for _i, _l, a in links if "Trade value USD" in a)
    assert values == ["30.0", "70.0"]  # January and February's $150 left out


def chart_of(book, ref):
    """The case's firms (name → identifiers, country) and relationships, by firm name."""
    firms = {f["name"]: f for f in book.list_firms(case_ref=ref)}
    facts = {name: (book.show_firm(f["uid"])["identifiers"], f["country"])
             for name, f in firms.items()}  # fmt: skip
    rels = sorted(
        (r["from_name"], r["to_name"], r["kind"], r["share"], r["start"], r["end"])
        for r in book.list_relationships(case_ref=ref)
    )
    return facts, rels


def test_round_trip_into_an_empty_case_of_another_store(run_cli, case, tmp_path, db_path):
    out = tmp_path / "chart.anx"
    assert run_cli("export", "--case", REF, "--out", str(out)).code == 0
    other = tmp_path / "other.db"
    assert run_cli("case", "new", "Copy", "--ref", "CB-COPY", db=other).code == 0
    result = run_cli("import", str(out), "--case", "CB-COPY", "--json", db=other)
    assert result.code == 0, result.err
    assert result.json["firms_created"] == 3 and result.json["relationships_created"] == 1
    assert result.json["trade_links_left_out"] == 3
    with Casebook.open(db_path) as book:
        before = chart_of(book, REF)
        saved = book.chart_layout(case_ref=REF)["nodes"][0]
    with Casebook.open(other) as book:
        assert chart_of(book, "CB-COPY") == before  # names exact, identifiers, relationships
        names = {f["uid"]: f["name"] for f in book.list_firms(case_ref="CB-COPY")}
        placed = {names[n["uid"]]: (n["x"], n["y"]) for n in book.chart_layout(
            case_ref="CB-COPY")["nodes"]}  # fmt: skip
        assert placed["A&B <Trading> Ltd"] == (saved["x"], saved["y"])
        evidence = book.list_evidence(case_ref="CB-COPY")
        assert [e["original_name"] for e in evidence] == ["chart.anx"]
        kinds = {link["kind"] for link in evidence[0]["links"]}
        assert kinds == {"firm", "relationship"}  # the chart supports what it brought
    listed = run_cli("firms", "list", "--case", "CB-COPY", db=other).out
    assert all(name in listed for name in case)


def test_importing_into_the_same_store_matches_the_firms(run_cli, case, tmp_path, db_path):
    out = tmp_path / "chart.anx"
    assert run_cli("export", "--case", REF, "--out", str(out)).code == 0
    assert run_cli("case", "new", "Again", "--ref", "CB-AGAIN").code == 0
    result = run_cli("import", str(out), "--case", "CB-AGAIN", "--json")
    assert result.code == 0, result.err
    assert (result.json["firms_created"], result.json["firms_matched"]) == (0, 3)
    with Casebook.open(db_path) as book:
        assert {f["uid"] for f in book.list_firms(case_ref="CB-AGAIN")} == set(case.values())


def test_an_entity_named_like_two_firms_is_suggested_never_merged(run_cli, tmp_path, db_path):
    csv = tmp_path / "twins.csv"
    csv.write_text(
        "Date,Exporter,Importer,Importer INN,Destination,Value USD\n"
        "2022-01-05,Acme,Beta Tools,7707083893,RU,100\n"
        "2022-01-06,Acme,Beta Tools,7736050003,RU,100\n",
        encoding="utf-8",
    )
    assert run_cli("case", "new", "Twins", "--ref", "CB-TW").code == 0
    assert run_cli("import", str(csv), "--case", "CB-TW").code == 0
    chart = tmp_path / "beta.anx"
    chart.write_text(
        '<Chart><ChartItemCollection><ChartItem Label="Beta Tools"><End>'
        '<Entity EntityId="b1" Identity="b1"/></End><AttributeCollection>'
        '<Attribute AttributeClass="Country" Value="RU"/></AttributeCollection></ChartItem>'
        "</ChartItemCollection></Chart>",
        encoding="utf-8",
    )
    result = run_cli("import", str(chart), "--case", "CB-TW", "--json")
    assert result.code == 0, result.err
    assert result.json["firms_created"] == 1 and result.json["merge_suggestions"] == 2
    with Casebook.open(db_path) as book:
        names = [f["name"] for f in book.list_firms(case_ref="CB-TW")]
    assert names.count("Beta Tools") == 3


ENTITY = ('<ChartItem Label="{label}"><End><Entity EntityId="{id}" Identity="{id}"/></End>'
          "</ChartItem>")  # fmt: skip
LINK = ('<ChartItem><Link End1Id="{a}" End2Id="{b}"><LinkStyle Type="ownership"/></Link>'
        "</ChartItem>")  # fmt: skip
GOOD = ENTITY.format(label="Alpha", id="a") + ENTITY.format(label="Beta", id="b")
XXE = '<?xml version="1.0"?><!DOCTYPE Chart [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE Chart [<!ENTITY l0 "ha">'
    + "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    + "]>"
)
HOSTILE = {
    "xxe": (XXE + '<Chart><ChartItem Label="&xxe;"/></Chart>', "DOCTYPE is refused"),
    "laughs": (LAUGHS + '<Chart><ChartItem Label="&l9;"/></Chart>', "DOCTYPE is refused"),
    "huge attribute": (
        f"<Chart>{ENTITY.format(label='x' * 70_000, id='a')}</Chart>",
        "attribute Label is 70,000 characters long",
    ),
    "missing ids": (
        '<Chart><ChartItem Label="Alpha"><End><Entity/></End></ChartItem></Chart>',
        "ChartItem 1 ('Alpha'): the entity has neither an EntityId nor an Identity",
    ),
    "dangling End1Id": (
        f"<Chart>{GOOD}{LINK.format(a='ghost', b='b')}</Chart>",
        "ChartItem 3: End1Id 'ghost' names no entity of the chart",
    ),
    "not well formed": (f"<Chart>{GOOD}", "is not well-formed XML"),
    "undeclared entity": ('<Chart><ChartItem Label="&xxe;"/></Chart>', "undefined entity"),
    "not a chart": ("<graphml/>", "not an ANX chart: its root is <graphml>"),
    "link to itself": (
        f"<Chart>{GOOD}{LINK.format(a='a', b='a')}</Chart>",
        "ChartItem 3: the link joins an entity to itself",
    ),
    "bad share": (
        f"<Chart>{GOOD}<ChartItem><Link End1Id='a' End2Id='b'/><AttributeCollection>"
        "<Attribute AttributeClass='Relationship' Value='ownership'/>"
        "<Attribute AttributeClass='Share' Value='250'/></AttributeCollection></ChartItem></Chart>",
        "ChartItem 3: share",
    ),
    "bad person link": (
        f"<Chart>{GOOD}<ChartItem Label='Ivan'><End><Entity EntityId='p'><Icon>"
        "<IconStyle Type='Person'/></Icon></Entity></End></ChartItem>"
        "<ChartItem><Link End1Id='p' End2Id='a'><LinkStyle Type='director'/></Link>"
        "<AttributeCollection><Attribute AttributeClass='Share' Value='30'/>"
        "</AttributeCollection></ChartItem></Chart>",
        "ChartItem 4: a share is given only for a shareholder or beneficial owner",
    ),
    "bad identifier": (
        '<Chart><ChartItem Label="Alpha"><End><Entity EntityId="a"/></End><AttributeCollection>'
        '<Attribute AttributeClass="INN (Russia)" Value="123"/></AttributeCollection>'
        "</ChartItem></Chart>",
        "INN (Russia) '123' is not a valid identifier",
    ),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_crafted_chart_is_refused_whole_and_changes_nothing(run_cli, tmp_path, db_path, name):
    text, message = HOSTILE[name]
    assert run_cli("case", "new", "Target", "--ref", "CB-H").code == 0
    with Casebook.open(db_path) as book:
        head = book.head_hash()
    path = tmp_path / "crafted.anx"
    # the good items first: nothing of them may be written either
    path.write_text(text, encoding="utf-8")
    result = run_cli("import", str(path), "--case", "CB-H", "--json")
    assert result.code != 0 and result.out == ""
    assert "crafted.anx" in result.err and message in result.err, result.err
    assert "root:" not in result.err  # nothing of /etc/passwd
    with Casebook.open(db_path) as book:
        assert book.head_hash() == head
        assert book.list_firms(case_ref="CB-H") == []
        assert book.list_evidence(case_ref="CB-H") == []
        assert not book.vault.has(hashlib.sha256(path.read_bytes()).hexdigest())


def test_a_name_with_control_characters_still_makes_well_formed_xml(book, tmp_path):
    from casebook.analysis.chart import chart_model
    from casebook.analysis.network import NetworkModel, Node
    from casebook.exchange.anx import write_anx

    node = Node(uid="a" * 32, name="Bad\x07 Name\x1b[31m Ltd", country="RU")
    out = tmp_path / "c.anx"
    write_anx(chart_model(NetworkModel(nodes=[node])), {}, {}, out)
    (item,) = ET.parse(out).getroot().iter("ChartItem")
    assert item.get("Label") == "Bad Name Ltd"


def people_of(book, ref):
    """A case's persons (name, native name, birth date, nationality, identifiers) and their
    links by the names of their ends."""
    persons = sorted((p["name"], p["native_name"], p["birth_date"], p["nationality"],
                      sorted(p["identifiers"].items())) for p in book.list_persons(case_ref=ref))  # fmt: skip
    links = sorted((k["from_name"], k["to_name"], k["kind"], k["share"], k["start"], k["end"])
                   for k in book.list_person_links(case_ref=ref))  # fmt: skip
    return persons, links


def test_demo_persons_and_their_links_round_trip(run_cli, tmp_path, db_path):
    from casebook.book.demo import DEMO_REF

    with Casebook.open(db_path, create=True) as book:
        book.build_demo()
        firm = next(
            f for f in book.list_firms(case_ref=DEMO_REF) if f["name"] == "ООО «Техностанок»"
        )
        agent = book.add_person(case_ref=DEMO_REF, name="Wang Li", native_name="王力",
                                identifiers=["passport:E12345678"])  # fmt: skip
        book.add_person_link(case_ref=DEMO_REF, from_uid=agent["uid"], to_uid=firm["uid"],
                             kind="shareholder", fields={"share": 25.0})  # fmt: skip
        before = people_of(book, DEMO_REF)
    out = tmp_path / "demo.anx"
    result = run_cli("export", "--case", DEMO_REF, "--out", str(out), "--json")
    assert result.code == 0, result.err
    assert (result.json["persons"], result.json["person_links"]) == (3, 5)
    entities, _links = items(out)
    lin = next(e for e in entities.values() if e[0].get("Label") == "Lin Haoran")
    assert lin[1].find("Icon/IconStyle").get("Type") == "Person"
    assert (lin[2]["Native name"], lin[2]["Birth date"]) == ("林浩然", "1979-04-12")
    other = tmp_path / "other.db"
    assert run_cli("case", "new", "Copy", "--ref", "CB-COPY", db=other).code == 0
    result = run_cli("import", str(out), "--case", "CB-COPY", "--json", db=other)
    assert result.code == 0, result.err
    assert (result.json["persons_created"], result.json["person_links_created"]) == (3, 5)
    with Casebook.open(other) as book:
        assert people_of(book, "CB-COPY") == before  # names exact (Chinese too), links, ids
        (evidence,) = book.list_evidence(case_ref="CB-COPY")
        assert {"person", "personlink"} <= {link["kind"] for link in evidence["links"]}
    # Again into the same case: the same persons (by passport, else name and birth date)
    result = run_cli("import", str(out), "--case", "CB-COPY", "--json", db=other)
    assert (result.json["persons_created"], result.json["persons_matched"]) == (0, 3)
    assert result.json["person_links_created"] == 0
    with Casebook.open(other) as book:
        assert people_of(book, "CB-COPY") == before


def test_person_entities_become_persons_and_unknown_kinds_are_left_out(run_cli, tmp_path, db_path):
    person = ('<ChartItem Label="Ivan Petrov"><End><Entity EntityId="p" Identity="p">'
              '<Icon><IconStyle Type="Person"/></Icon></Entity></End><AttributeCollection>'
              '<Attribute AttributeClass="Personal INN (Russia)" Value="773407989940"/>'
              "</AttributeCollection></ChartItem>")  # fmt: skip
    director = ('<ChartItem><Link End1Id="p" End2Id="b"><LinkStyle Type="Director"/></Link>'
                "</ChartItem>")  # fmt: skip
    chart = tmp_path / "people.anx"
    chart.write_text(f"<Chart>{GOOD}{person}{LINK.format(a='p', b='a')}{director}"
                     f"{LINK.format(a='a', b='b')}</Chart>", encoding="utf-8")  # fmt: skip
    assert run_cli("case", "new", "People", "--ref", "CB-P").code == 0
    result = run_cli("import", str(chart), "--case", "CB-P", "--json")
    assert result.code == 0, result.err
    assert (result.json["persons_created"], result.json["person_links_created"]) == (1, 1)
    assert result.json["person_links_left_out"] == 1  # "ownership" is not a person's kind
    assert result.json["firms_created"] == 2 and result.json["relationships_created"] == 1
    with Casebook.open(db_path) as book:
        assert "Ivan Petrov" not in {f["name"] for f in book.list_firms(case_ref="CB-P")}
        (ivan,) = book.list_persons(case_ref="CB-P")
        assert ivan["identifiers"] == {"ru_inn": "773407989940"}
        (link,) = book.list_person_links(case_ref="CB-P")
        assert (link["from_name"], link["to_name"], link["kind"]) == (
            "Ivan Petrov",
            "Beta",
            "director",
        )


def test_a_persons_place_on_the_chart_is_kept_and_exported(run_cli, case, tmp_path, db_path):
    with Casebook.open(db_path) as book:
        ivan = book.add_person(case_ref=REF, name="Ivan Petrov")
        book.add_person_link(case_ref=REF, from_uid=ivan["uid"], to_uid=case["ООО «Ромашка»"],
                             kind="director", fields={})  # fmt: skip
        book.save_positions(case_ref=REF, positions={ivan["uid"]: (0.75, 0.125)})
        kinds = {n["uid"]: n["kind"] for n in book.chart_layout(case_ref=REF)["nodes"]}
        assert kinds[ivan["uid"]] == "person"
        assert book.load_positions(case_ref=REF)[ivan["uid"]] == (0.75, 0.125)
    out = tmp_path / "chart.anx"
    assert run_cli("export", "--case", REF, "--out", str(out)).code == 0
    item, _entity, _attrs = items(out)[0][ivan["uid"]]
    assert (item.get("XPosition"), item.find("End").get("Y")) == ("750", "125")
