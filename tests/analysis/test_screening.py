"""The screening matcher: blocking, weighted name scores, identifiers, countries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from casebook.analysis.screening import DEFAULT_THRESHOLD, Candidate, ScreeningIndex
from casebook.core.errors import Cancelled
from casebook.ingest.lists import load_list
from casebook.ingest.lists.model import ListedRecord

REFERENCE = Path(
    os.environ.get(
        "CASEBOOK_REFERENCE", Path(__file__).resolve().parents[1] / "fixtures" / "reference"
    )
)
SDN = REFERENCE / "ofac_sdn_2024-05-03_subset.csv"
USCC = "91341000MA2NY77U6X"


def entity(source_id, name, *, aliases=(), weak=(), ids=None, countries=()):
    return ListedRecord(
        source_id=source_id,
        schema="entity",
        name=name,
        aliases=list(aliases),
        weak_aliases=list(weak),
        identifiers=ids or {},
        countries=list(countries),
        screenable=True,
    )


def firm(name, *, key=1, aliases=(), country=None, ids=None):
    return Candidate(
        key=key, name=name, aliases=list(aliases), country=country, identifiers=ids or {}
    )


@pytest.fixture(scope="module")
def sdn():
    records = load_list(SDN).records
    return records, ScreeningIndex(records)


def hits_on(index, records, candidate, name, *, threshold=DEFAULT_THRESHOLD):
    return [
        h
        for h in index.screen([candidate], threshold=threshold)
        if records[h.record_index].name == name
    ]


@pytest.mark.parametrize("name", ["STANKOPROM LLC", "ООО «Станкопром»"])
def test_latin_and_cyrillic_spellings_hit_stankoprom(sdn, name):
    records, index = sdn
    (hit,) = hits_on(index, records, firm(name), "STANKOPROM OOO")
    assert hit.score >= DEFAULT_THRESHOLD
    assert (hit.firm_name, hit.matched_name) == (name, "STANKOPROM OOO")


def test_same_uscc_is_certain_and_named_among_the_reasons(sdn):
    records, index = sdn
    assert any(USCC in v for r in records for v in r.identifiers.get("cn_uscc", []))
    candidate = firm("SINO MACHINERY CO LTD", country="CN", ids={"cn_uscc": USCC})
    (hit,) = hits_on(index, records, candidate, "SINO MACHINERY CO., LTD.")
    assert hit.score == 1.0
    assert any("cn_uscc" in r and USCC in r for r in hit.reasons)


def test_a_shared_identifier_finds_a_firm_whose_name_differs(sdn):
    records, index = sdn
    candidate = firm("Huangshan Wannan Precision", ids={"cn_uscc": USCC})
    (hit,) = hits_on(index, records, candidate, "SINO MACHINERY CO., LTD.")
    assert hit.score == 1.0


@pytest.mark.parametrize(
    "name",
    [
        "Global Machine Tool Trading Co., Ltd",
        "Precision Machinery Group LLC",
        "OOO Stanko Mash Industrial Technology",
    ],
)
def test_a_firm_sharing_only_generic_words_is_not_a_hit(sdn, name):
    records, index = sdn
    assert index.screen([firm(name)]) == []


def test_different_valid_identifiers_weigh_strongly_against():
    records = [entity("1", "STANKOPROM OOO", ids={"ru_inn": ["3661073772"]}, countries=["RU"])]
    index = ScreeningIndex(records)
    same_name = firm("Stankoprom LLC", ids={"ru_inn": "7702715348"})
    (hit,) = index.screen([same_name], threshold=0.0)
    assert hit.score < DEFAULT_THRESHOLD
    assert any("different ru_inn" in r for r in hit.reasons)


def test_country_agreement_raises_and_disagreement_lowers_the_score():
    index = ScreeningIndex([entity("1", "Vektor Stanko Trade", countries=["RU"])])
    scores = {
        country: index.screen([firm("Vektor Stanko Trading", country=country)], threshold=0.0)[
            0
        ].score
        for country in ("RU", None, "CN")
    }
    assert scores["RU"] > scores[None] > scores["CN"]


def test_weak_aliases_count_less_than_strong_ones():
    index = ScreeningIndex(
        [
            entity("1", "Alpha Zenit", aliases=["Orbita Tekhmash"]),
            entity("2", "Beta Kvant", weak=["Orbita Tekhmash"]),
        ]
    )
    hits = {h.record_index: h for h in index.screen([firm("Orbita Tekhmash")], threshold=0.0)}
    assert hits[0].score > hits[1].score
    assert "weak alias (counts less)" in hits[1].reasons


def test_common_words_count_less_than_distinctive_ones():
    filler = [entity(str(i), f"Zavod{i:04d}x Machine Tool Plant") for i in range(600)]
    index = ScreeningIndex([*filler, entity("x", "Krasnogorsk Machine Tool Plant")])
    distinctive = index.screen([firm("Krasnogorsk Precision Works")], threshold=0.0)
    generic = index.screen([firm("Orenburg Machine Tool Plant")], threshold=0.0)
    assert max(h.score for h in distinctive) > max((h.score for h in generic), default=0.0)
    assert index.weight("machine") < index.weight("krasnogorsk") == 1.0


def test_word_order_legal_form_and_a_typo_still_match():
    index = ScreeningIndex([entity("1", "Limited Liability Company Tekhnostankoservis Ural")])
    for name in (
        "Ural Tekhnostankoservis OOO",
        "TEHNOSTANKOSERVIS URAL LLC",
        "Tekhnostankosrevis Ural",
    ):
        assert index.screen([firm(name)]), name


def test_one_best_hit_per_firm_and_record_from_names_and_aliases():
    index = ScreeningIndex([entity("1", "Orbita Tekhmash", aliases=["Orbita Tekhmash Group"])])
    hits = index.screen([firm("Orbita Tekhmash", aliases=["Orbita-Tekhmash Group"])])
    assert len(hits) == 1 and hits[0].score == 1.0


def test_individuals_vessels_and_aircraft_are_not_screened():
    person = ListedRecord(
        "p", "individual", "Orbita Tekhmash", [], [], {}, [], [], [], None, None, None, False
    )
    assert ScreeningIndex([person]).screen([firm("Orbita Tekhmash")]) == []


def test_progress_is_reported_and_cancel_raises():
    index = ScreeningIndex([entity("1", "Orbita Tekhmash")])
    firms = [firm(f"Firm {i}", key=i) for i in range(250)]
    seen = []
    index.screen(firms, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (250, 250) and len(seen) == 3
    with pytest.raises(Cancelled):
        index.screen(firms, cancelled=lambda: True)


def test_candidates_come_from_the_blocking_index_not_every_name():
    records = [entity(str(i), f"Unrelated{i:05d} Holding") for i in range(2000)]
    index = ScreeningIndex([*records, entity("x", "Orbita Tekhmash")])
    scored = index.screen([firm("Orbita Tekhmash")], threshold=0.0)
    assert [h.record_index for h in scored] == [2000]


def test_on_a_short_watch_list_a_distinctive_word_keeps_its_weight():
    """Every word of a 2-entry list is in a third of its names; that must not make it common."""
    from casebook.analysis.screening import Candidate, ScreeningIndex
    from casebook.ingest.lists.model import ListedRecord

    def record(source_id, name):
        return ListedRecord(
            source_id=source_id,
            schema="entity",
            name=name,
            aliases=[],
            weak_aliases=[],
            identifiers={},
            countries=["RU"],
            addresses=[],
            programmes=[],
            listed_on=None,
            remarks=None,
            sublist=None,
            screenable=True,
        )

    index = ScreeningIndex([record("1", "STANKOPROM OOO"), record("2", "SINO MACHINERY CO., LTD.")])
    firm = Candidate(key=1, name="STANKOPROM TRADE LLC", aliases=[], country="RU", identifiers={})
    best = max(index.screen_firm(firm), key=lambda h: h.score)
    assert best.record_index == 0
    assert best.score > 0.6  # was 0.09 when 'stankoprom' counted as a common word


# --- issue #22: names the matcher has never seen ---------------------------------------------

EU_833 = REFERENCE / "eu_reg833_2014_annexes.csv"


@pytest.fixture(scope="module")
def sdn_and_eu():
    records = [*load_list(SDN).records, *load_list(EU_833).records]
    return records, ScreeningIndex(records)


def best_on(index, records, candidate, name):
    scores = [h.score for h in index.screen_firm(candidate) if records[h.record_index].name == name]
    return max(scores, default=0.0)


@pytest.mark.parametrize(
    ("firm_name", "listed"),
    [
        # cut to a 35-character customs field
        (
            "KALUGA SCIENTIFIC-RESEARCH INSTITUT",
            "Kaluga Scientific-Research Institute of Telemechanical Devices JSC",
        ),
        # a legal form written as a romanised phrase, or hyphenated, or spelt with dots
        ("BELSHINA Otkrytoye aktsionernoye obshchestvo", "BELSHINA OAO"),
        ("Limited-Liability Company Resurs", "LIMITED LIABILITY COMPANY RESURS"),
        ("Pik Plus-O.O.O.", "LIMITED LIABILITY COMPANY PIK PLUS"),
        # a legal form run into the word before it
        ("OPTIMA FREIGHTOY", "OPTIMA FREIGHT OY"),
        # a loanword spelt the Russian way (arktik, arctic)
        ('АО "РУСАТОМ АРКТИК"', "JOINT STOCK COMPANY RUSATOM ARCTIC"),
        # a word split in two
        ("Mei Xin Elect ronic Co., Limited", "Mei Xin Electronic (HK) Co., Limited"),
    ],
)
def test_variants_of_listed_names_hit_them(sdn_and_eu, firm_name, listed):
    records, index = sdn_and_eu
    assert best_on(index, records, firm(firm_name), listed) >= DEFAULT_THRESHOLD


def test_a_legal_form_run_into_a_word_outranks_a_shorter_listed_name(sdn_and_eu):
    records, index = sdn_and_eu
    candidate = firm("OPTIMA FREIGHTOY")
    wrong = best_on(index, records, candidate, "OPTIMA, OOO")
    assert wrong < DEFAULT_THRESHOLD
    assert best_on(index, records, candidate, "OPTIMA FREIGHT OY") > wrong


def test_a_generic_word_alone_does_not_carry_a_longer_name(sdn_and_eu):
    """START is a word many listed names use: ZAVOD START is not JSC START."""
    records, index = sdn_and_eu
    score = best_on(
        index, records, firm("JOINT STOCK COMPANY ZAVOD START"), "JOINT STOCK COMPANY START"
    )
    assert 0 < score < DEFAULT_THRESHOLD


def test_a_firm_identified_by_its_own_ogrn_does_not_hit_its_namesake(sdn_and_eu):
    """The OGRN makes the firm Sovcombank Technologies, whose INN differs from Sovcombank's."""
    records, index = sdn_and_eu
    candidate = firm("SOVCOMBANK TECHNOLOGIES L.L.C.", ids={"ru_ogrn": "1214400000760"})
    own = "SOVCOMBANK TECHNOLOGIES LIMITED LIABILITY COMPANY"
    assert best_on(index, records, candidate, own) == 1.0
    assert (
        best_on(index, records, candidate, "SOVCOMBANK OPEN JOINT STOCK COMPANY")
        < DEFAULT_THRESHOLD
    )


