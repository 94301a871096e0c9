"""What every command handler gets: the open store, output, progress and cancellation.

The store (SQLAlchemy, SQLModel) is imported when a handler first asks for it, so that
``--version``, ``--help`` and argument errors answer at once.
"""

from __future__ import annotations

import json
import math
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from casebook.core.errors import Cancelled, CasebookError, write_refused
from casebook.core.terminal import terminal_safe

if TYPE_CHECKING:
    from casebook.book import Casebook


class Context:
    """Per-run state: opens the store on first use, prints results, reports progress."""

    def __init__(self, args):
        self.args = args
        self.json = bool(getattr(args, "json", False))
        self._book: Casebook | None = None
        self._cancel = False

    @property
    def book(self) -> Casebook:
        """The store; created when the command creates data, else it must exist (exit 2)."""
        if self._book is None:
            from casebook.book import Casebook

            creates = bool(getattr(self.args, "creates", False))
            if self.args.user is not None and _on_server(self.args.db):
                from casebook.core.errors import UsageError

                raise UsageError(
                    "--user is refused on a server: the audit log records the login role "
                    "(connect as that user instead)"
                )
            self._book = Casebook.open(self.args.db, user=self.args.user, create=creates)
        return self._book

    def close(self) -> None:
        if self._book is not None:
            self._book.close()

    def emit(self, data: Any, text: Callable[[Any], str] | str | None = None) -> None:
        """Print the result: one JSON document with ``--json``, else readable text."""
        if self.json:
            try:  # walking a large result for NaN only when the encoder meets one
                document = json.dumps(
                    data, ensure_ascii=False, indent=2, default=str, allow_nan=False
                )
            except ValueError:
                document = json.dumps(finite(data), ensure_ascii=False, indent=2, default=str)
            sys.stdout.write(document + "\n")
        elif text is not None:
            out = text(data) if callable(text) else text
            if out:  # a backstop: every line from data should already be terminal-safe
                sys.stdout.write(terminal_safe(out.rstrip("\n"), lines=True) + "\n")

    def progress(self, label: str) -> Callable[[int, int], None]:
        """A progress callback drawing a bar on stderr (silent with ``--json`` or no TTY)."""
        if self.json or not sys.stderr.isatty():
            return lambda done, total: None

        def draw(done: int, total: int) -> None:
            width = 30
            frac = min(1.0, done / total) if total else 0.0
            bar = "#" * int(frac * width)
            sys.stderr.write(f"\r{label} [{bar:<{width}}] {frac:6.1%}")
            if total and done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()

        return draw

    def cancelled(self) -> bool:
        """True once the user pressed Ctrl+C during a long command."""
        return self._cancel

    def catch_interrupt(self) -> None:
        """Turn the first Ctrl+C into a cancel request that long work polls."""

        def handler(signum, frame):
            if self._cancel:
                raise KeyboardInterrupt
            self._cancel = True

        signal.signal(signal.SIGINT, handler)


def _on_server(db: str | None) -> bool:
    """Whether ``--db`` (or ``CASEBOOK_DB`` when it is not given) names a PostgreSQL server."""
    import os

    from casebook.core.location import is_url

    where = db or os.environ.get("CASEBOOK_DB") or ""
    return is_url(str(where))


def finite(data: Any) -> Any:
    """``data`` with NaN and infinities as None: ``json.dumps`` would write them as ``NaN`` and
    ``Infinity``, which are not JSON (a stored 1e308 sums to infinity)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [finite(value) for value in data]
    return data


def fail(message: str, details: list[str] | None = None) -> None:
    """Print an error line (and details) on stderr; messages quote data, so terminal-safe."""
    sys.stderr.write(f"error: {terminal_safe(message, lines=True)}\n")
    for line in details or []:
        sys.stderr.write(f"  {terminal_safe(line)}\n")


def run_command(ctx: Context, args) -> int:
    """Run the handler, mapping errors to exit codes; nothing on stdout on failure."""
    try:
        code = args.func(ctx, args)
        return int(code or 0)
    except Cancelled:
        fail("cancelled; the store is unchanged")
        return 130
    except KeyboardInterrupt:
        fail("cancelled")
        return 130
    except CasebookError as exc:
        fail(exc.message, exc.details)
        return exc.exit_code
    except OSError as exc:  # a disk that filled up or turned read-only under a command
        fail(write_refused(exc, _file_of(args)).message)
        return 1
    except SyntaxError as exc:
        if not _is_parse_error(exc):
            raise
        # XML inside a workbook that expat refuses: an entity declaration (XXE, "billion
        # laughs") or plain damage. Nothing was read into the store.
        fail(f"{_file_of(args)} is refused: its XML cannot be read safely ({exc})")
        return 1
    finally:
        ctx.close()


def _is_parse_error(exc: BaseException) -> bool:
    """Whether ``exc`` is ElementTree's ParseError (looked up only if ElementTree was imported:
    nothing else raises it, and the command line need not import it to start)."""
    module = sys.modules.get("xml.etree.ElementTree")
    return module is not None and isinstance(exc, module.ParseError)


def _file_of(args) -> str:
    """The file a command was working on, to name it in an error."""
    return str(getattr(args, "file", None) or getattr(args, "out", None) or args.db or "the store")
