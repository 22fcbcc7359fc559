"""A crawl onto a filesystem that fills up: one line, exit 2, the database intact, and
the run recorded as interrupted by the next crawl that has room. On a real tmpfs."""

from __future__ import annotations

import random
import sqlite3
import subprocess
from pathlib import Path

from newsbot.demo.server import LocalSite, Page
from tests.crawlsite import article_html, listing, run_crawl, write_site_file

WORDS = ("налог", "бюджет", "министр", "регион", "экспорт", "зерно", "сеть", "план", "итоги")


def bulky_site(count: int) -> dict[str, Page | list[Page]]:
    """Articles of about 60 KB of text each that compress poorly (random word order)."""
    rng = random.Random(7)
    pages: dict[str, Page | list[Page]] = {"/robots.txt": Page(b"User-agent: *\n", "text/plain")}
    pages["/news/"] = listing(*(f"/news/{n}-item.html" for n in range(1, count + 1)))
    for number in range(1, count + 1):
        note = " ".join(rng.choice(WORDS) + str(rng.randrange(10**6)) for _ in range(6000))
        pages[f"/news/{number}-item.html"] = Page(article_html(number, note))
    return pages


def test_a_crawl_that_fills_its_disk_stops_with_one_line(tmp_path: Path, tiny_disk: Path):
    subprocess.run(["mount", "-o", "remount,size=3m", str(tiny_disk)], check=True)
    db = tiny_disk / "news.db"
    with LocalSite(bulky_site(60)) as site:
        site_file = write_site_file(tmp_path, site)
        full = run_crawl(db, site_file)
        again = run_crawl(db, site_file)
        subprocess.run(["mount", "-o", "remount,size=64m", str(tiny_disk)], check=True)
        with_room = run_crawl(db, site_file)
    assert (full.returncode, full.stderr) == (2, f"newsbot: no space left on {tiny_disk}\n")
    assert (again.returncode, again.stderr) == (2, f"newsbot: no space left on {tiny_disk}\n")
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        runs = connection.execute("SELECT id, status, note FROM runs ORDER BY id").fetchall()
        stored = connection.execute("SELECT count(DISTINCT url), count(*) FROM articles")
        assert stored.fetchone() == (60, 60)
    finally:
        connection.close()
    assert runs[0][1:] == ("interrupted", "process died")
    assert runs[-1][1] == "finished"
    assert with_room.returncode in (0, 1), with_room.stderr
