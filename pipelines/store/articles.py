"""Articles, their earlier versions, their search stems, and the imprints they carry."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pipelines.article import (
    JSON_FIELDS,
    SCALAR_FIELDS,
    Article,
    SiteImprint,
    fill_from_imprint_page,
)
from pipelines.stages.imprint import Publisher
from pipelines.stages.registrations import Registration
from pipelines.stages.search import stems_row
from pipelines.store.pages import normalize_url
from pipelines.store.rows import Connection, as_json, utc_iso

# The columns an extraction decides, derived from the Article (not id, fetch time or run).
EXTRACTED_COLUMNS = (*SCALAR_FIELDS, *JSON_FIELDS, "source_name", "body_hash")
_STORED_COLUMNS = ("id", *EXTRACTED_COLUMNS, "fetched_at", "first_seen_at", "run_id")
_INSERT = (
    f"INSERT INTO articles ({', '.join(_STORED_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _STORED_COLUMNS)})"
)
_UPDATE = (
    f"UPDATE articles SET {', '.join(f'{c} = ?' for c in EXTRACTED_COLUMNS)}, "
    "fetched_at = ?, run_id = ? WHERE rowid = ?"
)
_UPDATE_EXTRACTED = (
    f"UPDATE articles SET {', '.join(f'{c} = ?' for c in EXTRACTED_COLUMNS)} WHERE rowid = ?"
)
# `cause`: "edit" (the page changed between two fetches) or "reprocess" (newsbot read
# the same page again, differently): only edits are what `newsbot changes` shows.
_KEEP_VERSION = (
    "INSERT INTO article_versions (article_id, title, body, fetched_at, replaced_at, cause) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_PUBLISHER_KEYS = ("editor_in_chief", "owner", "phones", "emails", "address")


def article_id(final_url: str, canonical_url: str | None) -> str:
    """Stable id from the final URL; the canonical URL replaces it only on the same host
    (reprints often point their canonical link at another outlet)."""
    key = final_url
    if canonical_url:
        final_host = (urlsplit(final_url).hostname or "").removeprefix("www.")
        canonical_host = (urlsplit(canonical_url).hostname or "").removeprefix("www.")
        if final_host == canonical_host:
            key = canonical_url
    return hashlib.sha1(normalize_url(key).encode("utf-8")).hexdigest()[:20]


def extracted_values(article: Article) -> list[Any]:
    """The EXTRACTED_COLUMNS of one article, in order."""
    record = article.as_dict()
    body_hash = hashlib.sha1((article.body or "").encode("utf-8")).hexdigest()
    return [
        *(record[name] for name in SCALAR_FIELDS),
        *(as_json(record[name]) for name in JSON_FIELDS),
        article.source.name if article.source else None,
        body_hash,
    ]


def _imprint_hash(publisher: Mapping[str, Any]) -> str:
    key = as_json({k: publisher.get(k) for k in sorted(publisher)})
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


class ArticleWrites(Connection):
    """Writes of articles and imprints; each call is one item of the current batch."""

    def _index_stems(self, rowid: int, stems: Mapping[str, str]) -> None:
        self.db.execute("DELETE FROM articles_stems WHERE rowid = ?", [rowid])
        self.db.execute(
            "INSERT INTO articles_stems (rowid, title, lead, body) VALUES (?, ?, ?, ?)",
            [rowid, stems["title"], stems["lead"], stems["body"]],
        )

    def save_article(
        self,
        article: Article,
        fetched_at: datetime,
        run_id: int | None,
        stems: Mapping[str, str] | None = None,
    ) -> tuple[str, str]:
        """Insert or update one article; returns (article id, "new" | "updated" | "unchanged").

        A changed title or body keeps its previous version in article_versions. `stems` are the
        search stems when a worker made them already.
        """
        identifier = article_id(article.url, article.canonical_url)
        fetched = utc_iso(fetched_at)
        values = extracted_values(article)
        body_hash = values[-1]
        self._begin()
        previous = self.db.execute(
            "SELECT rowid, title, lead, body, body_hash, fetched_at FROM articles WHERE id = ?",
            [identifier],
        ).fetchone()
        if previous is None:
            cursor = self.db.execute(_INSERT, [identifier, *values, fetched, fetched, run_id])
            rowid, outcome, searchable_changed = int(cursor.lastrowid or 0), "new", True
        else:
            rowid, title, lead, body, old_hash, old_fetched = previous
            outcome = "unchanged"
            if old_hash != body_hash or title != article.title:
                self.db.execute(
                    _KEEP_VERSION, [identifier, title, body, old_fetched, fetched, "edit"]
                )
                outcome = "updated"
            self.db.execute(_UPDATE, [*values, fetched, run_id, rowid])
            searchable_changed = (title, lead, body) != (article.title, article.lead, article.body)
        if searchable_changed:
            self._index_stems(rowid, stems or stems_row(article.title, article.lead, article.body))
        self._save_imprint(
            article.site, article.publisher, article.registrations, article.url, fetched_at
        )
        return identifier, outcome

    def reprocess_article(self, identifier: str, article: Article, now: datetime) -> bool:
        """Replace a stored article's extracted fields with a new extraction of the same
        page; its fetch time, first sighting and run stay. Returns whether anything
        changed (a changed body keeps the old one in article_versions)."""
        values = extracted_values(article)
        self._begin()
        cursor = self.db.execute(
            f"SELECT rowid, fetched_at, {', '.join(EXTRACTED_COLUMNS)} FROM articles WHERE id = ?",
            [identifier],
        )
        previous = cursor.fetchone()
        if previous is None:
            return False
        rowid, fetched_at, *old = previous
        if old == values:
            return False
        old_row = dict(zip(EXTRACTED_COLUMNS, old, strict=True))
        if old_row["body_hash"] != values[-1] or old_row["title"] != article.title:
            self.db.execute(
                _KEEP_VERSION,
                [
                    identifier,
                    old_row["title"],
                    old_row["body"],
                    fetched_at,
                    utc_iso(now),
                    "reprocess",
                ],
            )
        self.db.execute(_UPDATE_EXTRACTED, [*values, rowid])
        self._index_stems(rowid, stems_row(article.title, article.lead, article.body))
        self._save_imprint(
            article.site,
            article.publisher,
            article.registrations,
            article.url,
            datetime.fromisoformat(fetched_at),
        )
        self.end_item()
        return True

    def save_imprint(
        self, site: str, imprint: SiteImprint, source_url: str, seen_at: datetime
    ) -> None:
        """An imprint page's publisher and registrations."""
        self._begin()
        self._save_imprint(site, imprint.publisher, imprint.registrations, source_url, seen_at)

    def fill_missing_imprints(self, site: str, imprint: SiteImprint) -> int:
        """Give the site's stored articles without an imprint of their own the imprint
        page's (articles stored before the imprint page was read, in this run or an
        earlier one); returns how many changed."""
        self._begin()
        rows = self.db.execute(
            f"SELECT rowid, {', '.join(EXTRACTED_COLUMNS)} FROM articles WHERE site = ? "
            "AND registrations = '[]' AND json_extract(publisher, '$.editor_in_chief') IS NULL",
            [site],
        ).fetchall()
        changed = 0
        for rowid, *values in rows:
            article = Article.from_dict(dict(zip(EXTRACTED_COLUMNS, values, strict=True)))
            if fill_from_imprint_page(article, imprint):
                self.db.execute(_UPDATE_EXTRACTED, [*extracted_values(article), rowid])
                changed += 1
        return changed

    def _save_imprint(
        self,
        site: str,
        publisher: Publisher,
        registrations: list[Registration],
        source_url: str,
        seen_at: datetime,
    ) -> None:
        seen = utc_iso(seen_at)
        fields = publisher.as_dict()
        if any(fields.get(key) for key in _PUBLISHER_KEYS):
            imprint_hash = _imprint_hash(fields)
            updated = self.db.execute(
                "UPDATE publishers SET last_seen_at = ? WHERE site = ? AND imprint_hash = ?",
                [seen, site, imprint_hash],
            )
            if not updated.rowcount:
                self.db.execute(
                    "INSERT INTO publishers (site, imprint_hash, name, editor_in_chief, owner, "
                    "phones, emails, address, source_url, first_seen_at, last_seen_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [site, imprint_hash, publisher.name, publisher.editor_in_chief,
                     publisher.owner, as_json(publisher.phones), as_json(publisher.emails),
                     publisher.address, source_url, seen, seen],
                )  # fmt: skip
        for registration in registrations:
            self.db.execute(
                "INSERT OR IGNORE INTO registrations (site, number, country, kind, issued_on, "
                "issuer, text, first_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [site, registration.number, registration.country, registration.kind,
                 registration.issued_on, registration.issuer, registration.text, seen],
            )  # fmt: skip
