"""`newsbot cron` against a fake `crontab` program that keeps its table in a file, and
scheduled crawls (`crawl --cron`): the lock, the quiet output, the export after."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsbot.cli import main
from newsbot.demo.server import LocalSite
from tests.crawlsite import crawl_command, paged_site_pages, query, run_crawl, write_site_file

FAKE_CRONTAB = """#!/bin/sh
case "$1" in
  -l) if [ -f "$FAKE_CRONTAB_FILE" ]; then cat "$FAKE_CRONTAB_FILE";
      else echo "no crontab for $(id -un)" >&2; exit 1; fi ;;
  -) cat > "$FAKE_CRONTAB_FILE" ;;
  *) echo "usage: crontab [-l | -]" >&2; exit 2 ;;
esac
"""
OTHER_LINES = (
    "MAILTO=analyst@example.kz\n"
    "# backups\n"
    "0 3 * * * /usr/local/bin/backup --all\n"
    "*/5 * * * * /usr/bin/uptime >> /tmp/up.log\n"
)


@pytest.fixture
def crontab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "crontab"
    program.write_text(FAKE_CRONTAB)
    program.chmod(0o755)
    table = tmp_path / "crontab.txt"
    monkeypatch.setenv("FAKE_CRONTAB_FILE", str(table))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin:/bin")
    return table


def cron(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["cron", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_install_and_remove_leave_other_lines_untouched(crontab: Path, tmp_path: Path, capsys):
    crontab.write_text(OTHER_LINES)
    db = tmp_path / "data" / "news.db"
    code, out, _ = cron(capsys, "install", "--db", str(db), "--at", "02:30", "akorda_ru")
    assert code == 0
    lines = crontab.read_text().splitlines()
    assert "\n".join(lines[:4]) + "\n" == OTHER_LINES
    (line,) = lines[4:]
    assert out == f"installed: {line}\n"
    python = os.path.abspath(sys.executable)
    assert line == (
        f"30 2 * * * cd {Path.cwd()} && {{ {python} -m newsbot crawl --cron --db {db} akorda_ru; "
        f"{python} -m newsbot watch run --cron --db {db}; }} # newsbot-cron:{db}"
    )

    # Installing again replaces the line in place: still one newsbot line.
    assert cron(capsys, "install", "--db", str(db), "--every", "15m")[0] == 0
    lines = crontab.read_text().splitlines()
    assert len(lines) == 5 and lines[4].startswith("*/15 * * * * cd ")

    code, out, _ = cron(capsys, "remove", "--db", str(db))
    assert (code, out) == (0, f"removed the newsbot line for {db}\n")
    assert crontab.read_text() == OTHER_LINES
    assert cron(capsys, "remove", "--db", str(db))[1].startswith("no newsbot line for")


def test_one_line_per_database(crontab: Path, tmp_path: Path, capsys):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    cron(capsys, "install", "--db", str(first))
    cron(capsys, "install", "--db", str(second), "--every", "6h")
    assert len(crontab.read_text().splitlines()) == 2
    cron(capsys, "remove", "--db", str(first))
    (left,) = crontab.read_text().splitlines()
    assert left.startswith("17 */6 * * * ") and left.endswith(f"# newsbot-cron:{second}")


def test_show_says_whether_the_line_is_installed(crontab: Path, tmp_path: Path, capsys):
    db = tmp_path / "news.db"
    code, out, _ = cron(
        capsys, "show", "--db", str(db), "--export", str(tmp_path / "n.csv"), "--excel"
    )
    line = out.splitlines()[0]
    assert code == 0 and line.startswith("17 * * * * cd ")
    assert f"--export {tmp_path / 'n.csv'} --excel" in line
    assert out.splitlines()[1] == "# not installed"
    assert not crontab.exists()  # show never writes


def test_without_a_crontab_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing in it
    code, out, _ = cron(capsys, "show", "--db", str(tmp_path / "news.db"))
    assert code == 0 and out.splitlines()[1] == "# no crontab program on this machine"
    code, _, err = cron(capsys, "install", "--db", str(tmp_path / "news.db"))
    assert code == 2
    assert err.startswith("newsbot: no crontab program on PATH (Debian: apt-get install cron)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--every", "5m"], "--every '5m': one of 15m, 30m, 1h, 2h, 3h, 4h, 6h, 12h"),
        (["--at", "25:00"], "--at '25:00': give a time as HH:MM, e.g. 02:30"),
        (["nosuch_site"], "unknown site 'nosuch_site' (see `newsbot sites`)"),
    ],
)
def test_bad_schedules_are_refused(crontab: Path, tmp_path: Path, capsys, args, message):
    crontab.write_text(OTHER_LINES)
    code, _, err = cron(capsys, "install", "--db", str(tmp_path / "n.db"), *args)
    assert (code, err) == (2, f"newsbot: {message}\n")
    assert crontab.read_text() == OTHER_LINES


def test_overlapping_scheduled_runs_crawl_once(tmp_path: Path):
    # Articles slow enough (20 at 0.6 s, one at a time: 12 s; the download timeout is 1 s)
    # that the first crawl still holds the lock when the second has started, on a busy
    # machine too.
    with LocalSite(paged_site_pages(20, 10, delay=0.6)) as site:
        site_file = write_site_file(tmp_path, site, concurrency=1)
        db = tmp_path / "data" / "news.db"
        export = tmp_path / "data" / "news.csv"
        command = crawl_command(db, site_file, extra=("--cron", "--export", str(export), "--excel"))
        first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not (db.parent / "news.db.lock").exists() or not site.requests:
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.05)
        second = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        out, err = first.communicate(timeout=180)

    # The second found the lock, wrote one line to the log, and said nothing to cron.
    assert (second.returncode, second.stdout, second.stderr) == (0, "", "")
    log = (db.parent / "logs" / "newsbot.log").read_text(encoding="utf-8")
    assert "skipped: another crawl (pid " in log
    # The first crawled everything, printed nothing (healthy), and exported.
    assert (first.returncode, out, err) == (0, "", "")
    assert query(db, "SELECT count(*) FROM runs") == [(1,)]
    assert query(db, "SELECT count(*) FROM articles") == [(20,)]
    assert export.read_bytes().startswith(b"\xef\xbb\xbfid;site;")
    rows = list(csv.reader(io.StringIO(export.read_text("utf-8-sig"), newline=""), delimiter=";"))
    assert len(rows) == 1 + 20


def test_a_health_failure_reaches_stderr_and_exit_code(tmp_path: Path):
    with LocalSite(paged_site_pages(3, 3)) as site:
        site_file = write_site_file(tmp_path, site)
        db = tmp_path / "news.db"
        extra = ("--cron", "--idle-runs", "2")
        assert run_crawl(db, site_file, extra=extra).returncode == 0  # 3 new articles
        assert run_crawl(db, site_file, extra=extra).returncode == 0  # none: 1 idle run
        third = run_crawl(db, site_file, extra=extra)  # none again: 2 in a row
    assert (third.returncode, third.stdout) == (1, "")
    assert third.stderr == "newsbot: testsite: no new articles in 2 runs in a row\n"
    health = query(db, "SELECT health FROM runs ORDER BY id")
    assert health == [("[]",), ("[]",), ('["testsite: no new articles in 2 runs in a row"]',)]


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--db", "/tmp/x.db\n* * * * * touch /tmp/owned #"),
        ("--db", "/tmp/x.db\r* * * * * touch /tmp/owned #"),
        ("--export", "{folder}/out\n* * * * * touch /tmp/owned #/news.csv"),
        ("--export", "{folder}/out\x0bdir/news.csv"),
    ],
)
def test_control_characters_never_reach_the_crontab(
    crontab: Path, tmp_path: Path, capsys, option: str, value: str
):
    """A newline in a path used to end the line and start a second, attacker-chosen one."""
    crontab.write_text(OTHER_LINES)
    value = value.format(folder=tmp_path)
    args = ["--db", str(tmp_path / "n.db")] if option == "--export" else []
    code, out, err = cron(capsys, "install", *args, option, value)
    assert (code, out) == (2, "")
    assert err == (
        f"newsbot: argument {option}: {value!r}: control characters cannot go into a crontab "
        f"line (see `newsbot cron --help`)\n"
    )
    assert crontab.read_text() == OTHER_LINES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "crontab.txt"]  # no folder made


def test_a_folder_with_a_newline_cannot_be_the_jobs_folder(
    crontab: Path, tmp_path: Path, monkeypatch, capsys
):
    folder = tmp_path / "project\n* * * * * touch owned"
    folder.mkdir()
    monkeypatch.chdir(folder)
    code, _, err = cron(capsys, "install", "--db", str(tmp_path / "n.db"))
    assert code == 2
    assert err == (
        f"newsbot: the current folder {str(folder)!r}: control characters cannot go into a "
        "crontab line\n"
    )
    assert not crontab.exists()


def test_other_spellings_of_the_database_share_one_line(crontab: Path, tmp_path: Path, capsys):
    real = tmp_path / "data" / "news.db"
    real.parent.mkdir()
    link = tmp_path / "news.db"
    link.symlink_to(real)
    (tmp_path / "data-link").symlink_to(real.parent)
    spellings = [
        real,
        link,
        tmp_path / "data" / ".." / "data" / "news.db",
        tmp_path / "data-link" / "news.db",
    ]
    for every, spelling in zip(("1h", "2h", "3h", "4h"), spellings, strict=True):
        assert cron(capsys, "install", "--db", str(spelling), "--every", every)[0] == 0
    (line,) = crontab.read_text().splitlines()
    # The last install won, and the line names the real file.
    assert line.startswith("17 */4 * * * cd ") and line.endswith(f"# newsbot-cron:{real}")
    assert line.count(f" --db {real};") == 2  # the crawl and the watches after it
    code, out, _ = cron(capsys, "remove", "--db", str(link))
    assert (code, out) == (0, f"removed the newsbot line for {real}\n")
    assert crontab.read_text() == ""
