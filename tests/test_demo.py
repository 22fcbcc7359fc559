"""`newsbot demo`, as the README's first command runs it: the real spider and
pipelines on the bundled offline site, then the CSV."""

from __future__ import annotations

import csv
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from newsbot.demo.articles import ARTICLES
from tests.crawlsite import query


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("demo")
    db, csv_path, port = folder / "demo.db", folder / "demo.csv", free_port()
    command = [
        sys.executable,
        "-m",
        "newsbot.cli",
        "demo",
        "--db",
        str(db),
        "--csv",
        str(csv_path),
        "--port",
        str(port),
    ]
    first = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    counts_after_first = query(db, "SELECT count(*) FROM articles")
    second = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    return db, csv_path, first, second, counts_after_first


def test_demo_stores_every_article_with_title_body_and_date(demo):
    db, _, first, _, _ = demo
    assert first.returncode == 0, first.stderr
    assert query(
        db, "SELECT count(*), count(title), count(body), count(published_at) FROM articles"
    ) == [(42, 42, 42, 42)]
    # The language is detected from the text; the demo data says what it was written in.
    written_in = {f"{a.number}-{a.slug}.html": a.language for a in ARTICLES}
    detected = {
        url.rsplit("/", 1)[1]: language
        for url, language in query(db, "SELECT url, language FROM articles")
    }
    assert detected == written_in


def test_demo_seed_article(demo):
    db = demo[0]
    ((title, published_at, source, publisher, registrations),) = query(
        db,
        "SELECT title, published_at, source, publisher, registrations FROM articles WHERE url LIKE '%bektenov-alstom%'",
    )
    assert title == "Олжас Бектенов обсудил с Alstom и Wabtec локализацию производства локомотивов"
    assert published_at == "2024-11-14T16:40:00+05:00"
    assert json.loads(source)["name"] == "Primeminister.kz"
    publisher = json.loads(publisher)
    assert (publisher["editor_in_chief"], publisher["phones"], publisher["emails"]) == (
        "Мадина Жатканбаева",
        ["+77774717140"],
        ["777kakon@mail.ru"],
    )
    assert [(r["number"], r["issued_on"]) for r in json.loads(registrations)] == [
        ("KZ15VPY00079493", "2023-10-19")
    ]


def test_demo_publishers_and_registrations(demo):
    db = demo[0]
    editors = {row[0] for row in query(db, "SELECT editor_in_chief FROM publishers")}
    assert editors == {
        "Мадина Жатканбаева",
        "Айгүл Сейітқызы",
        "Timur Zhaksylykov",
        "Ольга Пак",
        "Нурлан Абдиров",
    }
    numbers = sorted(row[0] for row in query(db, "SELECT number FROM registrations"))
    assert numbers == [
        "14277-Г",
        "15700-ИА",
        "KZ15VPY00079493",
        "KZ41VPY00051234",
        "KZ62VPY00076001",
        "KZ90VPY00156999",
    ]


def test_demo_press_articles_take_their_imprint_from_the_imprint_page(demo):
    db = demo[0]
    rows = query(db, "SELECT publisher FROM articles WHERE url LIKE '%/news/press/%'")
    assert len(rows) == 9
    assert {json.loads(p)["editor_in_chief"] for (p,) in rows} == {"Нурлан Абдиров"}


def test_demo_cp1251_edition_reads_right(demo):
    db = demo[0]
    titles = [
        t for (t,) in query(db, "SELECT title FROM articles WHERE url LIKE '%/news/delovoy/%'")
    ]
    assert "Банки снизили ставки по ипотеке вслед за базовой ставкой" in titles


def test_demo_before_march_2024_is_utc_plus_6(demo):
    db = demo[0]
    assert query(
        db,
        "SELECT published_at, published_at_utc FROM articles WHERE url LIKE '%tarify-teplo-2024%'",
    ) == [("2024-02-15T17:25:00+06:00", "2024-02-15T11:25:00Z")]


def test_demo_writes_the_csv(demo):
    _, csv_path, first, _, _ = demo
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 42
    assert all(row["title"] and row["body"] and row["published_at"] for row in rows)
    assert "42 articles" in first.stdout


def test_rerunning_the_demo_adds_no_rows(demo):
    db, _, _, second, counts_after_first = demo
    assert second.returncode == 0, second.stderr
    assert query(db, "SELECT count(*) FROM articles") == counts_after_first
    assert query(db, "SELECT new FROM runs ORDER BY id") == [(42,), (0,)]


def newsbot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsbot.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_export_csv_for_excel_and_jsonl(demo, tmp_path: Path):
    db = str(demo[0])
    out = tmp_path / "news.csv"
    result = newsbot("export", "--db", db, "--query", "Alstom", "--excel", "-o", str(out))
    assert (result.returncode, result.stderr) == (0, "newsbot: 1 articles exported\n")
    assert out.read_bytes().startswith("\ufeffid;site;url;title".encode())
    result = newsbot(
        "export", "--db", db, "--site", "demo", "--since", "2026-11-18", "--format", "jsonl"
    )
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 6
    assert all(r["published_at_utc"] >= "2026-11-17T19:00:00Z" for r in records)


def test_cli_errors_are_one_line(demo, tmp_path: Path):
    result = newsbot(
        "export", "--db", str(demo[0]), "--query", '"unbalanced', "-o", str(tmp_path / "x.csv")
    )
    assert result.returncode == 2
    assert result.stderr == "newsbot: --query: '\"unbalanced': a quotation mark is not closed\n"
    assert not (tmp_path / "x.csv").exists()
    result = newsbot("runs", "--db", str(tmp_path / "none.db"))
    assert (result.returncode, result.stderr) == (
        2,
        f"newsbot: {tmp_path / 'none.db'}: no such database (run `newsbot crawl` first)\n",
    )


def test_runs_and_stats(demo):
    db = str(demo[0])
    runs = newsbot("runs", "--db", db).stdout.splitlines()
    assert runs[0].split() == [
        "id",
        "started",
        "(UTC)",
        "status",
        "req",
        "new",
        "upd",
        "drop",
        "err",
        "browser",
        "sites",
        "health",
    ]
    assert [line.split()[2] for line in runs[1:]] == ["finished", "finished"]
    stats = newsbot("stats", "--db", db).stdout.splitlines()
    # site, articles, title, body and date coverage, imprints, registrations
    assert stats[1].split()[:7] == ["demo", "42", "100%", "100%", "100%", "6", "6"]
