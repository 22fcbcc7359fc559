"""`newsbot export` and the export after a scheduled crawl: options checked before any
output, the file written whole or not at all, progress on a terminal only."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import sqlite_utils

from pipelines.export import (
    TABLE_COLUMNS,
    ArticleFilter,
    count_articles,
    local_time,
    select_articles,
    select_publishers,
    select_registrations,
    write_csv,
    write_jsonl,
)
from pipelines.search import QueryError


class ExportError(Exception):
    """Options or an output path that cannot be used: one line, exit code 2."""


@dataclass(frozen=True)
class ExportRequest:
    table: str = "articles"  # articles | publishers | registrations
    format: str = "csv"  # csv | jsonl
    excel: bool = False
    columns: tuple[str, ...] | None = None
    selection: ArticleFilter = field(default_factory=ArticleFilter)
    delimiter: str | None = None


def parse_columns(text: str | None, request_table: str, fmt: str) -> tuple[str, ...] | None:
    if not text:
        return None
    columns = tuple(c.strip() for c in text.split(",") if c.strip())
    known = set(TABLE_COLUMNS[request_table])
    if fmt == "jsonl" and request_table == "articles":
        known |= {"modified_at_utc", "source", "publisher", "run_id"}
    unknown = [c for c in columns if c not in known]
    if unknown or not columns:
        raise ExportError(
            f"--columns: unknown column {', '.join(unknown) or '(none given)'}; "
            f"{request_table} has: {', '.join(TABLE_COLUMNS[request_table])}"
        )
    return columns


def _rows(db: sqlite_utils.Database, request: ExportRequest) -> Iterator[dict[str, Any]]:
    if request.table == "publishers":
        return select_publishers(db, request.selection.site)
    if request.table == "registrations":
        return select_registrations(db, request.selection.site)
    try:
        return select_articles(db, request.selection)
    except QueryError as error:
        raise ExportError(f"--query: {error}") from error
    except sqlite3.OperationalError as error:
        raise ExportError(f"--query {request.selection.query!r}: {error}") from error


class _Progress:
    """ "12,000 / 48,000 articles" rewritten on a terminal; silent otherwise."""

    def __init__(self, stream: TextIO, total: int | None, what: str):
        self.stream, self.total, self.what = stream, total, what
        self.enabled = stream.isatty()

    def __call__(self, count: int) -> None:
        if self.enabled and count % 500 == 0:
            of = f" / {self.total:,}" if self.total is not None else ""
            self.stream.write(f"\r\x1b[K{count:,}{of} {self.what}")
            self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _write(rows: Iterator[dict[str, Any]], out: TextIO, request: ExportRequest,
           progress: _Progress) -> int:  # fmt: skip
    if request.format == "jsonl":
        if request.table == "articles":
            rows = ({**row, "published_local": local_time(row.get("published_at"))}
                    for row in rows)  # fmt: skip
        return write_jsonl(rows, out, table=request.table, columns=request.columns,
                           on_row=progress)  # fmt: skip
    return write_csv(rows, out, table=request.table, columns=request.columns,
                     excel=request.excel, delimiter=request.delimiter, on_row=progress)  # fmt: skip


@contextlib.contextmanager
def atomic_output(path: str, encoding: str) -> Iterator[TextIO]:
    """A file that appears (or replaces the old one) only when written whole: a failed
    export leaves yesterday's file as it was."""
    target = Path(path)
    if target.is_dir():
        raise ExportError(f"{path}: is a folder, not a file")
    folder = target.parent
    if not folder.is_dir():
        raise ExportError(f"{path}: folder {str(folder)!r} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    except OSError as error:
        raise ExportError(f"{path}: cannot write here ({error.strerror})") from error
    try:
        with os.fdopen(handle, "w", encoding=encoding, newline="") as out:
            yield out
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def export(
    db: sqlite_utils.Database,
    request: ExportRequest,
    output: str,
    *,
    progress_stream: TextIO = sys.stderr,
) -> int:
    """Export to `output` (a path, or "-" for stdout); returns the row count."""
    rows = _rows(db, request)  # a bad query fails here, before the file is touched
    total = count_articles(db, request.selection) if request.table == "articles" else None
    progress = _Progress(progress_stream, total, request.table)
    encoding = "utf-8-sig" if request.excel else "utf-8"
    try:
        if output == "-":
            if request.excel and hasattr(sys.stdout, "buffer"):
                sys.stdout.buffer.write("\ufeff".encode())
                sys.stdout.flush()
            return _write(rows, sys.stdout, request, progress)
        with atomic_output(output, encoding) as out:
            return _write(rows, out, request, progress)
    finally:
        progress.done()


def known_sites(db: sqlite_utils.Database, bundled: Sequence[str]) -> set[str]:
    stored = {row[0] for row in db.execute("SELECT DISTINCT site FROM articles")}
    stored |= {row[0] for row in db.execute("SELECT DISTINCT site FROM publishers")}
    return stored | set(bundled)
