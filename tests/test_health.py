"""Each health check, triggered by a crafted run history, and the history as the crawl
records it (run_sites) read back by the checks."""

from __future__ import annotations

import json
from datetime import timedelta

from newsbot.run.health import HealthLimits, judge_site, killed_runs, what_was_tried
from pipelines.store import SiteRun, Store, open_database
from tests.conftest import FETCHED_AT


def healthy_run(run_id: int, **changes: object) -> SiteRun:
    values: dict[str, object] = dict(
        run_id=run_id,
        site="zakon_ru",
        status="finished",
        requests=40,
        errors=1,
        new=12,
        articles=12,
        title_coverage=1.0,
        body_coverage=1.0,
        date_coverage=0.95,
    )
    values.update(changes)
    return SiteRun(**values)  # type: ignore[arg-type]


HISTORY = [healthy_run(n) for n in range(9, 4, -1)]  # runs 9..5, newest first


def checks(current: SiteRun, earlier: list[SiteRun] = HISTORY) -> list[tuple[str, str]]:
    return [(p.check, p.message) for p in judge_site(current, earlier, HealthLimits())]


def test_a_normal_run_passes():
    assert checks(healthy_run(10)) == []


def test_no_new_articles_for_n_runs_in_a_row():
    idle = [healthy_run(n, new=0, articles=0) for n in range(9, 4, -1)]
    assert checks(healthy_run(10, new=0, articles=0), idle) == [
        ("idle", "no new articles in 6 runs in a row")
    ]
    # Five idle runs (this one included) are not yet six.
    assert checks(healthy_run(10, new=0, articles=0), [*idle[:4], healthy_run(5)]) == []


def test_coverage_dropping_against_recent_runs():
    assert checks(healthy_run(10, date_coverage=0.4)) == [
        ("coverage", "field coverage dropped: date 40% (recent runs 95%)")
    ]
    # A site that never had dates is not flagged for having none now.
    no_dates = [healthy_run(n, date_coverage=0.1) for n in range(9, 4, -1)]
    assert checks(healthy_run(10, date_coverage=0.0), no_dates) == []
    # Too few articles to judge.
    assert checks(healthy_run(10, articles=3, new=3, body_coverage=0.0)) == []


def test_title_or_body_missing_from_most_articles_with_no_history():
    assert checks(healthy_run(1, body_coverage=0.3), []) == [
        ("coverage", "field coverage dropped: body 30%")
    ]


def test_error_rate_above_the_limit():
    assert checks(healthy_run(10, requests=40, errors=12)) == [
        ("errors", "30% of requests failed (12 of 40; limit 20%)")
    ]
    assert checks(healthy_run(10, requests=5, errors=3)) == []  # too few to judge


def test_a_run_that_did_not_finish():
    assert checks(healthy_run(10, status="interrupted")) == [
        ("unfinished", "the run did not finish (interrupted)")
    ]


def store_with_history() -> Store:
    store = Store(open_database(":memory:"))
    for run in reversed(HISTORY):
        run_id = store.start_run([run.site], FETCHED_AT + timedelta(hours=run.run_id))
        store.save_site_run(SiteRun(**{**run.__dict__, "run_id": run_id}))
        store.finish_run(run_id, "finished", [], FETCHED_AT + timedelta(hours=run.run_id))
    return store


def test_history_round_trips_through_run_sites():
    store = store_with_history()
    history = store.site_history("zakon_ru", before_run=99, limit=10)
    assert [r.run_id for r in history] == [5, 4, 3, 2, 1]
    assert history[0] == SiteRun(**{**HISTORY[0].__dict__, "run_id": 5})


