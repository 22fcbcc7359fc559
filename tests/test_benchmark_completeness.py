"""Completeness on the benchmark's real article pages (bench/article-extraction, MIT): each
class of page the chain refused or stored without a date, on the real page that showed
it. Each is read at a mirror's URL, as bench/completeness.py and the peers mirror do: the
chain reads no date from a URL, and the original URLs hold some."""

from __future__ import annotations

import gzip

from pipelines.page import Page, PageResult
from pipelines.stages.chain import extract_page
from pipelines.stages.classify import word_count
from tests.conftest import BENCHMARK, FETCHED_AT

MIRROR_URL = "http://127.0.0.1:8000/a/1.html"


def mirrored(page_prefix: str) -> PageResult:
    (path,) = (BENCHMARK / "html").glob(f"{page_prefix}*.html.gz")
    html = gzip.decompress(path.read_bytes())
    return extract_page(Page(url=MIRROR_URL, body=html, charset="utf-8", fetched_at=FETCHED_AT))


def test_words_of_scripts_written_without_spaces_are_counted_by_length():
    assert word_count("Премьер-министр провел совещание") == 3
    # 40 kana and kanji: about 20 words, not one.
    sentence = (
        "何が困るかといえば、パスワード管理ソフトKeePassの起動ショートカットキーと同じなのです。"
    )
    assert word_count(sentence) >= 18


def test_a_japanese_article_is_prose_though_it_has_no_spaces():
    """note100yen.com: a blog post with related-post links around it; its paragraphs of
    90 characters were one "word" each, so the page looked like a listing."""
    result = mirrored("f105de6e")
    assert result.not_article is None
    assert result.article.published_at is not None
    assert result.article.published_at.startswith("2018-08-16")
