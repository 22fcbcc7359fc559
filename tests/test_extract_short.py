"""A short article in a clear container (issue 18): three paragraphs in `div.article-body`,
under 250 characters, followed inside `<article>` by a share bar and a "Читайте также:"
block, beside a column of the latest headlines. Below 250 characters trafilatura rescues
with the whole `<article>` text; the page said where its text is."""

from __future__ import annotations

import trafilatura

from pipelines.page import Page
from pipelines.stages.chain import extract_page
from tests.conftest import FETCHED_AT, FIXTURES

PAGE = FIXTURES / "_unconfigured" / "short-item-article-body.html"
URL = "https://astana-news.kz/news/obshchestvo/v-astane-s-1-yanvarya-podorozhaet-voda-48213/"
PARAGRAPHS = [
    "С 1 января в Астане на 10% подорожает вода: кубометр будет стоить 98 тенге вместо 89.",
    "Новый тариф утвердил департамент по регулированию монополий. "
    "Для льготников цена не изменится.",
    "Тариф не пересматривали с 2021 года, он один из самых низких в РК.",
]


def read(html: bytes):
    return extract_page(Page(url=URL, body=html, charset="utf-8", fetched_at=FETCHED_AT))


def test_the_page_has_the_shape_trafilatura_alone_gets_wrong():
    alone = trafilatura.extract(PAGE.read_text(encoding="utf-8"), url=URL, fast=True) or ""
    assert "Поделиться" in alone
    assert "В Астане с 1 января подорожает вода" in alone


def test_a_short_article_is_its_containers_paragraphs_and_the_crawl_keeps_it():
    result = read(PAGE.read_bytes())
    assert result.article.body == "\n\n".join(PARAGRAPHS)
    # Two related headlines and a column of the latest news beside it do not make it a
    # listing: none of them is in the element that holds its text.
    assert result.not_article is None


def test_a_blog_archive_with_one_text_element_per_teaser_is_still_a_listing():
    teasers = "".join(
        f'<article class="post"><h2><a href="/2026/11/{n}/">Новости района: итоги недели номер {n}</a>'
        f'</h2><div class="entry-content"><p>Коротко о главном за неделю {n}…</p></div></article>'
        for n in range(6)
    )
    html = (
        '<html lang="ru"><head><title>Новости района</title>'
        '<meta property="og:type" content="article"></head>'
        f"<body><main>{teasers}</main></body></html>"
    )
    assert read(html.encode()).not_article.startswith("a listing: 6 headlines")


def test_a_container_of_lines_broken_by_br_does_not_end_with_the_headline():
    # One run of text, over 250 characters: trafilatura goes on to the whole <article>
    # and brings its <h1> in after the text.
    lines = [
        "С 1 января в Астане на 10% подорожает вода: кубометр будет стоить 98 тенге "
        "вместо 89, сообщили в городском акимате.",
        "Новый тариф утвердил департамент по регулированию естественных монополий. "
        "Для пенсионеров и многодетных семей цена не изменится.",
        "Тариф не пересматривали с 2021 года.",
    ]
    html = PAGE.read_text(encoding="utf-8")
    start = html.index("<p>С 1 января")
    end = html.index("</div>", start)
    html = html[:start] + "<br><br>".join(lines) + html[end:]
    assert read(html.encode()).article.body == "\n\n".join(lines)
