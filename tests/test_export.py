"""`newsbot export` on a small real database: exact CSV, read-back, Excel shaping, the
filters, the other tables, and bad input (one line, exit 2, nothing written)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from newsbot.cli import main
from pipelines.article import Article
from pipelines.export import ARTICLE_COLUMNS, EXCEL_CELL_LIMIT
from pipelines.store import Store, open_database
from tests.conftest import FETCHED_AT

PUBLISHER = {
    "name": "Kazinform",
    "editor_in_chief": "Айдос Жумабаев",
    "owner": "АО «МИА «Казинформ»",
    "phones": ["+77172556789"],
    "emails": ["info@inform.kz"],
    "address": None,
}
REGISTRATION = {
    "number": "KZ15VPY00079493",
    "country": "KZ",
    "kind": "online",
    "issued_on": "2023-10-19",
    "issuer": None,
    "text": "Свидетельство №KZ15VPY00079493 выдано 19.10.2023",
}


def record(number: int, **fields: Any) -> dict[str, Any]:
    base = {
        "url": f"https://www.inform.kz/ru/news-{number}",
        "canonical_url": None,
        "site": "inform_ru",
        "title": f"Новость {number}",
        "lead": None,
        "body": f"Текст новости {number}.",
        "author": None,
        "section": None,
        "tags": [],
        "image_url": None,
        "published_at": f"2026-11-{10 + number:02d}T16:40:00+05:00",
        "published_at_utc": f"2026-11-{10 + number:02d}T11:40:00Z",
        "modified_at": None,
        "modified_at_utc": None,
        "language": "ru",
        "source": None,
        "publisher": PUBLISHER,
        "registrations": [REGISTRATION],
        "warnings": [],
    }
    return {**base, **fields}


TRICKY = record(
    1,
    title='Налоги: «новые» правила, "кавычки"',
    body="=SUM(A1:A9) не формула.\n\nВторой абзац; с точкой с запятой, и запятой.",
    author="-Редакция",
    tags=["налоги", "бизнес"],
    source={"name": "Primeminister.kz", "phrase": "сообщает Primeminister.kz"},
)
PLAIN = record(
    2, title="Экспорт зерна вырос", body="Казахстан продал больше налогов... нет, зерна."
)
UNDATED = record(3, title="Без даты", published_at=None, published_at_utc=None, body="@mention")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "news.db"
    store = Store.open(path)
    for number, article in enumerate((TRICKY, PLAIN, UNDATED)):
        store.save_article(
            Article.from_dict(article), FETCHED_AT + timedelta(minutes=number), run_id=1
        )
    store.close()
    return path


def export(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["export", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


EXPECTED_CSV = (
    "title,author,tags,published_local,source_name,phones,registrations,body\r\n"
    '"Налоги: «новые» правила, ""кавычки""",-Редакция,налоги; бизнес,2026-11-11 16:40:00,'
    'Primeminister.kz,+77172556789,KZ15VPY00079493 (2023-10-19),"=SUM(A1:A9) не формула.\n\n'
    'Второй абзац; с точкой с запятой, и запятой."\r\n'
)


def test_exact_csv_of_one_article(db_path: Path, capsys):
    columns = "title,author,tags,published_local,source_name,phones,registrations,body"
    code, out, err = export(
        capsys, "--db", str(db_path), "--until", "2026-11-12", "--columns", columns
    )
    assert (code, err) == (0, "newsbot: 1 articles exported\n")
    assert out == EXPECTED_CSV


def test_plain_csv_reads_back_as_stored(db_path: Path, tmp_path: Path, capsys):
    out = tmp_path / "out.csv"
    assert export(capsys, "--db", str(db_path), "-o", str(out))[0] == 0
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == ARTICLE_COLUMNS
    assert [r["title"] for r in rows] == [PLAIN["title"], TRICKY["title"], UNDATED["title"]]
    stored = {
        row[0]: row[1:]
        for row in sqlite3.connect(db_path).execute("SELECT title, body, author FROM articles")
    }
    for row in rows:
        body, author = stored[row["title"]]
        assert (row["body"], row["author"]) == (body, author or "")


