"""What `newsbot browse` (Datasette) shows of the schema: table and column descriptions,
facets, the tables it hides, and its canned queries (the store owns every SQL statement).
"""

from __future__ import annotations

from typing import Any

from pipelines.store.changes import CHANGES_SQL as _CHANGES_SQL

# The search boxes of the articles' tables search the stemmed index (the plugin in
# newsbot/browse/plugins stems what was typed); the exact forms are a canned query.
_SEARCH_NOTE = (
    "Search finds word forms (\u00abналог\u00bb finds \u00abналоговых\u00bb; OR, NOT, "
    '"phrases" work). For the exact forms only: the query "Search exact word forms".'
)

TABLES: dict[str, dict[str, Any]] = {
    "articles": {
        "description": "One row per article: the extracted fields as stored (JSON columns "
        "hold lists and the publisher). " + _SEARCH_NOTE,
        "facets": ["site", "language", "section", "source_name"],
        "sort_desc": "published_at_utc",
        "label_column": "title",
        "fts_table": "articles_stems",
        "fts_pk": "rowid",
        "columns": {
            "id": "Stable id: a hash of the article's URL (or its canonical URL on the same host)",
            "site": "Site config slug (one per language edition)",
            "published_at": "Publication time with the site's own UTC offset",
            "published_at_utc": "Publication time in UTC",
            "source_name": "Whom the text credits (\u201cсообщает Primeminister.kz\u201d)",
            "publisher": "The imprint on the page (JSON: name, editor_in_chief, owner, phones, "
            "emails, address)",
            "registrations": "Media registration numbers on the page (JSON)",
            "warnings": "What could not be found on the page, and why (JSON)",
            "body_hash": "SHA-1 of the body: a changed body keeps the old one in article_versions",
            "first_seen_at": "When newsbot first stored the article (UTC)",
            "fetched_at": "When the page was last fetched (UTC)",
            "run_id": "The crawl run that last fetched it (table runs)",
        },
    },
    "article_list": {
        "description": "The articles as people read them: the publisher's name, and the "
        "original an article reprints (reprint_of). Facet and search here. " + _SEARCH_NOTE,
        "facets": ["site", "language", "publisher_name", "section"],
        "sort_desc": "published_at_utc",
        "label_column": "title",
        "fts_table": "articles_stems",
        "fts_pk": "article_rowid",
        "columns": {
            "publisher_name": "The outlet named by the page's imprint or og:site_name",
            "reprint_of": "URL of the original this article reprints, if it is a reprint",
        },
    },
    "reprints": {
        "description": "Who reprints whom: each copy and the earlier article whose body it "
        "largely repeats (MinHash over word shingles, confirmed by containment).",
        "facets": ["credited", "same_site"],
        "sort_desc": "delay_seconds",
        "columns": {
            "copy_id": "The reprint (articles.id)",
            "original_id": "The article it repeats: credited by the copy, or else the "
            "earliest publication",
            "similarity": "Jaccard similarity of the two bodies' five-word shingles",
            "containment": "Share of the shorter body's shingles found in the longer one",
            "same_site": "1: a re-post on the original's own site",
            "credited": "1: the copy's attribution names the original's outlet",
            "delay_seconds": "Copy's publication minus the original's",
        },
    },
    "publishers": {
        "description": "One row per site and distinct imprint, with first and last seen: a "
        "new editor is a new row.",
        "facets": ["site"],
    },
    "registrations": {
        "description": "Media registration numbers per site (KZ…VPY…, №…-ИА).",
        "facets": ["site", "country", "kind"],
    },
    "article_versions": {
        "description": "Earlier versions of articles whose title or body changed: cause "
        "'edit' (the page changed) or 'reprocess' (newsbot read it again). The query "
        '"Edits after publication" shows each beside the version that replaced it.',
        "facets": ["cause"],
    },
    "runs": {
        "description": "One row per crawl: counts, status and health verdict.",
        "sort_desc": "id",
    },
    "run_sites": {
        "description": "Each site's part of a run, judged by the health checks.",
        "facets": ["site", "status"],
    },
    "site_state": {"description": "Where each site's next crawl carries on."},
    # Internals: raw HTML (zstd), search and reprint indexes, migrations.
    "pages": {"hidden": True},
    "articles_stems": {"hidden": True},
    "reprint_index": {"hidden": True},
    "reprint_bands": {"hidden": True},
    "reprint_paragraphs": {"hidden": True},
    # Saved searches: their webhook URLs may hold a bot's token. Hidden from the lists
    # (Datasette still answers their URL: `browse` is for people who may read it all).
    "watches": {"hidden": True},
    "watch_deliveries": {"hidden": True},
    "_sqlite_migrations": {"hidden": True},
}

