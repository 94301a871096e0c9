"""Files dragged and dropped onto a widget in GUI tests (loaded by conftest: the ``drops``
fixture): the Network tab's and the Firms tab's evidence drops."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication


def file_mime(*paths) -> QMimeData:
    """Drag data of local files, as a file manager gives it."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drag_and_drop(widget, point: QPointF, mime: QMimeData) -> bool:
    """Enter, move to ``point`` and drop, as the window system delivers them; True when the
    move was accepted (the drop was taken there)."""
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)  # fmt: skip
    at = point.toPoint()  # enter and move events take a QPoint (6.12 also converted a QPointF)
    enter = QDragEnterEvent(at, *args)
    enter.ignore()
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():  # Qt sends moves only to the widget that accepted the enter
        return False
    move = QDragMoveEvent(at, *args)
    QApplication.sendEvent(widget, move)
    if move.isAccepted():
        QApplication.sendEvent(widget, QDropEvent(point, *args))
    return move.isAccepted()
