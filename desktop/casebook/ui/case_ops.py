"""Ops on cases: create and edit, each undoable. Results cross threads as plain dicts."""

from __future__ import annotations

from collections.abc import Callable

from casebook.ui.ops import Changes, Host, Op
from casebook.ui.undo import FacadeCommand
from casebook.ui.worker import Job

#: The fields the case dialog edits, in the order of ``Casebook.create_case``'s keywords.
CASE_FIELDS = ("title", "summary", "status", "priority", "marking")


def _as_dict(case) -> dict:
    from casebook.book.cases import case_json  # already loaded with the facade

    return case_json(case)


def create_case(
    host: Host, fields: dict, *, on_created: Callable[[dict], None] | None = None
) -> Job:
    """Create a case (``ref`` optional) and push its undo."""

    def created(case: dict) -> None:
        host.undo_stack.push(_create_command(host, case))
        if on_created:
            on_created(case)

    return (
        Op(
            host,
            lambda book: _as_dict(book.create_case(**fields)),
            label="Creating case",
            changes=lambda case: Changes(cases=True, case=True, case_ref=case["ref"]),
        )
        .success(created)
        .run()
    )


def _create_command(host: Host, case: dict) -> FacadeCommand:
    ref = case["ref"]
    again = {name: case[name] for name in CASE_FIELDS}
    return FacadeCommand(
        host,
        f"Create case {ref}",
        apply=lambda book: book.create_case(ref=ref, **again),
        revert=lambda book: book.delete_case(ref),
        changes=Changes(cases=True, case=True, case_ref=ref),
    )


def edit_case(
    host: Host,
    before: dict,
    after: dict,
    *,
    on_edited: Callable[[dict], None] | None = None,
    version: str | None = None,
) -> Job | None:
    """Save the fields of ``after`` that differ from ``before`` and push the undo; with
    ``version`` (read when the editor opened), refused if a colleague saved the case since."""
    ref = before["ref"]
    new = {k: after[k] for k in CASE_FIELDS if k in after and after[k] != before.get(k)}
    if not new:
        return None
    old = {k: before[k] for k in new}

    def edited(case: dict) -> None:
        host.undo_stack.push(
            FacadeCommand(
                host,
                f"Edit case {ref}",
                apply=lambda book: book.edit_case(ref, **new),
                revert=lambda book: book.edit_case(ref, **old),
                changes=Changes(cases=True, case=True, case_ref=ref),
            )
        )
        if on_edited:
            on_edited(case)

    return (
        Op(
            host,
            lambda book: _as_dict(book.edit_case(ref, **new, version=version)),
            label="Saving case",
            changes=Changes(cases=True, case=True, case_ref=ref),
        )
        .success(edited)
        .run()
    )
