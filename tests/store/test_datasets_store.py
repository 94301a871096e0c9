"""store.datasets: datasets by kind, case and id, and how many shipments each holds."""

from __future__ import annotations

from casebook.store import cases, datasets
from casebook.store import models as m


def test_datasets_filter_by_kind_case_and_ids_and_count_their_shipments(book):
    with book.store.write() as session:
        one = cases.add_case(session, ref="CB-1", title="One")
        two = cases.add_case(session, ref="CB-2", title="Two")
        rows = [
            m.Dataset(case_id=one.id, file_name="gtd.csv", sha256="a"),
            m.Dataset(case_id=one.id, kind="trade", file_name="comtrade.csv", sha256="b"),
            m.Dataset(case_id=two.id, file_name="другой.csv", sha256="c"),
        ]
        session.add_all(rows)
        session.flush()
        for n in range(3):
            session.add(m.Shipment(dataset_id=rows[0].id, case_id=one.id, source_row=n + 1))
        ids = [d.id for d in rows]
    with book.store.read() as session:
        shipments_of_one = datasets.list_datasets(session, kind="shipments", case_id=one.id)
        every_shipments = datasets.list_datasets(session, kind="shipments")
        by_id = datasets.list_datasets(session, ids=[ids[2]], case_id=two.id)
        wrong_case = datasets.list_datasets(session, ids=[ids[2]], case_id=one.id)
        counts = datasets.shipment_counts(session, dataset_ids=ids)
    assert [d.file_name for d in shipments_of_one] == ["gtd.csv"]
    assert [d.file_name for d in every_shipments] == ["gtd.csv", "другой.csv"]
    assert [d.file_name for d in by_id] == ["другой.csv"]
    assert wrong_case == []
    assert counts == {ids[0]: 3}
