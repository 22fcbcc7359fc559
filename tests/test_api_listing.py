"""An `[api]` listing that cannot be read or is refused: one line in the log, counted in
the stats, and a site that yields nothing fails its health check; nothing loops."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newsbot.demo.server import ServedInThread
from tests.support.jssite import GOV_ENTITIES, JsSite

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Deeper than Python's JSON parser recurses: a RecursionError, not a ValueError.
DEEP_JSON = b"[" * 200_000
ANSWERS = {
    "/api/deep": (200, DEEP_JSON),
    "/api/broken": (200, b'{"content": [{"id": 1'),
    "/api/refused1": (403, b'{"error": "no"}'),
    "/api/refused2": (401, b'{"error": "no"}'),
}


class ApiSite(ServedInThread):
    """An API whose every answer is unreadable JSON or a refusal; `requests` lists paths."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append(self.path)
                path = urlsplit(self.path).path
                status, body = ANSWERS.get(path, (404, b"{}"))
                if path == "/robots.txt":
                    status, body = 200, b"User-agent: *\n"
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.serve(Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


def _crawl(tmp_path: Path, config: str, env: dict[str, str] | None = None) -> tuple[str, str]:
    """Crawl one site file; the command's stderr and the crawl log."""
    site_file = tmp_path / "site.toml"
    site_file.write_text(config, encoding="utf-8")
    command = [sys.executable, "-m", "newsbot.cli", "crawl", "--db", str(tmp_path / "news.db"),
               "--site-file", str(site_file)]  # fmt: skip
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=240, check=False, env=env
    )
    return result.stderr, (tmp_path / "logs" / "newsbot.log").read_text(encoding="utf-8")


def _stat(log: str, key: str) -> int:
    """A count from the stats Scrapy writes to the log when the crawl ends."""
    match = re.search(rf"'{re.escape(key)}': (\d+)", log)
    return int(match.group(1)) if match else 0


def test_unreadable_and_refused_api_pages_are_counted_and_logged_once(tmp_path: Path):
    with ApiSite() as site:
        entities = "\n".join(
            f'{name} = "{name}"' for name in ("deep", "broken", "refused1", "refused2")
        )
        stderr, log = _crawl(
            tmp_path,
            f"""
slug = "apisite"
name = "API Site"
domains = ["127.0.0.1"]
language = "ru"
article_url = '/news/\\d+$'

[api]
url = "{site.base_url}/api/{{entity}}?page={{page}}"
items = "content"
item_url = "{site.base_url}/news/{{id}}"

[api.entities]
{entities}
""",
        )
        requested = list(site.requests)
    # Each JSON page that cannot be read: one warning line naming it, no traceback.
    assert "Traceback" not in log and "RecursionError" not in log
    deep = [line for line in log.splitlines() if "/api/deep?page=1" in line and "WARNING" in line]
    assert len(deep) == 1 and "JSON nested too deeply to read" in deep[0]
    assert len([line for line in log.splitlines() if "/api/broken?page=1: not JSON" in line]) == 1
    assert _stat(log, "newsbot/api/unreadable") == 2
    # Both refusals counted, as errors too; the first one logged, and neither asked again.
    assert _stat(log, "newsbot/api/refused") == 2
    assert _stat(log, "newsbot/errors") == 2
    assert len(re.findall(r"the API refuses us", log)) == 1
    assert requested.count("/api/refused1?page=1") == 1
    assert requested.count("/api/refused2?page=1") == 1
    # A site whose API gave nothing fails its health check, in one line.
    assert "newsbot: apisite: failed: no article links in 4 discovery pages" in stderr, stderr


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed (apt-get install chromium)")
def test_an_api_that_refuses_fresh_session_headers_ends_without_a_loop(tmp_path: Path):
    # Every session pair is refused from its first use: a broken API, not an expired pair.
    with JsSite(token_uses=0) as site:
        entities = "\n".join(f'{key} = "{name}"' for key, name in GOV_ENTITIES.items())
        stderr, log = _crawl(
            tmp_path,
            f"""
slug = "refusing"
name = "Refusing API"
domains = ["127.0.0.1"]
language = "ru"
article_url = '/gov/[a-z]+/details/\\d+$'

[api]
url = "{site.base_url}/api/news?entity={{entity}}&page={{page}}"
items = "content"
item_url = "{site.base_url}/gov/{{entity}}/details/{{id}}"
session_page = "{site.base_url}/app/gov"
session_headers = ["hash", "token"]

[api.entities]
{entities}
""",
            env={**os.environ, "NEWSBOT_CHROMIUM": CHROMIUM or ""},
        )
        requested = list(site.requests)
    # The session page opened once: no refresh for a pair refused before it ever served.
    assert requested.count("/session") == 1
    assert _stat(log, "newsbot/api/sessions") == 1
    assert _stat(log, "newsbot/api/refused") == len(GOV_ENTITIES)
    assert len(re.findall(r"the API refuses us with fresh session headers", log)) == 1
    assert (
        f"newsbot: refusing: failed: no article links in {len(GOV_ENTITIES)} discovery" in stderr
    ), stderr
