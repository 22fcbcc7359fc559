"""What the browser costs: the same local site crawled with plain HTTP, with its listing
pages rendered in Chromium (`render = "listing"`), and with every page rendered
(`render = "all"`). Pages per second, and the peak memory of the whole process tree
(the crawl, its extraction workers, and the browser), sampled from /proc; the
browser's own peak (its processes' proportional share) as `newsbot runs` reports it.

The site serves the 181 real pages of the article-extraction benchmark as articles,
listed 20 to a page with rel=next, from 127.0.0.1 (bench/crawl_bench.py's site), their
links to other hosts pointed at this one (there is no network here).

    .venv/bin/python bench/render_bench.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sqlite3
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from crawl_bench import site_pages
from proctree import run_measured

from newsbot.demo.server import LocalSite, Page

# The saved pages load scripts, styles and images from their sites' hosts, which cannot be
# reached here: in the browser each would wait for a DNS answer that never comes. They
# point at this site instead (a quick 404), as a site's own resources would.
_OFFSITE = re.compile(rb"""(src|href)=(["'])(?:https?:)?//[^"']*\2""", re.IGNORECASE)


def local_only(pages: dict[str, Page]) -> dict[str, Page]:
    return {
        path: replace(page, body=_OFFSITE.sub(rb"\1=\2/missing\2", page.body))
        for path, page in pages.items()
    }


MODES = {"plain": "", "listing": 'render = "listing"\n', "all": 'render = "all"\n'}


def crawl_once(base_url: str, mode: str) -> tuple[float, int, float, float | None]:
    """(seconds, pages fetched, peak MB of the process tree, the browser's peak MB)."""
    with tempfile.TemporaryDirectory() as folder:
        site_file = Path(folder) / "bench.toml"
        site_file.write_text(
            'slug = "bench"\nname = "Bench"\ndomains = ["127.0.0.1"]\nlanguage = "en"\n'
            f'start_urls = ["{base_url}/list/1"]\narticle_url = "/news/[0-9a-f]+\\\\.html$"\n'
            + MODES[mode]
        )
        db = Path(folder) / "bench.db"
        command = [sys.executable, "-m", "newsbot.cli", "crawl", "--site-file", str(site_file),
                   "--db", str(db)]  # fmt: skip
        usage = run_measured(command)
        if usage.returncode != 0:
            raise SystemExit(f"{mode}: the crawl failed: {usage.stderr.strip()[-300:]}")
        with sqlite3.connect(db) as connection:
            pages = connection.execute("SELECT count(*) FROM pages").fetchone()[0]
            browser = connection.execute("SELECT browser_mb FROM runs").fetchone()[0]
        return usage.seconds, pages, usage.peak_rss_mb, browser


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds per article response")
    args = parser.parse_args()
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        raise SystemExit("no chromium on PATH: apt-get install chromium")
    results: dict[str, list[tuple[float, int, float, float | None]]] = {m: [] for m in MODES}
    with LocalSite(local_only(site_pages(args.delay))) as site:
        for _ in range(args.rounds):
            for mode in MODES:  # interleaved, so every mode sees the same machine load
                results[mode].append(crawl_once(site.base_url, mode))
    print(f"{'mode':<10}{'pages':>7}{'seconds':>9}{'pages/s':>9}{'peak MB':>9}{'browser MB':>12}")
    for mode, runs in results.items():
        seconds, pages, _, _ = min(runs)
        peak = max(run[2] for run in runs)
        browser = max((run[3] or 0) for run in runs)
        print(
            f"{mode:<10}{pages:>7}{seconds:>9.2f}{pages / seconds:>9.1f}{peak:>9.0f}"
            f"{browser or '-':>12}"
        )


if __name__ == "__main__":
    main()
