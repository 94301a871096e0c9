"""Loading list files, screening a case's firms, and reviews that survive newer versions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import select

from casebook.book import Casebook
from casebook.core.errors import Cancelled, NotFound, Refused, UsageError
from casebook.store import models as m

HIT_FIELDS = {
    "id",
    "subject_kind",  # issue 21: firm | person
    "subject_uid",
    "subject_name",
    "subject_matched_name",
    "firm_uid",
    "firm_name",
    "firm_matched_name",
    "list",
    "version",
    "listed_uid",
    "listed_name",
    "matched_name",
    "programmes",
    "score",
    "reasons",
    "status",
}
STANKOPROM = (
    '45631,"STANKOPROM OOO",-0- ,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"Tax ID No. 3661073772 (Russia); Registration Number 1163668096327 (Russia)."'
)
SINO = (
    '46643,"SINO MACHINERY CO., LTD.",-0- ,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"Unified Social Credit Code (USCC) 91341000MA2NY77U6X (China){extra}."'
)


@pytest.fixture
def case(book):
    return book.create_case(title="CNC via Turkey", ref="CB-1")


def _load_ofac(reference_dir: Path, location) -> dict:
    """Load the OFAC reference subset into a new store at ``location``; what it reported."""
    with Casebook.open(location, user="tester", create=True) as template:
        return template.load_list(
            reference_dir / "ofac_sdn_2024-05-03_subset.csv",
            alt=reference_dir / "ofac_alt_2025-01_subset.csv",
            add=reference_dir / "ofac_add_2025-01_subset.csv",
            published="2024-05-03",
        )


@pytest.fixture
def book(db_path, request, store_templates):
    """An open store; a copy of the OFAC template (loaded once a session, per backend) when the
    test asks for ``ofac``."""
    if "ofac" in request.fixturenames:
        reference_dir = request.getfixturevalue("reference_dir")
        request.node.ofac_loaded = store_templates.copy(
            "ofac", db_path, lambda location: _load_ofac(reference_dir, location)
        )
    with Casebook.open(db_path, user="tester", create=True) as opened:
        yield opened


@pytest.fixture
def ofac(book, request) -> dict:
    """What loading the OFAC SDN subset (with alt.csv and add.csv) reported."""
    return request.node.ofac_loaded


def _sdn(tmp_path: Path, name: str, *, sino_extra: str = "") -> Path:
    """A two-entry OFAC sdn.csv (CRLF, as published)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / name
    lines = [STANKOPROM, SINO.format(extra=sino_extra)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


def _hits_by_firm(hits: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for hit in hits:
        out.setdefault(hit["firm_name"], []).append(hit)
    return out


def _events(book, action: str) -> list[m.AuditEvent]:
    with book.store.read() as session:
        return list(session.exec(select(m.AuditEvent).where(m.AuditEvent.action == action)))


# --- loading ------------------------------------------------------------------------------------


def test_load_list_reports_version_and_counts(ofac):
    assert ofac["list"] == "OFAC SDN" and ofac["format"] == "ofac"
    assert ofac["version"] == 1 and ofac["published"] == "2024-05-03"
    assert (ofac["records"], ofac["entities"], ofac["names"]) == (6237, 3293, 14385)


def test_loading_again_adds_a_version_and_keeps_the_earlier_one(book, tmp_path):
    book.load_list(_sdn(tmp_path, "v1.csv"), published="2024-05-03")
    second = book.load_list(_sdn(tmp_path, "v2.csv", sino_extra="; a.k.a. 'SINO CNC'"))
    assert second["version"] == 2
    [listed] = book.list_lists()
    assert [v["version"] for v in listed["versions"]] == [2, 1]
    assert [v["records"] for v in listed["versions"]] == [2, 2]
    assert listed["version"] == 2 and listed["published"] is None


def test_load_is_audited(book, tmp_path):
    book.load_list(_sdn(tmp_path, "v1.csv"))
    [event] = _events(book, "list.load")
    assert event.after["list"] == "OFAC SDN" and event.after["sha256"]


def test_content_hash_ignores_order_but_not_content(book, tmp_path):
    from casebook.ingest.lists.model import ListedRecord
    from casebook.store.lists import content_hash

    a = ListedRecord("1", "entity", "X", aliases=["B", "A"], programmes=["P"])
    b = ListedRecord("1", "entity", "X", aliases=["A", "B"], programmes=["P"], remarks="r")
    c = ListedRecord("1", "entity", "X", aliases=["A", "B"], programmes=["P", "Q"])
    assert content_hash(a) == content_hash(b) != content_hash(c)


# --- which list a file joins -------------------------------------------------------------------


def _copy(reference_dir: Path, name: str, folder: Path, as_name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(reference_dir / name, folder / (as_name or name)))


def _latest(book) -> dict[str, tuple]:
    return {x["name"]: (x["version"], x["published"]) for x in book.list_lists()}


def test_an_unrelated_ftm_file_does_not_hide_the_first(book, case, make_firm, reference_dir):
    # The reviewer's sequence: ZALA cluster (2026-04-29), then the EU FSF sample (2024-06-01).
    book.load_list(reference_dir / "opensanctions_zala_aero_cluster.ftm.jsonl")
    second = book.load_list(reference_dir / "opensanctions_eu_fsf_sample.ftm.jsonl")
    assert (second["list"], second["version"], second["replaces"]) == (
        "OpenSanctions eu_fsf",
        1,
        None,
    )
    assert _latest(book) == {
        "OpenSanctions eu_fsf": (1, "2024-06-01"),
        "OpenSanctions zala_aero_cluster": (1, "2026-04-29"),
    }
    make_firm(case_ref="CB-1", name="ZALA AERO GROUP")
    make_firm(case_ref="CB-1", name="Kalashnikov Concern")
    hits = book.screen(case_ref="CB-1", list_name="OpenSanctions zala_aero_cluster")
    best = {h["firm_name"]: h["score"] for h in hits}
    assert best == {"ZALA AERO GROUP": 1.0, "Kalashnikov Concern": 1.0}


def test_csl_2019_does_not_replace_csl_2025(book, case, make_firm, reference_dir):
    book.load_list(reference_dir / "us_csl_consolidated_sample_2025.csv")
    book.load_list(reference_dir / "us_csl_sample_2019.csv")
    assert _latest(book) == {"US CSL consolidated_sample": (1, None), "US CSL sample": (1, None)}
    make_firm(case_ref="CB-1", name="Atlas Sanatgaran")  # only in the 2025 sample
    [hit] = book.screen(case_ref="CB-1")
    assert (hit["list"], hit["listed_name"]) == ("US CSL consolidated_sample", "Atlas Sanatgaran")


def test_the_same_publication_again_is_a_new_version(book, reference_dir, tmp_path):
    book.load_list(reference_dir / "opensanctions_zala_aero_cluster.ftm.jsonl")
    again = book.load_list(reference_dir / "opensanctions_zala_aero_cluster.ftm.jsonl")
    assert (again["list"], again["version"]) == ("OpenSanctions zala_aero_cluster", 2)
    assert again["replaces"] == {"version": 1, "published": "2026-04-29"}
    book.load_list(reference_dir / "opensanctions_eu_fsf_sample.ftm.jsonl")
    renamed = _copy(reference_dir, "opensanctions_eu_fsf_sample.ftm.jsonl", tmp_path, "e.ftm.json")
    assert book.load_list(renamed)["list"] == "OpenSanctions eu_fsf"  # same datasets
    assert _latest(book) == {
        "OpenSanctions eu_fsf": (2, "2024-06-01"),
        "OpenSanctions zala_aero_cluster": (2, "2026-04-29"),
    }


def test_the_same_file_rejoins_the_list_it_was_named_into(book, reference_dir):
    zala = reference_dir / "opensanctions_zala_aero_cluster.ftm.jsonl"
    book.load_list(zala, name="OpenSanctions ZALA")
    assert book.load_list(zala)["list"] == "OpenSanctions ZALA"
    forced = book.load_list(reference_dir / "opensanctions_eu_fsf_sample.ftm.jsonl", name="Mine")
    assert forced["list"] == "Mine"
    assert _latest(book) == {"OpenSanctions ZALA": (2, "2026-04-29"), "Mine": (1, "2024-06-01")}


def test_an_older_publication_is_refused_unless_forced(book, tmp_path):
    book.load_list(_sdn(tmp_path, "sdn.csv"), published="2024-06-01")
    older = _sdn(tmp_path / "old", "sdn.csv", sino_extra="; a.k.a. 'SINO CNC'")
    with pytest.raises(Refused, match=r"older than OFAC SDN version 1 .*2024-05-03.*--force"):
        book.load_list(older, published="2024-05-03")
    assert _latest(book) == {"OFAC SDN": (1, "2024-06-01")}
    assert _events(book, "list.load")[-1].after["published"] == "2024-06-01"
    loaded = book.load_list(older, published="2024-05-03", force=True)
    assert (loaded["version"], loaded["published"]) == (2, "2024-05-03")
    assert _events(book, "list.load")[-1].after["forced_older"] is True
    assert book.load_list(older, published="2024-05-03")["version"] == 3  # same date: not older


def test_without_dates_the_newest_listing_decides_what_is_older(book, reference_dir, tmp_path):
    # Both saved as trade.gov names the file, so both are the US CSL.
    book.load_list(
        _copy(
            reference_dir, "us_csl_consolidated_sample_2025.csv", tmp_path / "a", "consolidated.csv"
        )
    )
    old = _copy(reference_dir, "us_csl_sample_2019.csv", tmp_path / "b", "consolidated.csv")
    with pytest.raises(Refused, match=r"newest entry listed 2019-08-13.*2023-07-19"):
        book.load_list(old)
    assert book.load_list(old, force=True)["version"] == 2


# --- matching -----------------------------------------------------------------------------------


def test_stankoprom_in_latin_and_cyrillic_hits_the_ofac_entry(book, case, ofac, make_firm):
    make_firm(case_ref="CB-1", name="STANKOPROM LLC", country="RU")
    make_firm(case_ref="CB-1", name="ООО «Станкопром»")
    hits = _hits_by_firm(book.screen(case_ref="CB-1"))
    for firm in ("STANKOPROM LLC", "ООО «Станкопром»"):
        assert "STANKOPROM OOO" in [h["listed_name"] for h in hits[firm]]
        top = hits[firm][0]
        assert top["listed_uid"] == "45631" and top["programmes"] == ["RUSSIA-EO14024"]


def test_cyrillic_alias_of_a_latin_firm_is_screened(book, case, ofac, make_firm):
    make_firm(case_ref="CB-1", name="VORONEZH SUPPLIER 7", aliases=("ООО «Станкопром»",))
    [hit] = [h for h in book.screen(case_ref="CB-1") if h["listed_uid"] == "45631"]
    assert hit["firm_matched_name"] == "ООО «Станкопром»"
    assert hit["firm_name"] == "VORONEZH SUPPLIER 7"


def test_same_uscc_is_a_hit_with_the_identifier_as_reason(book, case, ofac, make_firm):
    make_firm(
        case_ref="CB-1",
        name="SINO MACHINERY CO LTD",
        identifiers={"cn_uscc": "91341000MA2NY77U6X"},
    )
    [hit] = [h for h in book.screen(case_ref="CB-1") if h["listed_uid"] == "46643"]
    assert hit["score"] == 1.0
    assert any("cn_uscc" in r and "91341000MA2NY77U6X" in r for r in hit["reasons"])


@pytest.mark.parametrize(
    "name",
    ["STANKO TRADE LLC", "Harbin Machine Tool Factory", "Zhejiang Rising Machinery Co Ltd"],
)
def test_a_shared_generic_word_is_not_a_hit(book, case, ofac, make_firm, name):
    make_firm(case_ref="CB-1", name=name)
    assert book.screen(case_ref="CB-1") == []


def test_hit_json_has_exactly_the_design_fields(book, case, ofac, make_firm):
    make_firm(case_ref="CB-1", name="STANKOPROM LLC")
    [hit] = book.screen(case_ref="CB-1")
    assert set(hit) == HIT_FIELDS
    assert hit["list"] == "OFAC SDN" and hit["version"] == 1 and hit["status"] == "unreviewed"
    assert 0.0 <= hit["score"] <= 1.0


def test_only_the_named_list_is_screened(book, case, ofac, make_firm, tmp_path):
    book.load_list(_sdn(tmp_path, "mine.csv"), name="My list")
    make_firm(case_ref="CB-1", name="STANKOPROM LLC")
    assert {h["list"] for h in book.screen(case_ref="CB-1")} == {"OFAC SDN", "My list"}
    assert {h["list"] for h in book.screen(case_ref="CB-1", list_name="My list")} == {"My list"}


def test_firms_of_other_cases_are_not_screened(book, case, ofac, make_firm):
    book.create_case(title="Other", ref="CB-2")
    make_firm(case_ref="CB-2", name="STANKOPROM LLC")
    assert book.screen(case_ref="CB-1") == []


def test_unknown_list_case_and_bad_threshold_are_usage_errors(book, case, ofac):
    with pytest.raises(NotFound):
        book.screen(case_ref="CB-1", list_name="No such list")
    with pytest.raises(NotFound):
        book.screen(case_ref="CB-404")
    with pytest.raises(UsageError):
        book.screen(case_ref="CB-1", threshold=1.5)


def test_screening_reports_progress(book, case, ofac, make_firm):
    make_firm(case_ref="CB-1", name="STANKOPROM LLC")
    calls = []
    book.screen(case_ref="CB-1", progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (1, 1)


# --- review -------------------------------------------------------------------------------------


def test_review_is_stored_and_audited(book, case, tmp_path, make_firm):
    book.load_list(_sdn(tmp_path, "v1.csv"))
    make_firm(case_ref="CB-1", name="STANKOPROM LLC")
    [hit] = book.screen(case_ref="CB-1")
    reviewed = book.review_hit(hit["id"], status="dismissed", note="different Voronezh firm")
    assert reviewed["status"] == "dismissed"
    [event] = _events(book, "hit.review")
    assert event.before["status"] == "unreviewed"
    assert event.after["status"] == "dismissed" and event.after["note"] == "different Voronezh firm"
    assert event.after["listed_uid"] == "45631" and event.case_id == case.id
    [listed] = book.list_hits(case_ref="CB-1")
    assert listed["note"] == "different Voronezh firm" and listed["reviewed_by"] == book.user
    assert book.user == ("tester" if book.store.dialect == "sqlite" else book.store.login)


def test_unknown_hit_and_unknown_review_are_refused(book, case):
    with pytest.raises(NotFound):
        book.review_hit(999, status="confirmed")
    with pytest.raises(UsageError):
        book.review_hit(1, status="maybe")


def test_rescreening_the_same_version_keeps_the_review_and_the_hit(book, case, tmp_path, make_firm):
    book.load_list(_sdn(tmp_path, "v1.csv"))
    make_firm(case_ref="CB-1", name="STANKOPROM LLC")
    [hit] = book.screen(case_ref="CB-1")
    book.review_hit(hit["id"], status="dismissed")
    [again] = book.screen(case_ref="CB-1")
    assert (again["id"], again["status"]) == (hit["id"], "dismissed")
    assert len(book.list_hits(case_ref="CB-1")) == 1


def test_newer_version_keeps_reviews_of_unchanged_entries(book, case, tmp_path, make_firm):
    book.load_list(_sdn(tmp_path, "v1.csv"))
    make_firm(case_ref="CB-1", name="STANKOPROM LLC")
    make_firm(case_ref="CB-1", name="SINO MACHINERY CO LTD")
    first = {h["listed_uid"]: h for h in book.screen(case_ref="CB-1")}
    book.review_hit(first["45631"]["id"], status="dismissed", note="not them")
    book.review_hit(first["46643"]["id"], status="confirmed")
    book.load_list(_sdn(tmp_path, "v2.csv", sino_extra="; a.k.a. 'SINO CNC'"))
    second = {h["listed_uid"]: h for h in book.screen(case_ref="CB-1")}
    assert second["45631"]["version"] == 2
    assert (second["45631"]["id"], second["45631"]["status"]) == (first["45631"]["id"], "dismissed")
    assert second["46643"]["status"] == "unreviewed"  # the entry changed: a fresh hit
    assert second["46643"]["id"] != first["46643"]["id"]


def test_a_changed_entry_keeps_the_old_review_on_the_old_version(book, case, tmp_path, make_firm):
    book.load_list(_sdn(tmp_path, "v1.csv"))
    make_firm(case_ref="CB-1", name="SINO MACHINERY CO LTD")
    [hit] = book.screen(case_ref="CB-1")
    book.review_hit(hit["id"], status="confirmed", note="USCC in registry extract")
    book.load_list(_sdn(tmp_path, "v2.csv", sino_extra="; a.k.a. 'SINO CNC'"))
    book.screen(case_ref="CB-1")
    shown = {(h["version"], h["status"], h["current"]) for h in book.list_hits(case_ref="CB-1")}
    assert shown == {(1, "confirmed", False), (2, "unreviewed", True)}


def test_unreviewed_hits_not_found_again_are_dropped(book, case, tmp_path, make_firm):
    book.load_list(_sdn(tmp_path, "v1.csv"))
    make_firm(case_ref="CB-1", name="STANKOPROM TRADE LLC")
    assert book.screen(case_ref="CB-1", threshold=0.05)
    assert book.screen(case_ref="CB-1", threshold=1.0) == []
    assert book.list_hits(case_ref="CB-1") == []


# --- listed firms -------------------------------------------------------------------------------


def test_a_confirmed_hit_marks_the_firm_listed(book, case, tmp_path, make_firm):
    book.load_list(_sdn(tmp_path, "v1.csv"), published="2024-05-03")
    firm = make_firm(case_ref="CB-1", name="STANKOPROM LLC")
    other = make_firm(case_ref="CB-1", name="SINO MACHINERY CO LTD")
    hits = {h["firm_uid"]: h for h in book.screen(case_ref="CB-1")}
    book.review_hit(hits[firm.uid]["id"], status="confirmed")
    book.review_hit(hits[other.uid]["id"], status="dismissed")
    listed = book.listed_firms([firm.id, other.id])
    assert list(listed) == [firm.id]
    [badge] = listed[firm.id]
    assert badge["list"] == "OFAC SDN" and badge["programme"] == "RUSSIA-EO14024"
    assert badge["date"] == "2024-05-03"


def test_a_firm_is_no_longer_listed_once_its_entry_is_delisted(book, case, tmp_path, make_firm):
    book.load_list(_sdn(tmp_path, "v1.csv"))
    firm = make_firm(case_ref="CB-1", name="STANKOPROM LLC")
    [hit] = book.screen(case_ref="CB-1")
    book.review_hit(hit["id"], status="confirmed")
    only_sino = tmp_path / "v2.csv"
    only_sino.write_bytes((SINO.format(extra="") + "\r\n").encode())
    book.load_list(only_sino)
    assert book.listed_firms([firm.id]) == {}


# --- cancelling ---------------------------------------------------------------------------------


def test_a_cancelled_load_stores_nothing(book, tmp_path):
    with pytest.raises(Cancelled):
        book.load_list(_sdn(tmp_path, "v1.csv"), cancelled=lambda: True)
    assert book.list_lists() == []


def test_a_cancelled_screen_stores_no_hits(book, case, tmp_path, make_firm):
    book.load_list(_sdn(tmp_path, "v1.csv"))
    make_firm(case_ref="CB-1", name="STANKOPROM LLC")
    with pytest.raises(Cancelled):
        book.screen(case_ref="CB-1", cancelled=lambda: True)
    assert book.list_hits(case_ref="CB-1") == []


def test_hit_sides_show_both_sides_of_each_pair_as_plain_data(book, case, tmp_path, make_firm):
    book.load_list(_sdn(tmp_path, "v1.csv"), published="2024-05-03")
    make_firm(
        case_ref="CB-1",
        name="STANKOPROM LLC",
        native_name="ООО «Станкопром»",
        country="RU",
        identifiers={"ru_inn": "3661073772"},
    )
    [hit] = book.screen(case_ref="CB-1")
    sides = book.hit_sides([hit["id"]])
    firm, listed = sides[hit["id"]]["firm"], sides[hit["id"]]["listed"]
    assert firm == {
        "name": "STANKOPROM LLC",
        "aliases": ["ООО «Станкопром»"],
        "identifiers": {"ru_inn": ["3661073772"]},
        "addresses": [],
        "countries": ["RU"],
        "programmes": [],
    }
    assert listed["name"] == "STANKOPROM OOO"
    assert listed["programmes"] == ["RUSSIA-EO14024"]
    assert listed["published"] == "2024-05-03"
    assert book.hit_sides([]) == {}
    assert book.hit_sides([hit["id"] + 1000]) == {}
