"""Who reprints whom: the rules on real-looking texts, and one crawl of a press office and
an outlet that reprints it (tests/reprintsites.py) linking exactly the reprints."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.article import Article
from pipelines.stages.attribution import Source
from pipelines.stages.imprint import Publisher
from pipelines.stages.reprints import (
    MIN_WORDS,
    Publication,
    choose_original,
    confirmed,
    credits,
    fingerprint,
)
from pipelines.store import Store
from tests.conftest import FETCHED_AT
from tests.crawlsite import query
from tests.reprintsites import (
    EXPECTED_LINKS,
    RELEASES,
    STORIES,
    crawl_both,
    reprint_links,
)


def _body(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def _publication(
    ident: str, site: str, published: str, source: str | None = None, names: tuple[str, ...] = ()
) -> Publication:
    return Publication(ident, site, f"https://{site}/{ident}", published, published, source, names)


def test_a_reprint_with_a_lead_added_is_confirmed():
    release = fingerprint(_body(RELEASES["/press/101-modernizaciya-zhkh.html"][2]))
    copy = fingerprint(_body(STORIES["/news/201-zhkh.html"][2]))
    assert release and copy
    measured = confirmed(copy, release)
    assert measured is not None and measured.containment > 0.8


def test_the_same_event_in_other_words_is_not_a_reprint():
    release = fingerprint(_body(RELEASES["/press/104-zavod-shymkent.html"][2]))
    story = fingerprint(_body(STORIES["/news/204-zavod.html"][2]))
    assert release and story
    assert confirmed(story, release) is None


def test_a_template_series_is_not_a_reprint_though_its_words_repeat():
    monday = fingerprint(_body(STORIES["/news/314-kurs.html"][2]))
    tuesday = fingerprint(_body(STORIES["/news/315-kurs.html"][2]))
    assert monday and tuesday
    assert confirmed(monday, tuesday) is None


def test_a_short_item_is_not_indexed():
    notice = _body(RELEASES["/press/106-anons.html"][2])
    assert len(notice.split()) < MIN_WORDS
    assert fingerprint(notice) is None


def test_a_credited_source_outweighs_the_clocks():
    release = _publication("r", "gov_ru", "2026-11-14T10:00:00Z", names=("Primeminister.kz",))
    copy = _publication("c", "outlet_ru", "2026-11-14T09:00:00Z", source="Primeminister.kz")
    other = _publication("o", "other_ru", "2026-11-14T08:00:00Z")
    assert credits(copy, release)
    assert choose_original(copy, [release, other]) == release
    # Without the credit, the earliest text is the original.
    plain = _publication("c", "outlet_ru", "2026-11-14T09:00:00Z")
    assert choose_original(plain, [release, other]) == other
    assert choose_original(other, [release, plain]) is None


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One crawl of both sites into one database."""
    return crawl_both(tmp_path_factory.mktemp("reprints"))


def test_one_crawl_links_exactly_the_reprints(crawled: Path):
    assert query(crawled, "SELECT count(*) FROM articles") == [(len(RELEASES) + len(STORIES),)]
    assert reprint_links(crawled) == EXPECTED_LINKS


def test_delays_and_measures_are_stored(crawled: Path):
    rows = query(
        crawled,
        "SELECT r.delay_seconds, r.containment, r.similarity FROM reprints r "
        "JOIN articles c ON c.id = r.copy_id WHERE c.url LIKE '%/news/201-zhkh.html'",
    )
    ((delay, containment, similarity),) = rows
    assert delay == 3 * 3600 + 20 * 60
    assert 0.8 < containment <= 1.0 and 0 < similarity <= containment


def _newsbot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsbot.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_rebuild_finds_the_same_links(crawled: Path, tmp_path: Path):
    copy = tmp_path / "copy.db"
    copy.write_bytes(crawled.read_bytes())
    result = _newsbot("reprints", "--db", str(copy), "--rebuild")
    assert result.returncode == 0, result.stderr
    assert "newsbot: 16 articles indexed, 4 reprints linked" in result.stderr
    assert reprint_links(copy) == EXPECTED_LINKS


