"""What a spider knows of its site's earlier runs, through one small interface: which
URLs were fetched (and when, with what answer), when a stored article was published,
and how the last run ended (its status and the listing page it reached).

The spider reads nothing else of the past, so the backend is a setting
(NEWSBOT_FETCH_HISTORY): SQLite today (the store's `pages` and `site_state` tables), a
shared one (Redis) for many crawl workers later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from scrapy.settings import BaseSettings

from pipelines.store import Store


class FetchHistory(Protocol):
    def needs_fetch(
        self,
        url: str,
        now: datetime,
        changed_at: datetime | None = None,
        recheck_days: int | None = None,
    ) -> bool:
        """Whether an article URL should be fetched in this run (known and unchanged:
        not, unless published in the last `recheck_days` and not fetched today)."""
        ...

    def published_before(self, url: str, moment: datetime) -> bool:
        """Whether a stored article is known to be published before `moment`."""
        ...

    @property
    def last_status(self) -> str | None:
        """How the site's last run ended ("finished", "limited", "interrupted"...), or
        None before its first run."""
        ...

    @property
    def cursor_url(self) -> str | None:
        """The deepest listing page the last run reached, when it did not finish."""
        ...


def sqlite_history(settings: BaseSettings, site: str) -> FetchHistory:
    """The site's history in the crawl's database (NEWSBOT_DB), read through the
    process's one connection to it."""
    store = Store.shared(settings["NEWSBOT_DB"])
    try:
        return store.fetch_history(site)
    finally:
        store.release()
