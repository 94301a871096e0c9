"""One exception root; each subclass maps to a command-line exit code (DESIGN.md)."""

from __future__ import annotations

import errno
from pathlib import Path


class CasebookError(Exception):
    """Root of every error Casebook reports to a user."""

    exit_code = 1

    def __init__(self, message: str, *, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class Refused(CasebookError):
    """Invalid data, a duplicate, a failed check: exit 1."""


class RowErrors(Refused):
    """An import aborted because rows were invalid; ``errors`` holds every one."""

    def __init__(self, message: str, *, errors: list, rejects_file: str | None = None):
        super().__init__(message, details=[str(e) for e in errors[:50]])
        self.errors = errors
        self.rejects_file = rejects_file


class StaleVersion(Refused):
    """A save made on a version of a record that another analyst has changed since it was
    read (optimistic concurrency): exit 1, and a dialog offering to reload in the GUI."""

    def __init__(self, message: str, *, actor: str, at: str, case_ref: str | None = None):
        super().__init__(message)
        self.actor = actor
        self.at = at
        self.case_ref = case_ref


class UsageError(CasebookError):
    """A wrong argument: exit 2."""

    exit_code = 2


class NotFound(UsageError):
    """An unknown reference (case, firm, hit, store): exit 2."""


class StoreBusy(CasebookError):
    """Another process holds the store's write lock for too long: exit 3."""

    exit_code = 3


class StoreReadOnly(CasebookError):
    """The store's file or folder cannot be written (permissions, a read-only disk): exit 3."""

    exit_code = 3


class StoreTooNew(CasebookError):
    """The store was written by a newer Casebook: exit 3."""

    exit_code = 3


class StoreUnavailable(CasebookError):
    """The store's server cannot be reached, or refuses what opening it needs: exit 3."""

    exit_code = 3


class Cancelled(CasebookError):
    """The user cancelled a long operation: exit 130, and silence in the GUI."""

    exit_code = 130


def write_refused(exc: OSError, where: Path) -> Refused:
    """A write that failed for want of space or permission, as one line naming the place."""
    place = exc.filename or where
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return Refused(f"no space left on the disk holding {place}; nothing was saved")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return Refused(f"cannot write in {place} ({exc.strerror}); nothing was saved")
    return Refused(f"{place}: {exc.strerror or exc}; nothing was saved")
