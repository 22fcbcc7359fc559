"""A database on read-only media (a mounted backup, a read-only copy) is read as it is:
the reading commands answer exactly as on a writable copy and write nothing; one that
needs a migration is refused in one line. And `--db` naming an empty file is refused by
every command that does not make databases, instead of becoming one."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import sqlite_utils

from newsbot.browse.server import exposure_warning
from newsbot.cli import main
from pipelines.article import Article
from pipelines.store import SiteRun, Store
from pipelines.store.schema import migrations
from tests.conftest import FETCHED_AT

TITLES = ("Бюджет на 2027 год принят", "Экспорт зерна вырос")


def make_database(path: Path) -> Path:
    """A current newsbot database with one finished run of two articles."""
    with Store.open(path) as store:
        run_id = store.start_run(["inform_ru"], FETCHED_AT)
        for number, title in enumerate(TITLES):
            article = Article.from_dict(
                {"url": f"https://www.inform.kz/ru/news-{number}", "site": "inform_ru",
                 "title": title, "body": f"Текст новости {number}.", "language": "ru",
                 "published_at": f"2026-11-2{number}T10:00:00+05:00",
                 "published_at_utc": f"2026-11-2{number}T05:00:00Z"}
            )  # fmt: skip
            store.save_article(article, FETCHED_AT + timedelta(minutes=number), run_id=run_id)
        site = SiteRun(run_id=run_id, site="inform_ru", new=2, articles=2)
        store.finish_run(run_id, "finished", [site], FETCHED_AT + timedelta(minutes=5))
    return path


def make_old_database(path: Path) -> Path:
    """A database of an older newsbot: the migrations before the reprint index."""
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m004_reprints")
    db.conn.close()
    return path


@contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """Files and folders made read-only for this process: `chattr +i` as root (who
    ignores permission bits, like `os.access` does not), chmod otherwise."""
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if (
            chattr is None
            or subprocess.run([chattr, "+i", *map(str, paths)], capture_output=True).returncode != 0
        ):
            pytest.skip("as root, only chattr +i makes a file read-only, and it is not usable here")
        try:
            yield
        finally:
            subprocess.run([chattr, "-i", *map(str, paths)], check=True)
        return
    modes = {path: path.stat().st_mode for path in paths}
    for path in paths:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        yield
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def answer(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def reading_commands(db: Path, report: Path) -> list[list[str]]:
    return [
        ["export", "--db", str(db), "--columns", "title,published_local", "--format", "jsonl"],
        ["stats", "--db", str(db)],
        ["runs", "--db", str(db)],
        ["reprints", "--db", str(db)],
        ["report", "--db", str(db), "-o", str(report)],
    ]


@pytest.mark.parametrize("what", ["file", "file and folder"])
def test_reading_commands_answer_as_on_a_writable_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], what: str
):
    backup = tmp_path / "backup"
    backup.mkdir()
    db = make_database(backup / "news.db")
    report = tmp_path / "report.html"
    writable = []
    for command in reading_commands(db, report):
        writable.append((answer(capsys, *command), report.read_bytes() if report.exists() else b""))
    assert writable[0][0] == (
        0,
        '{"title": "Экспорт зерна вырос", "published_local": "2026-11-21 10:00:00"}\n'
        '{"title": "Бюджет на 2027 год принят", "published_local": "2026-11-20 10:00:00"}\n',
        "newsbot: 2 articles exported\n",
    )
    before = sorted(os.listdir(backup)), db.read_bytes()
    with read_only(db, *([backup] if what == "file and folder" else [])):
        for command, expected in zip(reading_commands(db, report), writable, strict=True):
            report.unlink(missing_ok=True)
            got = answer(capsys, *command), report.read_bytes() if report.exists() else b""
            assert got == expected, command[0]
    assert db.read_bytes() == before[1]
    if what == "file and folder":  # nowhere to make the -wal and -shm files: none made
        assert sorted(os.listdir(backup)) == before[0]


@pytest.mark.parametrize("what", ["file", "file and folder"])
def test_an_old_database_on_read_only_media_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], what: str
):
    backup = tmp_path / "backup"
    backup.mkdir()
    db = make_old_database(backup / "news.db")
    before = db.read_bytes()
    last = len(migrations._migrations)  # the old database has the first three
    expected = (
        f"newsbot: {db}: needs migration 4..{last} and is read-only: copy it somewhere writable\n"
    )
    with read_only(db, *([backup] if what == "file and folder" else [])):
        for command in reading_commands(db, tmp_path / "report.html"):
            assert answer(capsys, *command) == (2, "", expected), command[0]
        assert answer(capsys, "browse", "--db", str(db)) == (
            2,
            "",
            expected.replace("newsbot: ", "newsbot: database: "),
        )
    assert db.read_bytes() == before
    assert not (tmp_path / "report.html").exists()


def test_an_old_writable_database_is_still_migrated_by_a_reading_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    db = make_old_database(tmp_path / "news.db")
    assert answer(capsys, "runs", "--db", str(db))[0] == 0
    assert migrations.pending(sqlite_utils.Database(db)) == []


@pytest.mark.parametrize(
    "command",
    [
        ["export", "-o", "out.csv"],
        ["stats"],
        ["runs"],
        ["reprints"],
        ["reprints", "--rebuild"],
        ["report", "-o", "out.html"],
        ["reprocess"],
        ["browse"],
    ],
)
def test_an_empty_file_is_not_made_a_database(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
):
    typo = tmp_path / "nwes.db"
    typo.touch()
    monkeypatch.chdir(tmp_path)  # where -o writes, if it wrongly did
    prefix = "database: " if command == ["browse"] else ""
    assert answer(capsys, *command, "--db", str(typo)) == (
        2,
        "",
        f"newsbot: {prefix}{typo}: not a newsbot database (an empty file; "
        "`newsbot crawl` makes one)\n",
    )
    assert sorted(os.listdir(tmp_path)) == ["nwes.db"] and typo.stat().st_size == 0


def test_a_database_with_no_tables_is_refused_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    blank = tmp_path / "blank.db"
    with sqlite3.connect(blank) as connection:
        connection.execute("PRAGMA user_version = 7")  # a valid SQLite file, nothing in it
    connection.close()
    assert answer(capsys, "stats", "--db", str(blank)) == (
        2,
        "",
        f"newsbot: {blank}: not a newsbot database (no tables; `newsbot crawl` makes one)\n",
    )


def test_a_crawl_still_makes_a_database_of_an_empty_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    db = tmp_path / "news.db"
    db.touch()
    Store.open(db).close()  # what a crawl opens its database with
    code, out, _ = answer(capsys, "runs", "--db", str(db))
    assert (code, out.count("\n")) == (0, 1)  # the header, no runs


def test_browse_serves_a_database_whose_folder_is_read_only(tmp_path: Path):
    backup = tmp_path / "backup"
    backup.mkdir()
    db = make_database(backup / "news.db")
    with read_only(db, backup), socket_port() as port:
        server = subprocess.Popen(
            [sys.executable, "-m", "newsbot.cli", "browse", "--db", str(db), "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            rows = poll_json(server, f"http://127.0.0.1:{port}/news/articles.json?_shape=array")
        finally:
            server.terminate()
            output = server.communicate(timeout=30)[0]
    assert sorted(row["title"] for row in rows) == sorted(TITLES)
    assert "warning" not in output
    assert sorted(os.listdir(backup)) == ["news.db"]


@contextmanager
def socket_port() -> Iterator[int]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    yield port


def poll_json(server: subprocess.Popen[str], url: str) -> list[dict[str, str]]:
    import json

    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                rows: list[dict[str, str]] = json.load(response)
                return rows
        except (urllib.error.URLError, ConnectionError):
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise AssertionError(server.communicate()[0]) from None
            time.sleep(0.2)


# --- browse: who can reach it --------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_browse_on_this_machine_only_says_nothing(host: str):
    assert exposure_warning("data/news.db", host, 8001, public=False) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "newsroom.example"])
def test_browse_reachable_from_elsewhere_is_warned_about(host: str):
    assert exposure_warning("data/news.db", host, 8001, public=False) == (
        f"newsbot: warning: --host {host}: anyone who reaches port 8001 can read all of "
        "data/news.db, raw pages and webhook URLs included (--public silences this)"
    )
    assert exposure_warning("data/news.db", host, 8001, public=True) is None


def test_browse_warns_before_it_listens_and_public_silences_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """192.0.2.1 (TEST-NET-1) is no address of this machine: browse gets as far as
    listening, and no further, so no server starts."""
    db = make_database(tmp_path / "news.db")
    code, out, err = answer(capsys, "browse", "--db", str(db), "--host", "192.0.2.1")
    assert (code, out) == (2, "")
    warning, refusal = err.splitlines()
    assert warning == exposure_warning(str(db), "192.0.2.1", 8001, public=False)
    assert refusal.startswith("newsbot: cannot listen on 192.0.2.1:8001 (")
    code, out, err = answer(capsys, "browse", "--db", str(db), "--host", "192.0.2.1", "--public")
    assert (code, out, err.count("\n")) == (2, "", 1) and err.startswith("newsbot: cannot listen")


@pytest.mark.parametrize(
    ("command", "name"),
    [(["reprocess"], "reprocess"), (["reprints", "--rebuild"], "reprints --rebuild")],
)
def test_a_writing_command_on_read_only_media_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], name: str
):
    backup = tmp_path / "backup"
    backup.mkdir()
    db = make_database(backup / "news.db")
    before = db.read_bytes()
    with read_only(db, backup):
        assert answer(capsys, *command, "--db", str(db)) == (
            2,
            "",
            f"newsbot: {db}: is read-only, and {name} writes to it: copy it somewhere writable\n",
        )
    assert (sorted(os.listdir(backup)), db.read_bytes()) == (["news.db"], before)
