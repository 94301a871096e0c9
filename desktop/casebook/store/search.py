"""Full-text search over the store: SQLite FTS5 with the trigram tokenizer (migration 0003).

The SQLite-specific details of search live here, in the migration and in ``store.sqlite`` (the
FTS5 ``MATCH`` syntax and BM25 ranking), so a PostgreSQL store can replace them (``pg_trgm``
and ``tsvector``) behind the same functions.

Index rows: rowid = kind code * 2**40 + record id; the views ``search_doc_<kind>`` build the
text. Triggers keep cases, firms, evidence and findings in sync; shipments are indexed in bulk
by ``index_dataset`` after an import and removed by ``unindex_dataset`` before a delete.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import text as sql
from sqlmodel import Session

from casebook.store import backend, sqlite

#: Kind codes of index rows, in the order results are grouped.
KINDS = {"case": 1, "firm": 2, "shipment": 3, "evidence": 4, "finding": 5, "person": 6}
SPAN = 1 << 40
LIMIT = 50
MIN_TRIGRAM = 3
SNIPPET_BEFORE, SNIPPET_AFTER = 30, 60
BODY_CHARS = 200_000  # enough to find a snippet in; evidence text can run to megabytes
RANK_CAP = 200  # BM25 over a few hundred long evidence texts already costs ~20 ms
#: Kinds a query of only 1–2 characters scans (by word start); shipments are too many for it.
SHORT_KINDS = ("case", "firm", "evidence", "finding", "person")
HIGHLIGHT = ("[", "]")
TITLE_CHARS = 160
SEARCH_OBJECTS = re.compile(
    r"^search_(index|text|declaration|doc_\w+)(_(data|idx|content|docsize|config))?$"
)


def is_search_object(name: str | None) -> bool:
    """True for the index's table, shadow tables and views (kept out of the SQLModel metadata)."""
    return bool(name and SEARCH_OBJECTS.match(name))


def doc_id(kind: str, record_id: int) -> int:
    """The index rowid of a record."""
    return KINDS[kind] * SPAN + record_id


