"""The cases facade hands out plain frozen records, never live database rows."""

from __future__ import annotations

import dataclasses

import pytest

from casebook.book.cases import case_json
from casebook.core.cases import CaseInfo
from casebook.core.errors import NotFound, Refused


def test_case_methods_return_frozen_records_with_the_json_fields(book):
    made = book.create_case(title="Станки через Турцию", ref="CB-1", summary="x")
    shown, listed = book.get_case("CB-1"), book.list_cases()
    edited = book.edit_case("CB-1", priority="high")
    for case in (made, shown, *listed, edited):
        assert type(case) is CaseInfo
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.title = "changed"
    assert case_json(shown) | {"updated": None} == case_json(made) | {"updated": None}
    assert set(case_json(edited)) == {
        "uid",
        "ref",
        "title",
        "summary",
        "status",
        "priority",
        "marking",
        "created",
        "updated",
    }
    assert (edited.priority, book.get_case(made.uid).priority) == ("high", "high")


def test_an_edit_that_changes_nothing_is_not_audited(book):
    book.create_case(title="Lathes", ref="CB-1")
    head = book.head_hash()
    same = book.edit_case("CB-1", title="Lathes", priority="medium")
    assert book.head_hash() == head
    assert same.title == "Lathes"


def test_delete_case_refuses_a_case_with_data_and_removes_an_empty_one(book, make_firm):
    book.create_case(title="Full", ref="CB-1")
    book.create_case(title="Empty", ref="CB-2")
    make_firm(case_ref="CB-1", name="ООО «Техностанок»")
    with pytest.raises(Refused, match="1 firms"):
        book.delete_case("CB-1")
    book.delete_case("CB-2")
    with pytest.raises(NotFound):
        book.get_case("CB-2")
    assert [c.ref for c in book.list_cases()] == ["CB-1"]


def test_firm_case_refs_lists_the_cases_a_firm_is_in(book, make_firm):
    book.create_case(title="One", ref="CB-1")
    book.create_case(title="Two", ref="CB-2")
    firm = make_firm(case_ref="CB-2", name="Steppe Machinery Trading LLP")
    assert book.firm_case_refs(firm.uid) == ["CB-2"]
    assert book.firm_case_refs("no-such-firm") == []


def test_undoing_a_new_case_works_after_its_network_layout_was_saved(book):
    book.create_case(title="Empty", ref="CB-1")
    book.save_positions(case_ref="CB-1", positions={})
    book.delete_case("CB-1")
    assert book.list_cases() == []


def test_a_case_audit_head_moves_with_its_own_changes_and_its_firms_only(book, make_firm):
    book.create_case(title="Lathes", ref="CB-1")
    book.create_case(title="Looms", ref="CB-2")
    a1 = make_firm(case_ref="CB-1", name="Acme Machine Co")
    a2 = make_firm(case_ref="CB-1", name="Acme Machine Company")
    b1 = make_firm(case_ref="CB-2", name="Beta Tools")
    b2 = make_firm(case_ref="CB-2", name="Beta Tools Ltd")
    head = book.case_head_hash("CB-1")

    book.edit_case("CB-2", priority="high")
    book.merge_firms(keep=b1.uid, other=b2.uid)  # firms of the other case: no case on the event
    assert book.case_head_hash("CB-1") == head != book.head_hash()

    book.merge_firms(keep=a1.uid, other=a2.uid)  # one of its firms
    merged = book.case_head_hash("CB-1")
    assert merged not in (head, book.case_head_hash("CB-2"))
    book.edit_case("CB-1", priority="high")  # its own record
    assert book.case_head_hash("CB-1") not in (head, merged)
    assert book.case_head_hash("CB-1") == book.head_hash()
