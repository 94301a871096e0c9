"""Preferences and window state, kept with QSettings under the application's own name."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANISATION = "Casebook"
APPLICATION = "Casebook"
PAPER_SIZES = ("A4", "Letter")
RECENT_MAX = 8


class Settings:
    """Typed access to the user's settings (read fresh each time; QSettings caches)."""

    def __init__(self) -> None:
        # This constructor honours QSettings.setDefaultFormat/setPath (tests use a temp
        # folder); QSettings(org, app) would always use the native format and location.
        self.q = QSettings(
            QSettings.defaultFormat(), QSettings.Scope.UserScope, ORGANISATION, APPLICATION
        )

    def _str(self, key: str, default: str = "") -> str:
        value = self.q.value(key, default)
        return str(value) if value is not None else default

    @property
    def analyst(self) -> str:
        """The analyst's name for the audit log and briefings ("" = the OS user)."""
        return self._str("preferences/analyst").strip()

    @analyst.setter
    def analyst(self, name: str) -> None:
        self.q.setValue("preferences/analyst", name.strip())

    @property
    def default_marking(self) -> str:
        """The marking a new case starts with."""
        return self._str("preferences/default_marking", "TLP:AMBER")

    @default_marking.setter
    def default_marking(self, label: str) -> None:
        self.q.setValue("preferences/default_marking", label)

    @property
    def paper(self) -> str:
        """Paper size of printed briefings: ``A4`` or ``Letter``."""
        value = self._str("preferences/paper", "A4")
        return value if value in PAPER_SIZES else "A4"

    @paper.setter
    def paper(self, value: str) -> None:
        self.q.setValue("preferences/paper", value)

    @property
    def theme(self) -> str:
        """``system`` (follow the desktop), ``light`` or ``dark``."""
        value = self._str("preferences/theme", "system")
        return value if value in ("system", "light", "dark") else "system"

    @theme.setter
    def theme(self, value: str) -> None:
        self.q.setValue("preferences/theme", value)

    @property
    def recent_stores(self) -> list[str]:
        """Stores opened lately, newest first."""
        value = self.q.value("stores/recent", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [str(v) for v in items if v]

    def add_recent_store(self, path: str | Path) -> None:
        path = str(Path(path))
        recent = [path] + [p for p in self.recent_stores if p != path]
        self.q.setValue("stores/recent", recent[:RECENT_MAX])

    def forget_recent_store(self, path: str | Path) -> None:
        self.q.setValue("stores/recent", [p for p in self.recent_stores if p != str(path)])

    @property
    def recent_servers(self) -> list[str]:
        """Server URLs connected to lately (``postgresql://…``, never a password), newest first."""
        value = self.q.value("servers/recent", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [str(v) for v in items if v]

    def add_recent_server(self, url: str) -> None:
        recent = [url] + [u for u in self.recent_servers if u != url]
        self.q.setValue("servers/recent", recent[:RECENT_MAX])

    @property
    def last_store(self) -> str | None:
        recent = self.recent_stores
        return recent[0] if recent else None

    def window_state(self, name: str) -> tuple[QByteArray | None, QByteArray | None]:
        """Saved geometry and dock/toolbar state of a window."""
        return self.q.value(f"windows/{name}/geometry"), self.q.value(f"windows/{name}/state")

    def save_window_state(self, name: str, geometry: QByteArray, state: QByteArray) -> None:
        self.q.setValue(f"windows/{name}/geometry", geometry)
        self.q.setValue(f"windows/{name}/state", state)

    def value(self, key: str, default=None):
        """Any other stored value (splitter sizes, header states)."""
        return self.q.value(key, default)

    def set_value(self, key: str, value) -> None:
        self.q.setValue(key, value)
