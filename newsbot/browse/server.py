"""`newsbot browse`: Datasette on a newsbot database, with the metadata newsbot writes
(descriptions, facets, full-text search, hidden internals, canned queries) and the
stemmed-search function as a plugin.

Read-only: Datasette opens the file with `mode=ro`, newsbot defines no writable query and
loads no plugin that writes, so a crawl can write while people browse. A database on
read-only media is served as immutable (no -wal or -shm file can be made beside it).
"""

from __future__ import annotations

import ipaddress
import json
import socket
import sys
import tempfile
from pathlib import Path

from pipelines.store import Store, StoreError, read_only_mode
from pipelines.store.browse import datasette_metadata

PLUGINS = Path(__file__).resolve().parent / "plugins"


class BrowseError(Exception):
    """A database or address Datasette cannot serve: one line, exit code 2."""


def _check_address(host: str, port: int) -> None:
    """The port is free on that address (Datasette itself would print a traceback)."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except OSError as error:
        raise BrowseError(f"cannot listen on {host}:{port} ({error.strerror})") from error


def exposure_warning(db: str, host: str, port: int, *, public: bool) -> str | None:
    """The warning for an address other machines can reach, unless --public says that is
    meant: Datasette has no login, and `pages` holds every raw page fetched."""
    if public or _is_loopback(host):
        return None
    return (
        f"newsbot: warning: --host {host}: anyone who reaches port {port} can read all of "
        f"{db}, raw pages and webhook URLs included (--public silences this)"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may well resolve to a public address


def datasette_arguments(
    db: str, host: str, port: int, metadata: Path, *, immutable: bool = False
) -> list[str]:
    return [
        "serve", *(["--immutable"] if immutable else []), db,
        "--host", host,
        "--port", str(port),
        "--metadata", str(metadata),
        "--plugins-dir", str(PLUGINS),
        "--setting", "sql_time_limit_ms", "5000",
        "--setting", "facet_time_limit_ms", "1000",
    ]  # fmt: skip


def serve(db: str, *, host: str, port: int, public: bool = False) -> int:
    from datasette.cli import cli

    try:
        # A missing, empty or another program's database is refused here, and a database
        # of an older newsbot gets its migrations (the canned queries need them), or a
        # one-line refusal where it is read-only.
        Store.open_existing(db).close()
    except StoreError as error:
        raise BrowseError(f"database: {error}") from error
    warning = exposure_warning(db, host, port, public=public)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    _check_address(host, port)
    immutable = read_only_mode(db) == "immutable"
    with tempfile.TemporaryDirectory(prefix="newsbot-browse-") as folder:
        metadata = Path(folder) / "metadata.json"
        metadata.write_text(
            json.dumps(datasette_metadata(Path(db).stem), ensure_ascii=False), encoding="utf-8"
        )
        print(f"newsbot: browsing {db} at http://{host}:{port}/ (Ctrl-C ends)", flush=True)
        arguments = datasette_arguments(db, host, port, metadata, immutable=immutable)
        cli.main(arguments, prog_name="datasette", standalone_mode=False)
    return 0