def intern_texts(session: Session, texts: list[str], *, case_id: int) -> list[int]:
    """The ``shipmenttext`` id of each of ``texts`` (distinct, non-empty), adding the new ones
    and indexing them: an import's descriptions, each once, however many rows repeat them.

    On a server the texts are the case's own (migration 0015): the trigram index covers them
    instead of every shipment's description."""
    if backend.is_server(session):
        return backend.of(session).intern_texts(session, texts, case_id=case_id)
    conn = backend.raw_connection(session)
    mark = _max_text_id(conn)
    conn.execute("CREATE TEMP TABLE import_text (n INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    try:
        conn.executemany("INSERT INTO import_text (n, text) VALUES (?, ?)", enumerate(texts))
        conn.execute(
            "INSERT INTO shipmenttext (text) SELECT text FROM import_text WHERE true ORDER BY n "
            "ON CONFLICT (text) DO NOTHING"
        )
        ids = [0] * len(texts)
        for n, text_id in conn.execute(
            "SELECT i.n, t.id FROM import_text AS i JOIN shipmenttext AS t ON t.text = i.text"
        ):
            ids[n] = text_id
    finally:
        conn.execute("DROP TABLE import_text")
    sqlite.index_texts(session, after=mark)
    return ids


def _max_text_id(conn) -> int:
    return conn.execute("SELECT coalesce(max(id), 0) FROM shipmenttext").fetchone()[0]


def index_dataset(session: Session, *, dataset_id: int, fresh: bool = False) -> int:
    """Point a dataset's shipments without a ``text_id`` to their description's row (added and
    indexed when new); returns how many of its shipments the index covers.

    An import sets ``text_id`` as it inserts (``intern_texts``); rows written otherwise (a
    bundle, a script) are indexed here in SQL. ``fresh`` is kept for callers; it changes nothing.
    """
    if backend.is_server(session):  # the case's own texts; the trigram index keeps itself
        return backend.of(session).index_dataset_texts(session, dataset_id=dataset_id)
    conn = sqlite.raw_connection(session)
    mark = _max_text_id(conn)
    missing = "dataset_id = ? AND text_id IS NULL AND description != ''"
    conn.execute(
        f"INSERT INTO shipmenttext (text) SELECT DISTINCT description FROM shipment "
        f"WHERE {missing} ON CONFLICT (text) DO NOTHING",
        (dataset_id,),
    )
    conn.execute(
        "UPDATE shipment SET text_id = (SELECT t.id FROM shipmenttext AS t "
        f"WHERE t.text = shipment.description) WHERE {missing}",
        (dataset_id,),
    )
    sqlite.index_texts(session, after=mark)
    sqlite.index_declarations(session, where="dataset_id = ?", params=(dataset_id,))
    return conn.execute(
        "SELECT count(*) FROM shipment WHERE dataset_id = ? AND text_id IS NOT NULL", (dataset_id,)
    ).fetchone()[0]


def index_declarations(session: Session, *, first_id: int) -> None:
    """Make the declaration numbers of the shipments from ``first_id`` on (an import's rows)
    searchable by their trigrams; nothing on a server (its trigram index keeps itself)."""
    if not backend.is_server(session):
        sqlite.index_declarations(session, where="id >= ?", params=(first_id,))


def unindex_dataset(session: Session, *, dataset_id: int) -> int:
    """Take a dataset's shipments out of the search (their rows stay); returns how many.
    Deleting the rows needs no call: the search reads shipments through their rows."""
    if backend.is_server(session):
        return 0
    result = session.execute(
        sql(
            "UPDATE shipment SET text_id = NULL WHERE dataset_id = :dataset AND text_id IS NOT NULL"
        ),
        {"dataset": dataset_id},
    )
    return result.rowcount


#: Tables whose inserted rows each re-index their whole firm through an ``…_ai`` trigger.
FIRM_TABLES = ("firm", "firmalias", "firmidentifier")


@contextmanager
def firms_indexed_once(session: Session) -> Iterator[None]:
    """Index the firms that a bulk write inserts, or gives aliases or identifiers, once at the end.

    Inside, the insert triggers of ``FIRM_TABLES`` are dropped (in the caller's transaction, so a
    rollback restores them): otherwise every alias and identifier of an import re-indexes its
    firm's whole document, several times per firm. On success the triggers are created again and
    the touched firms are indexed from ``search_doc_firm``, exactly as the triggers would have
    left them. On an error nothing is done here: the write session rolls back, which restores the
    triggers (SQLite may already have rolled back, e.g. on a full disk, so creating them again
    would fail and hide the error).
    """
    if backend.is_server(session):  # nothing to keep in step on a server
        yield
        return
    conn = sqlite.raw_connection(session)
    marks = [
        conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {t}").fetchone()[0] for t in FIRM_TABLES
    ]
    names = ", ".join(f"'search_{t}_ai'" for t in FIRM_TABLES)
    triggers = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({names})"
    ).fetchall()
    for name, _ in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    yield
    for _, statement in triggers:
        conn.execute(statement)
    touched = (
        "SELECT id FROM firm WHERE rowid > ? UNION SELECT firm_id FROM firmalias WHERE rowid > ? "
        "UNION SELECT firm_id FROM firmidentifier WHERE rowid > ?"
    )
    base = KINDS["firm"] * SPAN
    conn.execute(
        f"DELETE FROM search_index WHERE rowid IN (SELECT ? + id FROM ({touched}))", (base, *marks)
    )
    conn.execute(
        "INSERT INTO search_index (rowid, title, body, case_id) "
        f"SELECT doc_id, title, body, case_id FROM search_doc_firm WHERE id IN ({touched})",
        marks,
    )


