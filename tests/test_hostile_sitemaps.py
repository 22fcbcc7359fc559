"""Sitemap limits: an index nesting without end, an index fanning out, a large gzip
sitemap. Nesting depth, documents and article URLs per run are bounded, the newest go
first, the rest wait for the next run, and sitemaps are read as a stream."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

from newsbot.demo.server import LocalSite, Page
from tests.crawlsite import article_html, query

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'

# A crawl with Scrapy settings of its own (the CLI has no switch for the sitemap limits).
# The peak is VmHWM, this process's own: getrusage's ru_maxrss carries the parent's
# peak across fork and exec.
CRAWL = """
import json, sys
from pathlib import Path
from newsbot.run.runner import run_crawl
from newsbot.sites.config import load_config
db, site_file, log_file, overrides = sys.argv[1:5]
report = run_crawl([load_config(site_file)], db, log_file=log_file,
                   settings_overrides=json.loads(overrides))
print("peak_rss_mb", int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]) // 1024)
print("status", report.status)
"""


def crawl(folder: Path, site_file: Path, **settings: object) -> tuple[Path, str, str]:
    db = folder / "news.db"
    log = folder / "newsbot.log"
    settings.setdefault("NEWSBOT_WORKERS", 0)
    result = subprocess.run(
        [sys.executable, "-c", CRAWL, str(db), str(site_file), str(log), json.dumps(settings)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "status finished" in result.stdout, result.stdout + result.stderr[-3000:]
    return db, result.stdout, log.read_text()


def index(children: list[tuple[str, str | None]]) -> Page:
    entries = "".join(
        f"<sitemap><loc>{loc}</loc>{f'<lastmod>{mod}</lastmod>' if mod else ''}</sitemap>"
        for loc, mod in children
    )
    return Page(f"<sitemapindex {NS}>{entries}</sitemapindex>".encode(), "application/xml")


def urlset_xml(urls: list[tuple[str, str]]) -> bytes:
    entries = "".join(f"<url><loc>{loc}</loc><lastmod>{mod}</lastmod></url>" for loc, mod in urls)
    return f'<?xml version="1.0"?><urlset {NS}>{entries}</urlset>'.encode()


def site_file(folder: Path, site: LocalSite, sitemap: str) -> Path:
    path = folder / "maps.toml"
    path.write_text(
        'slug = "maps"\nname = "Maps"\ndomains = ["127.0.0.1"]\nlanguage = "ru"\n'
        f"sitemaps = [\"{site.base_url}{sitemap}\"]\narticle_url = '/news/\\d+-item\\.html$'\n"
    )
    return path


ROBOTS = Page(b"User-agent: *\n", "text/plain")
ARTICLE = Page(article_html(1))


def test_an_index_nesting_without_end_stops_at_the_depth_limit(tmp_path: Path):
    pages: dict[str, Page | list[Page]] = {"/robots.txt": ROBOTS}
    with LocalSite(pages) as site:
        for level in range(200):
            site.pages[f"/s/{level}.xml"] = index([(f"{site.base_url}/s/{level + 1}.xml", None)])
        _, _, log = crawl(tmp_path, site_file(tmp_path, site, "/s/0.xml"))
        # The configured sitemap and three levels below it (NEWSBOT_SITEMAP_MAX_DEPTH).
        assert [path for path in site.requests if path.startswith("/s/")] == [
            "/s/0.xml",
            "/s/1.xml",
            "/s/2.xml",
            "/s/3.xml",
        ]
        assert "/s/3.xml: sitemap indexes nested deeper than 3 levels" in log


def test_a_fan_out_index_is_cut_at_the_document_limit_and_articles_flow(tmp_path: Path):
    pages: dict[str, Page | list[Page]] = {"/robots.txt": ROBOTS}
    with LocalSite(pages) as site:
        base = site.base_url
        # 50 indexes of 50 urlsets of 2 articles: 2,551 documents; newer k, newer lastmod.
        site.pages["/fan.xml"] = index(
            [(f"{base}/i/{k}.xml", f"2024-01-01T00:{k:02d}:00Z") for k in range(50)]
        )
        for k in range(50):
            site.pages[f"/i/{k}.xml"] = index(
                [(f"{base}/u/{k}-{j}.xml", f"2024-01-01T00:{j:02d}:00Z") for j in range(50)]
            )
            for j in range(50):
                numbers = (k * 100 + j * 2, k * 100 + j * 2 + 1)
                site.pages[f"/u/{k}-{j}.xml"] = Page(
                    urlset_xml([(f"{base}/news/{n}-item.html", "2024-02-01") for n in numbers]),
                    "application/xml",
                )
                for n in numbers:
                    site.pages[f"/news/{n}-item.html"] = ARTICLE
        _, _, log = crawl(
            tmp_path, site_file(tmp_path, site, "/fan.xml"), NEWSBOT_SITEMAP_MAX_DOCUMENTS=30
        )
        documents = [p for p in site.requests if p.startswith(("/fan", "/i/", "/u/"))]
        assert len(documents) == 30
        # The root's room went to its 29 newest child indexes; nothing was left for urlsets.
        assert sorted(p for p in documents if p.startswith("/i/")) == sorted(
            f"/i/{k}.xml" for k in range(21, 50)
        )
        assert "21 sitemaps not fetched, over 30 sitemap documents per run" in log

        site.requests.clear()
        site.pages["/fan.xml"] = index([(f"{base}/i/49.xml", None), (f"{base}/i/48.xml", None)])
        # More urlsets than requests in flight (8 on 127.0.0.1), so their order means
        # something: the first urlsets' articles go before the last urlsets.
        crawl(tmp_path, site_file(tmp_path, site, "/fan.xml"), NEWSBOT_SITEMAP_MAX_DOCUMENTS=40)
        urlsets = [p for p in site.requests if p.startswith("/u/")]
        articles = [p for p in site.requests if p.startswith("/news/")]
        assert len(urlsets) == 40 - 3
        assert len(articles) == 2 * len(urlsets)
        # Articles went out while sitemaps were still being read, not after all of them.
        assert site.requests.index(articles[0]) < site.requests.index(urlsets[-1])


def test_a_large_gzip_sitemap_gives_the_newest_first_and_the_rest_next_run(tmp_path: Path):
    count = 30_000
    pages: dict[str, Page | list[Page]] = {"/robots.txt": ROBOTS}
    with LocalSite(pages) as site:
        base = site.base_url

        # Dates in no order; the newest are numbers with the latest day and minute.
        def when(n: int) -> str:
            return f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00Z"

        urls = [(f"{base}/news/{n}-item.html", when(n)) for n in range(count)]
        site.pages["/big.xml.gz"] = Page(gzip.compress(urlset_xml(urls)), "application/x-gzip")
        for n in range(count):
            site.pages[f"/news/{n}-item.html"] = ARTICLE
        newest = sorted(range(count), key=lambda n: (when(n), -n), reverse=True)

        file = site_file(tmp_path, site, "/big.xml.gz")
        db, out, log = crawl(tmp_path, file, NEWSBOT_SITEMAP_MAX_URLS=20)
        fetched = {p for p in site.requests if p.startswith("/news/")}
        assert fetched == {f"/news/{n}-item.html" for n in newest[:20]}
        assert f"{count - 20} new article URLs left for the next run, over 20 per run" in log
        assert query(db, "SELECT count(*) FROM pages WHERE kind = 'article'") == [(20,)]

        site.requests.clear()
        crawl(tmp_path, file, NEWSBOT_SITEMAP_MAX_URLS=20)
        fetched = {p for p in site.requests if p.startswith("/news/")}
        assert fetched == {f"/news/{n}-item.html" for n in newest[20:40]}
        peak = int(out.split("peak_rss_mb ")[1].split()[0])
        assert peak < 500


READ = """
import gzip, sys
from pathlib import Path
from lxml import etree
from newsbot.crawling.discovery import SitemapReader
PEAK_MB = lambda: int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]) // 1024
body = Path(sys.argv[1]).read_bytes()
if sys.argv[2] == "stream":
    count = sum(1 for _ in SitemapReader(body, max_bytes=10**9))
else:  # the whole tree, as sitemaps were read before
    count = len(etree.fromstring(gzip.decompress(body)))
print(count, PEAK_MB())
"""


def test_a_sitemap_is_read_as_a_stream(tmp_path: Path):
    count = 200_000
    urls = [(f"https://example.kz/news/{n}-item.html", "2024-11-19") for n in range(count)]
    body = tmp_path / "big.xml.gz"
    body.write_bytes(gzip.compress(urlset_xml(urls), compresslevel=1))

    def peak_mb(mode: str) -> int:
        result = subprocess.run(
            [sys.executable, "-c", READ, str(body), mode],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        read, megabytes = map(int, result.stdout.split())
        assert read == count
        return megabytes

    # 200,000 entries, 20 MB unpacked: the tree takes over 100 MB more than the
    # interpreter and lxml, the stream next to nothing.
    streamed, whole = peak_mb("stream"), peak_mb("tree")
    assert whole - streamed > 60, (streamed, whole)
    assert streamed < 120
