"""Hostile values where they enter (site configs, command arguments, pages on stdin): one
line on stderr, exit 2, nothing written. And a crawl that opens no listening socket."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsbot.cli import main
from newsbot.demo.server import LocalSite
from newsbot.run.lock import CrawlLocked, crawl_lock
from tests.crawlsite import crawl_command, paged_site_pages, write_site_file

GOOD_CONFIG = """\
slug = "x"
name = "X"
domains = ["x.kz"]
language = "ru"
start_urls = ["https://x.kz/news"]
article_url = '/news/\\d+'
"""


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one line `newsbot` printed, after checking it exited 2 and printed only that."""
    code = main(list(args))
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    assert captured.err.startswith("newsbot: ") and captured.err.count("\n") == 1, captured.err
    return captured.err.removeprefix("newsbot: ").rstrip("\n")


def crawl_refused(capsys: pytest.CaptureFixture[str], folder: Path, site_file: Path) -> str:
    db = folder / "data" / "news.db"
    message = refused(capsys, "crawl", "--db", str(db), "--site-file", str(site_file))
    assert not db.parent.exists()  # no database, no log folder
    return message


# --- site configs: numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        # hung a crawl on an endless listing
        ("max_pages = 9223372036854775807",
         "key 'max_pages': 9223372036854775807 is out of range: give a whole number from 1 to 100000"),
        ("max_pages = 0", "key 'max_pages': 0 is out of range: give a whole number from 1 to 100000"),
        ("max_pages = inf", "key 'max_pages': inf is not a whole number: give a whole number from 1 to 100000"),
        # tracebacks
        ("download_delay = inf", "key 'download_delay': inf is out of range: give a number from 0 to 600"),
        ("download_delay = nan", "key 'download_delay': nan is out of range: give a number from 0 to 600"),
        # hung with no request made
        ("concurrency = 0", "key 'concurrency': 0 is out of range: give a whole number from 1 to 64"),
        ("concurrency = 0.5", "key 'concurrency': 0.5 is not a whole number: give a whole number from 1 to 64"),
        ("download_delay = 1e308",
         "key 'download_delay': 1e+308 is out of range: give a number from 0 to 600"),
        ("download_delay = -1", "key 'download_delay': -1 is out of range: give a number from 0 to 600"),
        # failed deep inside Scrapy
        ("download_timeout = nan",
         "key 'download_timeout': nan is out of range: give a number from 0.1 to 600"),
        ("download_timeout = 0", "key 'download_timeout': 0 is out of range: give a number from 0.1 to 600"),
        ("download_timeout = -inf",
         "key 'download_timeout': -inf is out of range: give a number from 0.1 to 600"),
        ("concurrency = true", "key 'concurrency': True is not a number: give a whole number from 1 to 64"),
        ('download_delay = "1"', "key 'download_delay': '1' is not a number: give a number from 0 to 600"),
    ],
)  # fmt: skip
def test_numbers_out_of_type_or_range(tmp_path: Path, capsys, line: str, message: str):
    site_file = tmp_path / "x.toml"
    site_file.write_text(GOOD_CONFIG + line + "\n", encoding="utf-8")
    assert crawl_refused(capsys, tmp_path, site_file) == f"{site_file}: {message}"


def test_numbers_at_the_ends_of_their_ranges_are_accepted(tmp_path: Path):
    from newsbot.sites.config import load_config

    site_file = tmp_path / "x.toml"
    site_file.write_text(
        GOOD_CONFIG + "max_pages = 100000\nconcurrency = 1\ndownload_delay = 0\n"
        "download_timeout = 0.1\n",
        encoding="utf-8",
    )
    config = load_config(site_file)
    assert (config.max_pages, config.concurrency, config.download_delay) == (100000, 1, 0)
    assert config.download_timeout == 0.1


