"""Articles, publishers and registrations out of the database as CSV or JSON lines.

Rows stream from one SQLite cursor to the output, so memory stays flat however many
there are. Plain CSV (RFC 4180, UTF-8, ",") gives back every stored text exactly;
`excel=True` shapes the same rows for spreadsheets (README, "Export"). The output file
appears (or replaces the old one) only when written whole.

The article columns derive from `Article`: a new field becomes a new column at the end.
"""

from __future__ import annotations

import contextlib
import csv
import json
import operator
import os
import sqlite3
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import MISSING, Field, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, TextIO

from pipelines.article import ARTICLE_FIELDS, JSON_FIELDS, Article
from pipelines.stages.attribution import Source
from pipelines.stages.imprint import Publisher
from pipelines.stages.search import QueryError
from pipelines.store import ArticleFilter, ChangeFilter, Store, is_disk_full
from pipelines.store.changes import CHANGE_COLUMNS
from pipelines.store.exports import JOINED_COLUMNS
from pipelines.store.reprints import ReprintFilter
from pipelines.textdiff import as_text, changed, word_diff

# The store's own columns an export carries beside the article's fields.
BOOKKEEPING = ("id", "fetched_at", "first_seen_at")
# Where the columns of 0.1 and 0.2 stand: spreadsheets and scripts rely on these
# positions, so they never move; columns added since follow them, in Article order.
FIXED_POSITIONS = (
    "id", "site", "url", "title", "lead", "body", "author", "section", "tags",
    "published_at", "published_at_utc", "modified_at", "language", "source_name",
    "source_phrase", "publisher_name", "editor_in_chief", "owner", "phones", "emails",
    "registrations", "image_url", "fetched_at", "first_seen_at", "warnings",
    "canonical_url", "published_local",
)  # fmt: skip
LIST_SEPARATOR = "; "

# Excel cuts a cell at 32,767 characters and runs text that starts like a formula.
EXCEL_CELL_LIMIT = 32_767
EXCEL_CUT_MARKER = " […cut: the full text is in the database]"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(Exception):
    """Options or an output path that cannot be used: one line, exit code 2."""


def _joined(values: Sequence[str] | None) -> str:
    return LIST_SEPARATOR.join(values or [])


def local_time(published_at: str | None) -> str | None:
    """`2024-11-14T16:40:00+05:00` as `2024-11-14 16:40:00`: the site's own clock, in the
    form spreadsheets read as a date-time."""
    if not published_at or len(published_at) < 19:
        return None
    return published_at[:10] + " " + published_at[11:19]


def flat_article(row: dict[str, Any]) -> dict[str, Any]:
    """One CSV row of a stored article: lists joined by "; ", the source and the
    publisher spread into columns of their own."""
    article = Article.from_dict(row)
    flat: dict[str, Any] = {key: row.get(key) for key in BOOKKEEPING}
    for name in ARTICLE_FIELDS:
        value = getattr(article, name)
        if name == "source":
            flat["source_name"] = value.name if value else None
            flat["source_phrase"] = value.phrase if value else None
        elif name == "publisher":
            for key, part in asdict(value).items():
                column = "publisher_name" if key == "name" else key
                flat[column] = _joined(part) if isinstance(part, list) else part
        elif name == "registrations":
            flat[name] = _joined(
                [f"{r.number} ({r.issued_on})" if r.issued_on else r.number for r in value]
            )
        elif isinstance(value, list):
            flat[name] = _joined(value)
        else:
            flat[name] = value
    flat["published_local"] = local_time(article.published_at)
    for key in JOINED_COLUMNS:
        flat[key] = row.get(key)
    return flat


def _default(spec: Field[Any]) -> Any:
    if spec.default_factory is not MISSING:
        return spec.default_factory()
    return None if spec.default is MISSING else spec.default


def _from_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _registration(item: dict[str, Any]) -> str:
    return f"{item['number']} ({item['issued_on']})" if item["issued_on"] else item["number"]


