"""add-site and check-site against hostile sites on 127.0.0.1: a page that names another
host or port (robots.txt `Sitemap:` lines, feed links, redirects) never gets that server
a request (a second local server plays the internal service), a home page that drips a
byte at a time cannot hold them past their time limits, and the rough edges of add-site's
command line (a relative `Sitemap:` path, `-o` naming a file, a config of the same name,
`Disallow: /`) get a one-line answer."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from newsbot.demo.server import LocalSite, Page, ServedInThread
from newsbot.sites.config import load_config
from newsbot.sitetools.addsite import Prober, add_site, same_site
from newsbot.sitetools.checksite import check_site
from tests.conftest import ROOT
from tests.crawlsite import article_html, listing

ARTICLES = [f"/news/story-of-the-day-{1000 + n}" for n in range(1, 7)]


def add_site_command(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsbot.cli", "add-site", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
    )


def news_pages(robots: str = "User-agent: *\nAllow: /\n") -> dict[str, Page | list[Page]]:
    """A small site add-site can write a config for: a home page, /news and articles."""
    pages: dict[str, Page | list[Page]] = {
        "/robots.txt": Page(robots.encode(), "text/plain"),
        "/": Page('<html lang="ru"><body><a href="/news">Новости</a></body></html>'.encode()),
        "/news": listing(*ARTICLES),
    }
    for number, path in enumerate(ARTICLES, 1):
        pages[path] = Page(article_html(number))
    return pages


@pytest.fixture
def internal() -> Iterator[LocalSite]:
    """The internal service on another port: whatever it is asked is a hole."""
    with LocalSite({}) as service:
        yield service


def test_add_site_asks_nothing_of_another_host_or_port(internal: LocalSite, tmp_path: Path):
    elsewhere = internal.base_url
    pages = news_pages(
        "User-agent: *\nAllow: /\n"
        f"Sitemap: {elsewhere}/sitemap.xml\n"
        "Sitemap: sitemap-news.xml\n"  # relative: the site's own
    )
    pages["/"] = Page(
        f'<html lang="ru"><head>'
        f'<link rel="alternate" type="application/rss+xml" href="{elsewhere}/rss">'
        '<link rel="alternate" type="application/rss+xml" href="/feed">'
        f'</head><body><a href="/news">Новости</a><a href="{elsewhere}/news">Новости</a>'
        f'<a href="{elsewhere}/admin/">Admin</a></body></html>'.encode()
    )
    moved = "/news/moved-to-the-inside-1000"
    pages["/news"] = listing(moved, *ARTICLES)
    pages[moved] = Page(b"", status=302, headers={"Location": f"{elsewhere}{moved}"})
    pages["/feed"] = Page(b"", status=301, headers={"Location": f"{elsewhere}/feed"})
    with LocalSite(pages) as site:
        entries = [site.base_url + path for path in (moved, *ARTICLES)]
        entries.append(f"{elsewhere}/news/inside-only-story-9999")
        site.pages["/sitemap-news.xml"] = Page(
            b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<url><loc>{url}</loc></url>" for url in entries).encode()
            + b"</urlset>",
            "application/xml",
        )
        result = add_site_command(f"{site.base_url}/", "-o", str(tmp_path), "--slug", "hostile")

    assert result.returncode == 0, result.stdout + result.stderr
    assert internal.requests == []
    assert "/sitemap-news.xml" in site.requests and moved in site.requests
    refused = result.stdout.split("refused, not requested", 1)[1]
    assert f"{elsewhere}/sitemap.xml (a robots.txt Sitemap: line off the site)" in refused
    assert f"{elsewhere}/rss (a feed link off the site)" in refused
    assert f"{site.base_url}/feed (redirected off the site to {elsewhere}/feed)" in refused
    assert f"(redirected off the site to {elsewhere}{moved})" in refused

    text = (tmp_path / "hostile.toml").read_text(encoding="utf-8")
    assert elsewhere not in text
    config = load_config(tmp_path / "hostile.toml")
    assert config.sitemaps == (f"{site.base_url}/sitemap-news.xml",)
    assert config.start_urls == (f"{site.base_url}/news",)
    assert config.takes_article(f"{site.base_url}{ARTICLES[0]}")


def test_only_the_same_host_and_port_are_the_site():
    home = "http://news.example.kz/"
    assert same_site("https://www.news.example.kz/ru/news", home)  # other scheme, www.
    assert same_site("http://news.example.kz:80/a", home)
    assert not same_site("http://news.example.kz:8080/a", home)
    assert not same_site("http://kaz.news.example.kz/a", home)
    assert not same_site("http://169.254.169.254/latest/meta-data/", home)
    assert not same_site("ftp://news.example.kz/a", home)
    assert not same_site("http://news.example.kz:99999/a", home)  # no such port
    assert same_site("http://127.0.0.1:8000/x", "http://127.0.0.1:8000/")
    assert not same_site("http://127.0.0.1:8001/x", "http://127.0.0.1:8000/")


class DripSite(ServedInThread):
    """Answers every request one byte every half second until the client gives up: in
    the status line and headers (`drip_headers`) or in a long body after prompt headers."""

    def __init__(self, drip_headers: bool = False):
        self.stopped = threading.Event()
        self.requests: list[str] = []
        drip = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                drip.requests.append(self.path)
                head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                if not drip_headers:
                    self.wfile.write(head + b"Content-Length: 100000\r\n\r\n")
                    head = b"<html><body>" + b"." * 200
                try:
                    for byte in head:
                        if drip.stopped.wait(0.5):
                            return
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up: what the test wants

            def log_message(self, format: str, *args: object) -> None:
                return

        self.serve(Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.stopped.set()
        super().stop()


@pytest.mark.parametrize("drip_headers", [False, True], ids=["body", "headers"])
def test_a_request_that_drips_ends_at_its_time_limit(drip_headers: bool):
    with DripSite(drip_headers) as drip:
        prober = Prober(f"{drip.base_url}/", max_requests=5, timeout=2.0)
        started = time.monotonic()
        fetched = prober.get(f"{drip.base_url}/", check_robots=False)
        elapsed = time.monotonic() - started
    assert fetched is None
    assert prober.last_error == "no whole answer within 2 s"
    assert 1.5 < elapsed < 8, elapsed


def test_a_tls_handshake_that_drips_ends_at_its_time_limit():
    """An https server that sends its handshake a byte every half second: no single read
    waits long, yet the request ends at its limit (CPython bounds the whole handshake by
    the socket's timeout; the deadline then cuts what follows)."""
    stopped = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))

    def drip_handshakes() -> None:
        listener.settimeout(0.2)
        while not stopped.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                # A handshake record announcing 16 KB, then its bytes one by one.
                for byte in b"\x16\x03\x03\x40\x00" + b"\x02" * 200:
                    if stopped.wait(0.5):
                        break
                    try:
                        connection.sendall(bytes([byte]))
                    except OSError:
                        break

    thread = threading.Thread(target=drip_handshakes, daemon=True)
    thread.start()
    home = f"https://127.0.0.1:{listener.getsockname()[1]}/"
    try:
        prober = Prober(home, max_requests=5, timeout=2.0)
        started = time.monotonic()
        fetched = prober.get(home, check_robots=False)
        elapsed = time.monotonic() - started
    finally:
        stopped.set()
        thread.join(timeout=5)
        listener.close()
    assert fetched is None
    assert 1.5 < elapsed < 8, elapsed


