"""Filter boxes that show their whole placeholder (the Shipments and Network tabs)."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit


def placeholder_width(edit: QLineEdit) -> int:
    """The width at which ``edit`` shows its placeholder whole: text, frame, clear button and
    any leading icon."""
    icon = edit.style().pixelMetric(edit.style().PixelMetric.PM_SmallIconSize) + 8
    sides = 1 + len(edit.actions())  # the clear button, and a leading icon if added
    return edit.fontMetrics().horizontalAdvance(edit.placeholderText()) + sides * icon + 14


def filter_edit(placeholder: str, tip: str = "", *, fixed: bool = True) -> QLineEdit:
    """A filter box wide enough for its whole placeholder and the clear button."""
    edit = QLineEdit(placeholderText=placeholder)
    edit.setClearButtonEnabled(True)
    edit.setToolTip(tip)
    width = placeholder_width(edit)
    edit.setMinimumWidth(width)
    if fixed:
        edit.setMaximumWidth(width + 12)
    return edit
