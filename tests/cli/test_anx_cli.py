"""``casebook export --out chart.anx`` and ``casebook import chart.anx``: an i2 Analyst's Notebook
chart with the firms named exactly as ``firms list`` prints them, trade and relationships as
links between EntityIds, positions from the saved layout; read back into an empty case."""

from __future__ import annotations

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
