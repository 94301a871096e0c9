"""A chart's scene outlives its tab a little: its items are deleted a slice at a time."""

from __future__ import annotations

import time
from functools import partial

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer
from PySide6.QtWidgets import QGraphicsScene

SLICE_S = 0.020  # items are deleted for this long per turn of the event loop, then it runs


class SceneDisposal(QObject):
    """Owns the scenes of the charts' tabs (network, timeline) and deletes each one's items in
    slices once its tab is gone. Deleting a tab deleted its scene's items with it at once:
    6,644 links of a million-shipment case's network, 50,000 cells of its timeline, stalled
    the window 0.14-0.4 s as a case closed (issue 18)."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.pending: list[tuple[QGraphicsScene, list | None]] = []  # (scene, items left)
        self.timer = QTimer(self, interval=0, singleShot=True, timeout=self._slice)

    @classmethod
    def of_app(cls) -> SceneDisposal:
        """The application's disposal (made on first use)."""
        app = QCoreApplication.instance()
        found = app.findChild(cls)
        return found if found is not None else cls(app)

    @classmethod
    def scene_for(cls, owner: QObject) -> QGraphicsScene:
        """A new scene that lives as long as ``owner``, then goes a slice at a time."""
        disposal = cls.of_app()
        scene = QGraphicsScene(disposal)
        owner.destroyed.connect(partial(disposal.dispose, scene))
        return scene

    def dispose(self, scene: QGraphicsScene, *_) -> None:
        """Delete ``scene``'s items a slice at a time from the event loop, then the scene."""
        if not shiboken6.isValid(scene):
            return
        scene.blockSignals(True)  # its tab's slots are gone
        scene.clearSelection()
        self.pending.append((scene, None))  # its items listed at the next turn, not with the tab
        self.timer.start()

    def _slice(self) -> None:
        deadline = time.perf_counter() + SLICE_S
        while self.pending:
            scene, items = self.pending[0]
            if items is None and shiboken6.isValid(scene):
                # One listing (20-60 ms for 50,000 items), a turn of its own; which are
                # top-level is asked a slice at a time (as long again): a child goes with its
                # parent (deleting it alone, then the scene, crashed).
                self.pending[0] = (scene, scene.items(Qt.SortOrder.AscendingOrder))
                self.timer.start()
                return
            while items:
                item = items.pop()  # from the top: a child before its parent, left to it
                if shiboken6.isValid(item) and item.parentItem() is None:
                    shiboken6.delete(item)
                if time.perf_counter() > deadline:
                    self.timer.start()
                    return
            self.pending.pop(0)
            if shiboken6.isValid(scene):
                shiboken6.delete(scene)
            if time.perf_counter() > deadline and self.pending:
                self.timer.start()
                return
