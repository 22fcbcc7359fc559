"""Shared helpers: saved pages and a fixed fetch time (tests never read today's date)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipelines.chain import process_page
from pipelines.page import Page

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"
FETCHED_AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def extract_fixture(path: str, url: str, charset: str | None = None) -> dict[str, Any]:
    body = (FIXTURES / path).read_bytes()
    page = Page(url=url, body=body, fetched_at=FETCHED_AT, charset=charset)
    return process_page(page).as_dict()


@pytest.fixture
def seed_text() -> str:
    path = SHARED / "corpus" / "seed-article.txt"
    if not path.exists():
        pytest.skip("../shared/corpus/seed-article.txt is not beside the project")
    return path.read_text(encoding="utf-8")
