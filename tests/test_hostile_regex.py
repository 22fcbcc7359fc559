"""Config regexes cannot hang a crawl (RE2, linear time), and SIGTERM ends a crawl busy on
a slow site within seconds, the run recorded as interrupted."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from newsbot.demo.server import LocalSite, Page
from newsbot.sites.config import ConfigError, bundled_configs, parse_config
from tests.crawlsite import article_html, crawl_command, listing, query, run_crawl

BASE = {
    "slug": "x",
    "name": "X",
    "domains": ["example.kz"],
    "language": "ru",
    "start_urls": ["https://example.kz/"],
}


@pytest.mark.parametrize(
    ("pattern", "construct"),
    [
        (r"/news/(\d+)-\1", "backreference"),
        (r"/news/(?=\d)", "lookahead"),
        (r"(?<!tag)/news/", "lookbehind"),
        (r"/news/\d++", "possessive"),
    ],
)
def test_a_pattern_re2_cannot_run_is_refused_naming_the_key(pattern: str, construct: str):
    with pytest.raises(ConfigError) as caught:
        parse_config({**BASE, "article_url": pattern}, "x.toml")
    message = str(caught.value)
    assert message.startswith("x.toml: key 'article_url': bad regular expression"), construct
    assert "RE2" in message and "\n" not in message


def test_a_catastrophic_pattern_answers_at_once():
    config = parse_config({**BASE, "article_url": "(a+)+$"}, "x.toml")
    started = time.perf_counter()
    # With Python's re this takes 2**46 steps; RE2 is linear in the text.
    assert config.article_url.search("a" * 46 + "!") is None
    assert config.article_url.search("a" * 10_000) is not None
    assert time.perf_counter() - started < 1.0


def test_every_bundled_config_compiles_with_re2():
    configs = bundled_configs()
    assert len(configs) >= 20
    for slug, config in configs.items():
        assert type(config.article_url).__module__ == "re2", slug


def test_a_crawl_with_a_catastrophic_pattern_ends(tmp_path: Path):
    evil = "/" + "a" * 46 + "!"
    pages: dict[str, Page | list[Page]] = {
        "/robots.txt": Page(b"User-agent: *\n", "text/plain"),
        "/news/": listing(evil, "/aaaa"),
        "/aaaa": Page(article_html(1)),
    }
    with LocalSite(pages) as site:
        site_file = tmp_path / "evil.toml"
        site_file.write_text(
            'slug = "evil"\nname = "Evil"\ndomains = ["127.0.0.1"]\nlanguage = "ru"\n'
            f"start_urls = [\"{site.base_url}/news/\"]\narticle_url = '(a+)+$'\n"
        )
        db = tmp_path / "news.db"
        result = run_crawl(db, site_file)
        assert result.returncode == 0, result.stderr
        assert query(db, "SELECT count(*) FROM articles") == [(1,)]


def test_sigterm_ends_a_crawl_stuck_on_a_slow_site_within_seconds(tmp_path: Path):
    # Every article answers after 60 s, inside a 90 s download timeout: a graceful stop
    # that waits for downloads in flight would take a minute.
    pages: dict[str, Page | list[Page]] = {
        "/robots.txt": Page(b"User-agent: *\n", "text/plain"),
        "/news/": listing(*(f"/news/{n}-item.html" for n in range(1, 9))),
    }
    for number in range(1, 9):
        pages[f"/news/{number}-item.html"] = Page(article_html(number), delay=60)
    with LocalSite(pages) as site:
        site_file = tmp_path / "slow.toml"
        site_file.write_text(
            'slug = "slow"\nname = "Slow"\ndomains = ["127.0.0.1"]\nlanguage = "ru"\n'
            f'start_urls = ["{site.base_url}/news/"]\n'
            "article_url = '/news/\\d+-item\\.html$'\ndownload_timeout = 90\n"
        )
        db = tmp_path / "news.db"
        process = subprocess.Popen(
            crawl_command(db, site_file),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while not any(p.endswith("-item.html") for p in site.requests):
                assert time.monotonic() < deadline, "no article was requested"
                assert process.poll() is None, process.communicate()
                time.sleep(0.1)
            time.sleep(0.5)
            signalled = time.monotonic()
            process.send_signal(signal.SIGTERM)
            output, errors = process.communicate(timeout=30)
            took = time.monotonic() - signalled
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        assert took < 10, f"{took:.1f} s after SIGTERM"
        assert process.returncode == 1, errors
        assert "interrupted" in output + errors
        assert query(db, "SELECT status FROM runs") == [("interrupted",)]
        assert query(db, "SELECT last_status FROM site_state") == [("interrupted",)]
