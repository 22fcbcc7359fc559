"""The one item that travels from the spider to the pipelines: a fetched (or failed) page,
and what the chain made of it (`PageResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    # Types only: the spider and the CLI import this module before they know whether
    # they will extract anything (the chain's imports cost half a second).
    from pipelines.article import Article, SiteImprint
    from pipelines.stages.reprints import Fingerprint


@dataclass
class PageResult:
    """What the chain made of one page (pipelines/stages/chain.py, `extract_page`): the
    article record, and why it is not an article (None if it is one: the crawl keeps it).

    With `for_store`, also what the store keeps, made where the CPU is spare (an
    extraction worker): the raw HTML compressed, the search stems of the title, lead and
    body, and the body's reprint fingerprint (None: too short to compare).
    """

    article: Article
    not_article: str | None = None
    packed_body: bytes | None = None
    stems: dict[str, str] | None = None
    # "unknown" when not made here: the store computes it from the stored body.
    fingerprint: Fingerprint | Literal["unknown"] | None = "unknown"


@dataclass
class Page:
    """A page as the spider saw it; the process pipeline adds `result` (an article page)
    or `imprint` (the site's imprint page).

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
    # Where discovery found the URL: "feed" and "sitemap" entries are candidates even
    # when the config's article_url does not match them.
    found_in: str | None = None
    result: PageResult | None = None
    imprint: SiteImprint | None = None
    # The spider's verdict on the final URL of an article page (its one URL rule): False
    # when a redirect led outside the article URLs (to a listing or the home page).
    article_url_ok: bool = True
    # The raw HTML packed for the store where no chain result holds it (an imprint or a
    # dropped page read from a record another machine sent: pipelines/records.py).
    packed: bytes | None = None

    @property
    def address(self) -> str:
        """Where the page was read from: the final URL after redirects."""
        return self.final_url or self.url

    @property
    def packed_body(self) -> bytes | None:
        """The raw HTML as the store keeps it, if a worker packed it already."""
        if self.result is not None and self.result.packed_body is not None:
            return self.result.packed_body
        return self.packed

    @property
    def answered(self) -> bool:
        """An HTTP answer with a body worth reading (2xx)."""
        return self.body is not None and self.status is not None and 200 <= self.status < 300
