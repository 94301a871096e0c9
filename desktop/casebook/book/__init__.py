"""The Casebook facade: an open store (database + evidence vault) and every operation on it.

The CLI and the GUI call only this class. It is assembled from sections, one module each
(cases, imports, firms, …); the real work lives in the layers beneath.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlmodel import Session

from casebook.book.analysis import AnalysisSection
from casebook.book.briefing import BriefingSection
from casebook.book.browse import BrowseSection
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
from casebook.core.location import ServerLocation, parse_location
from casebook.core.users import os_user
from casebook.exchange.backup import resume_restores
from casebook.store import audit
from casebook.store.engine import Store, default_location, default_store_path, open_store
from casebook.vault.scratch import sweep

__all__ = ["Casebook", "default_store_path"]


class Casebook(
    DemoSection,
    BriefingSection,
    CasesSection,
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
    """An open store. Use ``Casebook.open(path)``; close it (or use ``with``) when done."""

    def __init__(self, store: Store, *, user: str | None = None):
        self.store = store
        # On a server the audit user is the login role, whatever a caller names (the CLI
        # refuses --user there): the server, not Casebook, knows who is connected.
        self.user = store.login if store.dialect == "postgresql" else (user or os_user())
        with suppress(OSError):  # what cannot be removed now, `verify` reports
            sweep(self.vault.tmp)  # what killed processes left in the scratch folder

    @classmethod
    def open(
        cls, path: str | Path | None = None, *, user: str | None = None, create: bool = False
    ) -> Casebook:
        """Open the store at ``path`` (default: ``default_store_path()``), upgrading its schema;
        a restore into it that was killed while moving into place is finished first."""
        where = parse_location(path) if path else default_location()
        if isinstance(where, ServerLocation):
            return cls(open_store(where, create=create), user=user)
        resume_restores(where.resolve())
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

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self.store.write() as session:
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self.store.read() as session:
            yield session

    def _audit(self, session: Session, action: str, target_kind: str, **fields) -> None:
        """Record a change in the audit chain, inside the caller's write transaction."""
        event = audit.append_event(
            session, actor=self.user, action=action, target_kind=target_kind, **fields
        )
        self._remember_own(event.hash)

    def head_hash(self) -> str:
        """The audit chain's head hash (printed in briefings, bundles and backups)."""
        with self._read() as session:
            return audit.head_hash(session)
