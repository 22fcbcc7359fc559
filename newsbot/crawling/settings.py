"""Scrapy settings for newsbot. Site-specific politeness comes from each site config
(newsbot.crawling.spider.site_settings); the local profile drops delays for 127.0.0.1."""

BOT_NAME = "newsbot"
SPIDER_MODULES: list[str] = []
SPIDER_LOADER_CLASS = "newsbot.crawling.spiderloader.SiteSpiderLoader"

# A User-Agent that names the bot and where to complain (override per site or with
# NEWSBOT_USER_AGENT).
USER_AGENT = "newsbot/0.1 (+https://github.com/newsbot-kz/newsbot; news monitoring)"
ROBOTSTXT_OBEY = True
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
# Certificates are checked (Scrapy does not by default); a site whose chain is broken
# (akorda.kz serves no intermediate) sets accept_broken_tls in its config.
DOWNLOAD_VERIFY_CERTIFICATES = True
TELNETCONSOLE_ENABLED = False
# Scrapy's default since 2.13, named here because scrapy-playwright (newsbot.crawling.render) needs
# it: every site runs on it, and only a site that renders starts a browser.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# Scrapy 2.19's HTTP server that runs Python for whoever holds its token (left in
# ~/.local/state/scrapy/job_files/ by a killed crawl): an unattended crawl needs no remote control.
REMOTE_CONTROL_ENABLED = False

# Politeness for real sites; the local profile overrides these for 127.0.0.1.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.5

# Scrapy's retry settings, stats and request meta, with a wait before each retry that
# Scrapy's own middleware does not make (newsbot.crawling.retry): base * 2**n, or Retry-After.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_PRIORITY_ADJUST = -1
NEWSBOT_RETRY_BASE_DELAY = 2.0
NEWSBOT_RETRY_MAX_DELAY = 120.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsbot.crawling.retry.BackoffRetryMiddleware": 550,
    # Scrapy's own, except that a redirect off the site is not followed
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newsbot.crawling.middlewares.OnSiteRedirectMiddleware": 600,
    "newsbot.crawling.middlewares.OnSiteMetaRefreshMiddleware": 580,
    # Scrapy's own, except that every request waiting on a robots.txt gets its answer
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newsbot.crawling.middlewares.EveryWaiterRobotsTxtMiddleware": 100,
}
EXTENSIONS = {
    # SIGTERM ends a crawl within seconds even with downloads in flight
    "newsbot.crawling.middlewares.StopPromptly": 0,
}
# Seconds a stopping crawl waits for downloads in flight before abandoning them.
NEWSBOT_STOP_GRACE = 2.0

# Sitemap limits, per site and run (newsbot.crawling.spider.SitemapLimits). A hostile or
# broken sitemap can nest indexes without end, fan out into thousands of documents or
# list a million URLs; these bound the work and the memory (sitemaps are read as a
# stream: the memory is the compressed body and the URLs kept).
NEWSBOT_SITEMAP_MAX_DEPTH = 3  # index levels followed below a configured sitemap
NEWSBOT_SITEMAP_MAX_DOCUMENTS = 100  # sitemap documents fetched; newest (lastmod) first
# Article URLs taken from sitemaps: the newest not yet known, by lastmod; the rest wait
# for the next run (10,000 is about three hours at one request a second).
NEWSBOT_SITEMAP_MAX_URLS = 10_000
NEWSBOT_SITEMAP_MAX_BYTES = (
    50 * 1024 * 1024
)  # unpacked bytes read of one sitemap (the protocol's limit)

# Items processed in parallel per response. Each callback yields one page item (and a
# listing its requests), and Scrapy starts this many asyncio workers for every
# response: 100 (the default) cost about 100 tasks per page in the crawl's profile.
CONCURRENT_ITEMS = 4

ITEM_PIPELINES = {
    # the whole stage chain (pipelines.stages.chain.extract_page) on each fetched article
    "pipelines.scrapy.extract.ProcessPipeline": 100,
    # keeps partial records with warnings; drops only non-articles, by a named reason
    "pipelines.scrapy.validate.ValidatePipeline": 200,
    # SQLite: articles, publishers, registrations, the pages log and run counts
    "pipelines.scrapy.store.StorePipeline": 300,
}

NEWSBOT_DB = "data/news.db"
# What a spider knows of earlier runs (newsbot.crawling.history.FetchHistory): SQLite.
NEWSBOT_FETCH_HISTORY = "newsbot.crawling.history.sqlite_history"
# `scrapy crawl <slug>` runs through newsbot's runner: one owner of a run, as `newsbot crawl`.
COMMANDS_MODULE = "newsbot.run.commands"
# Site files `scrapy crawl <slug>` knows besides the bundled sites (-s NEWSBOT_SITE_FILES=a.toml,b.toml).
NEWSBOT_SITE_FILES: list[str] = []
# Extraction worker processes (0 = in the crawl's own process only). The crawl's process
# extracts too whenever each worker has its pages (pipelines/workers.py), so on 2 cores
# one worker keeps both busy: bench/peers_bench.py --also-workers 2 on the 1,000-page
# mirror (2026-12-07, loaded machine), 269 MB at the peak of the whole process tree with
# 1 worker against 350 MB with 2; 500 pages in 25.3 s against 24.7 s (README, "Where the
# memory goes").
NEWSBOT_WORKERS = 1

LOG_LEVEL = "INFO"
# The crawl log (data/logs/newsbot.log beside the database) rotates at this size.
NEWSBOT_LOG_ROTATE_BYTES = 10 * 1024 * 1024
NEWSBOT_LOG_BACKUPS = 5

# A crawl worker on a shared frontier (`newsbot crawl --frontier URL`, newsbot/frontier/);
# each can be set in the environment of the same name too.
# Seconds a worker's heartbeat lives (renewed every third of it): a worker silent this
# long is dead, its in-flight requests go back to the queue and its sites move.
NEWSBOT_FRONTIER_HEARTBEAT = 10.0
# Records waiting for the writer above which workers pause (they resume below half).
NEWSBOT_OUTBOX_MAX = 20_000
# Seconds a worker waits for an unreachable Redis before ending its sites as interrupted.
NEWSBOT_REDIS_DOWN_DEADLINE = 300.0
