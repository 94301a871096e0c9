"""Recreated: the uid an item has now, after undos and redos made it anew."""

from __future__ import annotations

from casebook.ui.undo import Recreated


def test_a_uid_follows_each_re_creation_and_others_stay_as_they_are():
    recreated = Recreated()
    assert recreated.current("a") == "a"
    recreated.moved("a", "b")  # an undo of a delete made "a" again as "b"
    recreated.moved("a", "c")  # and again, after a redo deleted "b"
    assert recreated.current("a") == recreated.current("b") == "c"
    assert recreated.current("x") == "x"


def test_added_keeps_the_first_uid_and_a_redo_stands_in_for_it():
    recreated, state = Recreated(), {}
    recreated.added(state, "first")
    assert state == {"uid": "first"} and recreated.current("first") == "first"
    recreated.added(state, "again")  # the undo deleted the first, the redo added it anew
    assert state == {"uid": "first"} and recreated.current("first") == "again"
