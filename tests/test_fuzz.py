"""Fuzzing with Hypothesis: extraction on mutated real fixture pages, the imprint and
attribution readers on random text, and the CSV export of random strings read back.
(Dates and registrations on random text: tests/test_dates.py, test_registrations.py.)"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.article import ARTICLE_FIELDS, Article
from pipelines.export import write_csv
from pipelines.page import Page
from pipelines.stages.attribution import find_source
from pipelines.stages.chain import extract_page
from pipelines.stages.imprint import extract_imprint
from pipelines.store import ArticleFilter, Store, open_database
from tests.conftest import FETCHED_AT, FIXTURES

PAGES = sorted(p for p in FIXTURES.rglob("*.html"))
# Text as pages give it: no lone surrogates (they cannot be UTF-8 at all).
page_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)))


@st.composite
def mutated_page(draw: st.DrawFn) -> bytes:
    page = bytearray(Path(draw(st.sampled_from(PAGES))).read_bytes())
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(("cut", "copy", "insert", "truncate", "flip")))
        start = draw(st.integers(0, len(page)))
        end = min(len(page), start + draw(st.integers(0, 4000)))
        if kind == "cut":
            del page[start:end]
        elif kind == "copy":
            page[start:start] = page[start:end]
        elif kind == "insert":
            page[start:start] = draw(st.binary(max_size=200))
        elif kind == "truncate":
            del page[start:]
        elif page:
            page[min(start, len(page) - 1)] ^= draw(st.integers(1, 255))
    return bytes(page)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_page())
def test_extraction_of_a_mutated_page_never_raises(body: bytes):
    record = extract_page(
        Page(url="https://example.kz/news/1", body=body, fetched_at=FETCHED_AT)
    ).article.as_dict()
    assert tuple(record) == ARTICLE_FIELDS
    assert isinstance(record["warnings"], list)
    if record["published_at_utc"]:
        assert record["published_at_utc"] <= "2026-11-27T12:00:00Z"  # never past fetch + 1 day


@settings(max_examples=200, deadline=None)
@given(page_text)
def test_imprint_and_attribution_readers_never_raise(text: str):
    extract_imprint(text)
    find_source(text, own_names=("Kazinform",))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(page_text, page_text, page_text | st.none()), min_size=1, max_size=5))
def test_csv_export_of_random_strings_reads_back_exactly(articles):
    store = Store(open_database(":memory:"))
    for number, (title, body, author) in enumerate(articles):
        store.save_article(
            Article(
                url=f"https://example.kz/{number}",
                site="fuzz",
                title=title,
                body=body,
                author=author,
            ),
            FETCHED_AT,
            run_id=1,
        )
    out = io.StringIO(newline="")
    write_csv(
        store.select_articles(ArticleFilter()), out, columns=("url", "title", "body", "author")
    )
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    got = {row["url"]: (row["title"], row["body"], row["author"]) for row in rows}
    assert got == {
        f"https://example.kz/{n}": (title, body, author or "")
        for n, (title, body, author) in enumerate(articles)
    }
