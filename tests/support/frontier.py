"""Crawl workers on a shared frontier in tests: the run published as the writer
(`newsbot ingest`) publishes it (DIST-CONTRACT), workers started as real subprocesses,
and the outbox read back as the writer reads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import redis

from newsbot.frontier import keys
from pipelines.records import Record, read_record

ROOT = Path(__file__).resolve().parents[2]


def publish_run(
    redis_url: str,
    run_id: int,
    sites: Mapping[str, str],
    *,
    limit: int | None = None,
    since: str | None = None,
    refresh: bool = False,
    history: Mapping[str, Mapping[str, list[Any]]] | None = None,
) -> None:
    """What the writer does before workers crawl: each site's history (URL key to the
    JSON list of PastFetch's fields), then the run (its sites' config TOML texts)."""
    client = redis.Redis.from_url(redis_url)
    for slug, fetches in (history or {}).items():
        if fetches:
            client.hset(
                keys.history(slug), mapping={url: json.dumps(past) for url, past in fetches.items()}
            )
    run = {
        "id": run_id,
        "sites": dict(sites),
        "since": since,
        "limit": limit,
        "refresh": refresh,
        "opened_at": "2026-11-26T12:00:00+00:00",
    }
    client.set(keys.RUN, json.dumps(run))
    client.close()


def drain(redis_url: str) -> list[Record]:
    """Every record waiting in the outbox, taken out (the writer's part, simplified)."""
    client = redis.Redis.from_url(redis_url)
    records = []
    while True:
        data = client.lpop(keys.OUTBOX)
        if data is None:
            break
        records.append(read_record(data))
    client.close()
    return records


def worker_env(heartbeat: float = 2.0, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        NEWSBOT_FRONTIER_HEARTBEAT=str(heartbeat),
        PYTHONWARNINGS="always::DeprecationWarning",
        **extra,
    )
    return env


def start_worker(
    redis_url: str,
    *slugs: str,
    log: Path,
    extra: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """`newsbot crawl --frontier URL` in a subprocess, its output into `log`."""
    command = [
        sys.executable, "-m", "newsbot.cli", "crawl", "--frontier", redis_url,
        "--workers", "0", "--wait", "30s", *extra, *slugs,
    ]  # fmt: skip
    with log.open("wb") as output:
        return subprocess.Popen(
            command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, env=env or worker_env()
        )
