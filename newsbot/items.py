"""The one item that travels from the spider to the pipelines: a fetched page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

PAGE_KINDS = ("article", "listing", "sitemap", "feed", "imprint")


@dataclass
class PageItem:
    """A fetched (or failed) page as the spider saw it; pipelines add what they make.

    `status` is None when no HTTP answer came (timeout, DNS, refused connection).
    """

    url: str
    site: str
    kind: str
    fetched_at: datetime
    status: int | None = None
    final_url: str | None = None
    charset: str | None = None
    body: bytes | None = None
    hints: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    # Filled by the process pipeline: the article record (DESIGN.md contract) or, for an
    # imprint page, {"publisher": ..., "registrations": [...]}.
    record: dict[str, Any] | None = None
