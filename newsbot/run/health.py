"""Crawl health: after every crawl each site is judged against its own run history, and
the verdict becomes the exit code cron sees (the spidermon habit, STYLE.md).

The checks are pure functions of run records, so a crafted history tests each one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipelines.store import SiteRun
from pipelines.store.runs import COVERED_FIELDS

FINISHED = ("finished", "limited")


@dataclass(frozen=True)
class HealthLimits:
    # A site with no new article in this many runs in a row has probably changed its
    # layout or its URLs (hourly crawls of a busy outlet find something within hours).
    idle_runs: int = 6
    # A field found in this much smaller a share of articles than in recent runs.
    coverage_drop: float = 0.3
    # And in any run: title or body missing from most articles.
    min_coverage: float = 0.5
    # Coverage is judged only on runs that stored at least this many articles.
    min_articles: int = 5
    # Failed fetches (HTTP errors, timeouts, refused connections) per request.
    max_error_rate: float = 0.2
    min_requests: int = 10
    # How many earlier runs make "recent".
    history: int = 5


@dataclass(frozen=True)
class Problem:
    site: str
    check: str  # unfinished | idle | coverage | errors | never
    message: str

    def line(self) -> str:
        return f"{self.site}: {self.message}"


# Answers that say "not you" rather than "not here": a site that gives only these to
# every request has blocked the crawler (an anti-bot wall, an IP ban).
BLOCKING_STATUSES = frozenset({401, 403, 429, 451})


def blocked_reason(statuses: Mapping[int, int]) -> str | None:
    """Why a site whose every answer refused the crawler is blocked, or None. Told
    apart from a quiet "no new articles" and from a site that is down (5xx, 404)."""
    answered = {code: count for code, count in statuses.items() if count}
    if not answered or not set(answered) <= BLOCKING_STATUSES:
        return None
    codes = ", ".join(f"HTTP {code} x{count}" for code, count in sorted(answered.items()))
    return f"blocked: every request was refused ({codes}); the site turns this client away"


def check_unfinished(current: SiteRun) -> list[Problem]:
    if current.status in FINISHED or current.status == "unsupported":
        return []
    return [Problem(current.site, "unfinished", f"the run did not finish ({current.status})")]


def check_idle(current: SiteRun, earlier: Sequence[SiteRun], limits: HealthLimits) -> list[Problem]:
    """No new article in `idle_runs` runs in a row, this one included."""
    streak = 0
    for run in (current, *earlier):
        if run.new:
            break
        streak += 1
    if streak < limits.idle_runs:
        return []
    return [Problem(current.site, "idle", f"no new articles in {streak} runs in a row")]


def check_coverage(
    current: SiteRun, earlier: Sequence[SiteRun], limits: HealthLimits
) -> list[Problem]:
    """Title, body or date found in far fewer articles than in recent runs (or title or
    body in fewer than half of this run's articles)."""
    if current.articles < limits.min_articles:
        return []
    judged = [r for r in earlier if r.articles >= limits.min_articles][: limits.history]
    low = []
    for name in COVERED_FIELDS:
        share = current.coverage(name)
        if share is None:
            continue
        past = [v for r in judged if (v := r.coverage(name)) is not None]
        if past and share < sum(past) / len(past) - limits.coverage_drop:
            low.append(f"{name} {share:.0%} (recent runs {sum(past) / len(past):.0%})")
        elif name != "date" and share < limits.min_coverage:
            low.append(f"{name} {share:.0%}")
    if not low:
        return []
    return [Problem(current.site, "coverage", "field coverage dropped: " + ", ".join(low))]


def check_errors(current: SiteRun, limits: HealthLimits) -> list[Problem]:
    if current.requests < limits.min_requests:
        return []
    rate = current.errors / current.requests
    if rate <= limits.max_error_rate:
        return []
    return [
        Problem(
            current.site,
            "errors",
            f"{rate:.0%} of requests failed ({current.errors} of {current.requests}; "
            f"limit {limits.max_error_rate:.0%})",
        )
    ]


def yielded(run: SiteRun) -> bool:
    """Whether the run met at least one article, new, changed or already stored."""
    return bool(run.articles or run.new or run.updated or run.unchanged)


def what_was_tried(stats: Mapping[str, Any]) -> str:
    """What a crawl asked and was answered, from its Scrapy stats, robots.txt aside:
    "HTTP 500 x3; 0 discovery pages read". Names the cause of an empty run, whatever it
    was (an error page, a timeout, a sitemap that is an HTML page, links all dropped)."""
    answers: dict[str, int] = {}
    for key, count in stats.items():
        if key.startswith("downloader/response_status_count/"):
            code = key.rsplit("/", 1)[1]
            robots = stats.get(f"robotstxt/response_status_count/{code}", 0)
            if count - robots > 0:
                answers[f"HTTP {code}"] = count - robots
        elif key.startswith("downloader/exception_type_count/") and count:
            answers[key.rsplit("/", 1)[1].rsplit(".", 1)[-1]] = count
    parts = [", ".join(f"{name} x{count}" for name, count in sorted(answers.items()))]
    documents = stats.get("newsbot/discovery/documents", 0)
    parts.append(f"{documents} discovery page{'' if documents == 1 else 's'} read")
    if documents:
        parts[-1] += f", {stats.get('newsbot/discovery/article_links', 0)} article links"
    if stats.get("item_dropped_count"):
        parts.append(f"{stats['item_dropped_count']} dropped")
    return "; ".join(part for part in parts if part)


def check_never_yielded(
    current: SiteRun, earlier: Sequence[SiteRun], limits: HealthLimits, tried: str | None
) -> list[Problem]:
    """A site that has never given an article and gives none now is broken, whatever
    the reason: a listing that answers 500 or times out, an API that refuses the session
    or answers unreadable JSON, a sitemap that is an HTML page. One rule for all of them,
    so a new cause cannot pass as a quiet "finished". A site that had articles and has
    nothing new is the idle check's; so is a history longer than `idle_runs`, which
    the idle check judges already."""
    if current.status not in FINISHED or any(yielded(run) for run in (current, *earlier)):
        return []
    if len(earlier) + 1 >= limits.idle_runs:
        return []
    detail = f" ({tried})" if tried else ""
    message = f"no article in any run yet: 0 articles from {current.requests} requests{detail}"
    return [Problem(current.site, "never", message)]


def judge_site(
    current: SiteRun,
    earlier: Sequence[SiteRun],
    limits: HealthLimits | None = None,
    tried: str | None = None,
) -> list[Problem]:
    """Every problem of one site's run; `earlier` is its previous runs, newest first;
    `tried` says what the crawl asked and was answered (`what_was_tried`)."""
    limits = limits or HealthLimits()
    return [
        *check_unfinished(current),
        *check_errors(current, limits),
        *check_coverage(current, earlier, limits),
        *check_never_yielded(current, earlier, limits, tried),
        *check_idle(current, earlier, limits),
    ]


def killed_runs(killed: Sequence[tuple[int, str]], site: str) -> list[Problem]:
    """Runs of this site killed without a word (SIGKILL, power loss) since its last
    recorded run, as (run id, start): nobody has been told about them yet."""
    return [
        Problem(
            site, "unfinished", f"run {run_id} (started {started}) did not finish: it was killed"
        )
        for run_id, started in killed
    ]
