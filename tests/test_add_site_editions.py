"""add-site on a multi-edition site whose home page is one edition's (primeminister.kz:
`/` links to `/ru/news`, and to the other editions' home pages only): each edition's
news listing and its pagination are found as for the first, the configs name the site
as its pages do, and a crawl with them stores every article of every edition."""

from __future__ import annotations

import tomllib
from pathlib import Path

from lxml import html

from newsbot.demo.server import LocalSite
from newsbot.sitetools.addsite import add_site, site_name
from tests import realsites
from tests.crawlsite import query, run_crawl

SITE_NAME = "Премьер-министр Республики Казахстан"


def edition_home_first_pages() -> dict:
    """primeminister.kz's shape, its home page the Russian edition's: the other editions
    are reached through the language switch alone."""
    pages = realsites.primeminister_pages()
    teasers = "".join(
        f'<a href="{path}">{title}</a>'
        for path, title, _ in realsites.primeminister_articles("ru")[:3]
    )
    pages["/"] = realsites.html_page(
        f"{realsites._pm_header('ru')}<main>{teasers}</main>",
        f"Главная | {SITE_NAME}",
        head=f'<meta property="og:site_name" content="{SITE_NAME}">',
    )
    return pages


def test_every_edition_is_crawled_whole_from_add_sites_configs(tmp_path: Path):
    folder = tmp_path / "sites"
    with LocalSite(edition_home_first_pages()) as site:
        lines: list[str] = []
        written = add_site(f"{site.base_url}/", folder, "pm", max_requests=80, say=lines.append)
        assert sorted(path.name for path in written) == ["pm_en.toml", "pm_kk.toml", "pm_ru.toml"]
        for path, edition in zip(sorted(written), ("en", "kz", "ru"), strict=True):
            config = tomllib.loads(path.read_text(encoding="utf-8"))
            assert config["start_urls"][0] == f"{site.base_url}/{edition}/news", "\n".join(lines)
            assert config["name"] == SITE_NAME
            assert '"' not in path.read_text(encoding="utf-8")  # one quoting style

        db = tmp_path / "news.db"
        result = run_crawl(db, *written)
        assert result.returncode == 0, result.stdout + result.stderr
    for slug, edition in (("pm_ru", "ru"), ("pm_kk", "kz"), ("pm_en", "en")):
        stored = {url for (url,) in query(db, "SELECT url FROM articles WHERE site = ?", slug)}
        expected = {
            site.base_url + path for path, _, _ in realsites.primeminister_articles(edition)
        }
        assert stored == expected, slug


def test_the_site_is_named_as_its_home_page_names_it():
    def named(head: str, title: str = "Главная") -> str | None:
        return site_name(html.fromstring(f"<html><head><title>{title}</title>{head}</head></html>"))

    graph = '{"@graph": [{"@type": "WebPage"}, {"publisher": {"name": "Kazinform"}}]}'
    assert named('<meta property="og:site_name" content=" Tengrinews.kz ">') == "Tengrinews.kz"
    assert named(f'<script type="application/ld+json">{graph}</script>') == "Kazinform"
    assert named('<script type="application/ld+json">{broken</script>', "Новости — Egemen") == (
        "Egemen"
    )
    assert named("", "Главная страница") is None
