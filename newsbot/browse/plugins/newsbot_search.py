"""A Datasette plugin: searches in `newsbot browse` find word forms, as `newsbot export
--query` does («налог» finds «налоговых»), and the exact forms stay one click away.

Datasette's search box sends what a user typed through the SQL function `escape_fts`
into `<fts_table> MATCH escape_fts(:search)`. The store's browse metadata points the
articles' search boxes at the stemmed index (`articles_stems`), and this plugin registers
`escape_fts` again, after Datasette's own (trylast), as the stemmed query of
pipelines/stages/search.py. Datasette's own escaping stays available as
`newsbot_exact_query`, for the "Search exact word forms" query over `articles_fts`.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from datasette import hookimpl
from datasette.utils import escape_fts

from pipelines.stages.search import QueryError, stemmed_query
from pipelines.store.browse import EXACT_QUERY_FUNCTION, STEMMED_QUERY_FUNCTION

# Quotation marks and parentheses: the query syntax a search may leave unbalanced.
_SYNTAX = re.compile(r'["()]')


def _stemmed(text: str | None) -> str:
    """The stemmed query of what was typed. SQLite shows only "user-defined function
    raised exception" for an error raised here, so what cannot be read as a query (an
    unclosed quotation mark or parenthesis) is searched as its words, and what has no
    words is an empty phrase, which finds nothing."""
    for attempt in (text or "", _SYNTAX.sub(" ", text or "")):
        try:
            return stemmed_query(attempt)
        except QueryError:
            continue
    return '""'


@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    conn.create_function(STEMMED_QUERY_FUNCTION, 1, _stemmed, deterministic=True)
    conn.create_function(EXACT_QUERY_FUNCTION, 1, escape_fts, deterministic=True)
    # Last, over Datasette's own: every search box of the browse metadata is stemmed.
    conn.create_function("escape_fts", 1, _stemmed, deterministic=True)
