"""`newsbot ingest`, the writer of a distributed crawl, against a real redis-server with
real records (benchmark pages through the real chain, as workers send them): what it
writes is what the single-process store pipeline writes, a writer killed mid-batch loses
and doubles nothing, the run closes only when it is over cluster-wide, and a frontier
lost mid-run ends the run interrupted in one line. The workers here are the test itself,
doing what the contract says workers do (DIST-CONTRACT: records RPUSHed to the outbox,
stats summed in keys.stats, sites marked in keys.done)."""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis

from newsbot.cli import main
from newsbot.frontier import keys
from newsbot.frontier.drain import Drain
from newsbot.frontier.publish import RunSpec, connect, current_run
from pipelines.article import SiteImprint
from pipelines.page import Page
from pipelines.records import page_record
from pipelines.store import Store
from pipelines.writer import write_dropped, write_page
from tests.support.records import (
    article_page,
    database_rows,
    imprint_page,
    listing_page,
)

ROOT = Path(__file__).resolve().parent.parent


def site_file(folder: Path, slug: str) -> Path:
    path = folder / f"{slug}.toml"
    path.write_text(
        f'slug = "{slug}"\nname = "{slug.title()}"\ndomains = ["{slug}.example.org"]\n'
        f'language = "ru"\nstart_urls = ["https://{slug}.example.org/news/"]\n',
        encoding="utf-8",
    )
    return path


def fill(folder: Path) -> None:
    """Write until the filesystem says it is full."""
    handle = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        with contextlib.suppress(OSError):  # ENOSPC: full
            while True:
                os.write(handle, b"\0" * 4096)
    finally:
        os.close(handle)


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    """Poll until `condition()` is true; generous, so a loaded machine only slows it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


# --- What a worker does (the contract's side of the workers) ---


def opened_run(client: redis.Redis) -> RunSpec:
    spec: RunSpec = wait_for(lambda: current_run(client), "the writer to open the run")
    return spec


def send(client: redis.Redis, pages: Iterable[tuple[Page, str | None]]) -> None:
    records = [page_record(page, dropped=dropped) for page, dropped in pages]
    if records:
        client.rpush(keys.OUTBOX, *records)


def finish_site(
    client: redis.Redis, run_id: int, site: str, articles: int, cursor: str | None = None
) -> None:
    """A site's crawl over: its stats summed over workers, then its done marker."""
    stats: dict[str, Any] = {
        "downloader/request_count": articles + 2,
        "downloader/response_count": articles + 2,
        "downloader/response_status_count/200": articles + 2,
        "newsbot/discovery/documents": 1,
        "newsbot/discovery/article_links": articles,
    }
    if cursor:
        stats["newsbot/cursor_url"] = cursor
    client.hset(keys.stats(run_id, site), mapping=stats)
    client.hset(keys.done(run_id), site, "finished")


def written_directly(db: Path, pages: Iterable[tuple[Page, str | None]]) -> None:
    """What the single-process store pipeline writes for these pages (pipelines/writer.py
    on the pages themselves, no record in between)."""
    with Store.open(db) as store:
        run_id = store.start_run(["example"], datetime.now(UTC))
        imprints: dict[str, SiteImprint] = {}
        for page, dropped in pages:
            if dropped is None:
                write_page(store, page, run_id, imprints)
            else:
                write_dropped(store, page, run_id, dropped)


def ingest_command(url: str, db: Path, *site_files: Path, extra: Iterable[str] = ()) -> list[str]:
    command = [sys.executable, "-m", "newsbot.cli", "ingest", "--from", url, "--db", str(db)]
    for path in site_files:
        command += ["--site-file", str(path)]
    return [*command, *extra]


