"""An import's rollups on a PostgreSQL server: summed in memory from the columns just imported
and sent by ``COPY``.

Each of the five group tables by ``INSERT … SELECT … GROUP BY`` over the shipments just copied
read a million rows back five times and hashed them into about as many groups (the firm pairs
by month and the trade groups are nearly one a row on the benchmark's extract): 24.7 s of a
1M-row import at load ~4, more than the rows' own ``COPY``. The same groups are summed here
from the columns the import holds anyway (``store.rollups``' helpers, as on SQLite, which sums
the date and firm groups so), formatted while the server builds the shipment indexes, and
written by ``COPY``. ``store.rollups.build_dataset`` still makes them from the stored rows
(``verify``'s repair, merges, a split, an import whose ids are not consecutive), and the tests
compare the two.
"""

from __future__ import annotations

from sqlmodel import Session

from casebook.store import rollups
from casebook.store.postgres import copy_into, indexes_building, reserve_ids

#: Each table's key columns, as names of the columns ``build_from_columns`` is given or makes.
KEYS = {
    "shipmentrollup": ("month", "origin", "dispatch", "destination", "hs6", "hs_head"),
    "partyrollup": ("month", "exporter_id", "importer_id"),
    "traderollup": ("exporter_id", "importer_id", "hs6", "cn8", "origin", "dispatch"),
}
TOTALS = rollups.TOTALS.split(", ")
#: Rows written to the server per batch of Python values.
BATCH = 50_000


def build_from_columns(
    session: Session, *, case_id: int, dataset_id: int, columns: dict, first_id: int
) -> None:
    """Insert the groups of a dataset just inserted (every table ``rollups.build_dataset``
    fills), summed from its columns (see ``rollups.build_from_columns`` for what they hold).

    The groups are summed first and their ids taken; then, while the server builds the
    shipment indexes the import set aside (``postgres.indexes_building``), they are formatted
    here as ``COPY`` text; then sent."""
    import numpy as np

    count = len(columns["date"])
    keys = {
        **columns,
        "month": rollups._prefixes(columns["date"], 7),
        "hs_head": rollups._prefixes(columns["hs_code"], 6),
        "cn8": rollups._prefixes(columns["hs_code"], 8),
    }
    ids = np.arange(first_id, first_id + count, dtype=np.int64)
    groups = []  # (table, column names, one array per column)
    for table, names in KEYS.items():
        group, first = rollups._groups([keys[n] for n in names])
        sums = dict(zip(TOTALS, rollups._sums(group, len(first), columns, ids), strict=True))
        kept = rollups.measures(table)
        values = [keys[n][first] for n in names] + [sums[n] for n in kept]
        # no firm (-1) as None; NaN is NULL as it is
        values = [rollups._nulls(v) if v.dtype.kind == "i" else v for v in values]
        groups.append((table, (*names, *kept), values))
    hs6, bins = unit_value_bins(columns)
    group, first = rollups._groups([hs6, bins])
    counted = np.bincount(group, minlength=len(first))
    # (not through ``_nulls``: a bin below 1 USD/kg is negative)
    groups.append(
        ("unitvaluerollup", ("hs6", "bin", "shipments"), [hs6[first], bins[first], counted])
    )
    firms = [
        (int(case_id), int(dataset_id), *group)
        for role, column in rollups._SIDES
        for group in rollups._firm_sums(role, columns[column], columns["value_usd"])
    ]
    conn = session.connection().connection.driver_connection
    with conn.cursor() as cursor:
        firsts = [reserve_ids(session, cursor, t, len(v[0])) for t, _, v in groups]
    head = [int(case_id), int(dataset_id)]
    with indexes_building(session):
        texts = [
            _copy_text(head, values, first)
            for (_, _, values), first in zip(groups, firsts, strict=True)
        ]
    with conn.cursor() as cursor:
        for (table, names, _), first, chunks in zip(groups, firsts, texts, strict=True):
            names = ("case_id", "dataset_id", *(("id",) if first is not None else ()), *names)
            with copy_into(cursor, table, ", ".join(names)) as copy:
                for chunk in chunks:
                    copy.write(chunk)
        columns = "case_id, dataset_id, firm_id, role, shipments, value_usd"
        with copy_into(cursor, "firmrollup", columns) as copy:
            for row in firms:
                copy.write_row(row)


def unit_value_bins(columns: dict):
    """``(hs6, log bin)`` of each priced row (``rollups.PRICED``): the bin as
    ``rollups.UNIT_BIN`` computes it on the server (``round`` of a double rounds half to even
    there, as ``numpy.rint``)."""
    import numpy as np
    import pandas as pd

    hs6, value, weight = columns["hs6"], columns["value_usd"], columns["net_weight"]
    with np.errstate(invalid="ignore"):
        priced = pd.notna(hs6) & (value > 0) & (weight > 0)
    ratio = value[priced] / weight[priced]
    bins = np.rint(np.log(ratio) * rollups.LOG_BINS).astype(np.int64)
    return hs6[priced], bins


def _copy_text(head: list[int], values: list, first: int | None) -> list[str]:
    """The groups (one array per column, None or NaN for NULL) as ``COPY`` text, a chunk per
    ``BATCH`` rows, made a column at a time (``write_row`` of a million groups, a value at a
    time, took longer than the server's own work on them); each row led by ``head`` and, when
    ``first`` is given, its id (``first``, ``first + 1``, …)."""
    import numpy as np

    count = len(values[0])
    fields = [_texts(v) for v in values]
    if first is not None:
        fields.insert(0, _texts(np.arange(first, first + count, dtype=np.int64)))
    prefix = "\t".join(str(v) for v in head) + "\t"
    return [
        "".join(
            prefix + "\t".join(row) + "\n"
            for row in zip(*(f[start : start + BATCH] for f in fields), strict=True)
        )
        for start in range(0, count, BATCH)
    ]


#: NULL in ``COPY`` text, and what its text fields escape.
_NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _texts(column) -> list[str]:
    """A column's values as ``COPY`` text fields: numbers as Python writes them (a float's
    shortest exact form), None and NaN as NULL, text escaped (once per distinct value)."""
    import numpy as np
    import pandas as pd

    if column.dtype.kind in "iu":
        return list(map(str, column.tolist()))
    if column.dtype.kind == "f":
        texts = np.asarray(list(map(repr, column.tolist())), dtype=object)
        texts[np.isnan(column)] = _NULL
        return texts.tolist()
    codes, uniques = pd.factorize(column)
    out = [_NULL if isinstance(v, float) else _field(v) for v in uniques.tolist()]
    return np.asarray([*out, _NULL], dtype=object)[codes].tolist()


def _field(value) -> str:
    return str(value).translate(_ESCAPES)