# --- site configs: URLs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "url", "problem"),
    [
        # was accepted, and every start URL after it vanished
        ("start_urls", "https://x.kz:99999/news", "the port must be a number from 1 to 65535"),
        ("start_urls", "https://x.kz:0/news", "the port must be a number from 1 to 65535"),
        ("sitemaps", "https://x.kz:http/s.xml", "the port must be a number from 1 to 65535"),
        ("feeds", "https://reader:secret@x.kz/rss", "no user names or passwords in URLs"),
        ("imprint_urls", "https://admin@x.kz/about", "no user names or passwords in URLs"),
        ("start_urls", "https://x..kz/news", "'x..kz' is not a host name"),
        ("start_urls", "https://x_y!.kz/news", "'x_y!.kz' is not a host name"),
        ("start_urls", "https://[::1/news", "is not a usable URL: Invalid IPv6 URL"),
        ("start_urls", "https://x.kz/a\\nb", "spaces and control characters are not allowed"),
        ("start_urls", "https://x.kz/a b", "spaces and control characters are not allowed"),
        ("start_urls", "file:///etc/passwd", "is not an http(s) URL"),
        ("feeds", "javascript:alert(1)", "is not an http(s) URL"),
    ],
)
def test_bad_urls_are_refused_at_load_time(tmp_path: Path, capsys, key: str, url: str, problem):
    site_file = tmp_path / "x.toml"
    text = GOOD_CONFIG.replace('start_urls = ["https://x.kz/news"]\n', "")
    if key != "start_urls":
        text += 'start_urls = ["https://x.kz/news"]\n'
    site_file.write_text(text + f'{key} = ["https://x.kz/ok", "{url}"]\n', encoding="utf-8")
    message = crawl_refused(capsys, tmp_path, site_file)
    assert message.startswith(f"{site_file}: key '{key}': ")
    assert problem in message


def test_good_urls_of_every_kind_load(tmp_path: Path):
    from newsbot.sites.config import load_config

    site_file = tmp_path / "x.toml"
    urls = [
        "https://x.kz:8443/news",
        "http://127.0.0.1:8080/",
        "http://[::1]:8080/",
        "https://ақорда.kz/news?page=1",
    ]
    text = GOOD_CONFIG.replace(
        '["https://x.kz/news"]', "[" + ", ".join(f'"{u}"' for u in urls) + "]"
    )
    site_file.write_text(text, encoding="utf-8")
    assert load_config(site_file).start_urls == tuple(urls)


# --- site configs: the file itself --------------------------------------------------------


def test_a_folder(tmp_path: Path, capsys):
    assert crawl_refused(capsys, tmp_path, tmp_path) == f"{tmp_path}: a folder, not a regular file"


def test_a_character_device(tmp_path: Path, capsys):
    message = crawl_refused(capsys, tmp_path, Path("/dev/zero"))
    assert message == "/dev/zero: a FIFO, device or socket, not a regular file"


def test_a_fifo_answers_without_waiting_for_a_writer(tmp_path: Path):
    fifo = tmp_path / "site.toml"
    os.mkfifo(fifo)
    db = tmp_path / "data" / "news.db"
    result = subprocess.run(
        crawl_command(db, fifo), capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"newsbot: {fifo}: a FIFO, device or socket, not a regular file\n"
    assert not db.parent.exists()


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="no /proc here")
def test_proc_self_mem(tmp_path: Path, capsys):
    # A "regular file" of size 0 whose first byte cannot be read.
    message = crawl_refused(capsys, tmp_path, Path("/proc/self/mem"))
    assert message == "/proc/self/mem: cannot read it (Input/output error)"


def test_a_file_too_large_to_be_a_config(tmp_path: Path, capsys):
    site_file = tmp_path / "x.toml"
    site_file.write_text(GOOD_CONFIG + "# padding\n" * 30_000, encoding="utf-8")  # 300 KB
    message = crawl_refused(capsys, tmp_path, site_file)
    assert message == f"{site_file}: larger than 256 KB; not a site config"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a = " + "[" * 100_000, "not valid TOML: arrays or tables nested too deeply"),
        ("a = " + "{b=" * 60_000, "not valid TOML: arrays or tables nested too deeply"),
        ('slug = "x\n', "not valid TOML: Illegal character '\\n' (at line 1, column 10)"),
        ("a = " + "1" * 5000, "not valid TOML: Exceeds the limit (4300 digits)"),
    ],
)
def test_toml_that_does_not_parse(tmp_path: Path, capsys, text: str, problem: str):
    site_file = tmp_path / "x.toml"
    site_file.write_text(text, encoding="utf-8")
    assert crawl_refused(capsys, tmp_path, site_file).startswith(f"{site_file}: {problem}")


