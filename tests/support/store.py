"""Reading back what the store wrote, where only a test needs to."""

from __future__ import annotations

from pipelines.compression import unpack
from pipelines.store import Store, normalize_url


def raw_html(store: Store, url: str) -> bytes | None:
    """The raw HTML kept for a URL in `pages`, unpacked."""
    row = store.db.execute("SELECT html FROM pages WHERE url = ?", [normalize_url(url)]).fetchone()
    return unpack(row[0]) if row else None
