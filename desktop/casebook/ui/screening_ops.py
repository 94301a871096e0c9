"""Ops of the Screening tab: read the lists and hits, load a list, screen a case, review a hit.

Every function queues work on the DB worker; results cross back as plain dicts. A list load
reports ``Changes(hits=True)``: there is no flag for lists, and a new version changes what the
next screen finds, so the views that show hits are the ones that care.
"""

from __future__ import annotations

from collections.abc import Callable

from casebook.ui.ops import Changes, Host, Op
from casebook.ui.undo import FacadeCommand
from casebook.ui.worker import Job

REVIEWS = ("confirmed", "dismissed")


# --- reading (on the worker) --------------------------------------------------------------------


def screening_state(book, *, case_ref: str) -> dict:
    """The loaded lists, the case's hits (each with both sides of its pair) and its last
    screening run (None when never screened)."""
    lists = book.list_lists()
    hits = book.list_hits(case_ref=case_ref, persons=True)
    sides = book.hit_sides([h["id"] for h in hits])
    last = book.last_screen(case_ref=case_ref)
    return {"lists": lists, "hits": [h | sides.get(h["id"], {}) for h in hits], "last": last}


def read_screening(host: Host, *, case_ref: str, on_read: Callable[[dict], None]) -> Job:
    """Read the lists and the case's hits on the worker; ``on_read(state)`` on the GUI thread."""
    return (
        Op(host, lambda book: screening_state(book, case_ref=case_ref), label="Reading hits")
        .success(on_read)
        .run()
    )


# --- writing ------------------------------------------------------------------------------------


def load_list(host: Host, values: dict, *, parent=None, on_loaded=None) -> Job:
    """Load a list file as a new version of its list, with a cancellable progress dialog."""
    path = values["path"]
    options = {k: values.get(k) or None for k in ("alt", "add", "name", "published")}
    op = Op(
        host,
        lambda book, task: book.load_list(
            path,
            fmt=values.get("fmt") or "auto",
            progress=task.progress,
            cancelled=task.cancelled,
            **options,
        ),
        label="Loading list",
        changes=Changes(hits=True),
    )
    if on_loaded:
        op.success(on_loaded)
    return op.with_progress(parent).run()


def screen_case(
    host: Host, *, case_ref: str, threshold: float, parent=None, on_screened=None
) -> Job:
    """Screen the case's firms and persons against every list's newest version, with progress
    and Cancel."""
    op = Op(
        host,
        lambda book, task: book.screen(
            case_ref=case_ref,
            threshold=threshold,
            progress=task.progress,
            cancelled=task.cancelled,
        ),
        label="Screening firms and persons",
        changes=Changes(hits=True, case_ref=case_ref),
    )
    if on_screened:
        op.success(on_screened)
    return op.with_progress(parent).run()


def review_hit(
    host: Host, hit: dict, *, case_ref: str, status: str, note: str, on_reviewed=None
) -> Job:
    """Confirm or dismiss a hit with a note; undoable when it had been reviewed before.

    The facade cannot set a hit back to "unreviewed", so a first review pushes no undo
    command (the audit log still records it).
    """
    hit_id, before = hit["id"], (hit["status"], hit.get("note") or "")
    # A confirmed hit marks the firm as listed (firm views show the badge), or the person
    # (the People tab and the person flags).
    person = hit.get("subject_kind") == "person"
    changes = Changes(hits=True, firms=not person, persons=person, case_ref=case_ref)

    def reviewed(result: dict) -> None:
        if before[0] in REVIEWS:
            host.undo_stack.push(_review_command(host, hit, before, status, note, changes))
        if on_reviewed:
            on_reviewed(result)

    return (
        Op(
            host,
            lambda book: book.review_hit(hit_id, status=status, note=note),
            label=f"Marking hit {status}",
            changes=changes,
        )
        .success(reviewed)
        .run()
    )


def _review_command(host, hit, before, status, note, changes) -> FacadeCommand:
    hit_id, (old_status, old_note) = hit["id"], before
    verb = "Confirm" if status == "confirmed" else "Dismiss"
    return FacadeCommand(
        host,
        f"{verb} hit {hit['subject_name']} – {hit['listed_name']}",
        apply=lambda book: book.review_hit(hit_id, status=status, note=note),
        revert=lambda book: book.review_hit(hit_id, status=old_status, note=old_note),
        changes=changes,
    )