def test_different_valid_identifiers_cut_a_close_name_below_the_threshold():
    index = ScreeningIndex([entity("1", "Tekhnostankoservis Ural", ids={"ru_inn": ["3661073772"]})])
    candidate = firm("Tekhnostankoservis Ural Trading", ids={"ru_inn": "7702715348"})
    (hit,) = index.screen([candidate], threshold=0.0)
    assert hit.score < DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    "name",
    [
        "Tekhnostankosrevsi Ural",  # two edits in a long word
        "TEKHN0STANK0SERVIS URAL",  # OCR: zeros for O
        "Tekhno Stankoservis Ural",  # a word split
        "Tekhnostankoservis-Ural Trade",  # hyphenated, a word more
        "Technostankoservis Ural",  # German/English ch for kh
        "Texnostankoservis Ural",  # GOST 7.79-B x for kh
    ],
)
def test_typos_and_spellings_of_a_long_word_still_hit(name):
    index = ScreeningIndex([entity("1", "Tekhnostankoservis Ural")])
    assert index.screen([firm(name)]), name


@pytest.mark.parametrize(
    "name",
    [
        "Meixin Dianzi Xianggang Youxian Gongsi",  # pinyin, syllables joined
        "MEI XIN DIAN ZI (XIANG GANG) CO., LTD.",  # pinyin, syllables spaced
        "Mei-hsin Tien-tzu Hsiang-kang",  # Wade-Giles
        "美欣电子(香港)有限公司",  # simplified characters
    ],
)
def test_a_chinese_name_hits_its_romanisations(name):
    index = ScreeningIndex([entity("1", "美欣電子(香港)有限公司", countries=["HK"])])
    assert index.screen([firm(name)]), name


