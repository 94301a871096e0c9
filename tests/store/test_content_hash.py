"""store.shipments.content_hash: the documented byte layout, the same from the import's arrays
and from rows read back (``verify`` recomputes it from the stored rows)."""

from __future__ import annotations

import hashlib

import numpy as np

from casebook.store.shipments import _FLOATS, HASHED, content_hash

TEXTS = ["СТАНОК С ЧПУ", None, "СТАНОК С ЧПУ", "", "bad \udcff byte", None, "x"]


def _by_hand(columns: dict[str, list]) -> str:
    """The layout content_hash documents, written out value by value."""
    digest = hashlib.sha256()
    for name in HASHED:
        values = columns[name]
        digest.update(name.encode() + b"\0")
        if name == "source_row":
            digest.update(np.asarray(values, dtype=np.int64).tobytes())
        elif name in _FLOATS:
            numbers = [np.nan if v is None else v + 0.0 for v in values]
            digest.update(np.asarray(numbers, dtype=np.float64).tobytes())
        else:
            texts = [None if v is None else str(v) for v in values]
            digest.update(np.asarray([-1 if t is None else len(t) for t in texts]).tobytes())
            digest.update("".join(t for t in texts if t).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _columns() -> dict[str, list]:
    count = len(TEXTS)
    columns: dict[str, list] = {}
    for n, name in enumerate(HASHED):
        if name == "source_row":
            columns[name] = list(range(2, 2 + count))
        elif name in _FLOATS:
            columns[name] = [None if i % 3 == 0 else float(i * n) for i in range(count)]
        else:
            columns[name] = TEXTS[n % 3 :] + TEXTS[: n % 3]
    columns["item_no"] = [1, "2", None, 4, "5", None, 7]  # numbers stored in a text column
    return columns


def test_repeated_texts_nulls_and_numbers_hash_as_documented():
    columns = _columns()
    assert content_hash(columns) == _by_hand(columns)


def test_the_import_arrays_and_rows_read_back_hash_alike():
    columns = _columns()
    arrays = {
        name: np.asarray(
            [np.nan if v is None else v for v in values] if name in _FLOATS else values,
            dtype=np.float64 if name in _FLOATS else object,
        )
        for name, values in columns.items()
    }
    assert content_hash(arrays) == content_hash(columns)


def test_a_changed_text_changes_the_hash():
    columns = _columns()
    before = content_hash(columns)
    columns["description"] = ["СТАНОК С ЧПУ", None, "СТАНОК С ЧПУ", "", "x", None, "x"]
    assert content_hash(columns) != before
