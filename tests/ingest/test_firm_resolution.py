"""Firm resolution rules (pure): identifiers, name keys per country, and merge suggestions."""

from __future__ import annotations

from casebook.core.names import name_key
from casebook.ingest.firms import FirmRef, Party, near_matches, resolve_parties

INN_A, INN_B = "7707083893", "7736050003"
ROMASHKA = name_key("ООО Ромашка")


def resolve(*parties: Party, known=()):
    return resolve_parties(dict.fromkeys(parties, 1), known)


def test_same_identifier_is_one_firm_whatever_the_spelling():
    a = Party("ООО Ромашка", "RU", "ru_inn", INN_A)
    b = Party("Лютик, ЗАО", "RU", "ru_inn", INN_A)
    result = resolve(a, b)
    assert result.firm_of[a] is result.firm_of[b]


def test_four_spellings_with_one_inn_are_one_firm():
    spellings = ['ООО "Техностанок"', "TEKHNOSTANOK LLC", "OOO TEHNOSTANOK", "Техностанок, ООО"]
    parties = [Party(s, "RU", "ru_inn", INN_A) for s in spellings]
    result = resolve(*parties)
    assert len({id(result.firm_of[p]) for p in parties}) == 1


def test_spelling_without_identifier_joins_the_firm_with_that_name():
    a = Party('ООО "Техностанок"', "RU", "ru_inn", INN_A)
    b = Party("TEKHNOSTANOK LLC", "RU")
    result = resolve(a, b)
    assert result.firm_of[a] is result.firm_of[b]


def test_same_name_key_in_same_country_is_one_firm():
    a, b = Party("Shandong Machine Co., Ltd", "CN"), Party("SHANDONG MACHINE CO LTD", "CN")
    result = resolve(a, b)
    assert result.firm_of[a] is result.firm_of[b]


def test_same_name_key_different_inns_stay_two_firms():
    a = Party("ООО Ромашка", "RU", "ru_inn", INN_A)
    b = Party("ООО Ромашка", "RU", "ru_inn", INN_B)
    result = resolve(a, b)
    assert result.firm_of[a] is not result.firm_of[b]


def test_same_name_key_in_another_country_is_another_firm():
    a, b = Party("Shandong Machine Co", "CN"), Party("Shandong Machine Co", "HK")
    result = resolve(a, b)
    assert result.firm_of[a] is not result.firm_of[b]


def test_nameless_party_of_two_identified_namesakes_is_not_guessed():
    a = Party("ООО Ромашка", "RU", "ru_inn", INN_A)
    b = Party("ООО Ромашка", "RU", "ru_inn", INN_B)
    c = Party("ООО Ромашка", "RU")
    result = resolve(a, b, c)
    assert result.firm_of[c] not in (result.firm_of[a], result.firm_of[b])


def test_unguessed_party_gets_a_suggestion_for_each_namesake():
    parties = [Party("ООО Ромашка", "RU", "ru_inn", i) for i in (INN_A, INN_B)]
    result = resolve(*parties, Party("ООО Ромашка", "RU"))
    assert len(result.suggestions) == 2


def test_stored_firm_with_the_identifier_is_matched():
    stored = FirmRef(id=7, country="RU", identifiers={"ru_inn": INN_A}, keys={ROMASHKA})
    party = Party("Romashka OOO", "RU", "ru_inn", INN_A)
    result = resolve(party, known=[stored])
    assert (result.firm_of[party] is stored, result.created) == (True, [])


def test_stored_firm_with_another_inn_is_not_matched_by_name():
    stored = FirmRef(id=7, country="RU", identifiers={"ru_inn": INN_B}, keys={ROMASHKA})
    party = Party("ООО Ромашка", "RU", "ru_inn", INN_A)
    result = resolve(party, known=[stored])
    assert result.firm_of[party] is not stored


def test_stored_firm_without_inn_gains_the_identifier():
    stored = FirmRef(id=7, country="RU", keys={ROMASHKA})
    party = Party("ООО Ромашка", "RU", "ru_inn", INN_A)
    resolve(party, known=[stored])
    assert stored.new_identifiers == {"ru_inn": INN_A}


def test_most_frequent_spelling_is_the_display_name():
    a, b = Party("OOO ROMASHKA", "RU", "ru_inn", INN_A), Party("ООО Ромашка", "RU", "ru_inn", INN_A)
    result = resolve_parties({a: 1, b: 5})
    assert result.firm_of[a].display_name() == "ООО Ромашка"


def test_near_match_becomes_a_suggestion_not_a_merge():
    a, b = Party("Shandong Machine Tool Co", "CN"), Party("Shandong Machine Tools Co", "CN")
    result = resolve(a, b)
    found = near_matches(result.created, [])
    assert (len(result.created), len(found)) == (2, 1)


def test_names_differing_in_a_number_are_not_suggested():
    result = resolve(Party("Plant No 12 LLC", "RU"), Party("Plant No 13 LLC", "RU"))
    assert near_matches(result.created, []) == []


def test_firms_with_clashing_identifiers_are_not_suggested():
    a = Party("Shandong Machine Tool", "CN", "cn_uscc", "91370000163000032W")
    b = Party("Shandong Machine Tools", "CN", "cn_uscc", "91110000100000000X")
    result = resolve(a, b)
    assert near_matches(result.created, []) == []


def test_unrelated_names_are_not_suggested():
    result = resolve(Party("Shandong Machine Tool", "CN"), Party("Ural Heavy Industries", "RU"))
    assert near_matches(result.created, []) == []
