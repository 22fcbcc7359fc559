"""Peak memory of a crawl whose sitemap is one 820,000-URL gzip file (issue 14: the
whole-tree parse reached 2.2 GB). The sitemap is served from 127.0.0.1; the crawl takes
the newest NEWSBOT_SITEMAP_MAX_URLS of it (a few, so the run is about the sitemap, not
the articles), and the whole process tree is sampled for its peak resident memory.

    .venv/bin/python bench/sitemap_bench.py [--urls 820000] [--max-bytes-mb 128]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
from pathlib import Path

from proctree import run_measured

from newsbot.demo.server import LocalSite, Page

CRAWL = """
import json, sys
from newsbot.run.runner import run_crawl
from newsbot.sites.config import load_config
db, site_file, log_file, overrides = sys.argv[1:5]
report = run_crawl([load_config(site_file)], db, log_file=log_file,
                   settings_overrides=json.loads(overrides))
print(report.status)
"""


def sitemap(base: str, count: int) -> bytes:
    header = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    entries = (
        f"<url><loc>{base}/news/{n}-item.html</loc>"
        f"<lastmod>2024-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:00:00Z</lastmod></url>"
        for n in range(count)
    )
    return gzip.compress(header + "".join(entries).encode() + b"</urlset>", compresslevel=6)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--urls", type=int, default=820_000)
    parser.add_argument("--take", type=int, default=20, help="NEWSBOT_SITEMAP_MAX_URLS")
    parser.add_argument(
        "--max-bytes-mb",
        type=int,
        default=128,
        help="NEWSBOT_SITEMAP_MAX_BYTES in MB (default: enough for all)",
    )
    args = parser.parse_args()
    article = Page(b"<html><body><article><h1>x</h1><p>" + b"text " * 200 + b"</p></article>")
    with LocalSite({"/robots.txt": Page(b"User-agent: *\n", "text/plain")}) as site:
        body = sitemap(site.base_url, args.urls)
        site.pages["/big.xml.gz"] = Page(body, "application/x-gzip")
        for n in range(args.urls):
            site.pages[f"/news/{n}-item.html"] = article
        with tempfile.TemporaryDirectory() as folder:
            site_file = Path(folder) / "big.toml"
            site_file.write_text(
                'slug = "big"\nname = "Big"\ndomains = ["127.0.0.1"]\nlanguage = "ru"\n'
                f'sitemaps = ["{site.base_url}/big.xml.gz"]\n'
                "article_url = '/news/\\d+-item\\.html$'\n"
            )
            overrides = {
                "NEWSBOT_SITEMAP_MAX_URLS": args.take,
                "NEWSBOT_SITEMAP_MAX_BYTES": args.max_bytes_mb * 1024 * 1024,
            }
            usage = run_measured([sys.executable, "-c", CRAWL, f"{folder}/news.db",
                                  str(site_file), f"{folder}/newsbot.log",
                                  json.dumps(overrides)])  # fmt: skip
            log = (Path(folder) / "newsbot.log").read_text()
    articles = sum(1 for path in site.requests if path.startswith("/news/"))
    left = [line for line in log.splitlines() if "left for the next run" in line]
    print(f"sitemap: {args.urls} URLs, {len(body) / 2**20:.1f} MB gzip")
    print(
        f"crawl: {usage.stdout.strip()}, {usage.seconds:.1f} s, {usage.cpu_seconds:.1f} CPU s, "
        f"peak {usage.peak_rss_mb:.0f} MB (process tree), {articles} articles fetched"
    )
    print(left[0].split("] ", 1)[-1] if left else "no URLs left over")


if __name__ == "__main__":
    main()
