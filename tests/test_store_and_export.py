"""The store on real SQLite (in memory or in a temporary file) and the export formats."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import timedelta

import pytest

from pipelines.article import Article
from pipelines.export import write_csv, write_jsonl
from pipelines.page import Page
from pipelines.store import (
    ArticleFilter,
    Store,
    StoreError,
    article_id,
    open_database,
)
from tests.conftest import FETCHED_AT, extract_fixture
from tests.support.store import raw_html


@pytest.fixture
def store():
    return Store(open_database(":memory:"))


def nur_record():
    return extract_fixture(
        "nur_ru/article.html", "https://www.nur.kz/politics/kazakhstan/2086925-antikor/"
    )


def test_article_id_prefers_a_same_host_canonical():
    final = "https://www.nur.kz/politics/2086925-antikor/?utm_source=tg"
    canonical = "https://nur.kz/politics/2086925-antikor/"
    assert article_id(final, canonical) == article_id(canonical, None)
    # A reprint pointing its canonical at another outlet keeps its own identity.
    assert article_id("https://kakon.kz/a-1", "https://primeminister.kz/ru/news/a") == article_id(
        "https://kakon.kz/a-1", None
    )


def test_saved_article_row_holds_every_field(store):
    record = nur_record()
    identifier, outcome = store.save_article(Article.from_dict(record), FETCHED_AT, run_id=7)
    assert outcome == "new"
    row = next(store.db.table("articles").rows_where("id = ?", [identifier]))
    assert {
        k: row[k]
        for k in (
            "title",
            "author",
            "site",
            "published_at_utc",
            "language",
            "source_name",
            "run_id",
        )
    } == {
        "title": "Антикор вернул государству более 17 млрд тенге с начала года",
        "author": "Айгерим Тулегенова",
        "site": "www.nur.kz",
        "published_at_utc": "2024-04-18T06:20:00Z",
        "language": "ru",
        "source_name": "Агентство по противодействию коррупции",
        "run_id": 7,
    }
    assert json.loads(row["tags"]) == ["Антикор", "коррупция"]
    assert row["first_seen_at"] == row["fetched_at"] == "2026-11-26T12:00:00Z"


def test_saving_twice_changes_nothing_and_a_new_body_keeps_the_old(store):
    record = nur_record()
    store.save_article(Article.from_dict(record), FETCHED_AT, 1)
    assert (
        store.save_article(Article.from_dict(record), FETCHED_AT + timedelta(hours=1), 2)[1]
        == "unchanged"
    )
    changed = {**record, "body": record["body"] + "\n\nДополнено: суд вынес приговор."}
    assert (
        store.save_article(Article.from_dict(changed), FETCHED_AT + timedelta(hours=2), 3)[1]
        == "updated"
    )
    assert store.db.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    (old_body,) = store.db.execute("SELECT body FROM article_versions").fetchone()
    assert old_body == record["body"]
    first_seen = store.db.execute("SELECT first_seen_at FROM articles").fetchone()[0]
    assert first_seen == "2026-11-26T12:00:00Z"


def test_full_text_search_follows_updates(store):
    record = nur_record()
    store.save_article(Article.from_dict(record), FETCHED_AT, 1)
    hits = list(store.select_articles(ArticleFilter(query="Антикор")))
    assert len(hits) == 1
    store.save_article(
        Article.from_dict(
            {**record, "title": "Новый заголовок", "body": "Совсем другой текст статьи здесь."}
        ),
        FETCHED_AT,
        2,
    )
    assert list(store.select_articles(ArticleFilter(query="Антикор"))) == []
    assert len(list(store.select_articles(ArticleFilter(query="другой")))) == 1


def test_publishers_keep_history_and_registrations_are_deduplicated(store):
    record = nur_record()
    store.save_article(Article.from_dict(record), FETCHED_AT, 1)
    store.save_article(Article.from_dict(record), FETCHED_AT + timedelta(days=1), 2)
    new_editor = {
        **record,
        "publisher": {**record["publisher"], "editor_in_chief": "Новый Редактор"},
    }
    store.save_article(Article.from_dict(new_editor), FETCHED_AT + timedelta(days=2), 3)
    rows = store.db.execute(
        "SELECT editor_in_chief, first_seen_at, last_seen_at FROM publishers ORDER BY id"
    ).fetchall()
    assert rows == [
        (None, "2026-11-26T12:00:00Z", "2026-11-27T12:00:00Z"),
        ("Новый Редактор", "2026-11-28T12:00:00Z", "2026-11-28T12:00:00Z"),
    ]
    assert store.db.execute("SELECT number FROM registrations ORDER BY id").fetchall() == [
        ("15988-ИА",),
        ("KZ26VPY00075900",),
    ]


def test_fetch_history_rules(store):
    for url, status in (
        ("https://s.kz/a", 200),
        ("https://s.kz/gone", 404),
        ("https://s.kz/err", 500),
    ):
        page = Page(url=url, final_url=url, site="s", status=status, fetched_at=FETCHED_AT)
        store.log_page(page, run_id=1)
    timed_out = Page(url="https://s.kz/slow", site="s", fetched_at=FETCHED_AT, error="timeout")
    store.log_page(timed_out, run_id=1)
    history = store.fetch_history("s")
    soon, later = FETCHED_AT + timedelta(hours=1), FETCHED_AT + timedelta(days=8)
    assert not history.needs_fetch("https://s.kz/a", soon)
    assert history.needs_fetch("https://s.kz/a", soon, changed_at=soon)
    assert not history.needs_fetch("https://s.kz/gone", soon)
    assert history.needs_fetch("https://s.kz/gone", later)
    assert history.needs_fetch("https://s.kz/err", soon)
    assert history.needs_fetch("https://s.kz/slow", soon)
    assert history.needs_fetch("https://s.kz/new", soon)


def test_raw_html_is_kept_compressed(store):
    html = "<html><body>" + "Казахстан " * 1000 + "</body></html>"
    page = Page(
        url="https://s.kz/a", site="s", status=200, fetched_at=FETCHED_AT, body=html.encode()
    )
    store.log_page(page, run_id=1, keep_html=True)
    stored = store.db.execute("SELECT length(html) FROM pages").fetchone()[0]
    assert stored < len(html.encode()) / 10
    assert raw_html(store, "https://s.kz/a") == html.encode()


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database" * 100)
    with pytest.raises(StoreError, match=r"notes\.db: file is not a database"):
        open_database(path)


def test_csv_export_for_excel(store):
    record = nur_record()
    store.save_article(Article.from_dict({**record, "title": '=HYPERLINK("x")'}), FETCHED_AT, 1)
    out = io.StringIO()
    assert write_csv(store.select_articles(ArticleFilter()), out, excel=True) == 1
    (row,) = list(csv.DictReader(io.StringIO(out.getvalue()), delimiter=";"))
    assert row["title"] == '\'=HYPERLINK("x")'
    assert row["registrations"] == "15988-ИА (2016-05-06); KZ26VPY00075900 (2023-08-21)"
    # Excel would run "+7727..." as a formula: the cell is marked as text.
    assert row["phones"] == "'+77273398038; +77273468049"
    assert row["source_name"] == "Агентство по противодействию коррупции"
    assert row["body"] == record["body"]


def test_jsonl_export_has_the_extract_shape(store):
    record = nur_record()
    store.save_article(Article.from_dict(record), FETCHED_AT, 1)
    out = io.StringIO()
    write_jsonl(store.select_articles(ArticleFilter(site="www.nur.kz")), out)
    exported = json.loads(out.getvalue())
    for key in ("title", "body", "publisher", "registrations", "source", "tags", "warnings"):
        assert exported[key] == record[key]


def test_export_filters_by_date(store):
    store.save_article(Article.from_dict(nur_record()), FETCHED_AT, 1)
    assert list(store.select_articles(ArticleFilter(since="2024-04-19T00:00:00Z"))) == []
    assert len(list(store.select_articles(ArticleFilter(until="2024-04-19T00:00:00Z")))) == 1


def test_rows_stored_under_old_url_keys_are_rekeyed_once(tmp_path):
    """A database from before tracking parameters and trailing slashes left the keys."""
    import sqlite3

    from pipelines.store.schema import migrations

    path = tmp_path / "old.db"
    with Store.open(path) as store:
        slash = Article(url="https://nur.kz/news/1-a/", site="nur_ru", title="Старая", body="a")
        plain = Article(url="https://nur.kz/news/2-b", site="nur_ru", title="Одна", body="b")
        store.save_article(slash, FETCHED_AT, run_id=1)
        store.save_article(plain, FETCHED_AT, run_id=1)
    legacy = hashlib.sha1(b"https://nur.kz/news/1-a/").hexdigest()[:20]
    connection = sqlite3.connect(path)
    with connection:
        # As 0.2 stored them: the old key of the first, and a second row of the other
        # under a tracking-parameter spelling, fetched earlier.
        connection.execute("UPDATE articles SET id = ? WHERE url LIKE '%1-a/'", [legacy])
        connection.execute(
            "INSERT INTO articles (id, url, site, title, body, fetched_at, first_seen_at) "
            "VALUES ('oldcopy', 'https://nur.kz/news/2-b?utm_source=tg', 'nur_ru', 'Копия', "
            "'b', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
        )
        connection.execute(
            "INSERT INTO pages (url, site, status, kind, fetched_at, article_id) VALUES "
            "('https://nur.kz/news/1-a/', 'nur_ru', 200, 'article', '2026-11-26T12:00:00Z', ?)",
            [legacy],
        )
        connection.execute(
            "DELETE FROM _sqlite_migrations WHERE name = ?", ["m003_url_keys_without_tracking"]
        )
    connection.close()
    assert len(migrations.pending(Store.open_existing(path).db)) == 0  # opening migrates
    with Store.open_existing(path) as store:
        rows = store.db.execute("SELECT id, title FROM articles ORDER BY title").fetchall()
        pages = store.db.execute("SELECT url, article_id FROM pages").fetchall()
    assert rows == [
        (article_id("https://nur.kz/news/2-b", None), "Одна"),
        (article_id("https://nur.kz/news/1-a", None), "Старая"),
    ]
    assert pages == [("https://nur.kz/news/1-a", article_id("https://nur.kz/news/1-a", None))]