def test_a_name_from_the_page_cannot_break_the_config(tmp_path: Path):
    from newsbot.sitetools.addsite import _toml_string

    for name in ("Foo\nBar", "A\x01B", 'It\'s "quoted"', "Тенгри\tНьюс"):
        assert tomllib.loads(f"name = {_toml_string(name)}")["name"] == name


def test_add_site_gives_up_on_a_dripping_home_page_by_max_time(tmp_path: Path):
    with DripSite() as drip:
        started = time.monotonic()
        result = add_site_command(f"{drip.base_url}/", "-o", str(tmp_path), "--max-time", "3s")
        elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stdout + result.stderr
    # robots.txt takes the first 3 s; nothing is left for the home page.
    assert "the home page cannot be read (out of time: the limit of 3 s is spent)" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert elapsed < 30, elapsed  # 3 s and the interpreter's start, on a busy machine
    assert not list(tmp_path.glob("*.toml"))


def test_check_site_honours_the_configs_download_timeout(tmp_path: Path):
    with DripSite() as drip:
        site_file = tmp_path / "drip.toml"
        site_file.write_text(
            'slug = "drip"\nname = "Drip"\ndomains = ["127.0.0.1"]\nlanguage = "ru"\n'
            f'start_urls = ["{drip.base_url}/news/"]\ndownload_timeout = 1\n',
            encoding="utf-8",
        )
        lines: list[str] = []
        started = time.monotonic()
        code = check_site(load_config(site_file), pages=2, say=lines.append, max_time=60)
        elapsed = time.monotonic() - started
    assert code == 1
    assert f"  BROKEN  start URL {drip.base_url}/news/: no answer: no whole answer within 1 s" in (
        lines
    )
    assert elapsed < 45, elapsed


def test_add_site_refuses_an_output_that_is_a_file_before_probing(tmp_path: Path):
    target = tmp_path / "sites.toml"
    target.write_text("# mine\n", encoding="utf-8")
    with LocalSite(news_pages()) as site:
        result = add_site_command(f"{site.base_url}/", "-o", str(target))
    assert result.returncode == 2
    assert (
        result.stderr.strip() == f"newsbot: -o {target}: is a file; add-site writes into a folder"
    )
    assert site.requests == []
    assert target.read_text(encoding="utf-8") == "# mine\n"


def test_add_site_keeps_a_hand_edited_config_unless_forced(tmp_path: Path):
    with LocalSite(news_pages()) as site:
        (path,) = add_site(f"{site.base_url}/", tmp_path, "mine", say=lambda line: None)
        edited = path.read_text(encoding="utf-8").replace("enabled = true", "enabled = false")
        path.write_text(edited, encoding="utf-8")

        result = add_site_command(f"{site.base_url}/", "-o", str(tmp_path), "--slug", "mine")
        assert result.returncode == 2
        assert result.stderr.strip() == (
            f"newsbot: {path} exists: nothing written (--force replaces it, hand edits too)"
        )
        assert path.read_text(encoding="utf-8") == edited

        forced = add_site_command(
            f"{site.base_url}/", "-o", str(tmp_path), "--slug", "mine", "--force"
        )
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert f"replaced {path}" in forced.stdout.splitlines()
    assert tomllib.loads(path.read_text(encoding="utf-8"))["enabled"] is True


def test_add_site_says_robots_txt_forbids_the_home_page(tmp_path: Path):
    with LocalSite(news_pages("User-agent: *\nDisallow: /\n")) as site:
        result = add_site_command(f"{site.base_url}/", "-o", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"newsbot: {site.base_url}/: the home page cannot be read (robots.txt forbids it)"
    )
    assert site.requests == ["/robots.txt"]
    assert list(tmp_path.iterdir()) == []
