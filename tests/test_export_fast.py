"""The export's fast path writes what the typed path (`flat_article`, each row rebuilt as
an `Article`) wrote, byte for byte, on a database of real pages: the 181 pages of the
public extraction benchmark, the saved fixture pages and hand-made tricky rows."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from newsbot.cli import main
from pipelines.article import Article
from pipelines.export import (
    ARTICLE_COLUMNS,
    EXCEL_CELL_LIMIT,
    article_flattener,
    flat_article,
    for_excel,
    jsonl_record,
)
from pipelines.page import Page
from pipelines.stages.chain import extract_page
from pipelines.store import ArticleFilter, Store
from tests.conftest import BENCHMARK, FETCHED_AT, FIXTURES
from tests.test_export import PLAIN, TRICKY, UNDATED, record


def _benchmark_articles() -> list[Article]:
    truth = json.loads((BENCHMARK / "ground-truth.json").read_text(encoding="utf-8"))
    articles = []
    for page_id, entry in sorted(truth.items()):
        html = gzip.decompress((BENCHMARK / "html" / f"{page_id}.html.gz").read_bytes())
        page = Page(url=entry["url"], body=html, fetched_at=FETCHED_AT)
        articles.append(extract_page(page).article)
    return articles


def _fixture_articles() -> list[Article]:
    articles = []
    for number, path in enumerate(sorted(FIXTURES.glob("*/*.html"))):
        page = Page(
            url=f"https://{path.parent.name}.example.kz/news/{number}-{path.stem}",
            body=path.read_bytes(),
            fetched_at=FETCHED_AT,
        )
        articles.append(extract_page(page).article)
    return articles


def _tricky_articles() -> list[Article]:
    huge = "x" * (EXCEL_CELL_LIMIT + 10)
    records = [
        TRICKY,
        PLAIN,
        UNDATED,
        record(4, body=huge, title="+7 (727) 000", lead="\tтаб", author="\rCR"),
        record(5, publisher={}, registrations=[], tags=["a;b", "", "=c"], warnings=["w"]),
        record(
            6,
            registrations=[
                {**_registration(), "issued_on": None},
                {**_registration(), "number": "№ 2"},
            ],
            source={"name": "", "phrase": "по данным"},
            published_at="2026-11-16",
            published_at_utc=None,
        ),
    ]
    return [Article.from_dict(r) for r in records]


def _registration() -> dict[str, Any]:
    return dict(TRICKY["registrations"][0])


def build_real_database(path: Path) -> Path:
    store = Store.open(path)
    articles = [*_benchmark_articles(), *_fixture_articles(), *_tricky_articles()]
    ids = []
    for number, article in enumerate(articles):
        identifier, _ = store.save_article(
            article, FETCHED_AT + timedelta(minutes=number), run_id=1 + number % 3
        )
        ids.append(identifier)
    store.db.conn.commit()
    # A reprint, so `reprint_of` is filled on one row; an edit, for `--table versions`.
    store.db.execute(
        "INSERT INTO reprints (copy_id, original_id, similarity, containment, same_site, "
        "credited, delay_seconds, found_at) VALUES (?, ?, 0.9, 0.95, 0, 1, 60, ?)",
        [ids[1], ids[0], "2026-11-26T12:00:00Z"],
    )
    store.db.conn.commit()
    edited = Article.from_dict({**PLAIN, "body": PLAIN["body"] + " Обновлено."})
    store.save_article(edited, FETCHED_AT + timedelta(days=1), run_id=9)
    store.close()
    return path


@pytest.fixture(scope="module")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (BENCHMARK / "ground-truth.json").exists():
        pytest.skip("the extraction benchmark is not vendored")
    return build_real_database(tmp_path_factory.mktemp("real") / "news.db")


def typed_csv(
    rows: Any, columns: Any = None, excel: bool = False, delimiter: str | None = None
) -> bytes:
    """The export as it was written before the fast path: each row rebuilt by
    `flat_article` and written by `csv.DictWriter`."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(
        out,
        fieldnames=list(columns or ARTICLE_COLUMNS),
        delimiter=delimiter or (";" if excel else ","),
        extrasaction="ignore",
        lineterminator="\r\n",
    )
    writer.writeheader()
    for stored in rows:
        row = flat_article(stored)
        if excel:
            row = {key: for_excel(value) for key, value in row.items()}
        writer.writerow(row)
    return (("\ufeff" if excel else "") + out.getvalue()).encode("utf-8")


