"""Facade section: what other analysts changed (the live app's refresh).

``changes_after(event_id)`` lists the audit events after an id, leaving out those this facade
appended itself (the GUI refreshed for them already); ``change_listener()`` is what a watching
thread waits on between looks (LISTEN/NOTIFY on a server, a plain timer on a store file).
"""

from __future__ import annotations

from collections import deque

from casebook.store import live


class LiveSection:
    """The audit head, the events after it, and a listener to wait on."""

    #: Hashes of the events this facade appended (newest kept), skipped by ``changes_after``.
    _own: deque

    def _remember_own(self, digest: str) -> None:
        if not hasattr(self, "_own"):
            self._own = deque(maxlen=1000)
        self._own.append(digest)

    def audit_head_id(self) -> int:
        """The id of the newest audit event (0 for none)."""
        with self._read() as session:
            return live.head_id(session)

    def changes_after(self, event_id: int) -> tuple[int, list[dict]]:
        """``(newest id, events)``: what others changed after ``event_id`` (each event
        ``{id, hash, case_ref, action, actor, ts}``), oldest first."""
        with self._read() as session:
            events = live.events_after(session, event_id)
        if not events:
            return event_id, []
        own = set(getattr(self, "_own", ()))
        return events[-1]["id"], [e for e in events if e["hash"] not in own]

    def identity(self) -> dict:
        """``{server, login}``: the server's URL (None for a store file) and who the store
        knows this session as (the server's ``current_user``; on a file, the audit user).
        Asked once, then kept."""
        if getattr(self, "_identity", None) is None:
            location = getattr(self.store, "location", None)
            login = self.user
            if location is not None:
                with self._read() as session:
                    login = live.login(session)
            self._identity = {"server": str(location) if location else None, "login": login}
        return dict(self._identity)

    def change_listener(self) -> live.Poller:
        """What a watching thread waits on: a server's notifications, or a timer. Close it."""
        location = getattr(self.store, "location", None)
        if location is not None:
            return live.Listener(location)
        return live.Poller()
