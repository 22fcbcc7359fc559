"""Shared helpers: saved pages and a fixed fetch time (tests never read today's date)."""

from __future__ import annotations

import dataclasses
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newsbot.sites.config import SiteConfig, bundled_configs
from pipelines.page import Page
from pipelines.stages.chain import extract_page

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"
# The public article-extraction benchmark (181 real pages, MIT), vendored with its licence.
BENCHMARK = ROOT / "bench" / "article-extraction"
FETCHED_AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
# Pages of sites that have no config in newsbot/sites: they run with none.
UNCONFIGURED = "_unconfigured"


def run_chain(
    body: bytes, url: str, site: SiteConfig | None, charset: str | None = None
) -> dict[str, Any]:
    """The one place the tests call the chain on a page's bytes."""
    page = Page(url=url, body=body, fetched_at=FETCHED_AT, charset=charset)
    return extract_page(page, site.chain_options() if site else None).article.as_dict()


def extract_fixture(path: str, url: str, charset: str | None = None) -> dict[str, Any]:
    """A saved page through the chain with no site config."""
    return run_chain((FIXTURES / path).read_bytes(), url, None, charset)


def extract_with_config(
    path: str, url: str, slug: str | None, charset: str | None = None, **changes: Any
) -> dict[str, Any]:
    """A saved page through the chain with the bundled config `slug` (None: no config),
    changed by `changes` (as `selectors={...}`) where a test needs it."""
    site = dataclasses.replace(bundled_configs()[slug], **changes) if slug else None
    return run_chain((FIXTURES / path).read_bytes(), url, site, charset)


@pytest.fixture
def seed_text() -> str:
    path = SHARED / "corpus" / "seed-article.txt"
    if not path.exists():
        pytest.skip("../shared/corpus/seed-article.txt is not beside the project")
    return path.read_text(encoding="utf-8")


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A 1 MB tmpfs: a full filesystem, for real. Needs root (CI and these machines are)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        # Lazily if a process still holds a file there (a worker ending a moment late).
        subprocess.run(["umount", "--lazy", str(mount)], check=False)


@pytest.fixture
def redis_server(tmp_path: Path) -> Any:
    """A real redis-server on a free loopback port, empty, stopped after the test
    (tests/support/redis_server.py); skipped where Debian's redis-server is absent."""
    from tests.support.redis_server import REDIS_SERVER, running_redis

    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (.ci/run installs Debian's)")
    with running_redis(tmp_path) as server:
        yield server
