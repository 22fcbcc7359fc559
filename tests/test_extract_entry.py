"""The chain's one entry point: `extract_page` gives one `PageResult`, in the crawl's
process or in a worker (import circles are tests/test_imports.py's)."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

from pipelines.compression import unpack
from pipelines.page import Page
from pipelines.stages.chain import extract_page
from pipelines.workers import extract_in_worker, worker_context
from tests.conftest import FETCHED_AT, FIXTURES

NUR = FIXTURES / "nur_ru" / "article.html"
NUR_URL = (
    "https://www.nur.kz/politics/kazakhstan/2086925-antikor-vernul-gosudarstvu-bolee-17-mlrd-tenge/"
)


def nur_page() -> Page:
    return Page(url=NUR_URL, body=NUR.read_bytes(), fetched_at=FETCHED_AT)


def test_the_store_extras_are_made_only_for_the_store():
    plain = extract_page(nur_page())
    assert (plain.packed_body, plain.stems, plain.fingerprint) == (None, None, "unknown")
    stored = extract_page(nur_page(), for_store=True)
    assert stored.article == plain.article
    assert stored.not_article is None
    assert unpack(stored.packed_body) == NUR.read_bytes()
    assert stored.stems is not None and "антикор" in stored.stems["title"].lower()
    assert stored.fingerprint is not None and stored.fingerprint != "unknown"


def test_a_worker_gives_the_same_result_as_the_crawls_process():
    page = nur_page()
    with ProcessPoolExecutor(1, mp_context=worker_context()) as pool:
        remote = pool.submit(extract_in_worker, page, None).result(timeout=120)
    local = extract_page(page, for_store=True)
    assert remote.article == local.article
    assert (remote.not_article, remote.packed_body, remote.stems) == (
        local.not_article,
        local.packed_body,
        local.stems,
    )