def rebuild_index(session: Session) -> int:
    """Drop every index row and index the whole store again; returns the row count."""
    if backend.is_server(session):  # shipments written without their text get it
        for (dataset_id,) in session.execute(
            sql(
                "SELECT DISTINCT dataset_id FROM shipment WHERE text_id IS NULL AND description <> ''"
            )
        ).all():
            index_dataset(session, dataset_id=dataset_id)
        return sum(index_count(session, kind=kind) for kind in KINDS)
    session.execute(sql("DELETE FROM search_index"))
    sqlite.rebuild_text_index(session)
    sqlite.drop_declaration_index(session)
    sqlite.index_declarations(session)
    conn = sqlite.raw_connection(session)
    datasets = conn.execute("SELECT DISTINCT dataset_id FROM shipment WHERE text_id IS NULL")
    for (dataset_id,) in datasets.fetchall():
        index_dataset(session, dataset_id=dataset_id)
    total = index_count(session, kind="shipment")
    for kind in KINDS:
        if kind == "shipment":
            continue
        total += session.execute(
            sql(
                "INSERT INTO search_index (rowid, title, body, case_id) "
                f"SELECT doc_id, title, body, case_id FROM search_doc_{kind}"
            )
        ).rowcount
    return total


def index_count(session: Session, *, kind: str) -> int:
    """How many records of a kind the index holds."""
    if backend.is_server(session):  # every record: the server indexes the columns themselves
        table = {"case": '"case"', "firm": "firm WHERE merged_into IS NULL"}.get(kind, kind)
        return session.execute(sql(f"SELECT count(*) FROM {table}")).scalar_one()
    if kind == "shipment":
        return session.execute(
            sql("SELECT count(*) FROM shipment WHERE text_id IS NOT NULL")
        ).scalar_one()
    lo, hi = _range(kind)
    return session.execute(
        sql("SELECT count(*) FROM search_index WHERE rowid BETWEEN :lo AND :hi"),
        {"lo": lo, "hi": hi},
    ).scalar_one()


@dataclass(frozen=True)
class Query:
    """A search text split into trigram phrases (3+ characters) and short words."""

    phrases: tuple[str, ...]
    short: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.phrases and not self.short


def parse_query(text: str) -> Query:
    """Split ``text`` on white space into phrases for the trigram index and short words."""
    words = [w for w in (text or "").split() if w.strip('"')]
    words = [w.replace('"', "") for w in words]
    return Query(
        phrases=tuple(w for w in words if len(w) >= MIN_TRIGRAM),
        short=tuple(w for w in words if len(w) < MIN_TRIGRAM),
    )


def search_all(
    session: Session, *, query: Query, case_id: int | None = None, limit: int = LIMIT
) -> dict[str, list[dict]]:
    """``search_kind`` of every kind, ``{kind: hits}`` in ``KINDS`` order; on a server in one
    statement (a round trip per kind cost more than the server's work)."""
    if not backend.is_server(session):
        return {
            kind: search_kind(session, kind=kind, query=query, case_id=case_id, limit=limit)
            for kind in KINDS
        }
    kinds = tuple(k for k in KINDS if not _skipped(k, query))
    rows = backend.of(session).search_all_rows(
        session,
        kinds=kinds,
        phrases=query.phrases,
        short=query.short,
        case_id=case_id,
        limit=limit,
        body_chars=BODY_CHARS,
    )
    return {kind: [_hit(row, query) for row in rows.get(kind, [])] for kind in KINDS}


def _skipped(kind: str, query: Query) -> bool:
    """Whether a kind cannot match a query: an empty one, or only short words for shipments."""
    return query.empty or (not query.phrases and kind not in SHORT_KINDS)


