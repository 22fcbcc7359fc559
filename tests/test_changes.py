"""Edits after publication: a press release corrected between two crawls (a figure, a
paragraph dropped, the title) shows in `newsbot changes`, `export --table versions`, the
report and the browse query; reading the same page again (`reprocess`) is no edit."""

from __future__ import annotations

import csv
import io
import sqlite3
import subprocess
import sys
from pathlib import Path

from newsbot.demo.server import LocalSite
from pipelines.store.browse import QUERIES
from pipelines.textdiff import as_html, as_text, changed, word_diff
from tests.crawlsite import query, run_crawl
from tests.reprintsites import (
    GOV_FOOTER,
    GOV_NAME,
    RELEASES,
    _listing,
    article_page,
    gov_pages,
    outlet_pages,
    write_configs,
)

PATH = "/press/101-modernizaciya-zhkh.html"


def test_a_corrected_figure_is_one_word_out_one_in():
    ops = word_diff("Направлено 312 миллиардов тенге.", "Направлено 318 миллиардов тенге.")
    assert [op for op in ops if op[0] != "="] == [("-", "312 "), ("+", "318 ")]
    assert as_text(ops) == "Направлено [-312-] {+318+} миллиардов тенге."
    assert as_html(ops) == "Направлено <del>312 </del><ins>318 </ins>миллиардов тенге."
    assert not changed(word_diff("Без изменений.", "Без изменений."))


def test_long_kept_text_is_cut_around_the_change():
    kept = " ".join(f"слово{n}" for n in range(40))
    text = as_text(word_diff(f"{kept} старое {kept}", f"{kept} новое {kept}"), context=3)
    assert text == "… слово37 слово38 слово39 [-старое-] {+новое+} слово0 слово1 слово2 …"


def newsbot(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsbot.cli", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_edit_between_two_crawls_is_shown_everywhere(tmp_path: Path):
    db = tmp_path / "news.db"
    title, date, paragraphs = RELEASES[PATH]
    corrected = [
        paragraphs[0],
        paragraphs[1].replace("312 миллиардов", "318 миллиардов"),
        paragraphs[2],
    ]  # the last paragraph is dropped
    with LocalSite(gov_pages()) as gov, LocalSite(outlet_pages()) as outlet:
        configs = write_configs(tmp_path, gov, outlet)
        assert run_crawl(db, *configs).returncode == 0
        gov.pages[PATH] = article_page(
            GOV_NAME, title + " (обновлено)", date, corrected, GOV_FOOTER
        )
        again = run_crawl(db, *configs, extra=("--refresh",))
        assert again.returncode == 0, again.stderr

    shown = newsbot(db, "changes")
    assert shown.returncode == 0 and shown.stderr == "newsbot: 1 edits\n"
    lines = shown.stdout.splitlines()
    assert lines[0].endswith(f"gov_ru  {gov.base_url}{PATH}")
    assert "title: " in shown.stdout and "{+(обновлено)+}" in shown.stdout
    body = next(line for line in lines if line.startswith("  body: "))
    assert "[-312-] {+318+}" in body and "[-Кроме того, Правительство одобрило" in body

    exported = newsbot(db, "export", "--table", "versions")
    (row,) = csv.DictReader(io.StringIO(exported.stdout))
    assert row["url"] == f"{gov.base_url}{PATH}" and "[-312-] {+318+}" in row["body_diff"]
    assert row["title_before"] == title and row["title_after"] == title + " (обновлено)"

    report = tmp_path / "report.html"
    assert newsbot(db, "report", "-o", str(report)).returncode == 0
    assert "<del>312 </del><ins>318 </ins>" in report.read_text(encoding="utf-8")

    with sqlite3.connect(db) as connection:
        rows = connection.execute(QUERIES["edits_after_publication"]["sql"]).fetchall()
    assert len(rows) == 1

    # Reading the stored pages again is no edit, whatever the extraction does: an
    # article stored by an older extraction (its body cut short here) is read again,
    # a version is kept as "reprocess", and `changes` still shows the one edit.
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE articles SET body = substr(body, 1, 80), body_hash = 'old' "
            "WHERE url LIKE '%/press/102-%'"
        )
    assert newsbot(db, "reprocess").returncode == 0
    causes = query(db, "SELECT cause, count(*) FROM article_versions GROUP BY cause")
    assert sorted(causes) == [("edit", 1), ("reprocess", 1)]
    assert newsbot(db, "changes").stderr == "newsbot: 1 edits\n"
    assert newsbot(db, "changes", "--site", "outlet_ru").stderr == "newsbot: 0 edits\n"


def test_recheck_days_finds_an_edit_the_site_does_not_announce(tmp_path: Path):
    """No sitemap lastmod, no feed date: with `recheck_days`, an article published in the
    last N days and fetched a day ago or more is fetched again, and its edit found; an
    older one is not. (The pages' dates are set relative to the crawl, a day is moved
    back in the pages log: nothing waits for a real day.)"""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    now = datetime.now(UTC).astimezone(ZoneInfo("Asia/Almaty"))
    young, old = (now - timedelta(days=2)), (now - timedelta(days=40))
    title, _, paragraphs = RELEASES[PATH]
    other = "/press/102-otopitelnyj-sezon.html"
    pages = gov_pages()
    pages["/press/"] = _listing([PATH, other])
    pages[PATH] = article_page(GOV_NAME, title, f"{young:%d.%m.%Y %H:%M}", paragraphs, GOV_FOOTER)
    title2, _, paragraphs2 = RELEASES[other]
    pages[other] = article_page(GOV_NAME, title2, f"{old:%d.%m.%Y %H:%M}", paragraphs2, GOV_FOOTER)
    db = tmp_path / "news.db"
    with LocalSite(pages) as gov, LocalSite(outlet_pages()) as outlet:
        gov_file, _ = write_configs(tmp_path, gov, outlet)
        with gov_file.open("a", encoding="utf-8") as config:
            config.write("recheck_days = 7\n")
        assert run_crawl(db, gov_file).returncode == 0
        # Fetched again only once a day: right away, nothing is due.
        gov.requests.clear()
        assert run_crawl(db, gov_file).returncode == 0
        assert [p for p in gov.requests if p.startswith("/press/1")] == []
        with sqlite3.connect(db) as connection:  # a day later
            connection.execute("UPDATE pages SET fetched_at = '2000-01-01T00:00:00Z'")
        corrected = [paragraphs[0], paragraphs[1].replace("312 миллиардов", "318 миллиардов")]
        gov.pages[PATH] = article_page(
            GOV_NAME, title, f"{young:%d.%m.%Y %H:%M}", corrected, GOV_FOOTER
        )
        gov.requests.clear()
        assert run_crawl(db, gov_file).returncode == 0
        assert [p for p in gov.requests if p.startswith("/press/1")] == [PATH]
    shown = newsbot(db, "changes")
    assert shown.stderr == "newsbot: 1 edits\n" and "[-312-] {+318+}" in shown.stdout
