"""`newsbot check-site`: a verdict per part of one site's config, from the live site
(needs internet; newsbot/sitetools/checksite.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from newsbot.cli.common import UsageError, require_site, whole
from newsbot.sites.config import bundled_configs

NAME = "check-site"
HELP = "live check of one site (needs internet)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slug", nargs="?", help="a bundled site")
    parser.add_argument("--site-file", metavar="FILE.toml", help="or a site config file")
    parser.add_argument("--pages", type=whole(1, 1000), default=5, help="articles to fetch")
    parser.add_argument(
        "--save-fixture", action="store_true", help="save the sampled pages as test fixtures"
    )
    parser.add_argument(
        "--fixture-root",
        default="tests/fixtures",
        metavar="DIR",
        help="where --save-fixture writes",
    )


def run(args: argparse.Namespace) -> int:
    from newsbot.sites.config import load_config
    from newsbot.sitetools.checksite import check_site

    if not args.slug and not args.site_file:
        raise UsageError("check-site needs a SLUG or --site-file")
    if args.site_file:
        config = load_config(args.site_file)
    else:
        config = bundled_configs()[require_site(args.slug)]
    fixtures = Path(args.fixture_root) if args.save_fixture else None
    return check_site(config, args.pages, fixtures)