def test_a_listed_pinyin_name_hits_the_chinese_characters():
    index = ScreeningIndex(
        [entity("1", "Meixin Dianzi (Xianggang) Youxian Gongsi", countries=["HK"])]
    )
    assert index.screen([firm("美欣電子(香港)有限公司")])


def test_chinese_names_sharing_some_syllables_do_not_hit():
    index = ScreeningIndex([entity("1", "美欣電子有限公司", countries=["HK"])])
    assert index.screen([firm("日新電子有限公司")]) == []
    assert index.screen([firm("Rixin Dianzi Youxian Gongsi")]) == []


@pytest.fixture(scope="module")
def parents_and_parts():
    records = [
        entity("1", "Ningbo Tiancheng Machinery Co., Ltd."),
        entity("2", "Ningbo Tiancheng Machinery Import and Export Co., Ltd."),
        entity("3", "Moscow Mechanical Plant of Special Equipment JSC"),
        entity("4", "Plant of Special Equipment LLC"),
    ]
    return records, ScreeningIndex(records)


def listed_hits(index, records, name):
    return sorted(records[h.record_index].source_id for h in index.screen([firm(name)]))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("NINGBO TIANCHENG MACHINERY CO LTD", ["1"]),  # not its Import and Export subsidiary
        ("Ningbo Tiancheng Machinery Import & Export Co Ltd", ["2"]),
        ("OOO Plant of Special Equipment", ["4"]),  # not the longer name containing it
        ("Moscow Mechanical Plant of Special Equipment", ["3"]),
    ],
)
def test_a_firm_equal_to_one_listed_name_does_not_also_hit_one_sharing_most_words(
    parents_and_parts, name, expected
):
    records, index = parents_and_parts
    assert listed_hits(index, records, name) == expected


def test_a_longer_name_with_distinctive_words_of_its_own_is_another_firm(parents_and_parts):
    records, index = parents_and_parts
    assert listed_hits(index, records, "Kazan Optical Plant of Special Equipment") == []
    # generic or legal-form words besides the listed name do not make it another firm
    assert listed_hits(index, records, "Plant of Special Equipment Obshchestvo LLC") == ["4"]