def search_kind(
    session: Session, *, kind: str, query: Query, case_id: int | None = None, limit: int = LIMIT
) -> list[dict]:
    """Up to ``limit`` hits of one kind: ``{id, case_id, title, snippet}``.

    Hits are ranked (BM25) when at most ``RANK_CAP`` records of the kind match; broader
    queries, and shipments always, list the newest records first, so a query that matches a
    million rows costs no more than one that matches fifty. A query of only 1–2 characters
    matches word starts in titles, and skips shipments.
    """
    if _skipped(kind, query):
        return []
    if backend.is_server(session):
        rows = backend.of(session).search_rows(
            session,
            kind=kind,
            phrases=query.phrases,
            short=query.short,
            case_id=case_id,
            limit=limit,
            body_chars=BODY_CHARS,
        )
        return [_hit(row, query) for row in rows]
    if kind == "shipment":
        return _search_shipments(session, query=query, case_id=case_id, limit=limit)
    lo, hi = _range(kind)
    params: dict = {"lo": lo, "hi": hi, "limit": limit, "base": lo}
    where = ["search_index.rowid BETWEEN :lo AND :hi"]
    if query.phrases:
        where.append(sqlite.match_condition("search_index", query.phrases, params))
    where += _short_filters(query, params, prefix=not query.phrases)
    where += _case_filter(kind, case_id, params)
    condition = " AND ".join(where)
    ranked = query.phrases and kind != "shipment" and _matches_at_most(session, condition, params)
    order = sqlite.rank_order("search_index") if ranked else "search_index.rowid DESC"
    rows = _fetch(
        session,
        f"SELECT search_index.rowid - :base, case_id, title, substr(body, 1, {BODY_CHARS}) "
        f"FROM search_index WHERE {condition} ORDER BY {order} LIMIT :limit",
        params,
    )
    return [_hit(row, query) for row in rows]


def _fetch(session: Session, statement: str, params: dict | None = None) -> list[tuple]:
    """The rows of a search statement, run on the DB-API connection of the session: a search
    makes a dozen small statements, and SQLAlchemy's compiling and result set-up of each cost
    more than SQLite's work (the sqlite3 module keeps each statement prepared)."""
    conn = backend.raw_connection(session)
    return conn.execute(statement, params or {}).fetchall()


def _hit(row, query: Query) -> dict:
    """A hit from ``(id, case_id, title, body)``."""
    return {
        "id": row[0],
        "case_id": row[1],
        "title": _clip(row[2]),
        "snippet": make_snippet(row[2], row[3], query=query),
    }


#: Up to this many matching texts, each text's newest shipments are looked up by index; beyond
#: it the shipments are read newest first until enough of them match.
FEW_TEXTS = 100
#: What a declaration number may hold besides digits, for a query to be looked up there too.
DECLARATION_CHARS = frozenset("0123456789/-")


def _search_shipments(session: Session, *, query: Query, case_id: int | None, limit: int):
    """Shipments whose description holds every phrase (through the index of distinct texts),
    or whose declaration number holds the query's one number-like phrase; newest first.

    Declaration numbers are nearly as many as the rows and have no index of their own (it
    would cost a tenth of the store): they are read newest first, so a number on many rows is
    found at once and a number on few rows costs a pass over the rows (about 1 s a million).
    """
    params: dict = {"limit": limit}
    where = _short_filters(
        query, params, prefix=False, title="s.description", body="s.declaration_no"
    )
    if case_id is not None:
        params["case"] = case_id
        where.append("s.case_id = :case")
    texts = sqlite.texts_matching(query.phrases, params)
    few = _fetch(session, f"{texts} LIMIT {FEW_TEXTS + 1}", params)
    if len(few) <= FEW_TEXTS:  # each text's newest shipments, through the text_id index
        params.update({f"t{n}": text_id for n, (text_id,) in enumerate(few)})
        picks = [_newest(f"s.text_id = :t{n}", where) for n in range(len(few))]
    elif recent := _recent_matches(session, query, where, params):
        picks = [recent]
    else:  # "+": read the shipments newest first, not through the text_id index
        picks = [_newest(f"+s.text_id IN ({texts})", where)]
    if len(query.phrases) == 1 and set(query.phrases[0]) <= DECLARATION_CHARS:
        params["number"] = query.phrases[0]
        test = "instr(s.declaration_no, :number) > 0"
        if sqlite.has_declaration_index(sqlite.raw_connection(session)):
            params["grams"] = sqlite.declaration_trigrams(query.phrases[0])
            picks.append(_declared(test, where))
        else:  # a store no import or rebuild has given the table yet: a pass over the rows
            picks.append(_newest(test, where))
    if not picks:
        return []
    ids = f"SELECT id FROM ({' UNION '.join(picks)}) AS picked ORDER BY id DESC LIMIT :limit"
    rows = _fetch(
        session,
        "SELECT s.id, s.case_id, s.description, s.declaration_no, s.item_no "
        f"FROM shipment AS s WHERE s.id IN ({ids}) ORDER BY s.id DESC",
        params,
    )
    return [
        {
            "id": r[0],
            "case_id": r[1],
            "title": _clip(r[2]),
            "snippet": make_snippet(r[2], f"{r[3] or ''} {r[4] or ''}", query=query),
        }
        for r in rows
    ]


