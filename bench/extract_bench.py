"""Extraction quality and speed on the public article-extraction benchmark.

Prints body F1 / precision / recall for newsbot's whole stage chain beside
trafilatura.extract alone, for the tuning half (ids 0-7) and the held-out half (8-f)
separately; seconds per page for both; and dates parsed per second.

    make bench-extract            # or: .venv/bin/python bench/extract_bench.py [DIR]
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import trafilatura
from extraction_score import DEFAULT_DIR, corpus_f1, load_pages, page_scores

from pipelines.page import Page
from pipelines.stages.chain import extract_page
from pipelines.stages.dates import parse_date

FETCHED_AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def run_extractors(pages: list[tuple[str, bytes, str, str]]) -> dict[str, dict[str, object]]:
    results: dict[str, dict[str, object]] = {}
    timings = {"newsbot": 0.0, "trafilatura": 0.0}
    for page_id, html, url, _ in pages:
        text = html.decode("utf-8", errors="replace")
        started = time.perf_counter()
        baseline = trafilatura.extract(text, url=url) or ""
        timings["trafilatura"] += time.perf_counter() - started
        started = time.perf_counter()
        article = extract_page(
            Page(url=url, body=html, fetched_at=FETCHED_AT, charset="utf-8")
        ).article
        timings["newsbot"] += time.perf_counter() - started
        results[page_id] = {"trafilatura": baseline, "newsbot": article.body or ""}
    results["_timings"] = timings
    return results


def date_inputs(count: int) -> list[str]:
    """Distinct date strings in the common formats (distinct, so no cache could help)."""
    formats = [
        "2024-11-{d:02d}T16:{m:02d}:00+05:00", "{d:02d}.11.2024 16:{m:02d}",
        "{d} ноября 2024, 14:{m:02d}", "{d} октября 2026", "2025 жылғы {d} қараша, 09:{m:02d}",
        "{d} November 2026, 15:{m:02d}", "Сегодня, 10:{m:02d}", "{h} часа назад",
        "Опубликовано: {d:02d}.11.2026, 14:{m:02d}", "2026-11-{d:02d}",
    ]  # fmt: skip
    return [
        formats[i % len(formats)].format(d=1 + i % 25, m=i % 60, h=1 + i % 9) for i in range(count)
    ]


def date_rate() -> float:
    inputs = date_inputs(20_000)
    started = time.perf_counter()
    parsed = sum(parse_date(s, now=FETCHED_AT).value is not None for s in inputs)
    elapsed = time.perf_counter() - started
    if parsed < len(inputs):
        print(f"warning: only {parsed}/{len(inputs)} dates parsed")
    return len(inputs) / elapsed


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR
    pages = load_pages(folder)
    results = run_extractors(pages)
    timings = results.pop("_timings")
    print(f"article-extraction benchmark: {len(pages)} pages ({folder})")
    print(f"{'half':<22}{'extractor':<14}{'F1':>7}{'P':>7}{'R':>7}")
    halves = {
        "tuning (ids 0-7)": lambda pid: pid[0] in "01234567",
        "held-out (ids 8-f)": lambda pid: pid[0] not in "01234567",
        "all": lambda pid: True,
    }
    truth = {pid: body for pid, _, _, body in pages}
    for half, keep in halves.items():
        for name in ("trafilatura", "newsbot"):
            scores = [page_scores(results[pid][name], truth[pid]) for pid in truth if keep(pid)]  # type: ignore[index]
            f1, p, r = corpus_f1(scores)
            print(f"{half:<22}{name:<14}{f1:>7.3f}{p:>7.3f}{r:>7.3f}")
    per_page = {k: v / len(pages) for k, v in timings.items()}  # type: ignore[union-attr]
    print(
        f"seconds per page: newsbot chain {per_page['newsbot']:.4f}, trafilatura.extract "
        f"{per_page['trafilatura']:.4f}, ratio {per_page['newsbot'] / per_page['trafilatura']:.2f}x"
    )
    print(f"dates parsed per second (one core, common formats): {date_rate():,.0f}")


if __name__ == "__main__":
    main()
