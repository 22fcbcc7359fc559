"""`newsbot extract`: the article record of one saved page, as JSON on stdout."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from newsbot.cli.common import UsageError, require_site
from newsbot.sites.config import SiteConfig, bundled_configs, config_for_url

NAME = "extract"
HELP = "print the article record of one saved page"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("page", help="HTML file, or - for standard input")
    parser.add_argument("--url", help="the URL the page was fetched from")
    parser.add_argument("--site", help="site slug whose config applies")


def _read_page(stream: BinaryIO, name: str) -> bytes:
    """A page from a stream, read up to the size the crawl fetches (DOWNLOAD_MAXSIZE) and
    refused beyond it: `/dev/zero` on stdin must not grow until memory runs out."""
    from newsbot.crawling.settings import DOWNLOAD_MAXSIZE

    body = stream.read(DOWNLOAD_MAXSIZE + 1)
    if len(body) > DOWNLOAD_MAXSIZE:
        raise UsageError(
            f"{name}: larger than {DOWNLOAD_MAXSIZE // (1024 * 1024)} MB, the most a crawl "
            "fetches of one page; not read"
        )
    return body


def run(args: argparse.Namespace) -> int:
    from pipelines.page import Page
    from pipelines.stages.chain import extract_page

    if args.page == "-":
        body = _read_page(sys.stdin.buffer, "standard input")
    else:
        path = Path(args.page)
        if not path.is_file():
            raise UsageError(f"{args.page}: no such file")
        try:
            body = path.read_bytes()  # a file's size is known: a saved huge page is still read
        except OSError as error:
            raise UsageError(f"{args.page}: cannot read it ({error.strerror})") from error
    url = args.url or (Path(args.page).resolve().as_uri() if args.page != "-" else "stdin:")
    configs = bundled_configs()
    site: SiteConfig | None
    if args.site:
        site = configs[require_site(args.site)]
    else:
        site = config_for_url(configs.values(), args.url) if args.url else None
    page = Page(url=url, body=body, fetched_at=datetime.now(UTC), site=args.site)
    result = extract_page(page, site.chain_options() if site else None)
    record = result.article.as_dict()
    if result.not_article is not None:
        # What a crawl does with this page: logged in `pages` as not an article, and not
        # stored. The record is printed all the same, marked.
        record["not_article"] = result.not_article
        print(
            f"newsbot extract: not an article: {result.not_article} (a crawl would not "
            "store this page)",
            file=sys.stderr,
        )
    json.dump(record, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
