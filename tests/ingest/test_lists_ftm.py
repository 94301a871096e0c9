"""OpenSanctions FollowTheMoney JSON lines."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from casebook.core.errors import Refused
from casebook.ingest.lists import detect_format, load_list

REFERENCE = Path(
    os.environ.get(
        "CASEBOOK_REFERENCE", Path(__file__).resolve().parents[1] / "fixtures" / "reference"
    )
)
ZALA = REFERENCE / "opensanctions_zala_aero_cluster.ftm.jsonl"
FSF = REFERENCE / "opensanctions_eu_fsf_sample.ftm.jsonl"
PARTIES = {"Company", "Organization", "LegalEntity", "PublicBody", "Person", "Vessel", "Airplane"}
ENTITIES = {"Company", "Organization", "LegalEntity", "PublicBody"}
NAME_PROPS = ("name", "alias", "weakAlias", "previousName", "abbreviation")


def _entities(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize(("path", "records", "screenable"), [(ZALA, 17, 8), (FSF, 6, 2)])
def test_parties_are_records_and_listed_organisations_are_screened(path, records, screenable):
    entities = _entities(path)
    parsed = load_list(path)
    assert len(parsed.records) == sum(1 for e in entities if e["schema"] in PARTIES) == records
    expected = sum(1 for e in entities if e["schema"] in ENTITIES and e.get("target", True))
    assert parsed.entities == expected == screenable


@pytest.mark.parametrize("path", [ZALA, FSF])
def test_names_count_caption_names_and_aliases_once_each(path):
    expected = 0
    for entity in _entities(path):
        if entity["schema"] in PARTIES:
            props = entity["properties"]
            names = {entity["caption"], *(v for p in NAME_PROPS for v in props.get(p, []))}
            expected += len({" ".join(n.split()).casefold() for n in names})
    assert load_list(path).name_count == expected


def test_sanctions_give_programmes_and_the_listing_date():
    record = next(r for r in load_list(ZALA).records if r.name == "LLC CST")
    assert {"AU-RUSSIA", "US-BIS-EL", "GB-RUS"} <= set(record.programmes)
    assert record.listed_on == "2021-10-30"
    assert "1841015504" in record.identifiers["ru_inn"]
    assert record.countries == ["RU"]


def test_context_companies_that_are_not_targets_are_kept_unscreened():
    records = load_list(ZALA).records
    context = [r for r in records if r.schema == "entity" and not r.screenable]
    assert len(context) == 3
    assert all(r.sublist == "ext_ru_egrul" for r in context)


def test_address_entities_are_resolved_by_id_or_referent(tmp_path):
    lines = [
        {
            "id": "o1",
            "schema": "Organization",
            "caption": "Acme",
            "target": True,
            "properties": {"name": ["Acme"], "addressEntity": ["addr-old", "a2"]},
        },
        {
            "id": "a1",
            "schema": "Address",
            "referents": ["addr-old"],
            "properties": {"full": ["1 Main St, Minsk"]},
        },
        {"id": "a2", "schema": "Address", "properties": {"full": ["2 Side St, Minsk"]}},
    ]
    path = tmp_path / "acme.ftm.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    (record,) = load_list(path).records
    assert record.addresses == ["1 Main St, Minsk", "2 Side St, Minsk"]
    assert record.screenable


def test_publication_date_is_the_last_day_seen_and_beats_the_argument():
    assert load_list(ZALA, published="2020-01-01").published == "2026-04-29"
    assert load_list(FSF).name == "OpenSanctions eu_fsf"


def test_detected_and_a_bad_line_is_refused_with_its_number(tmp_path):
    assert detect_format(ZALA) == "ftm"
    broken = tmp_path / "broken.jsonl"
    lines = ZALA.read_text(encoding="utf-8").splitlines()
    broken.write_text("\n".join([lines[0], lines[1], "{not json"]), encoding="utf-8")
    with pytest.raises(Refused, match=r"broken.jsonl, line 3"):
        load_list(broken)
