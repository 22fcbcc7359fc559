"""A small news site for crawl tests, served on 127.0.0.1 by newsbot's LocalSite, and
helpers to run `newsbot crawl` on it in a real subprocess (Twisted's reactor starts once
per process, and a subprocess is what cron runs anyway)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from newsbot.demo.server import LocalSite, Page
from tests.conftest import FIXTURES


def fixture_page(path: str, content_type: str = "text/html; charset=utf-8") -> Page:
    return Page((FIXTURES / path).read_bytes(), content_type=content_type)


def listing(*links: str, next_url: str | None = None) -> Page:
    anchors = "".join(f'<li><a href="{link}">{link}</a></li>' for link in links)
    following = f'<a class="next" href="{next_url}">Следующая →</a>' if next_url else ""
    return Page(
        f'<html><body><ul>{anchors}</ul><div class="pages">{following}</div></body></html>'.encode()
    )


def news_site_pages() -> dict[str, Page | list[Page]]:
    return {
        "/robots.txt": Page(b"User-agent: *\nDisallow: /private/\n", "text/plain"),
        "/news/": listing(
            "/news/1-primeminister.html", "/news/2-nur.html", "/news/3-egemen.html",
            "/private/4-secret.html", "/tag/economy/", "/about/",
            next_url="/news/?page=2",
        ),
        "/news/?page=2": listing(
            "/news/5-zakon.html", "/news/6-missing.html", "/news/7-broken.html",
            "/news/8-slow.html", "/news/9-english.html",
        ),
        "/tag/economy/": listing("/news/1-primeminister.html"),
        "/news/1-primeminister.html": fixture_page("primeminister_ru/press-release.html"),
        "/news/2-nur.html": fixture_page("nur_kz/article.html"),
        "/news/3-egemen.html": fixture_page("egemen_kz/article.html"),
        "/private/4-secret.html": fixture_page("primeminister_ru/press-release.html"),
        # cp1251 bytes, declared only in the HTTP header
        "/news/5-zakon.html": fixture_page(
            "zakon_kz/article-cp1251-undeclared.html", "text/html; charset=windows-1251"
        ),
        "/news/7-broken.html": Page(b"<html><body>Internal error</body></html>", status=500),
        "/news/8-slow.html": Page(b"<html><body>late</body></html>", delay=2.5),
        "/news/9-english.html": fixture_page("primeminister_en/press-release.html"),
    }  # fmt: skip


def write_site_file(folder: Path, site: LocalSite, slug: str = "testsite", **extra: object) -> Path:
    lines = [
        f'slug = "{slug}"',
        'name = "Test Site"',
        'domains = ["127.0.0.1"]',
        'language = "ru"',
        f'start_urls = ["{site.base_url}/news/"]',
        "article_url = '/(?:news|private)/\\d+-[\\w-]+\\.html$'",
        "download_timeout = 1",
    ]
    for key, value in extra.items():
        lines.append(
            f"{key} = {value!r}".replace("'", '"') if isinstance(value, str) else f"{key} = {value}"
        )
    path = folder / f"{slug}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def crawl_command(db: Path, *site_files: Path, extra: tuple[str, ...] = ()) -> list[str]:
    command = [sys.executable, "-m", "newsbot.cli", "crawl", "--db", str(db), *extra]
    for site_file in site_files:
        command += ["--site-file", str(site_file)]
    return command


def run_crawl(
    db: Path, *site_files: Path, extra: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        crawl_command(db, *site_files, extra=extra),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def query(db: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return list(connection.execute(sql, params))
