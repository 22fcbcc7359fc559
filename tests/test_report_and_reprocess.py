"""`newsbot report` (rendered in a real headless Chromium when one is installed) and
`newsbot reprocess` on pages a real crawl stored."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import lxml.html
import pytest

from newsbot.cli import main
from newsbot.demo.server import LocalSite
from pipelines.article import Article
from pipelines.store import SiteRun, Store
from tests.conftest import FETCHED_AT
from tests.crawlsite import paged_site_pages, query, run_crawl, write_site_file
from tests.test_export import PUBLISHER, REGISTRATION, record

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def report_db(tmp_path: Path) -> Path:
    path = tmp_path / "news.db"
    store = Store.open(path)
    run_id = store.start_run(["inform_ru", "zakon_ru"], FETCHED_AT)
    for number in range(1, 5):
        store.save_article(Article.from_dict(record(number)), FETCHED_AT, run_id)
    store.save_article(
        Article.from_dict(
            record(
                5,
                site="zakon_ru",
                url="https://www.zakon.kz/a-5",
                published_at="2026-11-14T09:00:00+05:00",
                published_at_utc="2026-11-14T04:00:00Z",
            )
        ),
        FETCHED_AT,
        run_id,
    )
    full = {"title_coverage": 1.0, "body_coverage": 1.0, "date_coverage": 1.0}
    inform = SiteRun(run_id, "inform_ru", requests=10, new=4, articles=4, **full)
    zakon = SiteRun(
        run_id,
        "zakon_ru",
        requests=10,
        errors=4,
        new=1,
        articles=1,
        **full,
        problems=["zakon_ru: 40% of requests failed (4 of 10; limit 20%)"],
    )
    store.save_site_run(inform)
    store.save_site_run(zakon)
    store.finish_run(run_id, "finished", [inform, zakon], FETCHED_AT + timedelta(minutes=5))
    store.close()
    return path


def test_report_holds_the_chart_coverage_publishers_and_runs(report_db: Path, tmp_path: Path):
    out = tmp_path / "report.html"
    assert main(["report", "--db", str(report_db), "-o", str(out), "--days", "7"]) == 0
    page = lxml.html.fromstring(out.read_text(encoding="utf-8"))
    assert not page.xpath("//script | //link | //img")  # self-contained: nothing to fetch
    # 2026-11-08 .. 2026-11-14: inform_ru on 11, 12, 13, 14; zakon_ru on 14 (stacked).
    bars = [bar.findtext("title") for bar in page.xpath("//*[@id='chart']//*[@class='bar']")]
    assert bars == [
        "inform_ru, 2026-11-11: 1",
        "inform_ru, 2026-11-12: 1",
        "inform_ru, 2026-11-13: 1",
        "inform_ru, 2026-11-14: 1",
        "zakon_ru, 2026-11-14: 1",
    ]
    coverage = [r.text_content() for r in page.xpath("//table[@id='coverage']//tr")[1:]]
    assert coverage[0].startswith("inform_ru4100%") and coverage[0].endswith("ok")
    assert coverage[1].endswith("zakon_ru: 40% of requests failed (4 of 10; limit 20%)")
    publishers = page.xpath("//table[@id='publishers']//tr")[1].text_content()
    assert PUBLISHER["editor_in_chief"] in publishers
    registrations = page.xpath("//table[@id='registrations']//tr")[1].text_content()
    assert REGISTRATION["number"] in registrations
    assert len(page.xpath("//table[@id='runs']//tr")) == 2


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed (.ci/run installs it)")
def test_report_renders_in_headless_chromium(report_db: Path, tmp_path: Path):
    out = tmp_path / "report.html"
    assert main(["report", "--db", str(report_db), "-o", str(out)]) == 0
    flags = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1100,1200",
    ]  # fmt: skip
    dom = subprocess.run(
        [*flags, "--dump-dom", out.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    rendered = lxml.html.fromstring(dom)
    assert rendered.findtext(".//title") == "newsbot report"
    assert len(rendered.xpath("//*[local-name()='svg']//*[local-name()='rect']")) == 5
    shot = tmp_path / "report.png"
    subprocess.run(
        [*flags, f"--screenshot={shot}", out.as_uri()], capture_output=True, timeout=120, check=True
    )
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000  # a page with content, not blank


def test_reprocess_rewrites_what_changed_without_fetching(tmp_path: Path, capsys):
    with LocalSite(paged_site_pages(4, 4)) as site:
        db = tmp_path / "news.db"
        site_file = write_site_file(tmp_path, site)
        assert run_crawl(db, site_file).returncode == 0
        requests = len(site.requests)
        before = query(db, "SELECT id, title, body, fetched_at FROM articles ORDER BY id")
        # As if two articles had been stored by an older, worse extraction.
        with __import__("sqlite3").connect(db) as connection:
            connection.execute(
                "UPDATE articles SET title = 'Меню', body = 'Главная | Новости', body_hash = 'old' "
                "WHERE id IN (SELECT id FROM articles ORDER BY id LIMIT 2)"
            )
        # The site is not bundled: its config comes along, as it did for the crawl.
        assert main(["reprocess", "--db", str(db), "--site-file", str(site_file)]) == 0
        assert capsys.readouterr().out == (
            "4 pages reprocessed: 2 articles changed, 2 unchanged, 0 failed\n"
        )
        assert len(site.requests) == requests  # nothing fetched
    assert query(db, "SELECT id, title, body, fetched_at FROM articles ORDER BY id") == before
    assert query(db, "SELECT body FROM article_versions") == [("Главная | Новости",)] * 2
    # Search follows the repaired text.
    assert main(["export", "--db", str(db), "--query", "Меню", "--columns", "id"]) == 0
    assert capsys.readouterr().out.splitlines() == ["id"]
    args = ["reprocess", "--db", str(db), "--site", "testsite", "--workers", "1"]
    assert main([*args, "--site-file", str(site_file)]) == 0
    assert capsys.readouterr().out.startswith("4 pages reprocessed: 0 articles changed, 4")
    assert main(args) == 0
    assert capsys.readouterr().err.startswith(
        "newsbot: no config for site testsite (pass --site-file): read with defaults\n"
    )


def test_reprocess_refuses_bad_input(tmp_path: Path, capsys):
    assert main(["reprocess", "--db", str(tmp_path / "none.db")]) == 2
    assert capsys.readouterr().err.endswith("no such database (run `newsbot crawl` first)\n")
    Store.open(tmp_path / "empty.db").close()
    assert main(["reprocess", "--db", str(tmp_path / "empty.db"), "--site", "nosuch"]) == 2
    assert capsys.readouterr().err == "newsbot: unknown site 'nosuch' (see `newsbot sites`)\n"