def start_ingest(command: list[str], tmp_path: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_row(db: Path, run_id: int) -> dict[str, Any]:
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    try:
        return dict(connection.execute("SELECT * FROM runs WHERE id = ?", [run_id]).fetchone())
    finally:
        connection.close()


def site_runs(db: Path) -> dict[str, dict[str, Any]]:
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    try:
        return {row["site"]: dict(row) for row in connection.execute("SELECT * FROM run_sites")}
    finally:
        connection.close()


@pytest.fixture(scope="module")
def pages() -> list[tuple[Page, str | None]]:
    """A crawl's worth of one site: a listing, articles (three of them reprinted at a
    second URL), the imprint page, a dropped page."""
    crawl: list[tuple[Page, str | None]] = [(listing_page(), None)]
    crawl += [(article_page(index), None) for index in range(12)]
    crawl += [(article_page(index, copy=1), None) for index in range(3)]
    crawl.append((imprint_page(), None))
    crawl.append((listing_page(number=2), "a listing: 40 links"))
    return crawl


def articles_in(pages: list[tuple[Page, str | None]]) -> int:
    return sum(1 for page, dropped in pages if page.kind == "article" and dropped is None)


def test_records_drained_are_the_rows_the_store_pipeline_writes(
    redis_server: Any,
    tmp_path: Path,
    pages: list[tuple[Page, str | None]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    written_directly(tmp_path / "direct.db", pages)
    client = connect(redis_server.url)
    db = tmp_path / "ingested.db"

    def worker() -> None:
        spec = opened_run(client)
        send(client, pages)
        finish_site(client, spec.run_id, "example", articles_in(pages))

    thread = threading.Thread(target=worker)
    thread.start()
    code = main(
        ["ingest", "--max-time", "2m", "--from", redis_server.url, "--db", str(db),
         "--site-file", str(site_file(tmp_path, "example"))]
    )  # fmt: skip
    thread.join()
    out = capsys.readouterr().out
    assert code == 0, out
    assert database_rows(db) == database_rows(tmp_path / "direct.db")
    assert database_rows(db)["reprints"], "the copies are linked as reprints"
    # The run is closed as `newsbot crawl` closes one: its summary, its counts.
    assert "run 1: finished" in out
    assert site_runs(db)["example"]["new"] == articles_in(pages)
    assert run_row(db, 1)["status"] == "finished"
    # and nothing of it is left in Redis but how it ended, for workers that look late.
    assert client.exists(keys.RUN, keys.OUTBOX, keys.PROCESSING) == 0
    assert client.get(keys.closed(1)) == b"finished"
    assert list(client.scan_iter(match=keys.run_keys_pattern(1))) == []
    assert client.exists(keys.history("example"), keys.seen("example", 1)) == 0


def test_a_batch_committed_but_not_acknowledged_is_not_written_twice(
    redis_server: Any, tmp_path: Path, pages: list[tuple[Page, str | None]]
) -> None:
    client = connect(redis_server.url)
    articles = [page_record(page) for page, _ in pages if page.kind == "article"]
    with Store.open(tmp_path / "news.db") as store:
        run_id = store.start_run(["example"], datetime.now(UTC))
        client.rpush(keys.OUTBOX, *articles[:5])
        drain = Drain(client, store, run_id, str(tmp_path / "news.db"))
        assert drain.take() == 5
        assert drain.outcomes("example")["new"] == 5
        # A writer killed between its COMMIT and deleting the batch leaves it behind.
        client.rpush(keys.PROCESSING, *articles[:5])
        restarted = Drain(client, store, run_id, str(tmp_path / "news.db"))
        assert restarted.replay() == 0
        assert restarted.outcomes("example") == {"new": 5, "updated": 0, "unchanged": 0}
        assert client.llen(keys.PROCESSING) == 0
        # One killed before its COMMIT left a batch that was never written: replayed.
        client.rpush(keys.PROCESSING, *articles[5:8])
        assert restarted.replay() == 3
        assert restarted.outcomes("example")["new"] == 8
        count = store.db.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert count == 8


def test_a_writer_killed_mid_batch_and_restarted_writes_the_same_rows(
    redis_server: Any, tmp_path: Path, pages: list[tuple[Page, str | None]]
) -> None:
    # More pages than the module's: a batch that takes a while to write.
    crawl = pages + [(article_page(index, copy=2), None) for index in range(12, 40)]
    written_directly(tmp_path / "direct.db", crawl)
    client = connect(redis_server.url)
    db = tmp_path / "news.db"
    command = ingest_command(
        redis_server.url, db, site_file(tmp_path, "example"), extra=["--batch", "1000"]
    )
    writer = start_ingest(command, tmp_path)
    try:
        spec = opened_run(client)
        send(client, crawl)
        # The whole outbox is one batch: killed while it is being written.
        wait_for(lambda: client.llen(keys.PROCESSING), "the writer to take its batch")
        writer.send_signal(signal.SIGKILL)
        writer.wait(30)
    finally:
        writer.kill()
    assert client.llen(keys.PROCESSING) > 0, "the batch was in the writer's hands"
    finish_site(client, spec.run_id, "example", articles_in(crawl))
    restarted = subprocess.run(
        command,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restarted.returncode == 0, restarted.stderr
    # The same run, resumed: one run row, and every article counted once.
    assert f"run {spec.run_id}: finished" in restarted.stdout
    assert sqlite3.connect(db).execute("SELECT count(*) FROM runs").fetchone()[0] == 1
    assert site_runs(db)["example"]["new"] == articles_in(crawl)
    assert database_rows(db) == database_rows(tmp_path / "direct.db")


def test_the_run_closes_only_when_every_site_is_done_and_no_record_waits(
    redis_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client = connect(redis_server.url)
    db = tmp_path / "news.db"
    first = [(article_page(index, site="alpha"), None) for index in range(3)]
    second = [(article_page(index, site="beta"), None) for index in range(3, 6)]
    seen: dict[str, Any] = {}

    def worker() -> None:
        spec = opened_run(client)
        send(client, first)
        finish_site(client, spec.run_id, "alpha", 3)
        wait_for(
            lambda: client.llen(keys.OUTBOX) + client.llen(keys.PROCESSING) == 0,
            "alpha's records to be written",
        )
        time.sleep(2)  # several of the writer's looks at the frontier
        seen["status while beta runs"] = run_row(db, spec.run_id)["status"]
        send(client, second)
        # Done right after its last records: the writer still writes them first.
        finish_site(client, spec.run_id, "beta", 3)

    thread = threading.Thread(target=worker)
    thread.start()
    code = main(
        ["ingest", "--max-time", "2m", "--from", redis_server.url, "--db", str(db),
         "--site-file", str(site_file(tmp_path, "alpha")),
         "--site-file", str(site_file(tmp_path, "beta"))]
    )  # fmt: skip
    thread.join()
    assert code == 0, capsys.readouterr()
    assert seen["status while beta runs"] == "running"
    assert {site: run["new"] for site, run in site_runs(db).items()} == {"alpha": 3, "beta": 3}


def test_a_frontier_restarted_empty_ends_the_run_interrupted_and_the_next_run_completes(
    redis_server: Any, tmp_path: Path, pages: list[tuple[Page, str | None]]
) -> None:
    client = connect(redis_server.url)
    db = tmp_path / "news.db"
    command = ingest_command(redis_server.url, db, site_file(tmp_path, "example"))
    writer = start_ingest(command, tmp_path)
    try:
        spec = opened_run(client)
        send(client, pages[:6])
        client.hset(
            keys.stats(spec.run_id, "example"),
            mapping={"downloader/request_count": 6, "newsbot/cursor_url": "https://x/news/?p=4"},
        )
        wait_for(
            lambda: client.llen(keys.OUTBOX) + client.llen(keys.PROCESSING) == 0,
            "the records to be written",
        )
        time.sleep(1.5)  # the writer reads the stats at least once
        redis_server.restart()
        _, stderr = writer.communicate(timeout=60)
    finally:
        writer.kill()
    assert writer.returncode == 1
    assert "Traceback" not in stderr
    lost = [line for line in stderr.splitlines() if "interrupted:" in line]
    assert lost == [f"newsbot: run {spec.run_id} interrupted: run {spec.run_id} vanished from "
                    f"{redis_server.url} (Redis restarted without persistence?)"]  # fmt: skip
    assert run_row(db, spec.run_id)["status"] == "interrupted"
    with Store.open_existing(db) as store:
        state = store.site_state("example")
        articles = store.db.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert state is not None and state["cursor_url"] == "https://x/news/?p=4"
    assert articles == articles_in(pages[:6])

    client = connect(redis_server.url)
    writer = start_ingest(command, tmp_path)
    try:
        spec = opened_run(client)
        send(client, pages[6:])
        finish_site(client, spec.run_id, "example", articles_in(pages[6:]))
        stdout, stderr = writer.communicate(timeout=90)
    finally:
        writer.kill()
    assert writer.returncode == 0, stderr
    assert f"run {spec.run_id}: finished" in stdout


def test_a_frontier_unreachable_past_the_deadline_ends_the_run_interrupted(
    redis_server: Any, tmp_path: Path
) -> None:
    client = connect(redis_server.url)
    db = tmp_path / "news.db"
    command = ingest_command(redis_server.url, db, site_file(tmp_path, "example"))
    writer = start_ingest(command, tmp_path, NEWSBOT_REDIS_DOWN_DEADLINE="2")
    try:
        spec = opened_run(client)
        redis_server.stop()
        _, stderr = writer.communicate(timeout=60)
    finally:
        writer.kill()
    assert writer.returncode == 1
    assert "Traceback" not in stderr
    assert f"newsbot: run {spec.run_id} interrupted: the frontier at {redis_server.url} " \
           "was unreachable for" in stderr  # fmt: skip
    assert run_row(db, spec.run_id)["status"] == "interrupted"


def test_unreadable_records_are_set_aside_and_the_writer_goes_on(
    redis_server: Any,
    tmp_path: Path,
    pages: list[tuple[Page, str | None]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = connect(redis_server.url)
    db = tmp_path / "news.db"
    garbage = [b"not json at all", pickle.dumps({"v": 1}), json.dumps({"v": 99}).encode()]

    def worker() -> None:
        spec = opened_run(client)
        good = [page_record(page) for page, _ in pages[1:4]]
        # One push: one batch, one line in the log.
        client.rpush(keys.OUTBOX, garbage[0], *good, *garbage[1:])
        finish_site(client, spec.run_id, "example", 3)

    thread = threading.Thread(target=worker)
    thread.start()
    with caplog.at_level("WARNING", logger="newsbot.frontier.drain"):
        code = main(
            ["ingest", "--max-time", "2m", "--from", redis_server.url, "--db", str(db),
             "--site-file", str(site_file(tmp_path, "example"))]
        )  # fmt: skip
    thread.join()
    assert code == 0
    assert client.lrange(keys.DEAD_LETTERS, 0, -1) == garbage
    assert site_runs(db)["example"]["new"] == 3
    said = [r.getMessage() for r in caplog.records if r.name == "newsbot.frontier.drain"]
    assert said == [f"3 unreadable records set aside in {keys.DEAD_LETTERS} (not JSON: "
                    "Expecting value: line 1 column 1 (char 0))"]  # fmt: skip


def test_a_run_this_database_does_not_own_is_not_taken_over(
    redis_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client = connect(redis_server.url)
    client.set(keys.RUN, json.dumps({"id": 99, "sites": {}, "opened_at": ""}))
    code = main(
        ["ingest", "--max-time", "2m", "--from", redis_server.url, "--db", str(tmp_path / "news.db"),
         "--site-file", str(site_file(tmp_path, "example"))]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert f"holds run 99, which is not running in {tmp_path / 'news.db'}" in err
    assert client.exists(keys.RUN) == 1


def test_frontier_status_shows_queues_in_flight_leases_workers_and_records_waiting(
    redis_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    client = connect(redis_server.url)
    spec = RunSpec(7, {"alpha": "", "beta": ""}, None, None, False, "2026-11-30T08:00:00+00:00")
    client.set(keys.RUN, spec.json())
    client.zadd(keys.queue("alpha"), {b"r1": 0, b"r2": 0, b"r3": 1})
    client.hset(keys.inflight("alpha", "host:12:ab"), mapping={"a": "1", "b": "2"})
    client.set(keys.lease("alpha"), "host:12:ab")
    client.hset(keys.done(7), "beta", "finished")
    client.zadd(keys.WORKERS, {"host:12:ab": 1, "host:13:cd": 2})
    client.set(keys.heartbeat("host:12:ab"), "1", ex=60)
    client.rpush(keys.OUTBOX, b"1", b"2")

    assert main(["frontier", "status", "--frontier", redis_server.url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("run 7: open for ")
    assert lines[3].split() == ["alpha", "3", "2", "-", "host:12:ab"]
    assert lines[4].split() == ["2", "in", "flight", "at", "host:12:ab"]
    assert lines[5].split() == ["beta", "0", "0", "finished", "-"]
    assert "workers alive: 1 (host:12:ab)" in lines
    assert "workers gone (heartbeat expired): host:13:cd" in lines
    assert "records waiting for the writer: 2 in the outbox, 0 in the writer's batch" in lines

    assert main(["frontier", "status", "--frontier", redis_server.url, "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["run_id"] == 7
    assert status["sites"][0] == {
        "site": "alpha",
        "queued": 3,
        "in_flight": {"host:12:ab": 2},
        "done": None,
        "lease": "host:12:ab",
    }
    assert status["workers"] == ["host:12:ab"] and status["outbox"] == 2

    redis_server.stop()
    assert main(["frontier", "status", "--frontier", redis_server.url]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"newsbot: cannot read the frontier at {redis_server.url}: ")
    assert len(err.splitlines()) == 1


def test_a_writer_stopped_by_sigterm_writes_what_was_sent_and_ends_the_run_interrupted(
    redis_server: Any, tmp_path: Path, pages: list[tuple[Page, str | None]]
) -> None:
    client = connect(redis_server.url)
    db = tmp_path / "news.db"
    command = ingest_command(redis_server.url, db, site_file(tmp_path, "example"))
    writer = start_ingest(command, tmp_path)
    try:
        spec = opened_run(client)
        send(client, pages)
        writer.send_signal(signal.SIGTERM)
        _, stderr = writer.communicate(timeout=90)
    finally:
        writer.kill()
    assert writer.returncode == 1, stderr
    assert "Traceback" not in stderr
    # Withdrawn from the workers, said to be stopped by its writer...
    assert client.exists(keys.RUN) == 0
    assert client.get(keys.closed(spec.run_id)) == b"interrupted"
    # ... and what they had sent is in the database.
    assert client.llen(keys.OUTBOX) + client.llen(keys.PROCESSING) == 0
    assert run_row(db, spec.run_id)["status"] == "interrupted"
    assert site_runs(db)["example"]["new"] == articles_in(pages)


def test_a_full_disk_stops_the_writer_in_one_line_and_its_batch_waits_in_redis(
    redis_server: Any,
    tiny_disk: Path,
    tmp_path: Path,
    pages: list[tuple[Page, str | None]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = connect(redis_server.url)
    sent = pages[1:13]

    def worker() -> None:
        opened_run(client)
        fill(tiny_disk)  # the filesystem full before the records come
        send(client, sent)

    thread = threading.Thread(target=worker)
    thread.start()
    code = main(
        ["ingest", "--max-time", "2m", "--from", redis_server.url, "--db", str(tiny_disk / "news.db"),
         "--site-file", str(site_file(tmp_path, "example"))]
    )  # fmt: skip
    thread.join()
    assert (code, capsys.readouterr().err) == (2, f"newsbot: no space left on {tiny_disk}\n")
    # Nothing lost: the batch waits for a writer with room.
    assert client.llen(keys.PROCESSING) + client.llen(keys.OUTBOX) == len(sent)


def test_a_site_that_needs_a_browser_is_not_sent_to_workers_and_is_recorded_unsupported(
    redis_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client = connect(redis_server.url)
    rendered = site_file(tmp_path, "rendered")
    rendered.write_text(rendered.read_text(encoding="utf-8") + 'render = "listing"\n')
    published: list[list[str]] = []

    def worker() -> None:
        spec = opened_run(client)
        published.append(sorted(spec.sites))
        finish_site(client, spec.run_id, "example", 0)

    thread = threading.Thread(target=worker)
    thread.start()
    main(
        ["ingest", "--max-time", "2m", "--from", redis_server.url,
         "--db", str(tmp_path / "news.db"),
         "--site-file", str(site_file(tmp_path, "example")), "--site-file", str(rendered)]
    )  # fmt: skip
    thread.join()
    assert published == [["example"]]
    assert site_runs(tmp_path / "news.db")["rendered"]["status"] == "unsupported"
    assert "rendered              unsupported" in capsys.readouterr().out


def test_a_frontier_unreachable_at_the_start_is_one_line_and_no_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "news.db"
    code = main(
        ["ingest", "--from", "redis://127.0.0.1:1/0", "--db", str(db),
         "--site-file", str(site_file(tmp_path, "example"))]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("newsbot: cannot reach the frontier at redis://127.0.0.1:1/0: ")
    assert len(err.splitlines()) == 1
    assert (
        not db.exists()
        or sqlite3.connect(db).execute("SELECT count(*) FROM runs").fetchone()[0] == 0
    )


def test_messages_never_show_the_frontiers_password() -> None:
    from newsbot.frontier.publish import shown

    assert shown("redis://:s3cret@10.0.0.5:6379/0") == "redis://***@10.0.0.5:6379/0"
    assert shown("redis://newsbot:s3cret@10.0.0.5:6379/0") == "redis://newsbot:***@10.0.0.5:6379/0"
    assert shown("redis://10.0.0.5:6379/0") == "redis://10.0.0.5:6379/0"


def test_a_frontier_out_of_memory_is_drained_in_place(
    redis_server: Any, tmp_path: Path, pages: list[tuple[Page, str | None]]
) -> None:
    client = connect(redis_server.url)
    articles = [page_record(page) for page, _ in pages if page.kind == "article"]
    client.rpush(keys.OUTBOX, *articles)
    # At `maxmemory` under `noeviction`, Redis refuses LMOVE: the writer must still drain.
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", "1")
    with pytest.raises(redis.ResponseError, match="maxmemory"):
        client.lmove(keys.OUTBOX, keys.PROCESSING, "LEFT", "RIGHT")
    with Store.open(tmp_path / "news.db") as store:
        run_id = store.start_run(["example"], datetime.now(UTC))
        drain = Drain(client, store, run_id, str(tmp_path / "news.db"), batch=5)
        while drain.take():
            pass
        count = store.db.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert count == len(articles) == drain.outcomes("example")["new"]
    assert client.llen(keys.OUTBOX) == client.llen(keys.PROCESSING) == 0


def test_a_new_run_drops_the_requests_an_earlier_run_left_and_an_adopted_run_keeps_them(
    redis_server: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from newsbot.frontier.ingest import open_run
    from newsbot.sites.config import load_config

    client = connect(redis_server.url)
    configs = [load_config(site_file(tmp_path, "example"))]
    db = str(tmp_path / "news.db")
    # An interrupted run's leftovers: a FIFO queue, a priority queue, a worker's in-flight.
    client.rpush(keys.queue("example"), b"r1", b"r2")
    client.zadd(keys.queue("other"), {b"r3": 0})
    client.hset(keys.inflight("example", "w1"), mapping={"k1": "r4", "k2": "r5"})
    with Store.open(db) as store, caplog.at_level("INFO", logger="newsbot.frontier.ingest"):
        spec = open_run(client, store, configs, None, None, False, redis_server.url, db)
        stale = [keys.queue("example"), keys.queue("other"), keys.inflight("example", "w1")]
        assert client.exists(*stale) == 0
        said = [r.getMessage() for r in caplog.records]
        assert "5 requests an earlier run left queued or in flight were dropped" in said
        # This run's own requests: a writer restarted on it takes the run over, queues kept.
        client.rpush(keys.queue("example"), b"mine")
        client.hset(keys.inflight("example", "w2"), "k", "in flight")
        assert open_run(client, store, configs, None, None, False, redis_server.url, db) == spec
    assert client.lrange(keys.queue("example"), 0, -1) == [b"mine"]
    assert client.hgetall(keys.inflight("example", "w2")) == {b"k": b"in flight"}


def test_a_record_that_cannot_be_written_is_set_aside_and_the_rest_of_its_batch_written(
    redis_server: Any,
    tmp_path: Path,
    pages: list[tuple[Page, str | None]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = connect(redis_server.url)
    good = [page_record(page) for page, _ in pages if page.kind == "article"][:6]
    # Readable, but its author is an object: SQLite refuses to bind it.
    value = json.loads(good[2])
    value["result"]["article"]["author"] = {"name": "not text"}
    broken = json.dumps(value).encode()
    client.rpush(keys.OUTBOX, *good[:2], broken, *good[3:])
    db = str(tmp_path / "news.db")
    with Store.open(db) as store, caplog.at_level("WARNING", logger="newsbot.frontier.drain"):
        run_id = store.start_run(["example"], datetime.now(UTC))
        drain = Drain(client, store, run_id, db)
        assert drain.take() == 6
        assert drain.take() == 0
        stored = store.db.execute("SELECT count(*) FROM articles").fetchone()[0]
        pages_logged = store.db.execute("SELECT count(*) FROM pages").fetchone()[0]
        tally = store.writer_tally(run_id)
    # The five others written once each, counted once each (the failed attempt undone).
    assert stored == pages_logged == 5
    assert drain.outcomes("example") == {"new": 5, "updated": 0, "unchanged": 0}
    assert tally["sites"]["example"]["new"] == 5
    assert client.lrange(keys.DEAD_LETTERS, 0, -1) == [broken]
    assert client.llen(keys.OUTBOX) == client.llen(keys.PROCESSING) == 0
    said = [r.getMessage() for r in caplog.records if r.name == "newsbot.frontier.drain"]
    assert len(said) == 1
    assert said[0].startswith(
        f"1 record that could not be written set aside in {keys.DEAD_LETTERS} (ProgrammingError"
    )


def test_a_writer_that_takes_the_run_over_fills_articles_from_the_imprint_page_read_before(
    redis_server: Any, tmp_path: Path
) -> None:
    client = connect(redis_server.url)
    imprint = imprint_page()
    # Pages that carry no imprint of their own: the imprint page's is theirs.
    unsigned = (article_page(index) for index in range(40))
    articles = [page for page in unsigned if page.result and not page.result.article.has_imprint]
    articles = articles[:4]
    assert len(articles) == 4
    # Records first: writing a page fills its article in place.
    sent = [page_record(page) for page in articles]
    # What an uninterrupted writer stores: the imprint page, then the articles.
    written_directly(tmp_path / "direct.db", [(imprint, None), *((a, None) for a in articles)])
    db = str(tmp_path / "news.db")
    with Store.open(db) as store:
        run_id = store.start_run(["example"], datetime.now(UTC))
        client.rpush(keys.OUTBOX, page_record(imprint))
        assert Drain(client, store, run_id, db).take() == 1
        # The writer dies; the next takes the run over and drains the articles sent since.
        assert store.adopt_run(run_id)
        client.rpush(keys.OUTBOX, *sent)
        restarted = Drain(client, store, run_id, db)
        assert set(restarted.imprints) == {"example"}
        assert restarted.take() == 4
    columns = "id, publisher, registrations, warnings"
    query = f"SELECT {columns} FROM articles ORDER BY id"
    ingested = sqlite3.connect(db).execute(query).fetchall()
    assert ingested == sqlite3.connect(tmp_path / "direct.db").execute(query).fetchall()
    numbers = [[r["number"] for r in json.loads(regs)] for _, _, regs, _ in ingested]
    assert numbers == [["KZ15VPY00079493"]] * 4


def test_a_frontier_that_refuses_the_runs_opening_is_one_line_and_the_run_row_failed(
    redis_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client = connect(redis_server.url)
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", "1")
    db = tmp_path / "news.db"
    code = main(
        ["ingest", "--max-time", "2m", "--from", redis_server.url, "--db", str(db),
         "--site-file", str(site_file(tmp_path, "example"))]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"newsbot: cannot open the run on {redis_server.url}: ")
    assert len(err.splitlines()) == 1
    assert run_row(db, 1)["status"] == "failed"
    client.config_set("maxmemory", "0")
    assert client.exists(keys.RUN) == 0


def test_a_url_without_its_scheme_is_refused_without_showing_its_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["ingest", "--from", "newsbot:s3cret@10.0.0.5:6379/0", "--db", "x.db"])
    err = capsys.readouterr().err
    assert code == 2
    assert "s3cret" not in err
    assert "newsbot:***@10.0.0.5:6379/0" in err
