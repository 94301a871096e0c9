"""Look and feel: shipped fonts, light/dark/system theme, palette-aware SVG icons, TLP colours."""

from __future__ import annotations

import sys
from functools import cache

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPixmap,
)

from casebook import resources

#: Fallbacks after the platform's UI font: Latin and Cyrillic, then Chinese. Without them Qt
#: draws boxes for glyphs the platform font lacks.
FALLBACK_FAMILIES = ["DejaVu Sans", "WenQuanYi Micro Hei"]
MONO_FAMILIES = ["DejaVu Sans Mono", "WenQuanYi Micro Hei Mono"]
TLP_BLACK = "#000000"
_TLP_UNKNOWN = "#FFFFFF"  # an unknown marking shows white on black, like CLEAR


@cache
def load_fonts() -> tuple[str, ...]:
    """Register every shipped font with Qt (once); returns the families added."""
    families: list[str] = []
    for path in resources.fonts():
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families += QFontDatabase.applicationFontFamilies(font_id)
    return tuple(families)


def apply_fonts(app: QGuiApplication) -> None:
    """Make the application font fall back to the shipped fonts for Cyrillic and Chinese."""
    font = QFont(app.font())
    primary = font.family()
    # On Linux the platform default is often a fontconfig alias ("Sans Serif") that may lack
    # glyphs; the shipped DejaVu Sans is a predictable first choice there.
    first = [] if sys.platform.startswith("linux") else [primary]
    font.setFamilies(first + FALLBACK_FAMILIES)
    app.setFont(font)


def mono_font(size: float | None = None) -> QFont:
    """The shipped monospaced font (hashes, codes)."""
    font = QFont()
    font.setFamilies(MONO_FAMILIES)
    font.setStyleHint(QFont.StyleHint.Monospace)
    if size:
        font.setPointSizeF(size)
    return font


def scaled_font(base: QFont, factor: float, *, bold: bool = False) -> QFont:
    """``base`` scaled by ``factor`` (headings), optionally bold."""
    font = QFont(base)
    font.setPointSizeF(max(6.0, base.pointSizeF() * factor))
    font.setBold(bold)
    return font


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the current palette is a dark one."""
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


# --- theme --------------------------------------------------------------------------------

#: The View → Theme choices, as saved in the settings and shown in the menu.
THEMES = {"system": "Follow the &System", "light": "&Light", "dark": "&Dark"}
_DARK = {
    "Window": "#2B2B2B",
    "WindowText": "#E3E3E3",
    "Base": "#1F1F1F",
    "AlternateBase": "#272727",
    "ToolTipBase": "#3A3A3A",
    "ToolTipText": "#E3E3E3",
    "PlaceholderText": "#9A9A9A",
    "Text": "#E3E3E3",
    "Button": "#353535",
    "ButtonText": "#E3E3E3",
    "BrightText": "#FF6B6B",
    "Light": "#4A4A4A",
    "Midlight": "#3E3E3E",
    "Mid": "#2F2F2F",
    "Dark": "#1A1A1A",
    "Shadow": "#000000",
    "Highlight": "#2F65CA",
    "HighlightedText": "#FFFFFF",
    "Link": "#7AB0FF",
    "LinkVisited": "#B59CFF",
}
_DARK_DISABLED = "#7A7A7A"
_system: tuple[str, QPalette] | None = None  # the platform's style and palette, before a choice
_applied = "system"


def muted(palette: QPalette, *, on_base: bool = False) -> QColor:
    """Secondary text (field names, notes) as an opaque colour that reads on ``palette``'s
    window (``on_base``: its text areas) in either theme: the text colour 62 % over the
    background (contrast above 4.5). Rich text takes it by name, so a label shows it again
    after a theme switch."""
    roles = QPalette.ColorRole
    text = palette.color(roles.Text if on_base else roles.WindowText)
    back = palette.color(roles.Base if on_base else roles.Window)
    return QColor.fromRgbF(*(0.62 * a + 0.38 * b for a, b in zip(
        (text.redF(), text.greenF(), text.blueF()),
        (back.redF(), back.greenF(), back.blueF()), strict=True)))  # fmt: skip


def dark_palette() -> QPalette:
    """A dark palette for the Fusion style (platform styles may ignore a palette)."""
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(getattr(QPalette.ColorRole, role), QColor(colour))
    for role in ("WindowText", "Text", "ButtonText", "PlaceholderText"):
        palette.setColor(
            QPalette.ColorGroup.Disabled, getattr(QPalette.ColorRole, role), QColor(_DARK_DISABLED)
        )
    return palette


def apply_theme(app: QGuiApplication, choice: str) -> str:
    """Show the application light, dark, or as the system does (``THEMES``); returns the
    choice applied. Light and dark use the Fusion style, which honours any palette; "system"
    puts back the platform's style and palette."""
    global _system, _applied
    from PySide6.QtWidgets import QStyleFactory

    choice = choice if choice in THEMES else "system"
    if choice == _applied:
        return choice
    if _system is None:
        _system = (app.style().name(), QPalette(app.palette()))
    if choice == "system":
        app.setStyle(QStyleFactory.create(_system[0]))
        app.setPalette(_system[1])
        scheme = Qt.ColorScheme.Unknown
    else:
        app.setStyle(QStyleFactory.create("Fusion"))
        app.setPalette(dark_palette() if choice == "dark" else app.style().standardPalette())
        scheme = Qt.ColorScheme.Dark if choice == "dark" else Qt.ColorScheme.Light
    app.styleHints().setColorScheme(scheme)  # native dialogs and title bars, where supported
    _applied = choice
    return choice