def test_excel_csv_has_bom_semicolons_safe_cells_and_a_date_column(
    db_path: Path, tmp_path: Path, capsys
):
    out = tmp_path / "excel.csv"
    assert export(capsys, "--db", str(db_path), "--excel", "-o", str(out))[0] == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid;site;url;title;")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    tricky = next(r for r in rows if r["title"] == TRICKY["title"])
    assert tricky["body"].startswith("'=SUM(A1:A9)")
    assert tricky["author"] == "'-Редакция"
    assert tricky["phones"] == "'+77172556789"  # text, not the number 77172556789
    assert tricky["published_local"] == "2026-11-11 16:40:00"
    assert next(r for r in rows if r["title"] == "Без даты")["body"] == "'@mention"


def test_excel_cuts_a_huge_cell_with_a_marker(tmp_path: Path, capsys):
    path = tmp_path / "big.db"
    store = Store.open(path)
    store.save_article(Article.from_dict(record(1, body="слово " * 10_000)), FETCHED_AT, run_id=1)
    store.close()
    out = tmp_path / "big.csv"
    assert export(capsys, "--db", str(path), "--excel", "-o", str(out))[0] == 0
    (row,) = csv.DictReader(io.StringIO(out.read_text("utf-8-sig"), newline=""), delimiter=";")
    assert len(row["body"]) == EXCEL_CELL_LIMIT
    assert row["body"].endswith("[…cut: the full text is in the database]")
    plain = tmp_path / "plain.csv"
    assert export(capsys, "--db", str(path), "-o", str(plain))[0] == 0
    (full,) = csv.DictReader(io.StringIO(plain.read_text("utf-8"), newline=""))
    assert full["body"] == "слово " * 10_000


def test_query_finds_russian_word_forms(db_path: Path, capsys):
    # «налог» is stored only as «Налоги» (TRICKY) and «налогов» (PLAIN).
    code, out, _ = export(capsys, "--db", str(db_path), "--query", "налог", "--columns", "title")
    assert code == 0
    assert out.splitlines()[1:] == [PLAIN["title"], '"' + TRICKY["title"].replace('"', '""') + '"']
    code, out, _ = export(
        capsys, "--db", str(db_path), "--query", "налог NOT зерно", "--columns", "title"
    )
    assert len(out.splitlines()) == 2 and "Налоги" in out


