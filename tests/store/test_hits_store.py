"""store.hits: one screen's hits saved, reviews kept while a listed entry is unchanged."""

from __future__ import annotations

import pytest

from casebook.store import cases, hits, lists
from casebook.store import models as m


@pytest.fixture
def world(book):
    """A case with two firms, and a list with two versions of one entry (the second changed)."""
    with book.store.write() as session:
        case = cases.add_case(session, ref="CB-1", title="Станки")
        firms = [m.Firm(name="Stankoprom OOO", sort_key="b"), m.Firm(name="Альфа", sort_key="a")]
        listed = m.SanctionsList(name="OFAC SDN", format="ofac")
        session.add_all([*firms, listed])
        session.flush()
        v1 = m.ListVersion(list_id=listed.id, number=1, published="2024-01-01")
        v2 = m.ListVersion(list_id=listed.id, number=2, published="2024-06-01")
        session.add_all([v1, v2])
        session.flush()
        entities = [
            m.ListedEntity(version_id=v1.id, source_id="1", name="STANKOPROM", content_hash="h1"),
            m.ListedEntity(version_id=v2.id, source_id="1", name="STANKOPROM", content_hash="h1"),
            m.ListedEntity(version_id=v2.id, source_id="2", name="ALFA", content_hash="h2"),
        ]
        session.add_all(entities)
        session.flush()
        return {
            "case": case.id,
            "list": listed.id,
            "firms": [f.id for f in firms],
            "entities": [e.id for e in entities],
            "versions": [v1.id, v2.id],
        }


def found(world, *, firm: int, entity: int, source: str, digest: str, score=0.9) -> dict:
    return {
        "firm_id": world["firms"][firm],
        "entity_id": world["entities"][entity],
        "source_id": source,
        "content_hash": digest,
        "score": score,
        "firm_name": "name",
        "matched_name": "NAME",
        "reasons": ["name"],
    }


def save(book, world, items) -> list[int]:
    with book.store.write() as session:
        return hits.save_hits(
            session,
            case_id=world["case"],
            list_id=world["list"],
            found=items,
            firm_ids=world["firms"],
        )


def test_a_review_survives_a_newer_version_while_the_entry_is_unchanged(book, world):
    [first] = save(book, world, [found(world, firm=0, entity=0, source="1", digest="h1")])
    with book.store.write() as session:
        [row] = hits.hit_rows(session, hit_ids=[first])
        hits.set_review(session, hit=row[0], status="confirmed", note="same INN", actor="ann")
    again = save(book, world, [found(world, firm=0, entity=1, source="1", digest="h1")])
    with book.store.read() as session:
        [(hit, firm, entity, version, listed)] = hits.hit_rows(session, case_id=world["case"])
        confirmed = hits.confirmed_hits(session, firm_ids=world["firms"])
    assert again == [first]
    assert (hit.status, hit.note, hit.reviewed_by) == ("confirmed", "same INN", "ann")
    assert (entity.id, version.number, listed.name) == (world["entities"][1], 2, "OFAC SDN")
    assert [(f, lst.name, src) for f, lst, src in confirmed] == [(firm.id, "OFAC SDN", "1")]


def test_a_changed_entry_gets_a_fresh_hit_and_stale_unreviewed_hits_go(book, world):
    kept, stale = save(
        book,
        world,
        [
            found(world, firm=0, entity=0, source="1", digest="h1"),
            found(world, firm=1, entity=2, source="2", digest="h2"),
        ],
    )
    with book.store.write() as session:
        row = hits.hit_rows(session, hit_ids=[kept])[0]
        hits.set_review(session, hit=row[0], status="dismissed", note="", actor="ann")
    fresh = save(book, world, [found(world, firm=0, entity=1, source="1", digest="changed")])
    with book.store.read() as session:
        rows = hits.hit_rows(session, case_id=world["case"])
        unreviewed = hits.hit_rows(session, case_id=world["case"], status="unreviewed")
    assert fresh != [kept]
    assert sorted(r[0].id for r in rows) == sorted([kept, *fresh])  # the reviewed one stays
    assert stale not in {r[0].id for r in rows}
    assert [r[0].id for r in unreviewed] == fresh


def test_hit_rows_order_by_firm_then_score(book, world):
    save(
        book,
        world,
        [
            found(world, firm=0, entity=1, source="1", digest="h1", score=0.8),
            found(world, firm=0, entity=2, source="2", digest="h2", score=0.95),
            found(world, firm=1, entity=2, source="2", digest="h2", score=0.79),
        ],
    )
    with book.store.read() as session:
        rows = hits.hit_rows(session, case_id=world["case"])
        latest = lists.latest_version_ids(session)
        version = lists.get_version(session, version_id=latest[world["list"]])
    assert [(r[1].name, r[0].score) for r in rows] == [
        ("Альфа", 0.79),
        ("Stankoprom OOO", 0.95),
        ("Stankoprom OOO", 0.8),
    ]
    assert version.number == 2