def test_a_killed_run_is_reported_by_the_next_one():
    store = store_with_history()
    killed = store.start_run(["zakon_ru"], FETCHED_AT + timedelta(days=1))
    # What Store.close_dead_runs writes when the run's process is gone.
    store.db.execute(
        "UPDATE runs SET status = 'interrupted', note = 'process died' WHERE id = ?", [killed]
    )
    current = store.start_run(["zakon_ru"], FETCHED_AT + timedelta(days=1, hours=1))
    (problem,) = killed_runs(store.killed_runs_since_last("zakon_ru", current), "zakon_ru")
    assert problem.line() == (
        "zakon_ru: run 6 (started 2026-11-27T12:00:00Z) did not finish: it was killed"
    )
    store.save_site_run(healthy_run(current, problems=[problem.line()]))
    later = store.start_run(["zakon_ru"], FETCHED_AT + timedelta(days=2))
    assert store.killed_runs_since_last("zakon_ru", later) == []  # told once
    row = store.db.execute("SELECT problems FROM run_sites WHERE run_id = ?", [current])
    assert json.loads(row.fetchone()[0]) == [problem.line()]


def empty_run(run_id: int, **changes: object) -> SiteRun:
    return healthy_run(run_id, **{"new": 0, "articles": 0, "title_coverage": None,
                                  "body_coverage": None, "date_coverage": None, **changes})  # fmt: skip


def test_a_site_that_never_gave_an_article_is_unhealthy_whatever_the_cause():
    tried = "HTTP 500 x3; 0 discovery pages read"
    problems = judge_site(empty_run(1, requests=4, errors=1), [], HealthLimits(), tried)
    assert [p.line() for p in problems] == [
        "zakon_ru: no article in any run yet: 0 articles from 4 requests "
        "(HTTP 500 x3; 0 discovery pages read)"
    ]
    # Four empty runs before this one: still never an article.
    earlier = [empty_run(n) for n in range(5, 1, -1)]
    assert checks(empty_run(6, requests=4), earlier) == [
        ("never", "no article in any run yet: 0 articles from 4 requests")
    ]


def test_a_site_that_had_articles_and_has_nothing_new_is_left_to_the_idle_rule():
    assert checks(empty_run(10)) == []
    # Articles met again but none new (already stored): not "never".
    assert checks(empty_run(1, unchanged=7), []) == []
    # A long empty history is the idle rule's, said once.
    earlier = [empty_run(n) for n in range(9, 4, -1)]
    assert checks(empty_run(10), earlier) == [("idle", "no new articles in 6 runs in a row")]


def test_a_run_that_did_not_finish_is_not_also_called_empty():
    assert checks(empty_run(1, status="interrupted"), []) == [
        ("unfinished", "the run did not finish (interrupted)")
    ]


def test_what_was_tried_reads_the_crawl_stats_robots_txt_aside():
    stats = {
        "downloader/response_status_count/200": 2,
        "downloader/response_status_count/404": 1,
        "downloader/exception_type_count/twisted.internet.error.ConnectionRefusedError": 2,
        "robotstxt/response_status_count/200": 1,
        "newsbot/discovery/documents": 1,
        "newsbot/discovery/article_links": 3,
        "item_dropped_count": 3,
    }
    assert what_was_tried(stats) == (
        "ConnectionRefusedError x2, HTTP 200 x1, HTTP 404 x1; 1 discovery page read, "
        "3 article links; 3 dropped"
    )
    assert what_was_tried({}) == "0 discovery pages read"


def test_an_api_refusing_the_refreshed_session_is_named_in_the_line():
    # The listing page answered; the API it calls refused the session twice (before and
    # after the refresh): not "blocked" (one answer was 200), yet never an article.
    stats = {
        "downloader/response_status_count/200": 2,
        "downloader/response_status_count/403": 2,
        "robotstxt/response_status_count/200": 1,
        "newsbot/discovery/documents": 1,
    }
    (problem,) = judge_site(empty_run(1, requests=4), [], HealthLimits(), what_was_tried(stats))
    assert problem.line() == (
        "zakon_ru: no article in any run yet: 0 articles from 4 requests "
        "(HTTP 200 x1, HTTP 403 x2; 1 discovery page read, 0 article links)"
    )
