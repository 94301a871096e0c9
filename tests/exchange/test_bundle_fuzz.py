"""Fuzzing a bundle's records: whatever wrong type or nesting a field of a record (or a shipment
row) is given, opening the bundle is refused with a message — never a traceback — and the store
is left exactly as it was."""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook.book import Casebook
from casebook.core.errors import Refused


def _load(name: str, file: str):
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(file))
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


zips = _load("bundle_fuzz_zips", "zips.py")
fixtures = _load("bundle_fuzz_fixtures", "conftest.py")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> dict[str, bytes]:
    """The members of a real bundle (shipments, evidence, relationship, finding, links)."""
    folder = tmp_path_factory.mktemp("fuzz-base")
    with Casebook.open(folder / "base.db", create=True) as book:
        filled = fixtures.fill_case(book, folder)
        out = folder / "case.casebook"
        book.export_case(case_ref=filled.ref, out=out)
    return zips.members_of(out)


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    with Casebook.open(tmp_path_factory.mktemp("fuzz-target") / "t.db", create=True) as book:
        yield book


class Deep:
    """A list nested ``depth`` deep, spliced into the JSON as text (``json`` and hypothesis's
    printer would recurse on the value itself)."""

    def __init__(self, depth: int):
        self.depth = depth

    def __repr__(self) -> str:
        return f"Deep({self.depth})"

    def placeholder(self) -> str:
        return f"@@deep{self.depth}@@"

    def splice(self, data: bytes) -> bytes:
        nested = b"[" * self.depth + b"]" * self.depth
        return data.replace(json.dumps(self.placeholder()).encode(), nested)


SCALARS = st.one_of(
    st.integers(-(2**70), 2**70), st.floats(allow_nan=False, allow_infinity=False), st.booleans()
)
JSON = st.recursive(
    st.one_of(st.none(), SCALARS, st.text(max_size=20)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
DEEP = st.integers(17, 100_000).map(Deep)


def confusion(base_value) -> st.SearchStrategy:
    """A value of another JSON type than ``base_value``'s (so never a valid one), or deep."""
    if isinstance(base_value, bool):
        wrong = st.one_of(st.integers(), st.text(max_size=8), st.lists(JSON, max_size=3))
    elif isinstance(base_value, int | float):
        wrong = st.one_of(st.booleans(), st.text(max_size=8), st.lists(JSON, max_size=3),
                          st.dictionaries(st.text(max_size=5), JSON, max_size=3))  # fmt: skip
    elif isinstance(base_value, str):
        wrong = st.one_of(SCALARS, st.lists(JSON, max_size=3),
                          st.dictionaries(st.text(max_size=5), JSON, max_size=3))  # fmt: skip
    elif isinstance(base_value, list):
        wrong = st.one_of(SCALARS, st.text(max_size=8),
                          st.lists(st.one_of(SCALARS, st.none()), min_size=1, max_size=3))  # fmt: skip
    else:
        wrong = st.one_of(SCALARS, st.text(max_size=8), st.lists(JSON, max_size=3))
    return st.one_of(wrong, DEEP)


def _places(members: dict[str, bytes]) -> list[tuple]:
    """Every (where, field, value) a mutation can hit: the fields of each record in
    records.json, the columns of the first shipment row, and whole records."""
    records = json.loads(members["records.json"])
    places: list[tuple] = [(("case",), name, v) for name, v in records["case"].items()]
    for table in ("firms", "datasets", "evidence", "relationships", "findings"):
        for uid, record in records[table].items():
            places.append(((table,), uid, record))
            places += [((table, uid), name, v) for name, v in record.items()]
    for n, link in enumerate(records["links"]):
        places.append((("links",), n, link))
        places += [(("links", n), name, v) for name, v in link.items()]
    shipments = next(n for n in members if n.startswith("shipments/"))
    row = json.loads(members[shipments].splitlines()[0])
    places += [((shipments,), name, v) for name, v in row.items()]
    return [p for p in places if p[2] is not None]


@st.composite
def mutations(draw, members):
    where, name, value = draw(st.sampled_from(_places(members)))
    return where, name, draw(confusion(value))


def _apply(members: dict[str, bytes], mutation) -> dict[str, bytes]:
    where, name, value = mutation
    deep = value if isinstance(value, Deep) else None
    value = deep.placeholder() if deep else value
    members = dict(members)
    if where[0].startswith("shipments/"):
        member = where[0]
        lines = members[member].splitlines()
        row = json.loads(lines[0])
        row[name] = value
        lines[0] = json.dumps(row).encode()
        members[member] = b"\n".join(lines) + b"\n"
    else:
        member = "records.json"
        records = json.loads(members[member])
        node = records
        for step in where:
            node = node[step]
        node[name] = value
        members[member] = json.dumps(records).encode()
    if deep:
        members[member] = deep.splice(members[member])
    return members


@pytest.mark.slow
def test_type_confusions_and_nesting_are_refused_and_write_nothing(base, target):
    before = (target.head_hash(), target.list_cases(), target.list_firms())

    @settings(
        max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(mutation=mutations(base))
    def check(mutation):
        with tempfile.TemporaryDirectory() as temp:
            forged = zips.rebuild(Path(temp) / "forged.casebook", _apply(base, mutation))
            with pytest.raises(Refused):
                target.open_bundle(forged)
        assert (target.head_hash(), target.list_cases(), target.list_firms()) == before
        assert list(target.vault.blobs()) == []

    check()
