"""A Datasette plugin: the SQL function that turns what a user typed into the stemmed FTS5
query of `articles_stems` (pipelines/stages/search.py), so the "Search with word forms" query
finds «налогов» for «налог» as `newsbot export --query` does."""

from __future__ import annotations

import sqlite3
from typing import Any

from datasette import hookimpl

from pipelines.stages.search import QueryError, stemmed_query
from pipelines.store.browse import STEMMED_QUERY_FUNCTION


def _stemmed(text: str | None) -> str:
    try:
        return stemmed_query(text or "")
    except QueryError as error:
        # Datasette shows an SQL error's message on the page and in the JSON.
        raise sqlite3.OperationalError(str(error)) from error


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    conn.create_function(STEMMED_QUERY_FUNCTION, 1, _stemmed, deterministic=True)
