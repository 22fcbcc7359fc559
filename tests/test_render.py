"""Pages drawn by JavaScript: the local JavaScript site (tests/support/jssite.py) crawled
whole through Debian's Chromium, nothing from its lists without the browser, a JSON-API
listing without one, sites that need no browser never starting one, and a site that
needs one skipped in one line where there is none."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from newsbot.crawling.api_listing import build_id_of, fill, items_of, values_at
from newsbot.sites.api_config import parse_api
from newsbot.sites.config import ConfigError, parse_config
from tests.support.jssite import (
    GOV_ENTITIES,
    JsSite,
    expected_articles,
    next_site_file_text,
    site_file_text,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium installed (.ci/run installs Debian's chromium)"
)


def _wrapper(folder: Path) -> tuple[Path, Path]:
    """A NEWSBOT_CHROMIUM that notes each launch (its pid) and runs the real Chromium."""
    launches = folder / "launches.txt"
    script = folder / "chromium"
    real = CHROMIUM or "/bin/false"
    script.write_text(f'#!/bin/sh\necho $$ >> "{launches}"\nexec "{real}" "$@"\n')
    script.chmod(0o755)
    return script, launches


def _crawl(
    db: Path, *site_files: Path, chromium: Path | str | None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if chromium is not None:
        env["NEWSBOT_CHROMIUM"] = str(chromium)
    command = [sys.executable, "-m", "newsbot.cli", "crawl", "--db", str(db)]
    for site_file in site_files:
        command += ["--site-file", str(site_file)]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=240, env=env, check=False
    )


def _articles(db: Path, site: str) -> dict[str, tuple]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT url, published_at, section, body FROM articles WHERE site = ?", [site]
        )
        return {url.split(":", 2)[2].split("/", 1)[1]: row for url, *row in rows}


def _paths(articles: dict[str, tuple]) -> set[str]:
    return {"/" + path for path in articles}


@needs_chromium
def test_javascript_site_is_crawled_whole_through_chromium(tmp_path: Path):
    chromium, launches = _wrapper(tmp_path)
    with JsSite() as site:
        js = tmp_path / "jssite.toml"
        js.write_text(site_file_text(site.base_url))
        # A second rendering site, every page of it in the browser: one browser for both.
        nx = tmp_path / "nextsite.toml"
        nx.write_text(next_site_file_text(site.base_url, render="all"))
        db = tmp_path / "news.db"
        result = _crawl(db, js, nx, chromium=chromium)
        requested = list(site.requests)
        browser_requests = list(site.browser_requests)
    assert result.returncode == 0, result.stderr
    expected = expected_articles()
    # Only what needs the browser went through it: listings, the session page and the
    # second site's pages; never the first site's articles, the Next.js data routes,
    # nor the API beyond the calls the session page's own script made.
    in_browser = set(browser_requests)
    assert {"/app/list", "/app/scroll", "/app/more", "/app/gov"} <= in_browser
    assert expected["next"] <= in_browser
    assert not [p for p in in_browser if p.startswith(("/_next/", "/news/", "/gov/"))]
    assert sum(p.startswith("/api/") for p in browser_requests) == requested.count("/session")
    articles = _articles(db, "jssite")
    # Every list: drawn from JSON, scrolled to its end, clicked through, and the API.
    for part in ("list", "scroll", "more", "gov"):
        assert expected[part] <= _paths(articles), part
    assert len(articles) == sum(len(expected[p]) for p in ("list", "scroll", "more", "gov"))
    # The API answered only with the headers the page's script took from /session; they
    # expired after four calls, and the page was opened once more for a fresh pair.
    assert requested.count("/session") == 2
    # API articles keep the API's date (their pages show none) and the entity's name.
    minfin = [v for k, v in articles.items() if k.startswith("gov/minfin/")]
    assert len(minfin) == 8
    for published, section, _ in minfin:
        assert published.startswith("2024-10-") and published.endswith("T09:30:00+05:00")
        assert section == GOV_ENTITIES["minfin"]
    # The akimat's articles came whole from the API: their pages were never asked for.
    akimat = [v for k, v in articles.items() if k.startswith("gov/akimat/")]
    assert len(akimat) == 4 and all("Акимат сообщает" in row[2] for row in akimat)
    assert not [path for path in requested if path.startswith("/gov/akimat/")]
    # The Next.js-like data routes as JSON (never rendered), their article pages rendered.
    assert _paths(_articles(db, "nextsite")) == expected["next"]
    with sqlite3.connect(db) as connection:
        hang = connection.execute("SELECT error FROM pages WHERE url LIKE '%/app/hang'").fetchone()
        (browser_mb,) = connection.execute("SELECT browser_mb FROM runs").fetchone()
        hints = [
            json.loads(h)
            for (h,) in connection.execute(
                "SELECT hints FROM pages WHERE url LIKE '%/gov/minfin/details/%'"
            )
        ]
    # A page whose load never comes times out in the browser and the crawl goes on.
    assert hang is not None and "Timeout" in hang[0]
    assert all(h["entity"] == "minfin" and h["api_id"].isdigit() for h in hints) and hints
    # One browser for the crawl, its memory reported, and none left running after it.
    pids = launches.read_text().split()
    assert len(pids) == 1
    assert not Path(f"/proc/{pids[0]}").exists()
    assert browser_mb and browser_mb > 10
    errors = [
        line
        for line in (tmp_path / "logs" / "newsbot.log").read_text().splitlines()
        if "] ERROR:" in line
    ]
    assert errors == []
    runs = subprocess.run(
        [sys.executable, "-m", "newsbot.cli", "runs", "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"{browser_mb:.0f} MB" in runs.stdout


def test_without_rendering_the_lists_give_nothing_and_no_browser_starts(tmp_path: Path):
    chromium, launches = _wrapper(tmp_path)
    with JsSite() as site:
        plain = tmp_path / "plain.toml"
        plain.write_text(site_file_text(site.base_url, slug="plain", render=False))
        nx = tmp_path / "nextsite.toml"
        nx.write_text(next_site_file_text(site.base_url))
        db = tmp_path / "news.db"
        result = _crawl(db, plain, nx, chromium=chromium)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{site.base_url}/api/news?entity=minfin&page=1", timeout=5)
    assert refused.value.code == 403  # the API without the script's headers
    assert _articles(db, "plain") == {}
    assert "plain: failed: no article links in 3 discovery pages" in result.stderr
    # A JSON-API listing needs no browser: the Next.js data routes give every article.
    assert _paths(_articles(db, "nextsite")) == expected_articles()["next"]
    assert not launches.exists()
    log = (tmp_path / "logs" / "newsbot.log").read_text()
    assert "scrapy-playwright" not in log
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT browser_mb FROM runs").fetchone() == (None,)


def test_a_site_that_needs_a_browser_is_skipped_in_one_line_without_one(tmp_path: Path):
    with JsSite() as site:
        js = tmp_path / "jssite.toml"
        js.write_text(site_file_text(site.base_url))
        nx = tmp_path / "nextsite.toml"
        nx.write_text(next_site_file_text(site.base_url))
        db = tmp_path / "news.db"
        result = _crawl(db, js, nx, chromium=tmp_path / "no-chromium-here")
        requested = list(site.requests)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "jssite" in line]
    assert lines == [
        f"newsbot: jssite: unsupported: needs a browser: NEWSBOT_CHROMIUM={tmp_path / 'no-chromium-here'}"
        " is not an executable (apt-get install chromium)"
    ]
    assert "Traceback" not in result.stderr
    assert not [path for path in requested if path.startswith(("/app/", "/session", "/api/"))]
    assert _paths(_articles(db, "nextsite")) == expected_articles()["next"]


# --- config and JSON reading ----------------------------------------------------------

GOOD = {"slug": "x", "name": "X", "domains": ["x.example"], "language": "ru",
        "start_urls": ["https://x.example/news"], "article_url": "/news/\\d+"}  # fmt: skip
API = {"url": "https://x.example/api?page={page}", "items": "data.items", "item_url": "url"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"render": "yes"}, "key 'render': 'yes' is not one of listing, all"),
        ({"render": "listing", "scroll": -1}, "key 'scroll': -1 is out of range"),
        ({"render": "listing", "scroll": 2.5}, "key 'scroll': 2.5 is not a whole number"),
        ({"scroll": 3}, "key 'scroll': only works in a rendered listing"),
        ({"load_more": "button.more"}, "key 'load_more': only works in a rendered listing"),
        ({"render": "listing", "load_more": "button[["}, "key 'load_more': bad CSS selector"),
        ({"api": "https://x.example/api"}, "key 'api': must be a table"),
        ({"api": {**API, "colour": 1}}, "key 'api.colour': unknown key"),
        ({"api": {"url": API["url"], "items": "x"}}, "key 'api.item_url': missing"),
        ({"api": {**API, "url": "https://x.example/api"}}, "key 'api.url': needs a {page}"),
        ({"api": {**API, "url": "https://x.example/{page}/{lang}"}},
         "key 'api.url': unknown placeholder 'lang'"),
        ({"api": {**API, "url": "https://x.example/{entity}/{page}"}},
         "key 'api.entities': api.url has {entity}"),
        ({"api": {**API, "url": "https://x.example/{build_id}/{page}"}},
         "key 'api.build_id_page': api.url has {build_id}"),
        ({"api": {**API, "session_headers": ["token"]}},
         "key 'api.session_headers': give it together with api.session_page"),
        ({"api": {**API, "session_page": "https://x.example/", "session_headers": ["a b"]}},
         "key 'api.session_headers': must be a list of header names"),
        ({"api": {**API, "first_page": 7}}, "key 'api.first_page': 7: give 0 or 1"),
        ({"api": {**API, "url": "ftp://x.example/{page}"}}, "key 'api': 'ftp://x.example/1' is not an http"),
        ({"api": {**API, "headers": {"referer": "{lang}"}}},
         "key 'api.headers': '{lang}': only {entity}"),
    ],
)  # fmt: skip
def test_bad_render_and_api_keys_are_refused_in_one_line(change, message):
    with pytest.raises(ConfigError) as error:
        parse_config({**GOOD, **change}, "x.toml")
    assert str(error.value).startswith(f"x.toml: {message}")


def test_an_api_alone_is_a_way_to_discover_and_a_session_needs_the_browser():
    config = parse_config({**GOOD, "start_urls": [], "api": API}, "x.toml")
    assert config.api is not None and not config.needs_browser
    session = {**API, "session_page": "https://x.example/news", "session_headers": ["Token"]}
    config = parse_config({**GOOD, "api": session}, "x.toml")
    assert config.needs_browser and config.api and config.api.session_headers == ("token",)


def test_json_paths_templates_and_build_ids():
    data = {"a": {"queries": [{"rows": [{"id": 1}]}, {"rows": [{"id": 2}, "junk"]}, {}]}}
    assert values_at(data, "a.queries.*.rows.*.id") == [1, 2]
    assert values_at(data, "a.queries.1.rows.0.id") == [2]
    assert values_at(data, "a.missing.*") == []
    api = parse_api({**API, "items": "a.queries.*.rows|a.other"})
    assert items_of(data, api) == [{"id": 1}, {"id": 2}]
    item = {"id": 7, "slug": "s", "category": {"slug": "economic"}, "title": ""}
    assert fill("https://k.kz/{category.slug}/{id}/{slug}.html", item, {}) == (
        "https://k.kz/economic/7/s.html"
    )
    assert fill("/gov/{entity}/{id}", item, {"entity": "mfa"}) == "/gov/mfa/7"
    assert fill("/{missing}/{id}", item, {}) is None
    assert fill("title|slug", item, {}) == "s"  # an empty value is no value
    page = b'<script id="__NEXT_DATA__" type="application/json">{"buildId":"Ab-1_2"}</script>'
    assert build_id_of(page) == "Ab-1_2"
    assert build_id_of(page.replace(b"Ab-1_2", b"../x")) is None
    assert build_id_of(b"<html></html>") is None
