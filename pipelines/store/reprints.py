"""Reprints: each stored article's fingerprint and LSH bands, and the copy -> original
links found with them (the rules are pipelines/stages/reprints.py's).

The LSH index lives in the database (`reprint_bands`, one row per band of each indexed
article), so a crawl compares its new articles against every stored one without loading
anything, and memory stays flat however large the database grows.

A site's furniture is learnt as articles are stored: `reprint_paragraphs` counts the
site's articles that print each paragraph. The article that brings a paragraph to
FURNITURE_ARTICLES makes it furniture, and the few articles stored before it that print
it are indexed again without it, so a rebuild (which counts first, then indexes) and a
crawl end with the same index.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from statistics import median
from typing import Any, Literal
from urllib.parse import urlsplit

import numpy as np

from pipelines.stages.reprints import (
    FURNITURE_ARTICLES,
    LONG_WORDS,
    MAX_BUCKET,
    MIN_SHARED_BANDS,
    Fingerprint,
    Overlap,
    Publication,
    band_key_array,
    band_keys,
    candidate_pairs,
    choose_original,
    credits,
    delay_seconds,
    fingerprints,
    paragraph_keys,
    precedes,
    rank,
    reprint_overlap,
    without_furniture,
)
from pipelines.store.rows import Connection, dicts, utc_iso

_PUBLICATION = (
    "a.rowid, a.id, a.site, a.url, a.published_at_utc, a.first_seen_at, a.source_name, "
    "json_extract(a.publisher, '$.name')"
)
_ORDER = "coalesce(a.published_at_utc, a.first_seen_at), a.first_seen_at, a.id"
REBUILD_CHUNK = 2000
_INDEX_ROW = (
    "INSERT OR REPLACE INTO reprint_index (article_rowid, words, shingles, signature, figures, "
    "paragraphs) VALUES (?, ?, ?, ?, ?, ?)"
)
# One more article prints each paragraph. While a paragraph is not furniture its row
# names the articles that print it (a few: FURNITURE_ARTICLES at most).
_COUNT_PARAGRAPH = (
    "INSERT INTO reprint_paragraphs (paragraph, articles, holders) VALUES (?, 1, ?) "
    "ON CONFLICT (paragraph) DO UPDATE SET articles = articles + 1, holders = CASE WHEN "
    f"furniture OR articles >= {FURNITURE_ARTICLES} THEN NULL "
    "ELSE holders || ' ' || excluded.holders END"
)
# The candidates of a text: the articles in its bands' buckets with how many bands each
# shares, less the crowded buckets (an article past MAX_BUCKET, found by stepping over the
# index without reading it). A band's first MAX_BUCKET + 1 texts meet each other; a text
# that comes later meets no one through it. So an article meets BANDS * MAX_BUCKET
# candidates at most, however large the buckets grow. Two texts are candidates when they
# share MIN_SHARED_BANDS bands, or one when either is short (`bands_needed`).
_CANDIDATES = (
    "SELECT article_rowid, count(*) FROM reprint_bands WHERE band IN (SELECT value FROM "
    "json_each(?) WHERE (SELECT article_rowid FROM reprint_bands WHERE band = value "
    f"LIMIT 1 OFFSET {MAX_BUCKET}) IS NULL) GROUP BY article_rowid"
)


def _paragraph_bytes(keys: list[int]) -> bytes:
    return np.asarray(keys, dtype=np.int64).tobytes()


def _paragraphs_of(stored: bytes | None) -> list[int]:
    return np.frombuffer(stored or b"", dtype=np.int64).tolist()


def _publication(row: tuple[Any, ...]) -> tuple[int, Publication]:
    rowid, identifier, site, url, published, first_seen, source_name, publisher_name = row
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    names = [publisher_name or "", host, site.split("_")[0] if "_" in site else ""]
    return rowid, Publication(
        id=identifier,
        site=site,
        url=url,
        published_at_utc=published,
        first_seen_at=first_seen,
        source_name=source_name,
        outlet_names=tuple(name for name in names if name),
    )


@dataclass(frozen=True)
class ReprintFilter:
    site: str | None = None  # the original's site or a copy's
    since: str | None = None  # UTC ISO: originals published at or after
    uncredited: bool = False  # only other sites' copies that do not name the original's outlet


@dataclass
class Original:
    """An original with its reach: the outlets and copies it reached, how fast."""

    id: str
    site: str
    url: str
    title: str | None
    published_at_utc: str | None
    copies: list[dict[str, Any]]

    @property
    def outlets(self) -> int:
        return len({copy["site"] for copy in self.copies if not copy["same_site"]})

    def delays(self) -> list[int]:
        return sorted(c["delay_seconds"] for c in self.copies if c["delay_seconds"] is not None)

    @property
    def first_delay(self) -> int | None:
        delays = self.delays()
        return delays[0] if delays else None

    @property
    def median_delay(self) -> float | None:
        delays = self.delays()
        return median(delays) if delays else None


class Reprints(Connection):
    # Stored articles compared with the articles indexed one by one (candidates of the
    # LSH index), since the store opened: what MAX_BUCKET bounds.
    reprint_comparisons = 0

    def link_reprints(
        self,
        article_id: str,
        now: datetime | None = None,
        found: Fingerprint | Literal["unknown"] | None = "unknown",
    ) -> int:
        """Index one stored (new or changed) article and link it to the texts it repeats,
        in both directions; returns how many links it made. Part of the current batch.
        `found` is the body's fingerprint when an extraction worker made it already (of
        the whole body: it is made again when the body prints its site's furniture)."""
        self._begin()
        row = self.db.execute(
            f"SELECT {_PUBLICATION}, a.body FROM articles a WHERE a.id = ?", [article_id]
        ).fetchone()
        if row is None:
            return 0
        rowid, publication = _publication(row[:-1])
        body = row[-1]
        self._forget(rowid, publication.id)
        paragraphs = paragraph_keys(publication.site, body)
        earlier = self._count_paragraphs(rowid, paragraphs)
        furniture = self._furniture(paragraphs)
        if furniture or found == "unknown":
            found = fingerprints([without_furniture(publication.site, body, furniture)])[0]
        found_at = utc_iso(now or datetime.now(UTC))
        links = self._index(rowid, publication, found, paragraphs, found_at)
        for holder in earlier:  # they printed what has just become furniture
            links += self._reindex(holder, found_at)
        return links

    def _count_paragraphs(self, rowid: int, paragraphs: list[int]) -> list[int]:
        """Count the article's paragraphs in; returns the articles stored before it that
        print a paragraph it has just made furniture."""
        if not paragraphs:
            return []
        self.db.conn.executemany(_COUNT_PARAGRAPH, [(key, str(rowid)) for key in paragraphs])
        placeholders = ", ".join("?" for _ in paragraphs)
        crossing = self.db.execute(
            "SELECT paragraph, holders FROM reprint_paragraphs WHERE furniture = 0 AND "
            f"articles >= ? AND paragraph IN ({placeholders})",
            [FURNITURE_ARTICLES, *paragraphs],
        ).fetchall()
        self.db.conn.executemany(
            "UPDATE reprint_paragraphs SET furniture = 1, holders = NULL WHERE paragraph = ?",
            [(key,) for key, _ in crossing],
        )
        holders = {int(h) for _, named in crossing for h in (named or "").split()}
        return sorted(holders - {rowid})

    def _uncount_paragraphs(self, rowid: int, paragraphs: list[int]) -> None:
        """An article indexed before (its body changed): its paragraphs count no more."""
        if not paragraphs:
            return
        placeholders = ", ".join("?" for _ in paragraphs)
        rows = self.db.execute(
            "SELECT paragraph, holders FROM reprint_paragraphs "
            f"WHERE paragraph IN ({placeholders})",
            paragraphs,
        ).fetchall()
        mine = str(rowid)
        self.db.conn.executemany(
            "UPDATE reprint_paragraphs SET articles = articles - 1, holders = ? "
            "WHERE paragraph = ?",
            [
                (None if named is None else " ".join(h for h in named.split() if h != mine), key)
                for key, named in rows
            ],
        )
        self.db.execute(
            "DELETE FROM reprint_paragraphs WHERE articles <= 0 AND furniture = 0 "
            f"AND paragraph IN ({placeholders})",
            paragraphs,
        )

    def _furniture(self, paragraphs: list[int]) -> set[int]:
        if not paragraphs:
            return set()
        placeholders = ", ".join("?" for _ in paragraphs)
        return {
            row[0]
            for row in self.db.execute(
                "SELECT paragraph FROM reprint_paragraphs WHERE furniture = 1 AND "
                f"paragraph IN ({placeholders})",
                paragraphs,
            )
        }

    def _reindex(self, rowid: int, found_at: str) -> int:
        """Index a stored article again, without what is now its site's furniture."""
        row = self.db.execute(
            f"SELECT {_PUBLICATION}, a.body, i.paragraphs FROM articles a "
            "JOIN reprint_index i ON i.article_rowid = a.rowid WHERE a.rowid = ?",
            [rowid],
        ).fetchone()
        if row is None:
            return 0
        _, publication = _publication(row[:8])
        body, paragraphs = row[8], _paragraphs_of(row[9])
        self._unindex(rowid, publication.id)
        furniture = self._furniture(paragraphs)
        found = fingerprints([without_furniture(publication.site, body, furniture)])[0]
        return self._index(rowid, publication, found, paragraphs, found_at)

    def rebuild_reprints(
        self, on_article: Callable[[int], None] | None = None, now: datetime | None = None
    ) -> tuple[int, int]:
        """Index every stored article again; returns (articles, links). The same links as
        indexing them one by one, earliest first, found at once: the band keys of the
        whole database sorted together (pipelines.stages.reprints.candidate_pairs)."""
        self._begin()
        for table in ("reprints", "reprint_index", "reprint_bands", "reprint_paragraphs"):
            self.db.execute(f"DELETE FROM {table}")
        furniture = self._count_all_paragraphs()
        cursor = self.db.conn.cursor()
        cursor.execute(f"SELECT {_PUBLICATION}, a.body FROM articles a ORDER BY {_ORDER}")
        publications: list[tuple[int, Publication]] = []
        indexed: list[int] = []  # positions in `publications` of the articles with keys
        signatures: list[np.ndarray] = []
        short: list[bool] = []  # of the indexed articles: under LONG_WORDS words
        while chunk := cursor.fetchmany(REBUILD_CHUNK):
            rows: list[tuple[Any, ...]] = []
            own = [without_furniture(row[2], row[-1], furniture) for row in chunk]
            for row, found in zip(chunk, fingerprints(own), strict=True):
                rowid, publication = _publication(row[:-1])
                paragraphs = _paragraph_bytes(paragraph_keys(publication.site, row[-1]))
                if found is None:
                    rows.append((rowid, 0, None, None, None, paragraphs))
                else:
                    rows.append((rowid, found.words, found.shingle_bytes(),
                                 found.signature_bytes(), found.figures_text(),
                                 paragraphs))  # fmt: skip
                    indexed.append(len(publications))
                    signatures.append(np.asarray(found.signature, dtype=np.uint32))
                    short.append(found.words < LONG_WORDS)
                publications.append((rowid, publication))
            self.db.conn.executemany(_INDEX_ROW, rows)
            if on_article:
                on_article(len(publications))
        keys = band_key_array(np.stack(signatures)) if signatures else np.zeros((0, 1), np.int64)
        self._write_bands(keys, [publications[i][0] for i in indexed])
        earlier: dict[int, list[int]] = {}
        for low, high in candidate_pairs(keys, np.asarray(short, dtype=bool)).tolist():
            earlier.setdefault(indexed[high], []).append(indexed[low])
        links = 0
        found_at = utc_iso(now or datetime.now(UTC))
        for position in sorted(earlier):
            rowid, publication = publications[position]
            partners = [publications[i][0] for i in earlier[position]]
            links += self._relink(publication, self._confirm(rowid, partners), found_at)
        self.flush()
        return len(publications), links

    def _count_all_paragraphs(self) -> set[int]:
        """Count every article's paragraphs (a chunk of articles in memory at a time);
        returns the furniture found."""
        cursor = self.db.conn.cursor()
        cursor.execute("SELECT rowid, site, body FROM articles")
        while chunk := cursor.fetchmany(REBUILD_CHUNK):
            self.db.conn.executemany(
                _COUNT_PARAGRAPH,
                [
                    (key, str(rowid))
                    for rowid, site, body in chunk
                    for key in paragraph_keys(site, body)
                ],
            )
        self.db.execute(
            "UPDATE reprint_paragraphs SET furniture = 1, holders = NULL WHERE articles >= ?",
            [FURNITURE_ARTICLES],
        )
        return {
            row[0]
            for row in self.db.execute(
                "SELECT paragraph FROM reprint_paragraphs WHERE furniture = 1"
            )
        }

    def _write_bands(self, keys: np.ndarray, rowids: list[int]) -> None:
        """Every band key with its article, in key order (the table's own order)."""
        owners = np.repeat(np.asarray(rowids, dtype=np.int64), keys.shape[1])
        order = np.argsort(keys.ravel(), kind="stable")
        bands, owners = keys.ravel()[order], owners[order]
        step = 200_000  # Python ints for a slice at a time: 6.4 million at once take 500 MB
        for start in range(0, len(bands), step):
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO reprint_bands (band, article_rowid) VALUES (?, ?)",
                zip(
                    bands[start : start + step].tolist(),
                    owners[start : start + step].tolist(),
                    strict=True,
                ),
            )

    def _confirm(self, rowid: int, partners: list[int]) -> dict[str, tuple[Publication, Overlap]]:
        """The partners (candidates of the LSH index) whose text this article repeats or
        that repeat it."""
        placeholders = ", ".join("?" for _ in partners)
        rows = self.db.execute(
            f"SELECT {_PUBLICATION}, i.shingles, i.signature, i.figures, i.words "
            "FROM reprint_index i JOIN articles a ON a.rowid = i.article_rowid "
            f"WHERE i.article_rowid IN (?, {placeholders})",
            [rowid, *partners],
        ).fetchall()
        prints = {row[0]: Fingerprint.from_stored(*row[8:]) for row in rows}
        articles = dict(_publication(row[:8]) for row in rows)
        matches = {}
        for other in prints:
            if other == rowid:
                continue
            publication = articles[other]
            measured = reprint_overlap(
                prints[rowid],
                articles[rowid],
                prints[other],
                publication,
                partial(self._own_bodies, rowid, other),
            )
            if measured is not None:
                matches[publication.id] = (publication, measured)
        return matches

    def _forget(self, rowid: int, identifier: str) -> None:
        """An article indexed before (its body changed): out of the index, the links and
        the paragraph counts, to be indexed again."""
        row = self.db.execute(
            "SELECT paragraphs FROM reprint_index WHERE article_rowid = ?", [rowid]
        ).fetchone()
        self._unindex(rowid, identifier)
        if row is not None:
            self._uncount_paragraphs(rowid, _paragraphs_of(row[0]))

    def _unindex(self, rowid: int, identifier: str) -> None:
        """Out of the index and the links (its paragraphs still count)."""
        self.db.execute(
            "DELETE FROM reprint_bands WHERE band IN (SELECT value FROM "
            "json_each(?)) AND article_rowid = ?",
            [self._stored_bands(rowid), rowid],
        )
        self.db.execute("DELETE FROM reprint_index WHERE article_rowid = ?", [rowid])
        self.db.execute(
            "DELETE FROM reprints WHERE copy_id = ? OR original_id = ?", [identifier, identifier]
        )

    def _stored_bands(self, rowid: int) -> str:
        row = self.db.execute(
            "SELECT signature FROM reprint_index WHERE article_rowid = ?", [rowid]
        ).fetchone()
        if row is None or row[0] is None:
            return "[]"
        return str(band_keys(list(array("I", row[0]))))

    def _index(
        self,
        rowid: int,
        publication: Publication,
        found: Fingerprint | None,
        paragraphs: list[int],
        found_at: str,
    ) -> int:
        if found is None:  # a short item: remembered as indexed, never linked
            self.db.execute(
                "INSERT OR REPLACE INTO reprint_index (article_rowid, words, paragraphs) "
                "VALUES (?, 0, ?)",
                [rowid, _paragraph_bytes(paragraphs)],
            )
            return 0
        keys = band_keys(found.signature)
        matches = self._matches(rowid, publication, keys, found)
        self.db.execute(
            _INDEX_ROW,
            [rowid, found.words, found.shingle_bytes(), found.signature_bytes(),
             found.figures_text(), _paragraph_bytes(paragraphs)],
        )  # fmt: skip
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO reprint_bands (band, article_rowid) VALUES (?, ?)",
            [(key, rowid) for key in keys],
        )
        return self._relink(publication, matches, found_at)

    def _matches(
        self, rowid: int, article: Publication, keys: list[int], found: Fingerprint
    ) -> dict[str, tuple[Publication, Overlap]]:
        partners = self._candidates(rowid, keys, short=found.words < LONG_WORDS)
        self.reprint_comparisons += len(partners)
        if not partners:
            return {}
        placeholders = ", ".join("?" for _ in partners)
        rows = self.db.execute(
            f"SELECT {_PUBLICATION}, i.shingles, i.signature, i.figures, i.words "
            "FROM reprint_index i JOIN articles a ON a.rowid = i.article_rowid "
            f"WHERE i.article_rowid IN ({placeholders})",
            partners,
        ).fetchall()
        matches = {}
        for row in rows:
            other, publication = _publication(row[:8])
            measured = reprint_overlap(
                found,
                article,
                Fingerprint.from_stored(*row[8:]),
                publication,
                partial(self._own_bodies, rowid, other),
            )
            if measured is not None:
                matches[publication.id] = (publication, measured)
        return matches

    def _own_bodies(self, first: int, second: int) -> tuple[str | None, str | None]:
        """Two articles' bodies less their sites' furniture (what their shingles are
        made of), for the names of a short pair."""
        rows = {
            rowid: (site, body)
            for rowid, site, body in self.db.execute(
                "SELECT rowid, site, body FROM articles WHERE rowid IN (?, ?)", [first, second]
            )
        }

        def own(rowid: int) -> str | None:
            site, body = rows.get(rowid, ("", None))
            furniture = self._furniture(paragraph_keys(site, body))
            return without_furniture(site, body, furniture)

        return own(first), own(second)

    def _candidates(self, rowid: int, keys: list[int], short: bool) -> list[int]:
        """The stored articles sharing enough of these bands: MIN_SHARED_BANDS, or one
        when this text or theirs is short."""
        shared = {r: count for r, count in self.db.execute(_CANDIDATES, [str(keys)]) if r != rowid}
        if short:
            return sorted(shared)
        partners = [r for r, count in shared.items() if count >= MIN_SHARED_BANDS]
        once = [r for r, count in shared.items() if count < MIN_SHARED_BANDS]
        if once:
            placeholders = ", ".join("?" for _ in once)
            partners += [
                r
                for (r,) in self.db.execute(
                    "SELECT article_rowid FROM reprint_index WHERE words < ? AND words > 0 "
                    f"AND article_rowid IN ({placeholders})",
                    [LONG_WORDS, *once],
                )
            ]
        return sorted(partners)

    def _relink(
        self, article: Publication, matches: dict[str, tuple[Publication, Overlap]], found_at: str
    ) -> int:
        links = 0
        original = choose_original(article, (m for m, _ in matches.values()))
        if original is not None:
            self._link(article, original, matches[original.id][1], found_at)
            links += 1
        # The new article may be an earlier (or credited) original of texts stored before
        # it: a crawl that reads the outlet before the press office.
        for other, measured in matches.values():
            if not precedes(article, other):
                continue
            current = self._current_original(other.id)
            if current is None or rank(other, article) < rank(other, current):
                self._link(other, article, measured, found_at)
                links += 1
        return links

    def _current_original(self, copy_id: str) -> Publication | None:
        row = self.db.execute(
            f"SELECT {_PUBLICATION} FROM reprints r JOIN articles a ON a.id = r.original_id "
            "WHERE r.copy_id = ?",
            [copy_id],
        ).fetchone()
        return _publication(row)[1] if row else None

    def _link(
        self, copy: Publication, original: Publication, measured: Overlap, found_at: str
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO reprints (copy_id, original_id, similarity, containment, "
            "same_site, credited, delay_seconds, found_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [copy.id, original.id, round(measured.similarity, 4),
             round(measured.containment, 4), int(copy.site == original.site),
             int(credits(copy, original)), delay_seconds(copy, original), found_at],
        )  # fmt: skip

    def unindexed_articles(self) -> int:
        """Articles the reprint index has not seen (stored before it existed), or saw
        before it counted paragraphs (their site's furniture may still be in it)."""
        return int(
            self.db.execute(
                "SELECT count(*) FROM articles WHERE rowid NOT IN "
                "(SELECT article_rowid FROM reprint_index WHERE paragraphs IS NOT NULL)"
            ).fetchone()[0]
        )

    def reprint_links(self, selection: ReprintFilter | None = None) -> Iterator[dict[str, Any]]:
        """Every link with both articles' site, URL, title and date, originals newest
        first (what `export --table reprints` writes)."""
        selection = selection or ReprintFilter()
        where, params = [], []
        if selection.site:
            where.append("(o.site = ? OR c.site = ?)")
            params += [selection.site, selection.site]
        if selection.since:
            where.append("coalesce(o.published_at_utc, o.first_seen_at) >= ?")
            params.append(selection.since)
        if selection.uncredited:
            where.append("r.credited = 0 AND r.same_site = 0")
        return dicts(
            self.db,
            "SELECT r.original_id, o.site AS original_site, o.url AS original_url, "
            "o.title AS original_title, o.published_at_utc AS original_published_at_utc, "
            "r.copy_id, c.site AS copy_site, c.url AS copy_url, c.title AS copy_title, "
            "c.published_at_utc AS copy_published_at_utc, c.source_name AS copy_source_name, "
            "r.similarity, r.containment, r.same_site, r.credited, r.delay_seconds "
            "FROM reprints r JOIN articles o ON o.id = r.original_id "
            "JOIN articles c ON c.id = r.copy_id"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY coalesce(o.published_at_utc, o.first_seen_at) DESC, o.id, "
            "r.delay_seconds IS NULL, r.delay_seconds, c.id",
            params,
        )

    def originals(self, selection: ReprintFilter | None = None) -> list[Original]:
        """Originals with their copies (newest original first)."""
        found: dict[str, Original] = {}
        for link in self.reprint_links(selection):
            original = found.get(link["original_id"])
            if original is None:
                original = found[link["original_id"]] = Original(
                    id=link["original_id"],
                    site=link["original_site"],
                    url=link["original_url"],
                    title=link["original_title"],
                    published_at_utc=link["original_published_at_utc"],
                    copies=[],
                )
            original.copies.append(
                {"id": link["copy_id"], "site": link["copy_site"], "url": link["copy_url"],
                 "title": link["copy_title"], "same_site": bool(link["same_site"]),
                 "credited": bool(link["credited"]), "delay_seconds": link["delay_seconds"],
                 "containment": link["containment"], "similarity": link["similarity"]}
            )  # fmt: skip
        return list(found.values())

    def reach_per_site(self) -> dict[str, dict[str, int]]:
        """Per site of originals: originals reprinted, copies, and uncredited copies
        (other sites' copies only)."""
        reach: dict[str, dict[str, int]] = {}
        for site, originals, copies, uncredited in self.db.execute(
            "SELECT o.site, count(DISTINCT r.original_id), count(*), "
            "sum(r.credited = 0) FROM reprints r JOIN articles o ON o.id = r.original_id "
            "WHERE r.same_site = 0 GROUP BY o.site ORDER BY count(*) DESC, o.site"
        ):
            reach[site] = {"originals": originals, "copies": copies, "uncredited": uncredited}
        return reach