def test_not_utf8(tmp_path: Path, capsys):
    site_file = tmp_path / "x.toml"
    site_file.write_bytes(GOOD_CONFIG.encode() + 'notes = "Ақорда"\n'.encode("cp1251", "replace"))
    message = crawl_refused(capsys, tmp_path, site_file)
    assert message.startswith(f"{site_file}: not valid TOML: not UTF-8 text (invalid")


def test_check_site_and_reprocess_read_site_files_the_same_way(tmp_path: Path, capsys):
    assert refused(capsys, "check-site", "--site-file", "/dev/zero") == (
        "/dev/zero: a FIFO, device or socket, not a regular file"
    )
    db = tmp_path / "news.db"
    message = refused(capsys, "reprocess", "--db", str(db), "--site-file", str(tmp_path))
    assert message == f"{tmp_path}: a folder, not a regular file"
    assert not db.exists()


# --- command arguments --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["stats", "--days", "0"],
         "argument --days: '0' is not a whole number from 1 to 3650 (see `newsbot stats --help`)"),
        (["stats", "--days", "-3"],
         "argument --days: '-3' is not a whole number from 1 to 3650 (see `newsbot stats --help`)"),
        (["stats", "--days", "1000000"],
         "argument --days: '1000000' is not a whole number from 1 to 3650 (see `newsbot stats --help`)"),
        (["report", "--days", "1000000"],
         "argument --days: '1000000' is not a whole number from 1 to 3650 (see `newsbot report --help`)"),
        (["runs", "--last", "-1"],
         "argument --last: '-1' is not a whole number from 1 to 1000000 (see `newsbot runs --help`)"),
        (["runs", "--last", "ten"],
         "argument --last: 'ten' is not a whole number from 1 to 1000000 (see `newsbot runs --help`)"),
        (["crawl", "--limit", "0"],
         "argument --limit: '0' is not a whole number from 1 to 1000000 (see `newsbot crawl --help`)"),
        (["crawl", "--workers", "-1"],
         "argument --workers: '-1' is not a whole number from 0 to 64 (see `newsbot crawl --help`)"),
        (["crawl", "--idle-runs", "0"],
         "argument --idle-runs: '0' is not a whole number from 1 to 1000 (see `newsbot crawl --help`)"),
        (["crawl", "--max-error-rate", "nan"],
         "argument --max-error-rate: 'nan' is not a number from 0 to 1 (see `newsbot crawl --help`)"),
        (["crawl", "--max-error-rate", "1.5"],
         "argument --max-error-rate: '1.5' is not a number from 0 to 1 (see `newsbot crawl --help`)"),
        (["demo", "--port", "99999"],
         "argument --port: '99999' is not a whole number from 1 to 65535 (see `newsbot demo --help`)"),
        (["check-site", "--pages", "0"],
         "argument --pages: '0' is not a whole number from 1 to 1000 (see `newsbot check-site --help`)"),
        (["reprocess", "--workers", "0"],
         "argument --workers: '0' is not a whole number from 1 to 64 (see `newsbot reprocess --help`)"),
        (["stats", "--bogus"], "unrecognized arguments: --bogus (see `newsbot --help`)"),
        ([], "the following arguments are required: command (see `newsbot --help`)"),
    ],
)  # fmt: skip
def test_numeric_arguments_have_a_type_and_a_range(
    tmp_path: Path, monkeypatch, capsys, args, message
):
    monkeypatch.chdir(tmp_path)  # where the default data/ would be made
    assert refused(capsys, *args) == message
    assert list(tmp_path.iterdir()) == []


def test_extract_reads_at_most_one_page_from_stdin(tmp_path: Path):
    """`/dev/zero` on stdin: refused after DOWNLOAD_MAXSIZE + 1 bytes (it grew to 3 GB)."""
    from newsbot.crawling.settings import DOWNLOAD_MAXSIZE

    err = tmp_path / "stderr"
    with open("/dev/zero", "rb") as zero, open(err, "wb") as err_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "newsbot.cli", "extract", "-"],
            stdin=zero,
            stdout=subprocess.PIPE,
            stderr=err_file,
        )
        deadline = time.monotonic() + 60
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("extract kept reading /dev/zero for 60 s")
            time.sleep(0.05)
        assert process.stdout is not None
        out = process.stdout.read()
        process.stdout.close()
        process.returncode = os.waitstatus_to_exitcode(status)
    assert (process.returncode, out) == (2, b"")
    assert err.read_text() == (
        "newsbot: standard input: larger than 20 MB, the most a crawl fetches of one page; "
        "not read\n"
    )
    assert DOWNLOAD_MAXSIZE == 20 * 1024 * 1024
    peak_mb = usage.ru_maxrss / 1024  # Linux: KB
    assert peak_mb < 200, f"peak memory {peak_mb:.0f} MB"


