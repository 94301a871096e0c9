"""A read queued just as another store opens runs after the old store closed: its answer, or
its failure, is about a store the window has left and is dropped. (The Firms tab's red-flag
read failed that way and put up a modal error over the newly opened store.)"""

from __future__ import annotations

from casebook.core.errors import NotFound
from casebook.ui.ops import Changes, Op


def test_a_read_of_a_store_left_meanwhile_shows_neither_answer_nor_error(
    window, qtbot, tmp_path, monkeypatch
):
    presented, answered = [], []
    monkeypatch.setattr(window.host, "present_error", lambda exc, trace=None: presented.append(exc))
    old = window.host.book

    def read_on_the_closed_store(book):
        assert book is old  # the op took the store that was open when it was asked
        raise NotFound("no case 'CB-GONE'")

    with qtbot.waitSignal(window.host.store_opened, timeout=10_000):
        window.open_store_at(tmp_path / "other.db", create=True)  # queued first
        Op(window.host, read_on_the_closed_store, label="Reading").run()
        Op(window.host, lambda book: book is old, label="Reading").success(answered.append).run()
    qtbot.waitUntil(lambda: not window.host.worker.busy, timeout=10_000)
    qtbot.wait(100)
    assert window.host.book is not old
    assert presented == [] and answered == []


def test_a_write_that_failed_on_the_store_left_is_still_told(window, qtbot, tmp_path, monkeypatch):
    presented = []
    monkeypatch.setattr(window.host, "present_error", lambda exc, trace=None: presented.append(exc))

    def write(book):
        raise NotFound("no case 'CB-GONE'")

    with qtbot.waitSignal(window.host.store_opened, timeout=10_000):
        window.open_store_at(tmp_path / "other.db", create=True)
        Op(window.host, write, label="Saving", changes=Changes(cases=True)).run()
    qtbot.waitUntil(lambda: bool(presented), timeout=10_000)
    assert str(presented[0]) == "no case 'CB-GONE'"
