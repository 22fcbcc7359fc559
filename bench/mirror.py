"""A local mirror for the crawl benchmarks: N article pages built from the 181 real pages
of ../shared/benchmarks/article-extraction (their sizes and markup are real; canonical
and og:url are rewritten to the mirror's own URLs), listing pages of 50 links with a
rel=next link, a sitemap and robots.txt, written as files and served by
static_server.py from a separate process."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from extraction_score import DEFAULT_DIR

BENCH_DIR = DEFAULT_DIR
PER_LISTING = 50
_CANONICAL = re.compile(
    rb"<link[^>]+rel=[\"']canonical[\"'][^>]*>|<meta[^>]+property=[\"']og:url[\"'][^>]*>", re.I
)
_HEAD = re.compile(rb"<head[^>]*>", re.I)


def source_pages() -> list[bytes]:
    ids = sorted(json.loads((BENCH_DIR / "ground-truth.json").read_text()))
    return [gzip.decompress((BENCH_DIR / "html" / f"{i}.html.gz").read_bytes()) for i in ids]


def with_own_url(html: bytes, url: str) -> bytes:
    own = f'<link rel="canonical" href="{url}"><meta property="og:url" content="{url}">'.encode()
    html = _CANONICAL.sub(b"", html)
    head = _HEAD.search(html)
    if head is None:
        return own + html
    return html[: head.end()] + own + html[head.end() :]


def write_mirror(folder: Path, base_url: str, count: int) -> list[str]:
    """Write `count` article pages and their listings; returns the article paths."""
    sources = source_pages()
    (folder / "a").mkdir(parents=True, exist_ok=True)
    (folder / "list").mkdir(exist_ok=True)
    paths = [f"/a/{n}.html" for n in range(count)]
    for n, path in enumerate(paths):
        (folder / path.lstrip("/")).write_bytes(
            with_own_url(sources[n % len(sources)], base_url + path)
        )
    listings = (count + PER_LISTING - 1) // PER_LISTING
    for page in range(listings):
        chunk = paths[page * PER_LISTING : (page + 1) * PER_LISTING]
        links = "".join(f'<li><a href="{p}">Статья {p}</a></li>' for p in chunk)
        following = (
            f'<a rel="next" href="/list/{page + 2}.html">Следующая</a>'
            if page + 1 < listings
            else ""
        )
        (folder / "list" / f"{page + 1}.html").write_text(
            f"<html><body><ul>{links}</ul>{following}</body></html>", encoding="utf-8"
        )
    urls = "".join(
        f"<url><loc>{base_url}{p}</loc><lastmod>2026-11-01</lastmod></url>" for p in paths
    )
    (folder / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
        encoding="utf-8",
    )
    (folder / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="ascii")
    return paths


def site_file(folder: Path, base_url: str) -> Path:
    path = folder / "mirror.toml"
    path.write_text(
        'slug = "mirror"\nname = "Mirror"\ndomains = ["127.0.0.1"]\nlanguage = "en"\n'
        f'start_urls = ["{base_url}/list/1.html"]\nsitemaps = ["{base_url}/sitemap.xml"]\n'
        "article_url = '/a/\\d+\\.html$'\nmax_pages = 100000\n",
        encoding="utf-8",
    )
    return path
