"""`scrapy crawl <slug>`: one site's crawl through newsbot's runner, as `newsbot crawl
--site <slug>` runs it: the crawl lock, one run row, the same signal handling, the
health verdict as the exit code. `-a since=2026-11-01 -a limit=20 -a refresh=true` and
`-s NAME=VALUE` are passed on."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.log import configure_logging

from newsbot.crawling.spiderloader import SiteSpiderLoader
from newsbot.run.lock import CrawlLocked
from newsbot.run.runner import format_summary, run_crawl
from pipelines.store import StoreError

SPIDER_ARGUMENTS = ("since", "limit", "refresh")


class Command(ScrapyCrawl):
    # The runner makes its own CrawlerProcess, with newsbot's signal handling.
    requires_crawler_process = False

    def short_desc(self) -> str:
        return "Crawl one site into NEWSBOT_DB, as `newsbot crawl --site <slug>` does"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("scrapy crawl takes one site slug")
        assert self.settings is not None
        try:
            config = SiteSpiderLoader.from_settings(self.settings).load(args[0]).config
        except KeyError as error:
            raise UsageError(f"no site {args[0]!r} (scrapy list names them)") from error
        unknown = sorted(set(opts.spargs) - set(SPIDER_ARGUMENTS))
        if unknown:
            raise UsageError(f"-a {unknown[0]}: the spider takes {', '.join(SPIDER_ARGUMENTS)}")
        since = opts.spargs.get("since")
        try:
            moment = datetime.fromisoformat(since) if since else None
            limit = int(opts.spargs["limit"]) if opts.spargs.get("limit") else None
        except ValueError as error:
            raise UsageError(f"-a since / limit: {error}") from error
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo(config.timezone))
        refresh = str(opts.spargs.get("refresh", "")).lower() in ("1", "true", "yes")
        # What the command line set (-s, -o, --logfile...) goes on to the crawl.
        overrides = {
            name: self.settings[name]
            for name in self.settings
            if (self.settings.getpriority(name) or 0) >= SETTINGS_PRIORITIES["cmdline"]
        }
        configure_logging(self.settings)  # Scrapy's log on stderr, as a plain crawl has
        try:
            report = run_crawl(
                [config],
                self.settings["NEWSBOT_DB"],
                since=moment,
                limit=limit,
                refresh=refresh,
                settings_overrides=overrides,
            )
        except (CrawlLocked, StoreError) as error:
            print(f"newsbot: {error}", file=sys.stderr)
            self.exitcode = 1
            return
        print(format_summary(report))
        for site in report.sites:
            for problem in site.problems:
                print(f"newsbot: {problem}", file=sys.stderr)
        self.exitcode = 0 if report.healthy else 1