def _spreader(name: str) -> tuple[tuple[str, ...], Callable[[Any], Sequence[Any]]]:
    """The columns a JSON field of `Article` fills and how, from its stored text: what
    `flat_article` makes of the field, without building the typed record."""
    if name == "source":
        parts = tuple(spec.name for spec in fields(Source))
        empty = (None,) * len(parts)

        def source(value: Any) -> Sequence[Any]:
            record = _from_json(value)
            return tuple(record[part] for part in parts) if record else empty

        return tuple(f"source_{part}" for part in parts), source
    if name == "publisher":
        defaults = tuple((spec.name, _default(spec)) for spec in fields(Publisher))

        def publisher(value: Any) -> Sequence[Any]:
            record = _from_json(value) or {}
            return [
                _joined(part) if isinstance(part, list) else part
                for part in (record.get(key, default) for key, default in defaults)
            ]

        return tuple("publisher_name" if key == "name" else key for key, _ in defaults), publisher
    if name == "registrations":
        return (name,), lambda value: (
            _joined([_registration(item) for item in _from_json(value) or []]),
        )
    return (name,), lambda value: (_joined(_from_json(value)),)


def _remembered(spread: Callable[[Any], Sequence[Any]]) -> Callable[[Any], Sequence[Any]]:
    """`spread` remembering its last few thousand stored texts: a site's imprint, its
    registrations, an empty list repeat on row after row, and are parsed once."""
    seen: dict[Any, tuple[Any, ...]] = {}

    def remembered(value: Any) -> Sequence[Any]:
        try:
            return seen[value]
        except KeyError:
            if len(seen) >= 4096:
                seen.clear()
            result = seen[value] = tuple(spread(value))
            return result

    return remembered


def article_flattener(
    names: Sequence[str], columns: Sequence[str]
) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """`flat_article` for rows read as tuples of the stored columns `names`: the values
    of `columns`, in order. Built once per export from `Article`'s fields; a row is read
    straight from its stored text, never rebuilt as an `Article`."""
    # A row is widened by one None (what a column the rows lack reads) and the values
    # its JSON fields spread into; `slots` says where each output column then stands.
    absent = len(names)
    where = {name: index for index, name in enumerate(names)}
    slots: dict[str, int] = {}
    spreads = []
    added = absent + 1
    for name in (*BOOKKEEPING, *ARTICLE_FIELDS):
        if name not in JSON_FIELDS:
            slots[name] = where.get(name, absent)
            continue
        spread_columns, spread = _spreader(name)
        spreads.append((where.get(name, absent), _remembered(spread)))
        for column in spread_columns:
            slots[column] = added
            added += 1
    slots["published_local"] = added
    published_at = where.get("published_at", absent)
    for name in JOINED_COLUMNS:
        slots[name] = where.get(name, absent)
    picks = [slots[column] for column in columns]
    pick = operator.itemgetter(*picks) if len(picks) > 1 else lambda wide: (wide[picks[0]],)

    def flatten(row: Sequence[Any]) -> Sequence[Any]:
        wide = [*row, None]
        for index, spread in spreads:
            wide.extend(spread(wide[index]))
        wide.append(local_time(wide[published_at]))
        return pick(wide)

    return flatten


def _article_columns() -> tuple[str, ...]:
    every = flat_article({"url": "", "site": ""})
    return (*FIXED_POSITIONS, *(column for column in every if column not in FIXED_POSITIONS))


