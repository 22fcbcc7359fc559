"""Where an export (or a report) is written: a symlink keeps pointing where it did, a
FIFO's reader gets the rows, /dev/stdout is written to and never replaced, and a full
disk is one line with yesterday's file intact."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pipelines.article import Article
from pipelines.store import Store
from tests.conftest import FETCHED_AT


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "news.db"
    with Store.open(path) as store:
        for number in range(3):
            article = Article(
                url=f"https://inform.kz/ru/{number}",
                site="inform_ru",
                title=f"Новость {number}",
                body="Текст.",
            )
            store.save_article(article, FETCHED_AT, run_id=1)
    return path


def export(db: Path, output: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsbot.cli", "export", "--db", str(db), "--columns", "title",
         "-o", output],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def rows(text: str) -> list[str]:
    """The CSV lines, header first, the rest sorted (undated rows come in id order)."""
    header, *lines = text.split("\r\n")
    return [header, *sorted(lines)]


EXPECTED = ["title", "", "Новость 0", "Новость 1", "Новость 2"]


def test_a_symlink_keeps_pointing_at_its_target_which_gets_the_rows(db: Path, tmp_path: Path):
    (tmp_path / "exports").mkdir()
    target = tmp_path / "exports" / "news.csv"
    target.write_text("yesterday", encoding="utf-8")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    assert export(db, str(link)).returncode == 0
    assert link.is_symlink() and link.resolve() == target
    assert rows(target.read_bytes().decode("utf-8")) == EXPECTED
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == ["news.csv"]


def test_a_fifo_reader_gets_the_rows(db: Path, tmp_path: Path):
    fifo = tmp_path / "rows.fifo"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes().decode()))
    reader.start()
    result = export(db, str(fifo))
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert [rows(text) for text in received] == [EXPECTED]
    assert fifo.is_fifo()


def test_dev_stdout_is_written_to_and_stays_what_it_was(db: Path):
    before = os.readlink("/dev/stdout") if os.path.islink("/dev/stdout") else None
    result = subprocess.run(
        [sys.executable, "-m", "newsbot.cli", "export", "--db", str(db), "--columns", "title",
         "-o", "/dev/stdout"],
        capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert (result.returncode, rows(result.stdout.decode())) == (0, EXPECTED)
    after = os.readlink("/dev/stdout") if os.path.islink("/dev/stdout") else None
    assert before == after


def fill(folder: Path) -> None:
    """Write until the filesystem says it is full."""
    handle = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            try:
                os.write(handle, b"\0" * 4096)
            except OSError as error:
                assert error.errno == errno.ENOSPC
                break
    finally:
        os.close(handle)


def test_an_export_onto_a_full_disk_is_one_line_and_keeps_yesterdays_file(
    db: Path, tiny_disk: Path
):
    target = tiny_disk / "news.csv"
    target.write_text("yesterday", encoding="utf-8")
    fill(tiny_disk)
    result = export(db, str(target))
    assert (result.returncode, result.stderr) == (2, f"newsbot: no space left on {tiny_disk}\n")
    assert target.read_text(encoding="utf-8") == "yesterday"
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler", "news.csv"]
