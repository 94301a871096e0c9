"""Undo and redo: QUndoCommands whose undo and redo each run one op on the facade.

The facade audits every call, so an undo is recorded like any other change. A command is
pushed after its op succeeded, so its first ``redo`` (which QUndoStack calls on push) is skipped.
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
        apply: Callable[[Any], Any],
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
