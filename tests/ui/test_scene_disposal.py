"""A chart tab's scene outlives the tab a little: its items go a slice at a time, so closing a
case with a big chart does not freeze the window (issue 18)."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QRectF
from PySide6.QtWidgets import QGraphicsRectItem, QWidget

from casebook.ui import scene_disposal
from casebook.ui.scene_disposal import SceneDisposal


def _delete_now(widget: QWidget) -> None:
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def test_the_items_of_a_closed_tabs_scene_are_deleted_in_slices(qtbot, monkeypatch):
    disposal = SceneDisposal.of_app()
    # Earlier tests' scenes: their tabs' deletions (still posted) start them, then they go.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    qtbot.waitUntil(lambda: not disposal.pending, timeout=10_000)
    monkeypatch.setattr(scene_disposal, "SLICE_S", 0.0)  # one item a turn: countable
    owner = QWidget()
    scene = SceneDisposal.scene_for(owner)
    for i in range(50):
        parent = scene.addRect(QRectF(i, 0, 1, 1))
        QGraphicsRectItem(QRectF(i, 2, 1, 1), parent)  # children go with their item
    picked = scene.items()[0]
    picked.setSelected(True)
    _delete_now(owner)
    assert shiboken6.isValid(scene) and len(scene.items()) == 100  # nothing deleted at once
    disposal._slice()  # the items listed
    assert len(scene.items()) == 100
    disposal._slice()  # the top item: a child, left to its parent
    disposal._slice()
    assert len(scene.items()) == 98  # one item (with its child) a turn
    qtbot.waitUntil(lambda: not shiboken6.isValid(scene), timeout=10_000)
    assert not disposal.pending


def test_a_scene_whose_owner_lives_stays(qtbot):
    owner = QWidget()
    qtbot.addWidget(owner)
    scene = SceneDisposal.scene_for(owner)
    scene.addRect(QRectF(0, 0, 1, 1))
    QCoreApplication.processEvents()
    assert shiboken6.isValid(scene) and len(scene.items()) == 1