def test_extract_of_an_unreadable_file(capsys):
    assert refused(capsys, "extract", "/proc/self/mem") == (
        "/proc/self/mem: cannot read it (Input/output error)"
    )


def slow_site() -> LocalSite:
    """40 articles at 0.5 s each, fetched two at a time: a crawl still running when a test
    looks at it, ~10 s after it starts."""
    return LocalSite(paged_site_pages(40, 10, delay=0.5))


def wait_until_fetching(site: LocalSite, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not any(path.endswith("-item.html") for path in site.requests):
        assert process.poll() is None, "the crawl ended early"
        assert time.monotonic() < deadline, "no article fetched in 60 s"
        time.sleep(0.05)


# --- the crawl lock on the database's real path -------------------------------------------


def test_other_spellings_of_a_database_meet_the_same_lock(tmp_path: Path):
    folder = tmp_path / "a"
    folder.mkdir()
    db = folder / "news.db"
    link = tmp_path / "link.db"
    link.symlink_to(db)
    folder_link = tmp_path / "b"
    folder_link.symlink_to(folder)
    with crawl_lock(str(db)):
        for spelling in (link, tmp_path / "a" / ".." / "a" / "news.db", folder_link / "news.db"):
            held = f"another crawl \\(pid {os.getpid()}\\)"
            with pytest.raises(CrawlLocked, match=held), crawl_lock(str(spelling)):
                pass
    assert sorted(p.name for p in folder.iterdir()) == ["news.db.lock"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "link.db"]


def test_a_second_crawl_through_a_symlink_is_refused(tmp_path: Path):
    with slow_site() as site:
        site_file = write_site_file(tmp_path, site, concurrency=2)
        db = tmp_path / "news.db"
        link = tmp_path / "same.db"
        link.symlink_to(db)
        first = subprocess.Popen(
            crawl_command(db, site_file), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_until_fetching(site, first)
            second = subprocess.run(
                crawl_command(link, site_file),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        finally:
            first.kill()
            first.wait(timeout=30)
    assert second.returncode == 2
    assert second.stderr == (
        f"newsbot: another crawl (pid {first.pid}) is running on {link}; not starting a second\n"
    )


# --- nothing listens ----------------------------------------------------------------------


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (the extraction workers), from /proc."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            queue += [int(child) for child in task.read_text().split()]
    return found


def listening_sockets(pid: int) -> list[str]:
    """`address:port` of every TCP socket in LISTEN state that the process holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:  # closed while we looked
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    listening = []
    for table in ("tcp", "tcp6"):
        lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: TCP_LISTEN
                address, port = local.split(":")
                listening.append(f"{address}:{int(port, 16)}")
    return listening


@pytest.mark.skipif(not Path("/proc/self/net/tcp").exists(), reason="no /proc/<pid>/net here")
def test_a_crawl_opens_no_listening_socket_and_leaves_no_token_files(tmp_path: Path):
    """Scrapy 2.19 starts a remote-control HTTP server (Python for whoever holds the token
    in ~/.local/state/scrapy/job_files/) in every crawl unless told not to."""
    state = tmp_path / "state"
    env = {**os.environ, "XDG_STATE_HOME": str(state), "HOME": str(tmp_path)}
    with slow_site() as site:
        site_file = write_site_file(tmp_path, site, concurrency=2)
        crawl = subprocess.Popen(
            crawl_command(tmp_path / "news.db", site_file),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_fetching(site, crawl)
            time.sleep(0.5)  # well past engine_started, when the server would be up
            tree = process_tree(crawl.pid)
            listening = {pid: listening_sockets(pid) for pid in tree}
            files_while_running = [str(p) for p in state.rglob("*") if p.is_file()]
        finally:
            crawl.send_signal(signal.SIGKILL)  # as a killed cron crawl dies: no cleanup
            crawl.wait(timeout=30)
    assert listening == {pid: [] for pid in tree}
    assert files_while_running == []
    assert [str(p) for p in state.rglob("*") if p.is_file()] == []
