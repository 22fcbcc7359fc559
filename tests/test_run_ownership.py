"""Seams of one crawl: the site's imprint reaches every article whatever order pages
arrive in, and one extraction pool serves every site of a process."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import replace
from pathlib import Path

from newsbot.demo.server import LocalSite, Page
from newsbot.demo.site import ARTICLE_URL, demo_pages
from tests.crawlsite import crawl_command, paged_site_pages, query, run_crawl, write_site_file
from tests.test_demo import free_port


def demo_site_file(folder: Path, base: str) -> Path:
    path = folder / "demo.toml"
    path.write_text(
        "\n".join([
            'slug = "demo"', 'name = "Demo Holding"', 'domains = ["127.0.0.1"]',
            'language = "ru"', f'start_urls = ["{base}/news/"]', f'feeds = ["{base}/rss.xml"]',
            f'imprint_urls = ["{base}/about/"]', f"article_url = '{ARTICLE_URL}'",
        ]) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    return path


def test_every_article_gets_the_imprint_page_even_when_it_comes_last(tmp_path: Path):
    """The press edition prints no imprint; its imprint page answers late and fails once,
    so the articles are extracted and stored before it is read."""
    port = free_port()
    pages = demo_pages(port)
    imprint = pages["/about/"]
    assert isinstance(imprint, Page)
    pages["/about/"] = [Page(b"busy", status=503, delay=1.0), replace(imprint, delay=2.0)]
    with LocalSite(pages, port=port) as site:
        db = tmp_path / "demo.db"
        result = run_crawl(db, demo_site_file(tmp_path, site.base_url))
    assert result.returncode in (0, 1), result.stderr
    imprint_read = query(db, "SELECT fetched_at FROM pages WHERE url LIKE '%/about%'")[0][0]
    rows = query(
        db,
        "SELECT a.publisher, a.registrations, a.warnings, p.fetched_at FROM articles a "
        "JOIN pages p ON p.article_id = a.id WHERE a.url LIKE '%/news/press/%'",
    )
    assert len(rows) == 9
    assert any(fetched < imprint_read for *_, fetched in rows)  # the race did happen
    for publisher, registrations, warnings, _ in rows:
        assert json.loads(publisher)["editor_in_chief"] == "Нурлан Абдиров"
        numbers = {r["number"] for r in json.loads(registrations)}
        assert numbers == {"15700-ИА", "KZ90VPY00156999"}
        assert not any(w.startswith("no imprint") for w in json.loads(warnings))


def _descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, queue = [], list(children.get(pid, []))
    while queue:
        child = queue.pop()
        try:
            command = (Path("/proc") / str(child) / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        found.append((child, command.decode(errors="replace")))
        queue += children.get(child, [])
    return found


def test_three_sites_with_two_workers_run_two_extraction_processes(tmp_path: Path):
    sites = [LocalSite(paged_site_pages(12, 12, delay=0.3)).start() for _ in range(3)]
    try:
        site_files = [
            write_site_file(tmp_path, site, slug=f"site_{n}", concurrency=2)
            for n, site in enumerate(sites)
        ]
        command = crawl_command(tmp_path / "news.db", *site_files, extra=("--workers", "2"))
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        most = 0
        try:
            deadline = time.monotonic() + 60
            while process.poll() is None and time.monotonic() < deadline:
                below = _descendants(process.pid)
                servers = [pid for pid, command in below if "forkserver" in command]
                workers = [
                    pid
                    for pid, _ in below
                    if any(pid in (p for p, _ in _descendants(server)) for server in servers)
                ]
                most = max(most, len(workers))
                time.sleep(0.2)
        finally:
            process.wait(timeout=120)
    finally:
        for site in sites:
            site.stop()
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    assert most == 2
    assert query(tmp_path / "news.db", "SELECT site, count(*) FROM articles GROUP BY site") == [
        (f"site_{n}", 12) for n in range(3)
    ]