def test_site_and_dates_filter_on_the_utc_instant(db_path: Path, capsys):
    # 2026-11-12T16:40+05:00 is 11:40 UTC: an --until of 12:00 Almaty time (07:00 UTC)
    # leaves it out, 17:00 (12:00 UTC) takes it in.
    args = ["--db", str(db_path), "--since", "2026-11-12", "--columns", "title"]
    assert export(capsys, *args, "--until", "2026-11-12T12:00")[1].splitlines()[1:] == []
    assert export(capsys, *args, "--until", "2026-11-12T17:00")[1].splitlines()[1:] == [
        PLAIN["title"]
    ]
    code, out, _ = export(capsys, "--db", str(db_path), "--site", "inform_ru", "--format", "jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [r["title"] for r in records] == [PLAIN["title"], TRICKY["title"], UNDATED["title"]]
    assert records[1]["publisher"] == PUBLISHER and records[1]["tags"] == ["налоги", "бизнес"]


def test_publishers_and_registrations_tables(db_path: Path, capsys):
    code, out, _ = export(capsys, "--db", str(db_path), "--table", "publishers")
    assert code == 0
    assert out.splitlines() == [
        "site,name,editor_in_chief,owner,phones,emails,address,source_url,first_seen_at,"
        "last_seen_at,current",
        "inform_ru,Kazinform,Айдос Жумабаев,АО «МИА «Казинформ»,+77172556789,info@inform.kz,,"
        "https://www.inform.kz/ru/news-1,2026-11-26T12:00:00Z,2026-11-26T12:02:00Z,yes",
    ]
    code, out, _ = export(
        capsys,
        "--db",
        str(db_path),
        "--table",
        "registrations",
        "--columns",
        "site,number,issued_on",
    )
    assert out.splitlines() == ["site,number,issued_on", "inform_ru,KZ15VPY00079493,2023-10-19"]


def test_export_reads_while_a_crawl_holds_the_write_lock(db_path: Path, capsys):
    writer = sqlite3.connect(db_path)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE articles SET title = 'в процессе' WHERE title = 'Без даты'")
    try:
        code, out, _ = export(capsys, "--db", str(db_path), "--columns", "title")
    finally:
        writer.rollback()
        writer.close()
    assert code == 0
    assert "Без даты" in out  # the committed state, not the half-done write


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "nosuch"], "unknown site 'nosuch' (see `newsbot sites`)"),
        (["--since", "когда-нибудь"], "--since/--until: 'когда-нибудь' is not a date (try 2026-11-01)"),
        (["--since", "2026-11-12", "--until", "2026-11-01"], "--since must be before --until"),
        (["--columns", "title,color"], "--columns: unknown column color; articles has: "
         + ", ".join(ARTICLE_COLUMNS)),
        (["--query", "(налог"], "--query: '(налог': a parenthesis is opened but never closed"),
        (["--table", "publishers", "--query", "x"],
         "--since, --until and --query apply to articles, not publishers"),
    ],
)  # fmt: skip
def test_bad_options_are_one_line_and_write_nothing(
    db_path: Path, tmp_path: Path, capsys, args: list[str], message: str
):
    out = tmp_path / "out.csv"
    out.write_text("yesterday's export", encoding="utf-8")
    code, _, err = export(capsys, "--db", str(db_path), *args, "-o", str(out))
    assert (code, err) == (2, f"newsbot: {message}\n")
    assert out.read_text(encoding="utf-8") == "yesterday's export"


def test_bad_databases_and_paths(tmp_path: Path, db_path: Path, capsys):
    missing = tmp_path / "none.db"
    assert export(capsys, "--db", str(missing))[1:] == (
        "",
        f"newsbot: {missing}: no such database (run `newsbot crawl` first)\n",
    )
    assert not missing.exists()
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not sqlite" * 100)
    code, _, err = export(capsys, "--db", str(corrupt))
    assert (code, err) == (2, f"newsbot: {corrupt}: file is not a database\n")
    assert corrupt.read_bytes() == b"this is not sqlite" * 100
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE mine (x)").connection.commit()
    code, _, err = export(capsys, "--db", str(other))
    assert (code, err) == (2, f"newsbot: {other}: not a newsbot database (it has other tables)\n")
    assert [r[0] for r in sqlite3.connect(other).execute("SELECT name FROM sqlite_master")] == [
        "mine"
    ]
    nowhere = tmp_path / "no" / "such" / "folder.csv"
    code, _, err = export(capsys, "--db", str(db_path), "-o", str(nowhere))
    assert (code, err) == (2, f"newsbot: {nowhere}: folder '{nowhere.parent}' does not exist\n")


def test_stems_follow_updates(tmp_path: Path):
    store = Store(open_database(":memory:"))
    store.save_article(Article.from_dict(record(1, body="Речь о налогах.")), FETCHED_AT, 1)
    store.save_article(
        Article.from_dict(record(1, body="Речь о зерне.")), FETCHED_AT + timedelta(hours=1), 2
    )
    from pipelines.export import ArticleFilter

    assert list(store.select_articles(ArticleFilter(query="налог"))) == []
    assert len(list(store.select_articles(ArticleFilter(query="зерно")))) == 1
