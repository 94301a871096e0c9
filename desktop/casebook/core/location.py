"""Where a store lives: a file path, or a PostgreSQL server named by a URL (team mode).

``--db`` and ``CASEBOOK_DB`` take either. A text that does not look like a URL is a path, as
it always was; a URL must be ``postgresql://[USER@][HOST][:PORT]/DBNAME[?host=SOCKETDIR]``.
Passwords never come from the command line (they would show in ``ps`` and shell histories):
libpq's ``PGPASSWORD`` and ``~/.pgpass`` supply them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from casebook.core.errors import UsageError

#: A scheme followed by ``://`` (``C:\\cases.db`` and ``cases.db`` are paths).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_FORM = "postgresql://[USER@][HOST][:PORT]/DBNAME[?host=SOCKETDIR]"


@dataclass(frozen=True)
class ServerLocation:
    """A PostgreSQL database: what the URL names, with no password."""

    dbname: str
    user: str | None = None
    host: str | None = None
    port: int | None = None
    socket_dir: str | None = None

    @property
    def url(self) -> str:
        """The SQLAlchemy URL (psycopg 3 driver)."""
        from urllib.parse import quote

        auth = f"{quote(self.user, safe='')}@" if self.user else ""
        host = self.host or ""
        port = f":{self.port}" if self.port else ""
        query = f"?host={quote(self.socket_dir, safe='/')}" if self.socket_dir else ""
        return f"postgresql+psycopg://{auth}{host}{port}/{quote(self.dbname, safe='')}{query}"

    def __str__(self) -> str:
        """The URL as a user writes it (no driver, never a password)."""
        return self.url.replace("postgresql+psycopg://", "postgresql://", 1)


def is_url(text: str) -> bool:
    """Whether ``text`` is written as a URL (``scheme://…``) rather than a path."""
    return bool(_URL.match(text))


def parse_location(text: str | Path) -> Path | ServerLocation:
    """A path for a plain path, a ``ServerLocation`` for a PostgreSQL URL; any other URL, or a
    URL with a password, is a usage error naming the accepted form."""
    if isinstance(text, Path) or not is_url(text):
        return Path(text).expanduser()
    parts = urlsplit(text)
    if parts.scheme != "postgresql":
        raise UsageError(
            f"--db: unsupported URL scheme {parts.scheme!r}: give a file path or {_FORM}"
        )
    if parts.password is not None:
        raise UsageError(
            "--db: a password in the URL is refused (it would show in process lists and shell "
            "history); set PGPASSWORD or use ~/.pgpass"
        )
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname or "/" in dbname:
        raise UsageError(f"--db: the URL names no database: give {_FORM}")
    try:
        port = parts.port
    except ValueError as exc:
        raise UsageError(f"--db: bad port in the URL ({exc})") from exc
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - {"host"})
    if unknown or parts.fragment:
        raise UsageError(
            f"--db: the URL may carry only ?host=SOCKETDIR, not {', '.join(unknown) or '#'}"
        )
    socket_dir = query["host"][-1] if "host" in query else None
    return ServerLocation(
        dbname=dbname,
        user=unquote(parts.username) if parts.username else None,
        host=parts.hostname or None,
        port=port,
        socket_dir=socket_dir or None,
    )
