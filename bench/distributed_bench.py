"""What more crawl workers buy, and whether one writer keeps up with them.

1. Crawl: 6 local sites (each the 181 real pages of the article-extraction benchmark,
   every answer 200 ms late, 4 requests at a time per site and worker) crawled by 1, 2
   and 3 workers (`newsbot crawl --frontier`, extraction in each worker's process) and
   one writer (`newsbot ingest`), each configuration on a fresh redis-server and
   database: pages/s from the writer's start to its end, and CPU seconds per article of
   all the processes (workers and writer).
2. Drain: N real records (the benchmark pages through the real chain, as workers send
   them; three copies of each at other URLs, so two thirds are reprints) pre-filled in
   the outbox and written by the writer's drain (newsbot/frontier/drain.py) into a
   database with both full-text indexes and the reprint index: records/s, against the
   pages/s of 3 workers.

Debian's redis-server must be installed.

    .venv/bin/python bench/distributed_bench.py [--sites 6] [--delay 0.2] [--copies 3]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsbot.demo.distributed import redis_server
from newsbot.demo.server import LocalSite, Page
from newsbot.frontier import keys
from newsbot.frontier.drain import Drain
from newsbot.frontier.publish import connect
from pipelines.page import Page as FetchedPage
from pipelines.records import page_record
from pipelines.stages.chain import extract_page
from pipelines.store import Store

ROOT = Path(__file__).resolve().parent.parent

BENCH_DIR = ROOT / "bench/article-extraction"
PER_LISTING = 20


def bench_ids() -> list[str]:
    return sorted(json.loads((BENCH_DIR / "ground-truth.json").read_text()))


def site_pages(delay: float) -> dict[str, Page]:
    ids = bench_ids()
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
        body = f"<html><body>{links}{following}</body></html>".encode()
        pages[f"/list/{number}"] = Page(body, delay=delay)
    for page_id in ids:
        html = gzip.decompress((BENCH_DIR / "html" / f"{page_id}.html.gz").read_bytes())
        pages[f"/news/{page_id}.html"] = Page(html, delay=delay)
    return pages


def site_file(folder: Path, number: int, base_url: str) -> Path:
    path = folder / f"bench{number}.toml"
    path.write_text(
        f'slug = "bench{number}"\nname = "Bench {number}"\ndomains = ["127.0.0.1"]\n'
        f'language = "en"\nstart_urls = ["{base_url}/list/1"]\n'
        'article_url = "/news/[0-9a-f]+\\\\.html$"\nconcurrency = 4\n',
        encoding="utf-8",
    )
    return path


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def crawl(sites: list[LocalSite], workers: int) -> tuple[float, int, int, float]:
    """(seconds, pages, articles, CPU seconds) of one distributed run on fresh state."""
    newsbot = [sys.executable, "-m", "newsbot.cli"]
    env = {**os.environ, "NEWSBOT_FRONTIER_HEARTBEAT": "3"}
    with tempfile.TemporaryDirectory() as name, redis_server(Path(name)) as url:
        folder = Path(name)
        files = [site_file(folder, n, site.base_url) for n, site in enumerate(sites)]
        db = folder / "news.db"
        cpu = children_cpu()
        started = time.perf_counter()
        crawlers = [
            subprocess.Popen(
                [*newsbot, "crawl", "--frontier", url, "--workers", "0", "--wait", "60"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        sources = [arg for path in files for arg in ("--site-file", str(path))]
        subprocess.run(
            [*newsbot, "ingest", "--from", url, "--db", str(db), *sources],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        for process in crawlers:
            process.wait(120)
        cpu = children_cpu() - cpu
        with sqlite3.connect(db) as connection:
            pages = connection.execute("SELECT count(*) FROM pages").fetchone()[0]
            articles = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    return elapsed, pages, articles, cpu


def real_records(copies: int) -> list[bytes]:
    records = []
    fetched_at = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    for index, page_id in enumerate(bench_ids()):
        html = gzip.decompress((BENCH_DIR / "html" / f"{page_id}.html.gz").read_bytes())
        page = FetchedPage(
            url=f"https://site.example.org/news/{page_id}.html",
            fetched_at=fetched_at + timedelta(seconds=index),
            site="bench",
            kind="article",
            status=200,
            body=html,
        )
        page.result = extract_page(page, for_store=True)
        record = json.loads(page_record(page))
        for copy in range(copies):
            # The same text at another address: a reprint, as news sites do.
            record["url"] = f"https://site{copy}.example.org/news/{page_id}.html"
            record["result"]["article"]["url"] = record["url"]
            records.append(json.dumps(record, ensure_ascii=False).encode())
    return records


def drain_rate(records: list[bytes], batch: int) -> tuple[float, int]:
    """(records/s, database MB) of the writer's drain of a pre-filled outbox."""
    with tempfile.TemporaryDirectory() as name, redis_server(Path(name)) as url:
        client = connect(url)
        for start in range(0, len(records), 500):
            client.rpush(keys.OUTBOX, *records[start : start + 500])
        db = Path(name) / "news.db"
        with Store.open(db) as store:
            run_id = store.start_run(["bench"], datetime.now(UTC))
            drain = Drain(client, store, run_id, str(db), batch)
            started = time.perf_counter()
            while drain.take():
                pass
            elapsed = time.perf_counter() - started
        size = db.stat().st_size
    return drain.written / elapsed, size // 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=6)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds per answer")
    parser.add_argument("--workers", default="1,2,3", help="worker counts to compare")
    parser.add_argument("--copies", type=int, default=3, help="records per benchmark page")
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; {args.sites} local sites, {args.delay * 1000:.0f} ms per answer")
    pages = site_pages(args.delay)
    sites = [LocalSite(pages).start() for _ in range(args.sites)]
    rates = {}
    try:
        print(
            f"{'workers':>8}{'seconds':>9}{'pages':>7}{'articles':>10}{'pages/s':>9}{'CPU s/article':>15}"
        )
        for workers in (int(n) for n in args.workers.split(",")):
            elapsed, fetched, articles, cpu = crawl(sites, workers)
            rates[workers] = fetched / elapsed
            print(
                f"{workers:>8}{elapsed:>9.1f}{fetched:>7}{articles:>10}{rates[workers]:>9.1f}"
                f"{cpu / max(articles, 1):>15.3f}"
            )
    finally:
        for site in sites:
            site.stop()
    records = real_records(args.copies)
    rate, size = drain_rate(records, args.batch)
    print(
        f"writer drain: {len(records)} real records ({len(records) // args.copies} pages x "
        f"{args.copies} URLs), batches of {args.batch}: {rate:.0f} records/s ({size} MB database)"
    )
    if rates:
        most = max(rates)
        print(
            f"  {rate / rates[most]:.0f}x the crawl rate of {most} workers ({rates[most]:.1f} pages/s)"
        )


if __name__ == "__main__":
    main()