# --- markings -----------------------------------------------------------------------------


def marking_colour(label: str) -> QColor:
    """The TLP colour of a marking label (shown on black, as TLP 2.0 prescribes)."""
    from casebook.core.standards import clean_marking  # not needed before the first paint

    marking = clean_marking(label)
    return QColor(marking.colour if marking else _TLP_UNKNOWN)


def marking_meaning(label: str) -> str:
    """What a marking allows, in one sentence."""
    from casebook.core.standards import clean_marking

    marking = clean_marking(label)
    return marking.meaning if marking else ""


def marking_labels() -> list[str]:
    """Every TLP label, least to most restrictive."""
    from casebook.core.standards import Marking

    return [m.label for m in Marking]


# --- icons --------------------------------------------------------------------------------


@cache
def _svg(name: str) -> bytes:
    return resources.path("icons", f"{name}.svg").read_bytes()


class _TintedSvgEngine(QIconEngine):
    """Draws an SVG whose ``currentColor`` follows the palette, at any size and DPI."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name

    def _colour(self, mode: QIcon.Mode) -> QColor:
        palette = QGuiApplication.palette()
        if mode == QIcon.Mode.Disabled:
            return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        if mode == QIcon.Mode.Selected:
            return palette.color(QPalette.ColorRole.HighlightedText)
        return palette.color(QPalette.ColorRole.WindowText)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        from PySide6.QtSvg import QSvgRenderer  # loaded on the first icon drawn, not at start

        data = _svg(self.name).replace(b"currentColor", self._colour(mode).name().encode())
        QSvgRenderer(QByteArray(data)).render(painter, rect)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return pixmap

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float):
        # Render at device pixels so icons stay sharp on high-DPI screens.
        pixmap = self.pixmap(size * scale, mode, state)
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def clone(self) -> QIconEngine:
        return _TintedSvgEngine(self.name)


def icon(name: str) -> QIcon:
    """A shipped SVG icon (``resources/icons/NAME.svg``) drawn in the palette's text colour."""
    return QIcon(_TintedSvgEngine(name))


def app_icon() -> QIcon:
    """The application icon (full colour)."""
    return QIcon(str(resources.path("icons", "casebook.svg")))