ARTICLE_COLUMNS = _article_columns()
PUBLISHER_COLUMNS = (
    "site", "name", "editor_in_chief", "owner", "phones", "emails", "address",
    "source_url", "first_seen_at", "last_seen_at", "current",
)  # fmt: skip
REGISTRATION_COLUMNS = (
    "site",
    "number",
    "country",
    "kind",
    "issued_on",
    "issuer",
    "text",
    "first_seen_at",
)
REPRINT_COLUMNS = (
    "original_id", "original_site", "original_url", "original_title",
    "original_published_at_utc", "copy_id", "copy_site", "copy_url", "copy_title",
    "copy_published_at_utc", "copy_source_name", "similarity", "containment", "same_site",
    "credited", "delay_seconds",
)  # fmt: skip
# Edits after publication: both versions and the word-level difference of each field.
VERSION_COLUMNS = (*CHANGE_COLUMNS, "title_diff", "body_diff")
TABLE_COLUMNS = {
    "articles": ARTICLE_COLUMNS,
    "publishers": PUBLISHER_COLUMNS,
    "registrations": REGISTRATION_COLUMNS,
    "reprints": REPRINT_COLUMNS,
    "versions": VERSION_COLUMNS,
}
# JSON lines carry the article as `newsbot extract` prints it, plus the store's columns.
JSONL_ARTICLE_FIELDS = (
    *BOOKKEEPING,
    *ARTICLE_FIELDS,
    "run_id",
    "published_local",
    *JOINED_COLUMNS,
)
_JSON_COLUMNS = {"articles": JSON_FIELDS, "publishers": ("phones", "emails")}


def flat_publisher(publisher: dict[str, Any]) -> dict[str, Any]:
    row = dict(publisher)
    row["phones"] = _joined(json.loads(publisher.get("phones") or "[]"))
    row["emails"] = _joined(json.loads(publisher.get("emails") or "[]"))
    row["current"] = "yes" if publisher.get("current") else "no"
    return row


def flat_change(change: dict[str, Any]) -> dict[str, Any]:
    """An edit with what changed in words: `[-removed-] {+added+}` and a little context."""
    row = dict(change)
    for name in ("title", "body"):
        ops = word_diff(change[f"{name}_before"], change[f"{name}_after"])
        row[f"{name}_diff"] = as_text(ops) if changed(ops) else ""
    return row


FLATTENERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "articles": flat_article,
    "publishers": flat_publisher,
    "registrations": dict,
    "reprints": dict,
    "versions": flat_change,
}


def jsonl_record(stored: dict[str, Any], table: str = "articles") -> dict[str, Any]:
    """A stored row with its JSON columns parsed."""
    record = dict(stored)
    for key in _JSON_COLUMNS.get(table, ()):
        value = record.get(key)
        record[key] = json.loads(value) if value else None
    if table == "articles":
        record["published_local"] = local_time(record.get("published_at"))
        return {key: record.get(key) for key in JSONL_ARTICLE_FIELDS}
    record.pop("imprint_hash", None)
    if table == "publishers":
        record["current"] = bool(record.get("current"))
    if table == "versions":
        record = flat_change(record)
    return record


