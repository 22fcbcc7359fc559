"""`newsbot browse`: Datasette on a real crawled database (the press office and the outlet
of tests/reprintsites.py), asked through its JSON API."""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsbot.demo.server import LocalSite
from tests.crawlsite import query, run_crawl
from tests.reprintsites import RELEASES, STORIES, gov_pages, outlet_pages, write_configs


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browse")
    with LocalSite(gov_pages()) as gov, LocalSite(outlet_pages()) as outlet:
        db = folder / "news.db"
        result = run_crawl(db, *write_configs(folder, gov, outlet))
        assert result.returncode == 0, result.stderr
    return db


@pytest.fixture(scope="module")
def browse(database: Path) -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "newsbot.cli", "browse", "--db", str(database), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    raise AssertionError(server.communicate()[0]) from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def _json(base: str, path: str, **params: str) -> Any:
    url = f"{base}{path}?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


def _rows(base: str, name: str, **params: str) -> list[dict[str, Any]]:
    rows = _json(base, f"/news/{name}.json", _shape="array", **params)
    assert isinstance(rows, list), rows
    return rows


def _title(path: str) -> str:
    return {**RELEASES, **STORIES}[path][0]


def _titles_matching(database: Path, pattern: str) -> set[str]:
    return {
        title
        for title, lead, body in query(database, "SELECT title, lead, body FROM articles")
        if re.search(pattern, f"{title} {lead} {body}".lower())
    }


@pytest.mark.parametrize("table", ["article_list", "articles"])
def test_the_search_box_finds_word_forms(browse: str, database: Path, table: str):
    # «Бектенов» finds «Бектенова» too (the minutes of a meeting he chaired), as
    # `newsbot export --query` does.
    found = {row["title"] for row in _rows(browse, table, _search="Бектенов")}
    assert found == _titles_matching(database, r"(?<!\w)бектенов\w*")
    assert found > _titles_matching(database, r"(?<!\w)бектенов(?!\w)")
    assert _title("/news/314-kurs.html") not in found


def test_the_exact_forms_are_one_query_away(browse: str, database: Path):
    found = {row["title"] for row in _rows(browse, "search_exact_forms", q="Бектенов")}
    assert found == _titles_matching(database, r"(?<!\w)бектенов(?!\w)")
    assert _title("/press/104-zavod-shymkent.html") in found


def test_a_search_that_is_no_query_is_read_as_the_words_typed(browse: str, database: Path):
    # An unclosed quotation mark: no error page, the word searched with its forms.
    found = {row["title"] for row in _rows(browse, "article_list", _search='"Бектенов')}
    assert found == _titles_matching(database, r"(?<!\w)бектенов\w*")
    assert _rows(browse, "article_list", _search='"') == []


def test_search_with_word_forms_uses_the_stemmed_index(browse: str):
    rows = _rows(browse, "search_word_forms", q="зерно")
    assert {row["title"] for row in rows} == {
        _title("/press/103-eksport-zerna.html"),
        _title("/news/203-zerno.html"),
    }


def test_a_facet_counts_articles_per_publisher(browse: str):
    answer = _json(browse, "/news/article_list.json", _facet="publisher_name", _size="0")
    counts = {
        item["value"]: item["count"]
        for item in answer["facet_results"]["publisher_name"]["results"]
    }
    assert counts == {"Primeminister.kz": len(RELEASES), "Новости Приречья": len(STORIES)}


def test_latest_articles(browse: str):
    rows = _rows(browse, "latest_articles")
    assert len(rows) == len(RELEASES) + len(STORIES)
    dates = [row["published_at"] for row in rows]
    assert dates == sorted(dates, reverse=True)


def test_reprints_with_both_titles(browse: str):
    pairs = {
        (r["copy_title"], r["original_title"], r["credited"])
        for r in _rows(browse, "reprints_with_titles")
    }
    assert pairs == {
        (_title("/news/201-zhkh.html"), _title("/press/101-modernizaciya-zhkh.html"), 1),
        (_title("/news/202-otoplenie.html"), _title("/press/102-otopitelnyj-sezon.html"), 1),
        (_title("/news/203-zerno.html"), _title("/press/103-eksport-zerna.html"), 0),
        (_title("/press/108-ispolnenie-byudzheta-utochnenie.html"),
         _title("/press/105-ispolnenie-byudzheta.html"), 0),
    }  # fmt: skip


def test_uncredited_reprints_leave_out_credited_and_same_site_ones(browse: str):
    rows = _rows(browse, "uncredited_reprints")
    assert [(r["copy_site"], r["copy_title"]) for r in rows] == [
        ("outlet_ru", _title("/news/203-zerno.html"))
    ]


def test_publishers_without_a_registration_number(browse: str):
    rows = _rows(browse, "publishers_without_registration")
    assert [(r["site"], r["name"]) for r in rows] == [("gov_ru", "Primeminister.kz")]


def test_articles_per_site_per_day(browse: str):
    rows = _rows(browse, "articles_per_site_per_day")
    assert sum(r["articles"] for r in rows) == len(RELEASES) + len(STORIES)
    per_day = {(r["day"], r["site"]): r["articles"] for r in rows}
    # The release on the ЖКХ, its reprint and the day's exchange rates.
    assert per_day[("2026-11-14", "gov_ru")] == 1
    assert per_day[("2026-11-14", "outlet_ru")] == 2


def test_internals_are_hidden_and_nothing_can_be_written(browse: str, database: Path):
    tables = {t["name"]: t["hidden"] for t in _json(browse, "/news.json")["tables"]}
    assert tables["pages"] and tables["reprint_bands"] and not tables["articles"]
    with pytest.raises(urllib.error.HTTPError):
        _json(browse, "/news.json", sql="DELETE FROM articles")
    assert query(database, "SELECT count(*) FROM articles") == [(len(RELEASES) + len(STORIES),)]


def test_a_missing_or_foreign_database_is_one_line(tmp_path: Path):
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE notes (text)")
    for db in (tmp_path / "missing.db", foreign):
        result = subprocess.run(
            [sys.executable, "-m", "newsbot.cli", "browse", "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("newsbot: database:")
