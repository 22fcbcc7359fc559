"""Page work bounds: a 10 MB page of 100,000 links, or of 100,000 paragraphs, gives a
bounded result in `newsbot extract` and in listing parsing (and so answers in seconds,
where it took 53 s and 640 MB)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsbot.crawling.discovery import MAX_LISTING_LINKS, listing_links
from pipelines.page import Page
from pipelines.stages.bounds import MAX_ELEMENTS, bound_tree
from pipelines.stages.chain import extract_page
from pipelines.stages.extract import load_tree
from tests.conftest import FIXTURES
from tests.crawlsite import article_html

LINKS = 100_000


def with_article(extra: str) -> bytes:
    return article_html(7).replace(b"</article>", b"</article>" + extra.encode())


def link_wall() -> str:
    # About 10 MB: 100,000 list items with long link texts.
    return (
        "<ul>"
        + "".join(
            f'<li><a href="/news/{n}-item-with-a-long-slug.html">Новость номер {n}, заголовок '
            f"подлиннее</a></li>"
            for n in range(LINKS)
        )
        + "</ul>"
    )


def extract(tmp_path: Path, body: bytes) -> dict:
    page = tmp_path / "page.html"
    page.write_bytes(body)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsbot.cli",
            "extract",
            str(page),
            "--url",
            "https://example.kz/news/7-a.html",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_extract_leaves_out_a_wall_of_100000_links(tmp_path: Path):
    body = with_article(link_wall())
    assert len(body) > 9_000_000
    record = extract(tmp_path, body)
    assert "Новость номер 7: Министерство энергетики" in record["body"]
    assert "Новость номер 99999" not in record["body"]
    bounded = [w for w in record["warnings"] if w.startswith("page work bounded")]
    assert len(bounded) == 1
    assert re.fullmatch(
        r"page work bounded: \d{5} linked blocks left out of 1 link wall.*", bounded[0]
    )


def test_extract_reads_only_the_first_elements_of_a_huge_page(tmp_path: Path):
    paragraphs = "".join(
        f'<p>Абзац номер {n}, в нём <a href="/n/{n}">ссылка</a> и ещё немного слов.</p>'
        for n in range(LINKS)
    )
    record = extract(tmp_path, with_article(paragraphs))
    assert f"page work bounded: only the first {MAX_ELEMENTS} elements read" in record["warnings"]
    assert "Новость номер 7: Министерство энергетики" in record["body"]
    assert "Абзац номер 99999" not in record["body"]
    # At most one paragraph per element kept.
    assert record["body"].count("Абзац номер") < MAX_ELEMENTS


def test_a_long_text_is_cut_but_scripts_are_left_whole():
    tree = load_tree(
        "<html><body><p>"
        + "слово " * 100_000
        + "</p><script>var s = '"
        + "x" * 300_000
        + "';</script></body></html>"
    )
    assert tree is not None
    warnings = bound_tree(tree)
    assert warnings == ["page work bounded: 1 text(s) over 200000 characters cut"]
    assert len(tree.find(".//p").text) == 200_000
    assert len(tree.find(".//script").text) > 300_000


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.html")), ids=lambda p: p.name)
def test_real_pages_are_not_touched(path: Path):
    page = Page(
        url="https://example.kz/a",
        body=path.read_bytes(),
        fetched_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    article = extract_page(page).article
    assert not [w for w in article.warnings if "page work bounded" in w]


def test_a_listing_page_of_100000_links_gives_the_first_thousand():
    page = link_wall()
    links = listing_links(page, "https://example.kz/")
    assert len(links) == MAX_LISTING_LINKS
    assert links[0] == "https://example.kz/news/0-item-with-a-long-slug.html"
    assert (
        links[-1] == f"https://example.kz/news/{MAX_LISTING_LINKS - 1}-item-with-a-long-slug.html"
    )
