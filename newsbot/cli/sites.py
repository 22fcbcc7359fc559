"""`newsbot sites`: the bundled site configs, or which one takes a URL."""

from __future__ import annotations

import argparse

from newsbot.cli.common import http_url
from newsbot.sites.config import bundled_configs, config_for_url

NAME = "sites"
HELP = "list the bundled site configs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--which", metavar="URL", type=http_url, help="the edition that takes URL as an article"
    )


def run(args: argparse.Namespace) -> int:
    if args.which is not None:
        # The spider's and `extract --url`'s rule: one function decides.
        config = config_for_url(bundled_configs().values(), args.which)
        print(config.slug if config else "none")
        return 0
    print(f"{'slug':<22}{'lang':<6}{'on':<4}{'checked':<9}{'discovery':<26}name")
    for config in bundled_configs().values():
        ways = [w for w, urls in (("listing", config.start_urls), ("sitemap", config.sitemaps),
                                  ("feed", config.feeds), ("api", config.api)) if urls]  # fmt: skip
        discovery = "UNSUPPORTED" if config.unsupported else "+".join(ways)
        if config.needs_browser:
            discovery += " (browser)"
        print(
            f"{config.slug:<22}{config.language:<6}{'yes' if config.enabled else 'no':<4}"
            f"{'yes' if config.verified else 'no':<9}{discovery:<26}{config.name}"
        )
    return 0