#: A query matching many texts first looks among this many newest shipments.
RECENT_ROWS = 20_000


def _recent_matches(session: Session, query: Query, where: list[str], params: dict) -> str:
    """For a query matching many texts: the newest shipments whose description holds every
    phrase, when ``:limit`` of them are among the newest ``RECENT_ROWS`` (a broad query's
    usual case), as a query of ids; else "" (then every matching text is looked up)."""
    tests = [sqlite.contains_clause("s.description", f":w{n}") for n in range(len(query.phrases))]
    params.update({f"w{n}": phrase for n, phrase in enumerate(query.phrases)})
    recent = f"(SELECT * FROM shipment ORDER BY id DESC LIMIT {RECENT_ROWS})"
    test = " AND ".join(["s.text_id IS NOT NULL", *tests, *where])
    # No ORDER BY here: the rows come newest first, and the LIMIT stops at the last hit needed.
    ids = f"SELECT s.id FROM {recent} AS s WHERE {test} LIMIT :limit"
    found = [int(id_) for (id_,) in _fetch(session, ids, params)]
    if len(found) < params["limit"]:
        return ""
    # The ids found, not the query again: it costs as much as the rest of a search.
    return f"SELECT id FROM shipment WHERE id IN ({', '.join(map(str, found))})"


def _newest(condition: str, where: list[str]) -> str:
    """The ids of the newest ``:limit`` shipments meeting ``condition`` and ``where``."""
    test = " AND ".join([condition, *where])
    return (
        f"SELECT * FROM (SELECT s.id FROM shipment AS s WHERE {test} "
        "ORDER BY s.id DESC LIMIT :limit) AS newest"
    )


def _declared(condition: str, where: list[str]) -> str:
    """The ids of the newest ``:limit`` shipments meeting ``condition`` and ``where`` among
    those whose declaration number holds every trigram of ``:grams``, read newest first from
    the declaration numbers' trigram table (so a number on many rows stops at the first hits,
    and one on few rows costs a few index lookups, not a pass over the rows)."""
    test = " AND ".join([condition, *where])
    table = sqlite.DECLARATIONS
    # ORDER BY the table's rowid: FTS5 hands its matches out newest first, no sort.
    return (
        f"SELECT * FROM (SELECT s.id FROM {table} AS c JOIN shipment AS s ON s.id = c.rowid "
        f"WHERE {table} MATCH :grams AND {test} ORDER BY c.rowid DESC LIMIT :limit) AS declared"
    )


def _matches_at_most(session: Session, condition: str, params: dict) -> bool:
    [(count,)] = _fetch(
        session,
        f"SELECT count(*) FROM (SELECT 1 FROM search_index WHERE {condition} LIMIT {RANK_CAP + 1})",
        params,
    )
    return count <= RANK_CAP


def _clip(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1] + "…"


def make_snippet(title: str | None, body: str | None, *, query: Query) -> str:
    """About 80 characters around the first match in the title or body, marked ``[…]``."""
    words = query.phrases or query.short
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    for text in (title or "", body or ""):
        found = pattern.search(text)
        if found:
            return _around(text, found.start(), found.end())
    return _clip(title)


def _around(text: str, start: int, end: int) -> str:
    lo, hi = max(0, start - SNIPPET_BEFORE), min(len(text), end + SNIPPET_AFTER)
    head, tail = ("…" if lo else ""), ("…" if hi < len(text) else "")
    left, right = HIGHLIGHT
    piece = f"{head}{text[lo:start]}{left}{text[start:end]}{right}{text[end:hi]}{tail}"
    return " ".join(piece.split())