# The SQL function `newsbot browse` registers in Datasette: what a user typed, as the
# stemmed FTS5 query of pipelines/stages/search.py.
STEMMED_QUERY_FUNCTION = "newsbot_stemmed_query"
# ... and Datasette's own escaping of it, for a search of the exact forms in articles_fts.
EXACT_QUERY_FUNCTION = "newsbot_exact_query"

_REPRINT_PAIRS = (
    "SELECT o.site AS original_site, o.title AS original_title, o.published_at AS "
    "original_published_at, c.site AS copy_site, c.title AS copy_title, c.published_at AS "
    "copy_published_at, r.credited, r.same_site, round(r.containment, 2) AS containment, "
    "r.delay_seconds, o.url AS original_url, c.url AS copy_url FROM reprints r "
    "JOIN articles o ON o.id = r.original_id JOIN articles c ON c.id = r.copy_id"
)

QUERIES: dict[str, dict[str, Any]] = {
    "latest_articles": {
        "title": "Latest articles",
        "description": "The 100 most recently published articles.",
        "sql": "SELECT published_at, site, title, source_name, url FROM articles "
        "ORDER BY published_at_utc IS NULL, published_at_utc DESC LIMIT 100",
    },
    "search_word_forms": {
        "title": "Search with word forms",
        "description": "Full-text search that finds word forms (\u00abналог\u00bb finds "
        "\u00abналогов\u00bb): the stemmed index. Words must all occur; OR, NOT, "
        '"phrases" work.',
        "sql": "SELECT a.published_at, a.site, a.title, a.url FROM articles a "
        "WHERE a.rowid IN (SELECT rowid FROM articles_stems WHERE articles_stems MATCH "
        f"{STEMMED_QUERY_FUNCTION}(:q)) ORDER BY a.published_at_utc DESC LIMIT 500",
    },
    "search_exact_forms": {
        "title": "Search exact word forms",
        "description": "Full-text search of the words exactly as typed (\u00abналог\u00bb "
        "does not find \u00abналоговых\u00bb): the unstemmed index.",
        "sql": "SELECT a.published_at, a.site, a.title, a.url FROM articles a "
        "WHERE a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH "
        f"{EXACT_QUERY_FUNCTION}(:q)) ORDER BY a.published_at_utc DESC LIMIT 500",
    },
    "reprints_with_titles": {
        "title": "Reprints with both titles",
        "description": "Every reprint beside its original, newest original first.",
        "sql": _REPRINT_PAIRS + " ORDER BY o.published_at_utc DESC, r.delay_seconds",
    },
    "uncredited_reprints": {
        "title": "Uncredited reprints",
        "description": "Reprints on other sites that do not name the original's outlet.",
        "sql": _REPRINT_PAIRS + " WHERE r.credited = 0 AND r.same_site = 0 "
        "ORDER BY o.published_at_utc DESC, r.delay_seconds",
    },
    "publishers_without_registration": {
        "title": "Publishers without a registration number",
        "description": "Imprints of sites for which no media registration number was found.",
        "sql": "SELECT p.site, p.name, p.editor_in_chief, p.owner, p.address, p.last_seen_at "
        "FROM publishers p WHERE NOT EXISTS (SELECT 1 FROM registrations r "
        "WHERE r.site = p.site) ORDER BY p.site, p.last_seen_at DESC",
    },
    "articles_per_site_per_day": {
        "title": "Articles per site per day",
        "description": "Articles per publication day (the site's own calendar).",
        "sql": "SELECT substr(published_at, 1, 10) AS day, site, count(*) AS articles "
        "FROM articles WHERE published_at IS NOT NULL GROUP BY day, site "
        "ORDER BY day DESC, site",
    },
    "edits_after_publication": {
        "title": "Edits after publication",
        "description": "Articles whose title or body changed between two fetches, each "
        "earlier version beside the one that replaced it (newest first). `newsbot changes` "
        "shows the same with the words that changed.",
        "sql": _CHANGES_SQL + " WHERE (o.cause IS NULL OR o.cause = 'edit') "
        "ORDER BY o.replaced_at DESC LIMIT 500",
    },
    "fetch_log": {
        "title": "Fetch log",
        "description": "The last 1,000 fetched pages, without their raw HTML.",
        "sql": "SELECT url, site, status, kind, fetched_at, error, drop_reason, article_id "
        "FROM pages ORDER BY fetched_at DESC LIMIT 1000",
    },
}


def datasette_metadata(database: str) -> dict[str, Any]:
    """Datasette's metadata for a newsbot database served under the name `database`."""
    return {
        "title": "newsbot",
        "description": "News articles, their publishers and registrations, and who "
        "reprints whom, as crawled by newsbot. Read-only.",
        "databases": {database: {"tables": TABLES, "queries": QUERIES}},
    }
