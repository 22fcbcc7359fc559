"""Does extraction stall fetching? Crawl the same local site with the stage chain in the
crawl's process (NEWSBOT_WORKERS=0) and in a pool of worker processes, and compare.

The site serves the 181 real pages of the article-extraction benchmark as articles, from
127.0.0.1, with a fixed delay per response to stand in for a remote server.

    .venv/bin/python bench/crawl_bench.py [--delay 0.05] [--workers 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from extraction_score import DEFAULT_DIR

from newsbot.demo.server import LocalSite, Page

BENCH_DIR = DEFAULT_DIR
PER_LISTING = 20


def site_pages(delay: float) -> dict[str, Page]:
    ids = sorted(json.loads((BENCH_DIR / "ground-truth.json").read_text()))
    pages = {"/robots.txt": Page(b"User-agent: *\n", "text/plain")}
    for start in range(0, len(ids), PER_LISTING):
        number = start // PER_LISTING + 1
        links = "".join(
            f'<a href="/news/{i}.html">{i}</a> ' for i in ids[start : start + PER_LISTING]
        )
        following = (
            f'<a rel="next" href="/list/{number + 1}">next</a>'
            if start + PER_LISTING < len(ids)
            else ""
        )
        pages[f"/list/{number}"] = Page(f"<html><body>{links}{following}</body></html>".encode())
    for page_id in ids:
        html = gzip.decompress((BENCH_DIR / "html" / f"{page_id}.html.gz").read_bytes())
        pages[f"/news/{page_id}.html"] = Page(html, delay=delay)
    return pages


def crawl_once(base_url: str, workers: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        site_file = Path(folder) / "bench.toml"
        site_file.write_text(
            'slug = "bench"\nname = "Bench"\ndomains = ["127.0.0.1"]\nlanguage = "en"\n'
            f'start_urls = ["{base_url}/list/1"]\narticle_url = "/news/[0-9a-f]+\\\\.html$"\n'
        )
        db = Path(folder) / "bench.db"
        command = [sys.executable, "-m", "newsbot.cli", "crawl", "--site-file", str(site_file),
                   "--db", str(db), "--workers", str(workers)]  # fmt: skip
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        elapsed = time.perf_counter() - started
        import sqlite3

        with sqlite3.connect(db) as connection:
            stored = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
        return elapsed, stored


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=0.05, help="seconds per article response")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with LocalSite(site_pages(args.delay)) as site:
        results: dict[int, list[float]] = {0: [], args.workers: []}
        stored = {}
        for _ in range(args.rounds):
            for workers in results:  # interleaved, so both see the same machine load
                elapsed, stored[workers] = crawl_once(site.base_url, workers)
                results[workers].append(elapsed)
    print(f"crawl of {stored[0]} articles from 127.0.0.1, {args.delay * 1000:.0f} ms per response")
    for workers, times in results.items():
        best = min(times)
        label = "in the crawl process" if workers == 0 else f"{workers} worker processes"
        print(f"  {label:<24} {best:6.2f} s  {stored[workers] / best:6.1f} articles/s")
    print(f"  ratio (workers / in-process): {min(results[args.workers]) / min(results[0]):.2f}")


if __name__ == "__main__":
    main()
