"""search index (SQLite FTS5, trigram tokenizer)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 18:40:00

One FTS5 table ``search_index(title, body, case_id UNINDEXED)`` over cases, firms (with their
aliases and identifiers), shipments, evidence and findings. A row's rowid is
``kind code * 2**40 + record id`` (case 1, firm 2, shipment 3, evidence 4, finding 5), so a
record is found by rowid and each kind is one rowid range. One view per kind builds the indexed
text, so triggers, the bulk dataset path and a rebuild share the same definition.

Small tables keep the index in sync through triggers, in the writer's transaction. Shipments
have no triggers: a bulk import calls ``casebook.store.search.index_dataset`` once, after its
rows are inserted (and ``unindex_dataset`` before deleting them).

On PostgreSQL there is no FTS5: the ``pg_trgm`` extension and one trigram GIN index per searched
column let ``ILIKE '%phrase%'`` find a substring in any script through an index (see
``casebook.store.postgres``), and the server keeps those indexes in step itself, so no views,
triggers or index table are made. The lens's any-case text test is an SQL function there
(SQLite registers a Python one on every connection).
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SPAN = 1 << 40

VIEWS = {
    "search_doc_case": f"""
        SELECT 1 * {SPAN} + c.id AS doc_id, c.id AS id, c.title AS title,
               c.ref || ' ' || coalesce(c.summary, '') AS body, c.id AS case_id
        FROM "case" AS c""",
    "search_doc_firm": f"""
        SELECT 2 * {SPAN} + f.id AS doc_id, f.id AS id, f.name AS title,
               coalesce(f.native_name, '')
               || ' ' || coalesce((SELECT group_concat(a.name, ' | ') FROM firmalias AS a
                                   WHERE a.firm_id = f.id), '')
               || ' ' || coalesce((SELECT group_concat(i.value, ' ') FROM firmidentifier AS i
                                   WHERE i.firm_id = f.id), '')
               || ' ' || coalesce(f.address, '') AS body,
               NULL AS case_id
        FROM firm AS f WHERE f.merged_into IS NULL""",
    "search_doc_shipment": f"""
        SELECT 3 * {SPAN} + s.id AS doc_id, s.id AS id, s.dataset_id AS dataset_id,
               coalesce(s.description, '') AS title,
               coalesce(s.declaration_no, '') || ' ' || coalesce(s.item_no, '') AS body,
               s.case_id AS case_id
        FROM shipment AS s""",
    "search_doc_evidence": f"""
        SELECT 4 * {SPAN} + e.id AS doc_id, e.id AS id, e.title AS title,
               coalesce(e.publisher, '') || ' ' || coalesce(e.original_name, '')
               || ' ' || coalesce(e.excerpt, '') || ' ' || coalesce(e.notes, '')
               || ' ' || coalesce(e.text, '') AS body,
               e.case_id AS case_id
        FROM evidence AS e""",
    "search_doc_finding": f"""
        SELECT 5 * {SPAN} + g.id AS doc_id, g.id AS id, g.text AS title, '' AS body,
               g.case_id AS case_id
        FROM finding AS g""",
}

# (table, kind code, view, columns whose update changes the indexed text)
SYNCED = [
    ("case", 1, "search_doc_case", "ref, title, summary"),
    ("firm", 2, "search_doc_firm", "name, native_name, address, merged_into"),
    ("evidence", 4, "search_doc_evidence", "title, publisher, original_name, excerpt, notes, text"),
    ("finding", 5, "search_doc_finding", "text, case_id"),
]
# Child tables whose rows are part of a firm's document.
FIRM_PARTS = ["firmalias", "firmidentifier"]


def _refresh(code: int, view: str, key: str, row: str) -> str:
    return (
        f"DELETE FROM search_index WHERE rowid = {code} * {SPAN} + {row}.{key}; "
        f"INSERT INTO search_index (rowid, title, body, case_id) "
        f"SELECT doc_id, title, body, case_id FROM {view} WHERE id = {row}.{key};"
    )


def _delete(code: int, row: str, key: str) -> str:
    return f"DELETE FROM search_index WHERE rowid = {code} * {SPAN} + {row}.{key};"


def _triggers() -> list[str]:
    statements = []
    for table, code, view, columns in SYNCED:
        quoted = f'"{table}"'
        statements += [
            f"CREATE TRIGGER search_{table}_ai AFTER INSERT ON {quoted} BEGIN "
            f"{_refresh(code, view, 'id', 'NEW')} END",
            f"CREATE TRIGGER search_{table}_au AFTER UPDATE OF {columns} ON {quoted} BEGIN "
            f"{_delete(code, 'OLD', 'id')} {_refresh(code, view, 'id', 'NEW')} END",
            f"CREATE TRIGGER search_{table}_ad AFTER DELETE ON {quoted} BEGIN "
            f"{_delete(code, 'OLD', 'id')} END",
        ]
    for table in FIRM_PARTS:
        statements += [
            f"CREATE TRIGGER search_{table}_ai AFTER INSERT ON {table} BEGIN "
            f"{_refresh(2, 'search_doc_firm', 'firm_id', 'NEW')} END",
            f"CREATE TRIGGER search_{table}_au AFTER UPDATE ON {table} BEGIN "
            f"{_refresh(2, 'search_doc_firm', 'firm_id', 'OLD')} "
            f"{_refresh(2, 'search_doc_firm', 'firm_id', 'NEW')} END",
            f"CREATE TRIGGER search_{table}_ad AFTER DELETE ON {table} BEGIN "
            f"{_refresh(2, 'search_doc_firm', 'firm_id', 'OLD')} END",
        ]
    return statements


def _trigger_names() -> list[str]:
    tables = [t for t, *_ in SYNCED] + FIRM_PARTS
    return [f"search_{t}_{s}" for t in tables for s in ("ai", "au", "ad")]


# Columns searched on PostgreSQL, each with a trigram GIN index (written out, not imported, so
# this revision stays as it was).
TRIGRAM_COLUMNS = {
    "case": ("title", "ref", "summary"),
    "firm": ("name", "native_name", "address"),
    "firmalias": ("name",),
    "firmidentifier": ("value",),
    "shipment": ("description", "declaration_no", "item_no"),
    "evidence": ("title", "publisher", "original_name", "excerpt", "notes", "text"),
    "finding": ("text",),
}
CONTAINS_FUNCTION = """
CREATE OR REPLACE FUNCTION casebook_contains(haystack text, needle text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN haystack IS NULL OR needle IS NULL OR needle = '' THEN 0
                ELSE (strpos(lower(haystack), lower(needle)) > 0)::integer END
$$"""


# Evidence files live in a server store's database (``casebook.store.blobs``): one row per
# distinct SHA-256, its bytes in chunks.
BLOB_TABLES = [
    "CREATE TABLE evidenceblob (sha256 char(64) PRIMARY KEY, size bigint NOT NULL, "
    "stored timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'))",
    "CREATE TABLE evidenceblobchunk (sha256 char(64) NOT NULL REFERENCES evidenceblob "
    "ON DELETE CASCADE, seq integer NOT NULL, data bytea NOT NULL, PRIMARY KEY (sha256, seq))",
]


def _upgrade_postgresql() -> None:
    for statement in BLOB_TABLES:
        op.execute(statement)
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(CONTAINS_FUNCTION)
    for table, columns in TRIGRAM_COLUMNS.items():
        for column in columns:
            op.execute(
                f'CREATE INDEX IF NOT EXISTS ix_trgm_{table}_{column} ON "{table}" '
                f'USING gin ("{column}" gin_trgm_ops)'
            )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
        return
    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "title, body, case_id UNINDEXED, tokenize = 'trigram')"
    )
    for name, body in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {body}")
    for statement in _triggers():
        op.execute(statement)
    for name in VIEWS:
        op.execute(
            f"INSERT INTO search_index (rowid, title, body, case_id) "
            f"SELECT doc_id, title, body, case_id FROM {name}"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in TRIGRAM_COLUMNS.items():
            for column in columns:
                op.execute(f"DROP INDEX IF EXISTS ix_trgm_{table}_{column}")
        op.execute("DROP FUNCTION IF EXISTS casebook_contains(text, text)")
        op.execute("DROP TABLE IF EXISTS evidenceblobchunk")
        op.execute("DROP TABLE IF EXISTS evidenceblob")
        return
    for name in _trigger_names():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS search_index")
