"""Local sites shaped like the real ones (tests/realsites.py): crawled with hand-written
configs (the bundled primeminister regex, a regex for an old URL form, a wrong regex),
with no regex at all, and with the configs `newsbot add-site` writes from the home URL
alone. Every article is stored, and nothing else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newsbot.demo.server import LocalSite
from newsbot.sites.config import bundled_configs, load_config
from newsbot.sitetools.addsite import add_site
from tests import realsites
from tests.conftest import ROOT
from tests.crawlsite import query, run_crawl


def write_config(folder: Path, slug: str, language: str, **keys: object) -> Path:
    lines = [
        f'slug = "{slug}"',
        f'name = "{slug}"',
        'domains = ["127.0.0.1"]',
        f'language = "{language}"',
    ]
    for key, value in keys.items():
        if isinstance(value, list):
            lines.append(f"{key} = [" + ", ".join(f'"{v}"' for v in value) + "]")
        else:
            lines.append(f"{key} = '{value}'")
    path = folder / f"{slug}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stored(db: Path, site: str) -> set[str]:
    return {url for (url,) in query(db, "SELECT url FROM articles WHERE site = ?", site)}


def dropped(db: Path, site: str) -> dict[str, str]:
    rows = query(
        db, "SELECT url, drop_reason FROM pages WHERE site = ? AND drop_reason IS NOT NULL", site
    )
    return dict(rows)


@pytest.fixture(scope="module")
def sites():
    with LocalSite({}) as pm, LocalSite({}) as eg, LocalSite({}) as tg:
        pm.pages.update(realsites.primeminister_pages())
        eg.pages.update(realsites.egemen_pages(eg.base_url))
        tg.pages.update(realsites.tengri_pages(tg.base_url))
        yield {"pm": pm, "eg": eg, "tg": tg}


def articles_of(site: LocalSite, paths: list[tuple[str, str, str]]) -> set[str]:
    return {site.base_url + path for path, _, _ in paths}


def test_hand_written_configs_survive_a_wrong_guess(sites, tmp_path: Path):
    pm, eg, tg = sites["pm"], sites["eg"], sites["tg"]
    bundled = bundled_configs()["primeminister_ru"]
    files = [
        # The bundled regex (rubric segment allowed); pages linked by numbers only.
        write_config(
            tmp_path,
            "pm_hand",
            "ru",
            start_urls=[f"{pm.base_url}/ru/news"],
            article_url=bundled.article_url.pattern,
        ),
        # Written for the old /article/<id>-<slug> form: the feed's /news/<id> still count.
        write_config(
            tmp_path,
            "eg_old",
            "kk",
            start_urls=[f"{eg.base_url}/news"],
            feeds=[f"{eg.base_url}/rss"],
            article_url=r"/article/\d+-[^/?#]+$",
        ),
        # A regex that matches nothing on the site.
        write_config(
            tmp_path,
            "tg_wrong",
            "ru",
            start_urls=[f"{tg.base_url}/news/"],
            feeds=[f"{tg.base_url}/news.rss"],
            article_url=r"/stati/\d+$",
        ),
    ]
    pm.requests.clear()
    db = tmp_path / "news.db"
    result = run_crawl(db, *files)
    assert result.returncode == 0, result.stdout + result.stderr

    assert stored(db, "pm_hand") == articles_of(pm, realsites.primeminister_articles("ru"))
    assert any("/asset_recovery/" in url for url in stored(db, "pm_hand"))
    # Listing pages 2 and 3 reached through numbered links, each fetched once.
    assert pm.requests.count("/ru/news/page/2") == 1
    assert pm.requests.count("/ru/news/page/3") == 1
    assert "/ru/news/page/4" not in pm.requests

    feed = realsites.egemen_articles()[:5]
    assert stored(db, "eg_old") == articles_of(eg, feed)
    assert stored(db, "tg_wrong") == articles_of(tg, realsites.tengri_articles()[:5])


def test_without_article_url_the_classifier_decides(sites, tmp_path: Path):
    pm = sites["pm"]
    site_file = write_config(tmp_path, "pm_loose", "ru", start_urls=[f"{pm.base_url}/ru/news"])
    db = tmp_path / "news.db"
    result = run_crawl(db, site_file)
    assert result.returncode == 0, result.stdout + result.stderr
    assert stored(db, "pm_loose") == articles_of(pm, realsites.primeminister_articles("ru"))
    reasons = dropped(db, "pm_loose")
    hub = f"{pm.base_url}/ru/news/asset_recovery"
    assert reasons[hub].startswith("not an article: a listing")
    documents = [url for url in reasons if "/documents/" in url]
    assert documents, reasons
    assert all(reasons[url].startswith("not an article: no date") for url in documents)


def test_add_site_writes_configs_that_crawl_every_article(sites, tmp_path: Path):
    pm, eg, tg = sites["pm"], sites["eg"], sites["tg"]
    folder = tmp_path / "sites"
    # From the command line, for one: the home URL alone.
    result = subprocess.run(
        [sys.executable, "-m", "newsbot.cli", "add-site", f"{pm.base_url}/", "-o", str(folder),
         "--slug", "pm", "--max-requests", "60"],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kept" in result.stdout and "rejected" in result.stdout
    lines: list[str] = []
    add_site(f"{eg.base_url}/", folder, "eg", say=lines.append)
    add_site(f"{tg.base_url}/", folder, "tg", say=lines.append)
    written = sorted(path.name for path in folder.glob("*.toml"))
    assert written == ["eg.toml", "pm_en.toml", "pm_kk.toml", "pm_ru.toml", "tg.toml"]

    pm_ru = load_config(folder / "pm_ru.toml")
    assert pm_ru.language == "ru" and load_config(folder / "pm_kk.toml").language == "kk"
    assert pm_ru.takes_article(f"{pm.base_url}/ru/news/asset_recovery/x-31773")
    assert not pm_ru.takes_article(f"{pm.base_url}/ru/news/asset_recovery")
    assert not pm_ru.takes_article(f"{pm.base_url}/ru/news/page/2")
    assert not pm_ru.takes_article(f"{pm.base_url}/kz/news/x-31773")
    assert pm_ru.imprint_urls == (f"{pm.base_url}/ru/about", f"{pm.base_url}/ru/contacts")
    assert load_config(folder / "eg.toml").feeds == (f"{eg.base_url}/rss",)
    assert load_config(folder / "tg.toml").feeds == (f"{tg.base_url}/news.rss",)
    assert load_config(folder / "tg.toml").sitemaps == (f"{tg.base_url}/sitemap-news.xml",)
    assert "Generated by `newsbot add-site" in (folder / "tg.toml").read_text()

    db = tmp_path / "news.db"
    result = run_crawl(db, *sorted(folder.glob("*.toml")))
    assert result.returncode == 0, result.stdout + result.stderr
    for slug, edition in (("pm_ru", "ru"), ("pm_kk", "kz"), ("pm_en", "en")):
        assert stored(db, slug) == articles_of(pm, realsites.primeminister_articles(edition)), slug
    assert stored(db, "eg") == articles_of(eg, realsites.egemen_articles())
    assert stored(db, "tg") == articles_of(tg, realsites.tengri_articles())
    total = query(db, "SELECT count(*) FROM articles")[0][0]
    assert total == 3 * 12 + 8 + 9


def test_add_site_keeps_within_its_request_budget(sites, tmp_path: Path):
    pm = sites["pm"]
    pm.requests.clear()
    lines: list[str] = []
    add_site(f"{pm.base_url}/", tmp_path, "tiny", max_requests=12, say=lines.append)
    assert len(pm.requests) <= 12
    assert any("requests made (at most 12)" in line for line in lines)


def test_add_site_refuses_a_home_page_it_cannot_read(tmp_path: Path):
    with LocalSite({}) as site:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "newsbot.cli",
                "add-site",
                f"{site.base_url}/",
                "-o",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=ROOT,
        )
    assert result.returncode == 2
    assert "HTTP 404" in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.glob("*.toml"))
