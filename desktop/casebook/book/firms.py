"""Facade section: firms — list, show, merge and split (every change audited)."""

from __future__ import annotations

from casebook.book.cases import find_case
from casebook.core.errors import NotFound, Refused
from casebook.store import cases as case_store
from casebook.store import firms as store
from casebook.store import merges


def _money(value: float | None) -> float:
    return round(value or 0.0, 2)


class FirmsSection:
    """``firms list``, ``firms show``, ``firms merge KEEP OTHER`` and ``firms split UID``."""

    def list_firms(self, *, case_ref: str | None = None) -> list[dict]:
        """Firms (of a case, or all) in the ``firms list`` JSON shape, by sort key."""
        with self._read() as session:
            case_id = find_case(session, case_ref).id if case_ref else None
            rows = store.firm_rows(session, case_id=case_id)
            ids = [r["id"] for r in rows]
            idents = store.identifiers_of(session, ids=ids)
            aliases = store.aliases_of(session, ids=ids)
            totals = store.shipment_totals(session, case_id=case_id)
            listed = store.listed_ids(session, ids=ids)
        return [_firm_json(r, idents, aliases, totals, listed) for r in rows]

    def show_firm(self, uid: str) -> dict:
        """One firm with its identifiers, aliases, cases, totals, merges and open suggestions, and
        the countries its shipments leave from and arrive in."""
        with self._read() as session:
            firm = find_firm(session, uid)
            fid = firm["id"]
            data = _firm_json(
                firm,
                store.identifiers_of(session, ids=[fid]),
                store.aliases_of(session, ids=[fid]),
                store.shipment_totals(session),
                store.listed_ids(session, ids=[fid]),
            )
            data |= {
                "native_name": firm["native_name"],
                "address": firm["address"],
                "merged_into": _uid_of(session, firm["merged_into"]),
                "cases": store.case_roles(session, firm_id=fid),
                "suggestions": store.suggestions_of(session, firm_id=fid),
                **store.shipment_countries(session, firm_id=fid),
            }
        return data

    def firm_case_refs(self, uid: str) -> list[str]:
        """The references of the cases a firm takes part in, oldest case first."""
        with self._read() as session:
            return case_store.refs_of_firm(session, firm_uid=uid)

    def merge_firms(self, *, keep: str, other: str) -> dict:
        """Merge ``other`` into ``keep``: KEEP survives, every spelling stays as its alias."""
        if keep == other:
            raise Refused("a firm cannot be merged with itself")
        with self._write() as session:
            kept, gone = find_firm(session, keep), find_firm(session, other)
            for firm in (kept, gone):
                if firm["merged_into"] is not None:
                    raise Refused(f"firm {firm['uid']} ({firm['name']}) is already merged")
            before = _snapshot(session, [kept, gone])
            record = merges.merge_firm_rows(
                session, keep_id=kept["id"], other_id=gone["id"], actor=self.user
            )
            self._audit(
                session,
                "firm.merge",
                "firm",
                target_uid=kept["uid"],
                before=before,
                after={"keep": kept["uid"], "other": gone["uid"], "merge": record["uid"]},
            )
        return {"keep": kept["uid"], "other": gone["uid"], "merge": record["uid"]}

    def split_firm(self, uid: str) -> dict:
        """Undo the newest merge of a merged-away firm (or the newest merge into a kept one)."""
        with self._write() as session:
            firm = find_firm(session, uid)
            merge = merges.latest_merge(
                session, firm_id=firm["id"], as_other=firm["merged_into"] is not None
            )
            if merge is None:
                raise Refused(f"firm {uid} ({firm['name']}) has no merge to undo")
            kept = session_firm_by_id(session, merge["keep_id"])
            gone = session_firm_by_id(session, merge["other_id"])
            if kept["merged_into"] is not None:
                raise Refused(
                    f"firm {kept['uid']} was itself merged later; split it from "
                    f"{_uid_of(session, kept['merged_into'])} first"
                )
            merges.split_firm_rows(session, merge=merge)
            _restore_row_tests(session)
            self._audit(
                session,
                "firm.split",
                "firm",
                target_uid=gone["uid"],
                before={"keep": kept["uid"], "other": gone["uid"], "merge": merge["uid"]},
                after=_snapshot(session, [kept, gone]),
            )
        return {"keep": kept["uid"], "restored": gone["uid"], "merge": merge["uid"]}


def _restore_row_tests(session) -> None:
    """A split drops the stored red-flag groups of the datasets it touches: store them again."""
    from casebook.analysis import flags

    for case_id in case_store.case_ids(session):
        flags.store_row_tests(session, case_id=case_id)


def find_firm(session, uid: str) -> dict:
    """A firm by uid (merged or not); NotFound otherwise."""
    firm = store.firm_by_uid(session, uid=uid)
    if firm is None:
        raise NotFound(f"no firm {uid!r}")
    return firm


def session_firm_by_id(session, firm_id: int) -> dict:
    """A firm by its integer key (it must exist)."""
    firm = store.firm_by_id(session, firm_id=firm_id)
    if firm is None:
        raise NotFound(f"no firm with key {firm_id}")
    return firm


def _uid_of(session, firm_id: int | None) -> str | None:
    if firm_id is None:
        return None
    return session_firm_by_id(session, firm_id)["uid"]


def _snapshot(session, firms: list[dict]) -> dict:
    ids = [f["id"] for f in firms]
    idents = store.identifiers_of(session, ids=ids)
    aliases = store.aliases_of(session, ids=ids)
    return {
        f["uid"]: {
            "name": f["name"],
            "country": f["country"],
            "identifiers": idents.get(f["id"], {}),
            "aliases": aliases.get(f["id"], []),
        }
        for f in firms
    }


def _firm_json(row: dict, idents: dict, aliases: dict, totals: dict, listed: set) -> dict:
    """The ``firms list`` JSON shape of DESIGN.md."""
    count, value = totals.get(row["id"], (0, 0.0))
    return {
        "uid": row["uid"],
        "name": row["name"],
        "country": row["country"],
        "identifiers": idents.get(row["id"], {}),
        "aliases": aliases.get(row["id"], []),
        "shipments": count,
        "value_usd": _money(value),
        "listed": row["id"] in listed,
    }


__all__ = ["FirmsSection", "find_case"]