def for_excel(value: Any) -> Any:
    """A cell Excel shows as the text it is: a leading apostrophe before anything that
    starts like a formula, and a visible marker where Excel's cell limit cuts it."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    if len(value) > EXCEL_CELL_LIMIT:
        value = value[: EXCEL_CELL_LIMIT - len(EXCEL_CUT_MARKER)] + EXCEL_CUT_MARKER
    return value


class _CsvLines:
    """Rows as the `csv` module writes them (QUOTE_MINIMAL, doubled quotes, "\r\n"),
    joined with str methods: a cell is quoted when it holds the delimiter, a quote or a
    line break, as `csv.writer` does, at a third of its cost on long texts. A delimiter
    that is itself a quote or a line break goes to `csv.writer`."""

    def __init__(self, out: TextIO, delimiter: str):
        self.write, self.delimiter = out.write, delimiter
        self.fallback = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        if delimiter in ('"', "\r", "\n"):
            self.writerow = self.fallback.writerow  # type: ignore[method-assign]

    def cell(self, value: Any) -> str:
        if value is None:
            return ""
        if value.__class__ is not str:
            value = str(value)
        if '"' in value:
            return '"' + value.replace('"', '""') + '"'
        if self.delimiter in value or "\n" in value or "\r" in value:
            return '"' + value + '"'
        return value

    def writerow(self, row: Sequence[Any]) -> None:
        line = self.delimiter.join(map(self.cell, row))
        # csv.writer's one exception: a row of one empty cell is written as "".
        self.write((line or '""') + "\r\n")


def _csv_writer(out: TextIO, excel: bool, delimiter: str | None) -> _CsvLines:
    return _CsvLines(out, delimiter or (";" if excel else ","))


def _write_all(
    writer: _CsvLines,
    rows: Iterator[Sequence[Any]],
    excel: bool,
    on_row: Callable[[int], None] | None,
) -> int:
    count = 0
    for row in rows:
        writer.writerow([for_excel(value) for value in row] if excel else row)
        count += 1
        if on_row:
            on_row(count)
    return count


def write_csv(
    rows: Iterator[dict[str, Any]],
    out: TextIO,
    *,
    table: str = "articles",
    columns: Sequence[str] | None = None,
    excel: bool = False,
    delimiter: str | None = None,
    on_row: Callable[[int], None] | None = None,
) -> int:
    """Write rows of `table` as CSV; returns the row count.

    `excel` uses ";" (what Excel expects where the decimal mark is a comma, as in
    Kazakhstan and Russia), guards formula-like cells and cuts cells at Excel's limit.
    """
    flatten = FLATTENERS[table]
    names = list(columns or TABLE_COLUMNS[table])
    writer = _csv_writer(out, excel, delimiter)
    writer.writerow(names)
    flat = (flatten(stored) for stored in rows)
    return _write_all(writer, ([row.get(n, "") for n in names] for row in flat), excel, on_row)


def write_article_csv(
    names: Sequence[str],
    rows: Iterator[Sequence[Any]],
    out: TextIO,
    *,
    columns: Sequence[str] | None = None,
    excel: bool = False,
    delimiter: str | None = None,
    on_row: Callable[[int], None] | None = None,
) -> int:
    """`write_csv` of stored article rows read as tuples of the columns `names`
    (`Store.article_rows`): the same bytes, without a dict or an `Article` per row."""
    columns = list(columns or ARTICLE_COLUMNS)
    writer = _csv_writer(out, excel, delimiter)
    writer.writerow(columns)
    flatten = article_flattener(names, columns)
    return _write_all(writer, map(flatten, rows), excel, on_row)


def write_jsonl(
    rows: Iterator[dict[str, Any]],
    out: TextIO,
    *,
    table: str = "articles",
    columns: Sequence[str] | None = None,
    on_row: Callable[[int], None] | None = None,
) -> int:
    """One JSON object per line."""
    count = 0
    for stored in rows:
        record = jsonl_record(stored, table)
        if columns:
            record = {key: record.get(key) for key in columns}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
        if on_row:
            on_row(count)
    return count


@dataclass(frozen=True)
class ExportRequest:
    table: str = "articles"  # articles | publishers | registrations | reprints | versions
    format: str = "csv"  # csv | jsonl
    excel: bool = False
    columns: tuple[str, ...] | None = None
    selection: ArticleFilter = field(default_factory=ArticleFilter)
    delimiter: str | None = None


def parse_columns(text: str | None, table: str, fmt: str) -> tuple[str, ...] | None:
    """`--columns a,b`: only known columns of the table (and format)."""
    if not text:
        return None
    columns = tuple(c.strip() for c in text.split(",") if c.strip())
    known = set(TABLE_COLUMNS[table])
    if fmt == "jsonl" and table == "articles":
        known |= set(JSONL_ARTICLE_FIELDS)
    unknown = [c for c in columns if c not in known]
    if unknown or not columns:
        raise ExportError(
            f"--columns: unknown column {', '.join(unknown) or '(none given)'}; "
            f"{table} has: {', '.join(TABLE_COLUMNS[table])}"
        )
    return columns


@contextlib.contextmanager
def _query_errors(request: ExportRequest) -> Iterator[None]:
    """A search query the index cannot run, as the one line the user sees."""
    try:
        yield
    except QueryError as error:
        raise ExportError(f"--query: {error}") from error
    except sqlite3.OperationalError as error:
        raise ExportError(f"--query {request.selection.query!r}: {error}") from error


def count_rows(store: Store, request: ExportRequest) -> int | None:
    """How many articles the export will write (None for the other tables)."""
    if request.table != "articles":
        return None
    with _query_errors(request):
        return store.count_articles(request.selection)


def _rows(store: Store, request: ExportRequest) -> Iterator[dict[str, Any]]:
    if request.table == "publishers":
        return store.select_publishers(request.selection.site)
    if request.table == "registrations":
        return store.select_registrations(request.selection.site)
    if request.table == "reprints":
        return store.reprint_links(ReprintFilter(site=request.selection.site))
    if request.table == "versions":
        return store.changes(
            ChangeFilter(site=request.selection.site, since=request.selection.since)
        )
    with _query_errors(request):
        return store.select_articles(request.selection)


@contextlib.contextmanager
def _streamed(path: str, encoding: str) -> Iterator[TextIO]:
    try:
        out = open(path, "w", encoding=encoding, newline="")  # noqa: SIM115
    except OSError as error:
        raise ExportError(f"{path}: cannot write to it ({error.strerror})") from error
    with out:
        yield out


@contextlib.contextmanager
def atomic_output(path: str, encoding: str) -> Iterator[TextIO]:
    """Where an export goes. A regular file (or a new one) appears, or replaces the old
    one, only when written whole: a failed export leaves yesterday's file as it was. A
    symlink keeps pointing where it did: its target is replaced, in the target's folder.
    A FIFO, a terminal or another device (`/dev/stdout`) is written to as it is, never
    replaced."""
    target = Path(path)
    try:
        kind = target.stat().st_mode  # follows symlinks
    except FileNotFoundError:
        kind = None
    except OSError as error:
        raise ExportError(f"{path}: cannot write here ({error.strerror})") from error
    if kind is not None and stat.S_ISDIR(kind):
        raise ExportError(f"{path}: is a folder, not a file")
    if kind is not None and not stat.S_ISREG(kind):
        if stat.S_ISSOCK(kind):
            raise ExportError(f"{path}: is a socket, not a file")
        with _streamed(path, encoding) as out:
            yield out
        return
    real = Path(os.path.realpath(target))
    folder = real.parent
    if not folder.is_dir():
        raise ExportError(f"{path}: folder {str(target.parent)!r} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{real.name}.", dir=folder)
    except OSError as error:
        if is_disk_full(error):
            raise ExportError(f"no space left on {folder}") from error
        raise ExportError(f"{path}: cannot write here ({error.strerror})") from error
    try:
        with os.fdopen(handle, "w", encoding=encoding, newline="") as out:
            yield out
        os.chmod(temporary, 0o644)
        os.replace(temporary, real)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if is_disk_full(error):
            raise ExportError(f"no space left on {folder}") from error
        raise
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def export(
    store: Store,
    request: ExportRequest,
    output: str,
    *,
    on_row: Callable[[int], None] | None = None,
) -> int:
    """Export to `output` (a path, or "-" for stdout); returns the row count."""
    # A bad query fails here, before the file is touched.
    article_rows = None
    if request.table == "articles" and request.format == "csv":
        with _query_errors(request):
            article_rows = store.article_rows(request.selection)
        rows: Iterator[dict[str, Any]] = iter(())
    else:
        rows = _rows(store, request)
    encoding = "utf-8-sig" if request.excel else "utf-8"

    def write(out: TextIO) -> int:
        if request.format == "jsonl":
            return write_jsonl(
                rows, out, table=request.table, columns=request.columns, on_row=on_row
            )
        if article_rows is not None:
            names, stored = article_rows
            return write_article_csv(
                names,
                stored,
                out,
                columns=request.columns,
                excel=request.excel,
                delimiter=request.delimiter,
                on_row=on_row,
            )
        return write_csv(
            rows,
            out,
            table=request.table,
            columns=request.columns,
            excel=request.excel,
            delimiter=request.delimiter,
            on_row=on_row,
        )

    if output == "-":
        if request.excel and hasattr(sys.stdout, "buffer"):
            sys.stdout.buffer.write("\ufeff".encode())
            sys.stdout.flush()
        return write(sys.stdout)
    with atomic_output(output, encoding) as out:
        return write(out)
