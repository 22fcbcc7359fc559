"""`make demo-distributed`: the demo site crawled as a distributed crawl on one machine.

A throwaway redis-server (a free loopback port, no persistence, in a temporary folder),
the demo site on 127.0.0.1 answering each page after a short delay, two crawl workers
(`newsbot crawl --frontier`) and the writer (`newsbot ingest`), each its own process as
they would be on separate machines; then the same summary as `make demo`, and everything
stopped. Debian's `redis-server` must be installed.

    python -m newsbot.demo.distributed [--db data/demo-distributed.db] [--workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from newsbot.demo.server import LocalSite, Page
from newsbot.demo.site import ARTICLE_URL, demo_pages
from pipelines.export import ExportRequest, export
from pipelines.store import ArticleFilter, Store

# Each page answers after this long: a site slow enough that two workers have
# something to share, quick enough for a demo.
PAGE_DELAY = 0.2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def demo_site_file(folder: Path, port: int) -> Path:
    """The demo site's config as a file (newsbot.demo.site.demo_config's values): the
    writer sends its text to the workers with the run."""
    base = f"http://127.0.0.1:{port}"
    path = folder / "demo.toml"
    path.write_text(
        "\n".join(
            [
                'slug = "demo"',
                'name = "Demo Holding"',
                'domains = ["127.0.0.1"]',
                'language = "ru"',
                'timezone = "Asia/Almaty"',
                f'start_urls = ["{base}/news/"]',
                f'sitemaps = ["{base}/sitemap.xml"]',
                f'feeds = ["{base}/rss.xml"]',
                f'imprint_urls = ["{base}/about/"]',
                f"article_url = '{ARTICLE_URL}'",
                "verified = true",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return path


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A redis-server of its own on a free loopback port, without persistence; its URL."""
    program = shutil.which("redis-server")
    if program is None:
        raise SystemExit(
            "demo-distributed: redis-server is not installed (apt install redis-server)"
        )
    port = free_port()
    process = subprocess.Popen(
        [program, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"demo-distributed: redis-server did not start on port {port}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def slow_demo_site(delay: float) -> LocalSite:
    site = LocalSite({})
    site.pages = {
        path: dataclasses.replace(page, delay=delay) if isinstance(page, Page) else page
        for path, page in demo_pages(site.port).items()
    }
    return site


def newsbot(*args: str) -> list[str]:
    return [sys.executable, "-m", "newsbot.cli", *args]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsbot.demo.distributed")
    parser.add_argument("--db", default="data/demo-distributed.db")
    parser.add_argument("--csv", default="data/demo-distributed.csv")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="newsbot-demo-") as folder,
        redis_server(Path(folder)) as url,
        slow_demo_site(PAGE_DELAY) as site,
    ):
        site_file = demo_site_file(Path(folder), site.port)
        print(f"redis-server at {url}; the demo site at {site.base_url}")
        print(f"{args.workers} workers: newsbot crawl --frontier {url}")
        print(f"the writer: newsbot ingest --from {url} --db {args.db}\n")
        env = {**os.environ, "NEWSBOT_FRONTIER_HEARTBEAT": "3"}
        workers = [
            subprocess.Popen(
                newsbot("crawl", "--frontier", url, "--wait", "60"),
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=(Path(folder) / f"worker-{n}.log").open("w"),
            )
            for n in range(args.workers)
        ]
        try:
            writer = subprocess.run(
                newsbot("ingest", "--from", url, "--db", args.db, "--site-file",
                        str(site_file)),
                env=env,
                check=False,
            )  # fmt: skip
            for worker in workers:
                worker.wait(60)
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.terminate()
                    worker.wait(30)
    if writer.returncode not in (0, 1):
        return writer.returncode
    # What `newsbot demo` says after its summary.
    Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
    with Store.open_existing(args.db) as store:
        rows = export(store, ExportRequest(selection=ArticleFilter(site="demo")), args.csv)
        publishers, registrations = store.imprint_counts("demo")
    print(
        f"{rows} articles in {args.db}, {publishers} publisher imprints, "
        f"{len(registrations)} registrations"
    )
    print(f"CSV: {args.csv}")
    return writer.returncode


if __name__ == "__main__":
    sys.exit(main())
