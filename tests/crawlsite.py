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
            "/news/1-primeminister.html",
            "/news/2-nur.html",
            "/news/3-egemen.html",
            "/private/4-secret.html",
            "/tag/economy/",
            "/about/",
            next_url="/news/?page=2",
        ),
        "/news/?page=2": listing(
            "/news/5-zakon.html",
            "/news/6-missing.html",
            "/news/7-broken.html",
            "/news/8-slow.html",
            "/news/9-english.html",
        ),
        "/tag/economy/": listing("/news/1-primeminister.html"),
        "/news/1-primeminister.html": fixture_page("primeminister_ru/press-release.html"),
        "/news/2-nur.html": fixture_page("nur_ru/article.html"),
        "/news/3-egemen.html": fixture_page("egemen_kk/article.html"),
        "/private/4-secret.html": fixture_page("primeminister_ru/press-release.html"),
        # cp1251 bytes, declared only in the HTTP header
        "/news/5-zakon.html": fixture_page(
            "zakon_ru/article-cp1251-undeclared.html", "text/html; charset=windows-1251"
        ),
        "/news/7-broken.html": Page(b"<html><body>Internal error</body></html>", status=500),
        # Ten times the config's download_timeout: a crawl slowed by a busy machine
        # (its timeout firing late) still cannot read this page in time.
        "/news/8-slow.html": Page(b"<html><body>late</body></html>", delay=10),
        "/news/9-english.html": fixture_page("primeminister_en/press-release.html"),
    }


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


def article_html(number: int, body_note: str = "") -> bytes:
    """A plain article page with a title, a date and a footer imprint."""
    text = (
        f"<p>Новость номер {number}: Министерство энергетики подвело итоги работы за месяц и "
        f"рассказало о планах на следующий квартал. {body_note}</p>"
        "<p>В ведомстве отметили, что план по добыче выполнен, а ремонт сетей завершен в срок.</p>"
    )
    return (
        f'<html><head><meta charset="utf-8"><title>Новость {number}</title></head><body>'
        f'<article><h1>Новость {number}</h1><div class="date">{1 + number % 27}.11.2024 10:{number % 60:02d}</div>'
        f"{text}</article>"
        "<footer><p>Главный редактор: Мадина Жатканбаева</p>"
        "<p>Свидетельство №KZ15VPY00079493 выдано 19.10.2023</p></footer></body></html>"
    ).encode()


def paged_site_pages(count: int, per_page: int, delay: float = 0.0) -> dict[str, Page | list[Page]]:
    """`count` articles over listing pages of `per_page`, each answering after `delay`."""
    pages: dict[str, Page | list[Page]] = {"/robots.txt": Page(b"User-agent: *\n", "text/plain")}
    page_count = (count + per_page - 1) // per_page
    for page in range(1, page_count + 1):
        numbers = range((page - 1) * per_page + 1, min(count, page * per_page) + 1)
        path = "/news/" if page == 1 else f"/news/?page={page}"
        following = f"/news/?page={page + 1}" if page < page_count else None
        pages[path] = listing(*(f"/news/{n}-item.html" for n in numbers), next_url=following)
    for number in range(1, count + 1):
        pages[f"/news/{number}-item.html"] = Page(article_html(number), delay=delay)
    return pages