def _range(kind: str) -> tuple[int, int]:
    base = KINDS[kind] * SPAN
    return base, base + SPAN - 1


def _short_filters(
    query: Query, params: dict, *, prefix: bool, title: str = "title", body: str = "body"
) -> list[str]:
    """LIKE filters for words under 3 characters (word prefixes when nothing else matches).

    SQLite's LIKE folds only ASCII case, so each word is tried in every upper/lower spelling.
    """
    filters = []
    for n, word in enumerate(query.short):
        options = []
        for m, variant in enumerate(_case_variants(word)):
            key = f"s{n}_{m}"
            escaped = re.sub(r"([\\%_])", r"\\\1", variant)
            if prefix:
                params[key] = f"{escaped}%"
                params[key + "w"] = f"% {escaped}%"
                options.append(
                    f"{title} LIKE :{key} ESCAPE '\\' OR {title} LIKE :{key}w ESCAPE '\\'"
                )
            else:
                params[key] = f"%{escaped}%"
                options.append(f"{title} LIKE :{key} ESCAPE '\\' OR {body} LIKE :{key} ESCAPE '\\'")
        filters.append("(" + " OR ".join(options) + ")")
    return filters


def _case_variants(word: str) -> list[str]:
    pairs = [sorted({c.lower(), c.upper()}) for c in word]
    return ["".join(p) for p in itertools.product(*pairs)]


def _case_filter(kind: str, case_id: int | None, params: dict) -> list[str]:
    if case_id is None:
        return []
    params["case"] = case_id
    if kind == "firm":
        return [
            "search_index.rowid - :base IN (SELECT firm_id FROM casefirm WHERE case_id = :case)"
        ]
    return ["case_id = :case"]


_LABELS = {
    "case": 'SELECT c.id, c.uid, c.ref, NULL FROM "case" AS c WHERE c.id IN ({ids})',
    "firm": "SELECT f.id, f.uid, NULL, f.country FROM firm AS f WHERE f.id IN ({ids})",
    "shipment": (
        "SELECT s.id, d.uid || ':' || s.source_row, c.ref, s.declaration_no "
        'FROM shipment AS s JOIN dataset AS d ON d.id = s.dataset_id JOIN "case" AS c '
        "ON c.id = s.case_id WHERE s.id IN ({ids})"
    ),
    "evidence": (
        "SELECT e.id, e.uid, c.ref, 'E' || e.number FROM evidence AS e "
        'JOIN "case" AS c ON c.id = e.case_id WHERE e.id IN ({ids})'
    ),
    "finding": (
        "SELECT g.id, g.uid, c.ref, g.position FROM finding AS g "
        'JOIN "case" AS c ON c.id = g.case_id WHERE g.id IN ({ids})'
    ),
    "person": (
        "SELECT p.id, p.uid, c.ref, p.birth_date FROM person AS p "
        'JOIN "case" AS c ON c.id = p.case_id WHERE p.id IN ({ids})'
    ),
}


def label_hits(session: Session, *, kind: str, ids: list[int]) -> dict[int, tuple]:
    """``id -> (uid, case_ref, extra)`` for hits of one kind (extra: E-number, country, …)."""
    if not ids:
        return {}
    statement = _LABELS[kind].format(ids=", ".join(str(int(i)) for i in ids))
    return {row[0]: tuple(row[1:]) for row in _fetch(session, statement)}


def label_all(session: Session, *, ids: dict[str, list[int]]) -> dict[str, dict[int, tuple]]:
    """``label_hits`` of several kinds (``{kind: ids}``); on a server in one statement, the
    extra as text."""
    if not backend.is_server(session):
        return {kind: label_hits(session, kind=kind, ids=found) for kind, found in ids.items()}
    statements = {
        kind: _LABELS[kind].format(ids=", ".join(str(int(i)) for i in found))
        for kind, found in ids.items()
        if found
    }
    rows = backend.of(session).label_rows(session, statements)
    return {kind: {row[0]: tuple(row[1:]) for row in rows.get(kind, [])} for kind in ids}
