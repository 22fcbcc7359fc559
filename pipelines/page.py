"""The one item that travels from the spider to the pipelines: a fetched (or failed) page,
and what the chain made of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pipelines.article import Article
    from pipelines.stages.chain import SiteImprint
    from pipelines.stages.reprints import Fingerprint


@dataclass
class Page:
    """A page as the spider saw it; the process pipeline adds `article` or `imprint`.

    `status` is None when no HTTP answer came (timeout, DNS, refused connection).
    `hints` are what discovery knew of the URL: a sitemap `lastmod`, a news sitemap's
    `news_publication_date`, a feed's `feed_date`.
    """

    url: str
    fetched_at: datetime
    site: str | None = None
    kind: str = "article"  # article | listing | sitemap | feed | imprint
    status: int | None = None
    final_url: str | None = None
    charset: str | None = None
    body: bytes | None = None
    hints: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    article: Article | None = None
    imprint: SiteImprint | None = None
    # Made where the CPU is spare (an extraction worker) for the store: the raw HTML
    # compressed, and the search stems of the article's title, lead and body.
    packed_body: bytes | None = None
    stems: dict[str, str] | None = None
    # Where discovery found the URL: "feed" and "sitemap" entries are candidates even
    # when the config's article_url does not match them.
    found_in: str | None = None
    # The spider's verdict on the final URL of an article page (its one URL rule): False
    # when a redirect led outside the article URLs (to a listing or the home page).
    article_url_ok: bool = True
    # Why the chain's record is not an article (pipelines/stages/classify.py), or None.
    not_article: str | None = None
    # The body's reprint fingerprint (pipelines/stages/reprints.py), made in the worker; "unknown"
    # until then (None: a body too short to compare).
    fingerprint: Fingerprint | Literal["unknown"] | None = "unknown"

    @property
    def address(self) -> str:
        """Where the page was read from: the final URL after redirects."""
        return self.final_url or self.url

    @property
    def answered(self) -> bool:
        """An HTTP answer with a body worth reading (2xx)."""
        return self.body is not None and self.status is not None and 200 <= self.status < 300
