"""Facade section: one search box over cases, firms, shipments, evidence and findings."""

from __future__ import annotations

from casebook.book.cases import find_case
from casebook.store import search as index


def _title(kind: str, hit: dict, extra) -> str:
    """A result's title: evidence carries its E-number, a shipment its declaration."""
    if kind == "evidence" and extra:
        return f"{extra} {hit['title']}"
    if kind == "shipment" and extra:
        return f"{extra} — {hit['title']}"
    return hit["title"]


class SearchSection:
    """``search(text, case_ref=)``: at most 50 results per kind, grouped by kind."""

    def search(self, text: str, *, case_ref: str | None = None, limit: int = index.LIMIT) -> dict:
        """Results for ``text`` (3+ characters match inside words; shorter ones match word
        starts): ``{results: [{kind, uid, case_ref, title, snippet, id}]}``."""
        query = index.parse_query(text)
        results: list[dict] = []
        with self._read() as session:
            case_id = find_case(session, case_ref).id if case_ref else None
            found = index.search_all(session, query=query, case_id=case_id, limit=limit)
            labels = index.label_all(
                session, ids={kind: [h["id"] for h in hits] for kind, hits in found.items()}
            )
            for kind, hits in found.items():
                for hit in hits:
                    uid, ref, extra = labels[kind].get(hit["id"], (None, None, None))
                    results.append(
                        {
                            "kind": kind,
                            "uid": uid,
                            "case_ref": ref,
                            "title": _title(kind, hit, extra),
                            "snippet": hit["snippet"] or hit["title"],
                            "id": hit["id"],
                        }
                    )
        return {"results": results}

    def rebuild_search_index(self) -> int:
        """Index the whole store again (after a repair); returns the number of records."""
        with self._write() as session:
            count = index.rebuild_index(session)
            self._audit(session, "search.rebuild", "store", after={"records": count})
        return count
