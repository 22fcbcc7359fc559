"""`newsbot browse`: Datasette on a newsbot database, with the metadata newsbot writes
(descriptions, facets, full-text search, hidden internals, canned queries) and the
stemmed-search function as a plugin.

Read-only: Datasette opens the file with `mode=ro`, newsbot defines no writable query and
loads no plugin that writes, so a crawl can write while people browse.
"""

from __future__ import annotations

import json
import socket
import tempfile
from pathlib import Path

from pipelines.store import Store, StoreError
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


def datasette_arguments(db: str, host: str, port: int, metadata: Path) -> list[str]:
    return [
        "serve", db,
        "--host", host,
        "--port", str(port),
        "--metadata", str(metadata),
        "--plugins-dir", str(PLUGINS),
        "--setting", "sql_time_limit_ms", "5000",
        "--setting", "facet_time_limit_ms", "1000",
    ]  # fmt: skip


def serve(db: str, *, host: str, port: int) -> int:
    from datasette.cli import cli

    try:
        # A missing file or another program's database is refused here, and a database
        # of an older newsbot gets its migrations (the canned queries need them).
        Store.open_existing(db).close()
    except StoreError as error:
        raise BrowseError(f"database: {error}") from error
    _check_address(host, port)
    with tempfile.TemporaryDirectory(prefix="newsbot-browse-") as folder:
        metadata = Path(folder) / "metadata.json"
        metadata.write_text(
            json.dumps(datasette_metadata(Path(db).stem), ensure_ascii=False), encoding="utf-8"
        )
        print(f"newsbot: browsing {db} at http://{host}:{port}/ (Ctrl-C ends)", flush=True)
        cli.main(datasette_arguments(db, host, port, metadata), prog_name="datasette",
                 standalone_mode=False)  # fmt: skip
    return 0