def test_reprints_command_lists_originals_with_their_copies(crawled: Path):
    result = _newsbot("reprints", "--db", str(crawled))
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("4 originals, 4 copies (1 uncredited)\n")
    assert "reach: 1 outlet, 1 copy; first +3h 20m, median +3h 20m" in result.stdout
    uncredited = _newsbot("reprints", "--db", str(crawled), "--uncredited", "--site", "outlet_ru")
    assert uncredited.returncode == 0, uncredited.stderr
    assert "/news/203-zerno.html" in uncredited.stdout
    assert "/news/201-zhkh.html" not in uncredited.stdout
    assert uncredited.stdout.endswith("1 original, 1 copy (1 uncredited)\n")
    since = _newsbot("reprints", "--db", str(crawled), "--since", "2026-11-18")
    assert since.stdout.endswith("1 original, 1 copy (0 uncredited)\n")
    assert "same site" in since.stdout


def test_the_export_names_each_reprints_original_in_its_last_column(crawled: Path):
    result = _newsbot("export", "--db", str(crawled))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    header = next(csv.reader(io.StringIO(result.stdout)))
    assert header[-1] == "reprint_of"
    of = {row["url"].split("/", 3)[3]: row["reprint_of"] for row in rows}
    assert of["news/203-zerno.html"].endswith("/press/103-eksport-zerna.html")
    assert of["news/204-zavod.html"] == ""
    table = _newsbot("export", "--db", str(crawled), "--table", "reprints")
    links = list(csv.DictReader(io.StringIO(table.stdout)))
    assert len(links) == 4
    assert {(r["copy_site"], r["credited"]) for r in links} == {
        ("outlet_ru", "1"), ("outlet_ru", "0"), ("gov_ru", "0")
    }  # fmt: skip


def test_the_report_shows_who_reprints_whom(crawled: Path):
    from newsbot.report import render_report

    with Store.open_existing(crawled) as store:
        html = render_report(store)
    section = html.split("<h2>Who reprints whom</h2>", 1)[1].split("<h2>Publishers", 1)[0]
    # Copies on other sites only: the press office's re-post is not reach.
    assert "<title>gov_ru: 2 copies, credited</title>" in section
    assert "<title>gov_ru: 1 copy, uncredited</title>" in section
    assert "3 copies of 3 originals" in section
    uncredited = section.split('<table id="uncredited">', 1)[1]
    assert uncredited.count("<tr><td>") == 1 and "/news/203-zerno.html" in uncredited


def _stored(
    store: Store, path: str, site: str, published_utc: str, source: str | None = None
) -> str:
    title, _, paragraphs = {**RELEASES, **STORIES}[path]
    article = Article(
        url=f"https://{site}.kz{path}",
        site=site,
        title=title,
        body=_body(paragraphs),
        published_at_utc=published_utc,
        source=Source(source, f"сообщает {source}") if source else None,
        publisher=Publisher(name="Primeminister.kz" if site == "gov_ru" else "Новости Приречья"),
    )
    identifier, _ = store.save_article(article, FETCHED_AT, None)
    store.link_reprints(identifier)
    return identifier


def test_an_original_stored_after_its_copies_becomes_their_original():
    with Store.open(":memory:") as store:
        # The outlet read first; its uncredited copy of the release, then a later outlet
        # copying the first outlet's text.
        copy = _stored(store, "/news/203-zerno.html", "outlet_ru", "2026-11-16T12:45:00Z")
        later = _stored(store, "/news/203-zerno.html", "other_ru", "2026-11-16T15:00:00Z")
        assert store.db.execute("SELECT copy_id, original_id FROM reprints").fetchall() == [
            (later, copy)
        ]
        release = _stored(store, "/press/103-eksport-zerna.html", "gov_ru", "2026-11-16T06:15:00Z")
        links = dict(store.db.execute("SELECT copy_id, original_id FROM reprints").fetchall())
        assert links == {copy: release, later: release}
