"""The Casebook facade: an open store (database + evidence vault) and every operation on it.

The CLI and the GUI call only this class. It is assembled from sections, one module each
(cases, imports, firms, …); the real work lives in the layers beneath.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from casebook.core.errors import Refused
from casebook.core.location import ServerLocation, parse_location
from casebook.core.users import os_user
from casebook.store.engine import Store, default_location, default_store_path, open_store
from casebook.vault.scratch import ready_entries, sweep

if TYPE_CHECKING:
    from sqlmodel import Session

    from casebook.book.analysis import AnalysisSection
    from casebook.book.briefing import BriefingSection
    from casebook.book.browse import BrowseSection
    from casebook.book.case_list import CaseListSection
    from casebook.book.cases import CasesSection
    from casebook.book.demo import DemoSection
    from casebook.book.evidence import EvidenceSection
    from casebook.book.exchange import ChartImportSection, ExchangeSection
    from casebook.book.figures import FiguresSection
    from casebook.book.findings import FindingsSection
    from casebook.book.firms import FirmsSection
    from casebook.book.imports import ImportsSection
    from casebook.book.live import LiveSection
    from casebook.book.network import NetworkSection
    from casebook.book.persons import PersonsSection
    from casebook.book.screening import ScreeningSection
    from casebook.book.search import SearchSection
    from casebook.book.shipments import ShipmentsSection
    from casebook.book.team import TeamSection
    from casebook.book.trade import TradeSection
    from casebook.book.verify import VerifySection
    from casebook.book.versions import VersionsSection
    from casebook.book.workbench import WorkbenchSection

__all__ = ["Casebook", "default_store_path", "load_sections"]

#: The facade's sections as (module in ``casebook.book``, class), in the order of Casebook's
#: bases (its MRO). A section's module is imported when one of its attributes is first asked
#: for (``_index.NAMES`` says which module defines which name), so that a command imports only
#: the sections it uses: ``case list`` needs neither the briefing nor the importer.
SECTIONS = (
    ("demo", "DemoSection"),
    ("briefing", "BriefingSection"),
    ("cases", "CasesSection"),
    ("case_list", "CaseListSection"),
    ("verify", "VerifySection"),
    ("browse", "BrowseSection"),
    ("evidence", "EvidenceSection"),
    ("exchange", "ExchangeSection"),
    ("exchange", "ChartImportSection"),
    ("findings", "FindingsSection"),
    ("figures", "FiguresSection"),
    ("search", "SearchSection"),
    ("shipments", "ShipmentsSection"),
    ("analysis", "AnalysisSection"),
    ("screening", "ScreeningSection"),
    ("imports", "ImportsSection"),
    ("firms", "FirmsSection"),
    ("persons", "PersonsSection"),
    ("network", "NetworkSection"),
    ("trade", "TradeSection"),
    ("workbench", "WorkbenchSection"),
    ("team", "TeamSection"),
    ("versions", "VersionsSection"),
    ("live", "LiveSection"),
)

_loaded: dict[str, type] = {}  # class name -> section class, of the sections joined so far
_lock = threading.RLock()


def _join(modules: set[str]) -> None:
    """Import these section modules and make their classes bases of Casebook, keeping the
    order of SECTIONS (so a name resolves as it would with every section present)."""
    with _lock:
        wanted = [(mod, cls) for mod, cls in SECTIONS if mod in modules and cls not in _loaded]
        if not wanted:
            return
        for mod, cls in wanted:
            _loaded[cls] = getattr(import_module(f"casebook.book.{mod}"), cls)
        bases = tuple(_loaded[cls] for _, cls in SECTIONS if cls in _loaded)
        Casebook.__bases__ = (*bases, _Sections)


def load_sections() -> None:
    """Import every section now (the GUI does, off its thread, when it opens a store)."""
    _join({mod for mod, _ in SECTIONS})


def _load_for(name: str) -> bool:
    """Join the section that defines ``name``; True if one (or more) joined. A public name the
    index does not know (a method added since it was generated) joins every section."""
    from casebook.book._index import NAMES

    module = NAMES.get(name)
    if module is not None:
        if module in {mod for mod, cls in SECTIONS if cls not in _loaded}:
            _join({module})
            return True
        return False
    if name.startswith("_") or len(_loaded) == len(SECTIONS):
        return False
    load_sections()
    return True


def section_names() -> dict[str, str]:
    """Every attribute a section defines -> its module: what ``_index.NAMES`` must hold."""
    names: dict[str, str] = {}
    for mod, cls in SECTIONS:
        section = getattr(import_module(f"casebook.book.{mod}"), cls)
        for name in (*vars(section), *getattr(section, "__annotations__", {})):
            if not (name.startswith("__") and name.endswith("__")):
                names[name] = mod
    return dict(sorted(names.items()))


class _Lazy(type):
    """Casebook's metaclass: a section attribute asked of the class joins its section."""

    def __getattr__(cls, name: str):
        if not name.startswith("__") and _load_for(name):
            return getattr(cls, name)
        raise AttributeError(f"type object {cls.__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:

    class _Sections(
        DemoSection,
        BriefingSection,
        CasesSection,
        CaseListSection,
        VerifySection,
        BrowseSection,
        EvidenceSection,
        ExchangeSection,
        ChartImportSection,
        FindingsSection,
        FiguresSection,
        SearchSection,
        ShipmentsSection,
        AnalysisSection,
        ScreeningSection,
        ImportsSection,
        FirmsSection,
        PersonsSection,
        NetworkSection,
        TradeSection,
        WorkbenchSection,
        TeamSection,
        VersionsSection,
        LiveSection,
    ):
        pass

else:

    class _Sections:
        """The last base of Casebook; the sections join before it as they are used."""


class Casebook(_Sections, metaclass=_Lazy):
    """An open store. Use ``Casebook.open(path)``; close it (or use ``with``) when done."""

    def __init__(self, store: Store, *, user: str | None = None):
        self.store = store
        # On a server the audit user is the login role, whatever a caller names (the CLI
        # refuses --user there): the server, not Casebook, knows who is connected.
        self.user = store.login if store.dialect == "postgresql" else (user or os_user())
        with suppress(OSError):  # what cannot be removed now, `verify` reports
            sweep(self.folder / "tmp")  # what killed processes left in the vault's scratch folder

    @classmethod
    def open(
        cls, path: str | Path | None = None, *, user: str | None = None, create: bool = False
    ) -> Casebook:
        """Open the store at ``path`` (default: ``default_store_path()``), upgrading its schema;
        a restore into it that was killed while moving into place is finished first."""
        where = parse_location(path) if path else default_location()
        if isinstance(where, ServerLocation):
            return cls(open_store(where, create=create), user=user)
        target = where.resolve()
        if ready_entries(target.with_name(target.stem + ".files") / "tmp", "restore"):
            from casebook.exchange.backup import resume_restores

            resume_restores(target)
        return cls(Store(where, create=create), user=user)

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def folder(self) -> Path:
        """The store's folder of files: ``vault/``, ``rejects/``, ``backups/``."""
        return self.store.folder

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Casebook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _refuse_own_file(self, path: Path) -> None:
        """Refuse to read the store's own database files as input (``Store.is_own_file``)."""
        if self.store.is_own_file(path):
            raise Refused(
                f"{path} is this Casebook's own store; it cannot be read as input while it is "
                "open (make a copy with `casebook backup` and use that)"
            )

    @contextmanager
    def _write(self, *, bulk: bool = False) -> Iterator[Session]:
        with self.store.write(bulk=bulk) as session:
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self.store.read() as session:
            yield session

    def __getattr__(self, name: str):
        """A section's attribute not joined yet: join its section, then look again."""
        if not name.startswith("__") and _load_for(name):
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _audit(self, session: Session, action: str, target_kind: str, **fields) -> None:
        """Record a change in the audit chain, inside the caller's write transaction."""
        from casebook.store import audit

        event = audit.append_event(
            session, actor=self.user, action=action, target_kind=target_kind, **fields
        )
        self._remember_own(event.hash)

    def head_hash(self) -> str:
        """The audit chain's head hash (printed in briefings, bundles and backups)."""
        with self._read() as session:
            from casebook.store import audit

            return audit.head_hash(session)
