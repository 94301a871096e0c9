"""Undo and redo: QUndoCommands whose undo and redo each run one op on the facade.

The facade audits every call, so an undo is recorded like any other change. A command is
pushed after its op succeeded, so its first ``redo`` (which QUndoStack calls on push) is skipped.

A change that cannot be undone (deleting a dataset) calls ``irreversible``: the stack is
cleared and the analyst told, so Ctrl+Z never reaches past it to an older, unrelated step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

from casebook.ui.ops import Changes, Host, Op


class FacadeCommand(QUndoCommand):
    """An undoable change: ``apply(book)`` redoes it, ``revert(book)`` undoes it."""

    def __init__(
        self,
        host: Host,
        text: str,
        *,
        apply: Callable[[Any], Any] | None,
        revert: Callable[[Any], Any],
        changes: Changes,
    ):
        super().__init__(text)
        self.host = host
        self.apply, self.revert, self.changes = apply, revert, changes
        self._pushed = False

    def redo(self) -> None:
        if not self._pushed:  # the op already made this change
            self._pushed = True
            return
        self._run(self.apply, f"Redo {self.text().lower()}")

    def undo(self) -> None:
        self._run(self.revert, f"Undo {self.text().lower()}")

    def _run(self, fn: Callable[[Any], Any], label: str) -> None:
        Op(self.host, fn, label=label, changes=self.changes).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        # The stack no longer matches the store; keeping it would undo the wrong thing next.
        self.host.undo_stack.clear()
        self.host.present_error(exc)


class UndoOnlyCommand(FacadeCommand):
    """A change that undo reverts and nothing redoes (an import: redoing it would read the file
    again, which may have changed or gone). Once undone it leaves the stack."""

    def __init__(self, host: Host, text: str, *, revert: Callable[[Any], Any], changes: Changes):
        super().__init__(host, text, apply=None, revert=revert, changes=changes)

    def undo(self) -> None:
        super().undo()
        self.setObsolete(True)  # QUndoStack drops it: no "Redo import"


def import_undo(host: Host, result: dict, *, name: str, case_ref: str | None) -> None:
    """Make an import the next undo step: "Undo import of dt_2022.csv" deletes the datasets it
    wrote (audited by the facade). An import that wrote none clears the stack instead."""
    uids = result.get("datasets") or [u for u in [result.get("dataset_uid")] if u]
    if not uids:
        irreversible(host, f"Imported {name}")
        return

    def revert(book):
        return [book.delete_dataset(uid) for uid in uids]

    changes = Changes(datasets=True, shipments=True, firms=True, case_ref=case_ref)
    host.undo_stack.push(UndoOnlyCommand(host, f"Import of {name}", revert=revert, changes=changes))


def irreversible(host: Host, done: str) -> None:
    """After a change that cannot be undone: forget the steps before it, and say so."""
    if host.undo_stack.count():
        host.undo_stack.clear()
        host.message.emit(f"{done}. This cannot be undone; earlier steps can no longer be undone.")
    else:
        host.message.emit(f"{done}.")


class Recreated:
    """Which uid an item has now. Undoing a delete (or redoing an add) makes the item anew under
    a new uid; commands keep the uid they first knew and look up the current one here."""

    def __init__(self):
        self._moved: dict[str, str] = {}  # uid → uid of the item an undo or redo re-created

    def current(self, uid: str) -> str:
        while uid in self._moved:
            uid = self._moved[uid]
        return uid

    def moved(self, old: str, new: str) -> None:
        """The item once ``old`` (whatever uid it has now) was re-created as ``new``."""
        self._moved[self.current(old)] = new

    def added(self, state: dict, uid: str) -> None:
        """An add command's item is ``uid``: the first time, kept in ``state``; on a redo (the
        undo deleted the first one) the new item stands in for it."""
        if "uid" in state:
            self.moved(state["uid"], uid)
        else:
            state["uid"] = uid
