"""The site's fetch history on a worker, read from Redis (newsbot.crawling.history's
FetchHistory; NEWSBOT_FETCH_HISTORY = "newsbot.frontier.history.redis_history").

The writer publishes it at the run's start (DIST-CONTRACT: keys.history(site), a hash
of URL key to the JSON list of PastFetch's fields; keys.site_state(site), last_status
and cursor_url). The rule that reads it is the store's own (SqliteHistory.needs_fetch),
built from the same PastFetch values, so a worker skips exactly what a single-process
crawl skips.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from scrapy.settings import BaseSettings

from newsbot.crawling.history import FetchHistory
from newsbot.frontier import keys
from newsbot.frontier.connection import connect
from pipelines.store.pages import PastFetch, SqliteHistory


def past_fetch(value: bytes | str) -> PastFetch:
    status, fetched_at, hint_date, kind, published = json.loads(value)
    return PastFetch(status, datetime.fromisoformat(fetched_at), hint_date, kind, published)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


# Fields per HSCAN call: a big site's history read in pages, each well inside the
# client's socket timeout (one HGETALL of it might not be).
PAGE = 1000


def read_history(client: Any, site: str) -> SqliteHistory:
    # HSCAN may give a field twice: the dict keeps one.
    fetches = {
        _text(url) or "": past_fetch(value)
        for url, value in client.hscan_iter(keys.history(site), count=PAGE)
    }
    state = client.hmget(keys.site_state(site), ["last_status", "cursor_url"])
    return SqliteHistory(fetches, _text(state[0]) or None, _text(state[1]) or None)


def redis_history(settings: BaseSettings, site: str) -> FetchHistory:
    client = connect(settings["NEWSBOT_FRONTIER_URL"])
    try:
        return read_history(client, site)
    finally:
        client.close()
