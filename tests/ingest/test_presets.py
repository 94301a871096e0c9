"""Presets recognised from headers, and mapping files (load, resolve, save)."""

from __future__ import annotations

import pytest

from casebook.core.errors import Refused, UsageError
from casebook.ingest import presets

RU_HEADER = [
    "Номер ДТ",
    "Дата ДТ",
    "Направление",
    "Отправитель/Экспортер",
    "Получатель",
    "ИНН получателя",
    "Страна происхождения",
    "Страна отправления",
    "Код ТН ВЭД",
    "Описание товара",
    "Вес нетто, кг",
    "Статистическая стоимость (USD)",
]


def test_russian_extract_is_recognised():
    mapping = presets.recognise(RU_HEADER)
    assert (mapping.preset, mapping.confidence) == ("ru-customs", 1.0)


def test_russian_headers_map_to_fields():
    mapping = presets.recognise(RU_HEADER)
    named = {field: RU_HEADER[i] for field, i in mapping.columns.items()}
    assert named["importer_id"] == "ИНН получателя" and named["value_usd"].startswith("Стат")


def test_variants_differing_in_punctuation_and_yo_match():
    mapping = presets.recognise(["Экспортёр", "Вес нетто (кг)", "КОД ТН ВЭД", "Дата ДТ"])
    assert set(mapping.columns) == {"exporter", "net_weight", "hs_code", "date"}


def test_graph_code_headers_are_recognised():
    mapping = presets.recognise(["ND", "G072", "G022", "G082", "G33", "G31", "G34", "G46"])
    expected = {"declaration_no", "date", "exporter", "importer", "hs_code", "description"}
    assert expected | {"origin", "value_usd"} == set(mapping.columns)


def test_statistical_value_is_usd_not_invoice_value():
    mapping = presets.recognise(["Дата ДТ", "Код ТН ВЭД", "Фактурная стоимость", "Валюта", "G46"])
    assert (mapping.columns["value"], mapping.columns["value_usd"]) == (2, 4)


def test_generic_english_is_recognised():
    header = ["Shipper", "Consignee", "HS Code", "Date", "Value (USD)", "Country of Origin"]
    assert presets.recognise(header).preset == "generic-en"


@pytest.mark.parametrize("name", presets.FIELDS)
def test_generic_english_takes_every_field_by_its_own_name(name):
    header = [name, name.replace("_", " ").title()]  # hs_code; "Hs Code"
    lookup = presets.get_preset("generic-en").lookup
    assert [lookup[presets.header_key(h)][0] for h in header] == [name, name]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("country_of_dispatch", "dispatch"),
        ("dispatch country", "dispatch"),
        ("Dispatch", "dispatch"),
        ("country of origin", "origin"),
        ("origin_country", "origin"),
        ("destination_country", "destination"),
        ("Consignor", "exporter"),
        ("consignee", "importer"),
        ("consignor_country", "exporter_country"),
        ("HSCode", "hs_code"),
    ],
)
def test_generic_english_takes_common_variants(header, field):
    mapping = presets.recognise(["Date", "Description", header, "Value USD"], preset="generic-en")
    assert mapping.columns[field] == 2


def test_columns_no_field_takes_are_listed_in_file_order():
    header = ["Date", "Notes", "HS Code", "dispatch", "Exporter", "junk", "Value USD"]
    mapping = presets.recognise(header)
    assert (mapping.columns["dispatch"], mapping.unmapped) == (3, ["Notes", "junk"])


def test_partial_header_has_lower_confidence():
    full = presets.score(presets.get_preset("generic-en"), ["Date", "HS Code", "Exporter", "Value"])
    part = presets.score(presets.get_preset("generic-en"), ["Date", "Notes", "Remarks", "Other"])
    assert full > part > 0


def test_named_preset_is_used():
    assert presets.recognise(RU_HEADER, preset="ru-customs").preset == "ru-customs"


def test_unknown_preset_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown preset"):
        presets.recognise(RU_HEADER, preset="nope")


def test_earlier_variant_wins_when_two_headers_name_one_field():
    mapping = presets.recognise(["Дата ДТ", "Код ТН ВЭД", "G34", "Страна происхождения"])
    assert mapping.columns["origin"] == 3


def test_duplicate_unmapped_headers_are_fine():
    mapping = presets.recognise([*RU_HEADER, "Примечание", "Примечание"])
    assert mapping.preset == "ru-customs"


def test_duplicate_mapped_header_asks_for_a_mapping():
    with pytest.raises(Refused, match="mapping"):
        presets.recognise([*RU_HEADER, "Получатель"])


def test_ten_thousand_unknown_columns_are_not_recognised():
    with pytest.raises(Refused, match="no shipment columns recognised"):
        presets.recognise([f"col{i}" for i in range(10_000)])


def test_lone_description_is_not_enough():
    with pytest.raises(Refused, match="no shipment columns recognised"):
        presets.recognise(["Описание товара", "Примечание"])


def write_mapping(tmp_path, text: str):
    path = tmp_path / "map.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_mapping_file_maps_columns_and_constants(tmp_path):
    path = write_mapping(
        tmp_path,
        '[columns]\n"Shipper name" = "exporter"\n"Amt" = "value"\n"#3" = "hs_code"\n'
        '[constants]\ndirection = "import"\ncurrency = "EUR"\n',
    )
    mapping = presets.mapping_from_file(
        presets.load_mapping_file(path), ["Shipper name", "Amt", "X"]
    )
    assert (mapping.columns, mapping.constants) == (
        {"exporter": 0, "value": 1, "hs_code": 2},
        {"direction": "import", "currency": "EUR"},
    )


def test_mapping_file_date_order(tmp_path):
    path = write_mapping(tmp_path, 'date_order = "mdy"\n[columns]\nWhen = "date"\n')
    mapping = presets.mapping_from_file(presets.load_mapping_file(path), ["When"])
    assert mapping.date_order == "mdy"


def test_mapping_file_with_unknown_field_is_refused(tmp_path):
    path = write_mapping(tmp_path, '[columns]\nA = "colour"\n')
    with pytest.raises(UsageError, match="unknown field 'colour'"):
        presets.load_mapping_file(path)


def test_mapping_naming_a_missing_column_is_refused(tmp_path):
    path = write_mapping(tmp_path, '[columns]\nA = "exporter"\n')
    with pytest.raises(UsageError, match="no column 'A'"):
        presets.mapping_from_file(presets.load_mapping_file(path), ["B"])


def test_mapping_naming_a_duplicated_column_is_ambiguous(tmp_path):
    path = write_mapping(tmp_path, '[columns]\nA = "exporter"\n')
    with pytest.raises(Refused, match="ambiguous"):
        presets.mapping_from_file(presets.load_mapping_file(path), ["A", "A"])


def test_invalid_toml_is_a_usage_error(tmp_path):
    path = write_mapping(tmp_path, "[columns\n")
    with pytest.raises(UsageError, match="not valid TOML"):
        presets.load_mapping_file(path)


def test_saved_mapping_loads_back(tmp_path):
    mapping = presets.recognise(RU_HEADER)
    presets.save_mapping(mapping, tmp_path / "saved.toml")
    again = presets.mapping_from_file(presets.load_mapping_file(tmp_path / "saved.toml"), RU_HEADER)
    assert (again.columns, again.date_order) == (mapping.columns, "dmy")
