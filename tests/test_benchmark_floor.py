"""The extraction quality floor, as trafilatura's CI keeps one: the chain's body F1 on the
181-page public article-extraction benchmark (../shared/benchmarks/article-extraction,
metric in its README, computed as bench/extract_bench.py does) must not fall below the
floor on either half: the tuning half (ids 0-7) and the held-out half (8-f), which nobody
studies page by page. Set at 0.96 when the chain scored 0.964 overall; raised when it
scored 0.979 / 0.9705 (trafilatura.extract alone: 0.954 / 0.951). About 4 s.
"""

from __future__ import annotations

from bench.extraction_score import corpus_f1, load_pages, page_scores
from tests.conftest import BENCHMARK, run_chain

F1_FLOOR = 0.965


def test_body_f1_on_the_public_benchmark_stays_above_the_floor():
    pages = load_pages(BENCHMARK)
    assert len(pages) == 181
    scores = {
        page_id: page_scores(run_chain(html, url, None, charset="utf-8")["body"] or "", truth)
        for page_id, html, url, truth in pages
    }
    for half, first_digits in (("tuning", "01234567"), ("held-out", "89abcdef")):
        f1, precision, recall = corpus_f1(
            [score for page_id, score in scores.items() if page_id[0] in first_digits]
        )
        assert f1 >= F1_FLOOR, f"{half} body F1 {f1:.3f} (P {precision:.3f}, R {recall:.3f})"