def test_every_row_flattens_as_the_typed_record_does(real_db: Path):
    store = Store.open_existing(real_db)
    names, rows = store.article_rows(ArticleFilter())
    flatten = article_flattener(names, ARTICLE_COLUMNS)
    typed = list(store.select_articles(ArticleFilter()))
    fast = list(rows)
    assert len(fast) == len(typed) > 190
    for row, stored in zip(fast, typed, strict=True):
        flat = flat_article(stored)
        assert list(flatten(row)) == [flat[column] for column in ARTICLE_COLUMNS]
    assert any(stored["reprint_of"] for stored in typed)
    assert [stored["published_at_utc"] for stored in typed][-1] is None
    store.close()


@pytest.mark.parametrize(
    ("options", "selection", "columns", "excel", "delimiter"),
    [
        ((), ArticleFilter(), None, False, None),
        (("--excel",), ArticleFilter(), None, True, None),
        (("--delimiter", "\t"), ArticleFilter(), None, False, "\t"),
        (("--columns", "title,tags,registrations,publisher_name,reprint_of,published_local"),
         ArticleFilter(), ("title", "tags", "registrations", "publisher_name", "reprint_of",
                           "published_local"), False, None),
        (("--columns", "lead"), ArticleFilter(), ("lead",), False, None),
        (("--query", "Казахстан"), ArticleFilter(query="Казахстан"), None, False, None),
        (("--since", "2024-01-01", "--excel"), ArticleFilter(since="2024-01-01T00:00:00Z"),
         None, True, None),
        (("--site", "inform_ru", "--excel"), ArticleFilter(site="inform_ru"), None, True, None),
    ],
)  # fmt: skip
def test_export_writes_the_bytes_the_typed_path_wrote(
    real_db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    options: tuple[str, ...],
    selection: ArticleFilter,
    columns: tuple[str, ...] | None,
    excel: bool,
    delimiter: str | None,
):
    output = tmp_path / "out.csv"
    assert main(["export", "--db", str(real_db), "-o", str(output), *options]) == 0
    capsys.readouterr()
    store = Store.open_existing(real_db)
    expected = typed_csv(store.select_articles(selection), columns, excel, delimiter)
    store.close()
    assert expected.count(b"\r\n") > 2
    assert output.read_bytes() == expected


def test_jsonl_is_the_stored_rows_as_before(real_db: Path, tmp_path: Path, capsys):
    output = tmp_path / "out.jsonl"
    assert main(["export", "--db", str(real_db), "-o", str(output), "--format", "jsonl"]) == 0
    capsys.readouterr()
    store = Store.open_existing(real_db)
    expected = "".join(
        json.dumps(jsonl_record(stored), ensure_ascii=False) + "\n"
        for stored in store.select_articles(ArticleFilter())
    )
    store.close()
    assert output.read_text(encoding="utf-8") == expected


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_lines_quote_as_the_csv_module_does(delimiter: str):
    from pipelines.export import _CsvLines

    pieces = ["", "a", " ", '"', '""', ",", ";", "\t", "|", "\r", "\n", "\r\n", "=1", "x\0y"]
    rows: list[list[Any]] = [[a + b, b + a, None] for a in pieces for b in pieces]
    rows += [[""], [None], ["a"], ['"'], [1, 2.5, True, None, b"\x01"], [None, None]]
    expected, fast = io.StringIO(newline=""), io.StringIO(newline="")
    writer = csv.writer(expected, delimiter=delimiter, lineterminator="\r\n")
    lines = _CsvLines(fast, delimiter)
    for row in rows:
        writer.writerow(row)
        lines.writerow(row)
    assert fast.getvalue() == expected.getvalue()
