"""Every Redis key of the frontier, named once for the workers, the writer and `frontier
status`. All start with `newsbot:`, so one Redis can hold other data beside them.

A run is opened by the writer (`newsbot ingest`) and lives in Redis until the writer
closes it; run-scoped keys carry its id, so a next run starts clean even where an
interrupted one left keys behind.
"""

from __future__ import annotations

PREFIX = "newsbot"

# The open run, as JSON: {"id", "sites": {slug: config TOML text}, "since", "limit",
# "refresh", "opened_at"}. Written by the writer, read by every worker.
RUN = f"{PREFIX}:run"

# Records of fetched pages (pipelines/records.py), pushed by workers (RPUSH), drained by
# the writer: moved to PROCESSING (LMOVE) and deleted there only after COMMIT.
OUTBOX = f"{PREFIX}:outbox"
PROCESSING = f"{PREFIX}:processing"

# Live workers: a sorted set of worker ids (score: when each registered), and a key per
# worker that expires when its heartbeat stops.
WORKERS = f"{PREFIX}:workers"


def heartbeat(worker: str) -> str:
    return f"{PREFIX}:hb:{worker}"


# scrapy-redis's per-spider keys (SCHEDULER_QUEUE_KEY takes "%(spider)s": the site slug).
QUEUE_PATTERN = f"{PREFIX}:%(spider)s:requests"


def queue(site: str) -> str:
    return QUEUE_PATTERN % {"spider": site}


def inflight(site: str, worker: str) -> str:
    """Requests of `site` a worker popped and has not handed on yet (a hash)."""
    return f"{PREFIX}:{site}:inflight:{worker}"


def inflight_pattern(site: str) -> str:
    return f"{PREFIX}:{site}:inflight:*"


def seen(site: str, run_id: int) -> str:
    """The run's dupefilter of one site: newsbot's URL keys (pipelines.stages.urls)."""
    return f"{PREFIX}:{site}:seen:{run_id}"


def history(site: str) -> str:
    """The site's fetch history, published by the writer at the run's start: a hash of
    URL key to the past fetch (JSON), as FetchHistory reads it."""
    return f"{PREFIX}:{site}:history"


def site_state(site: str) -> str:
    """How the site's last run ended (hash: last_status, cursor_url)."""
    return f"{PREFIX}:{site}:state"


def lease(site: str) -> str:
    """The worker that crawls `site` now (SET NX EX, renewed each heartbeat)."""
    return f"{PREFIX}:lease:{site}"


def slot(site: str) -> str:
    """`--share-site`: the shared per-request token (SET NX PX download_delay)."""
    return f"{PREFIX}:slot:{site}"


def stats(run_id: int, site: str) -> str:
    """The site's crawl stats summed over workers (hash; each worker adds the change
    of its own totals, `worker_stats`)."""
    return f"{PREFIX}:run:{run_id}:stats:{site}"


def worker_stats(run_id: int, site: str, worker: str) -> str:
    """What one worker last reported of the site's stats (hash of its own totals): the
    sum in `stats` changes by the difference only, so a report sent again (its reply
    lost with the connection) is not counted twice."""
    return f"{PREFIX}:run:{run_id}:stats-by:{site}:{worker}"


def counters(run_id: int, site: str) -> str:
    """Budgets shared by the workers of a site (hash): articles requested against
    --limit, sitemap documents and URLs taken."""
    return f"{PREFIX}:run:{run_id}:counters:{site}"


def done(run_id: int) -> str:
    """Sites whose crawl ended cluster-wide (hash: slug to finish reason)."""
    return f"{PREFIX}:run:{run_id}:done"


def run_keys_pattern(run_id: int) -> str:
    return f"{PREFIX}:run:{run_id}:*"


# --- The writer's keys (newsbot ingest; appended by the writer side) ---

# Records the writer could not read (pipelines.records.BadRecord): set aside, as sent,
# for a person to look at, instead of blocking the drain or being lost without a trace.
DEAD_LETTERS = f"{PREFIX}:dead"


def closed(run_id: int) -> str:
    """How the writer closed a run ("finished", "failed", "interrupted"; expires after a
    day): a worker that finds the run gone reads it to tell a run that ended normally
    (exit 0) from a frontier that lost it."""
    return f"{PREFIX}:closed:{run_id}"
