"""The PostgreSQL backend's SQL helpers that need no server."""

from __future__ import annotations

from casebook.store.postgres import like_pattern, pyformat


def test_store_placeholders_become_psycopg_ones_outside_quotes_and_casts():
    assert pyformat("SELECT * FROM t WHERE a = ? AND b = ?") == (
        "SELECT * FROM t WHERE a = %s AND b = %s"
    )
    assert pyformat("SELECT :case::text, x FROM t WHERE y LIKE '50%' AND z = :case") == (
        "SELECT %(case)s::text, x FROM t WHERE y LIKE '50%%' AND z = %(case)s"
    )
    assert pyformat("SELECT 'a ? b', '12:30', \"odd:col\" FROM t") == (
        "SELECT 'a ? b', '12:30', \"odd:col\" FROM t"
    )


def test_a_search_phrase_matches_itself_literally():
    assert like_pattern("50%_off\\") == "%50\\%\\_off\\\\%"
