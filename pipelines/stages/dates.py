"""Publication dates in Russian, Kazakh and English, with the site's time-zone history.

Fast paths (ISO 8601, numeric, month-name and relative forms) cover what news pages
print; dateparser, always with explicit languages, handles the rest. `now` (the fetch
time) is passed in: relative dates resolve against it and dates more than a day after
it are rejected. Local times take the site's zone with its history: Asia/Almaty was
UTC+6 until 2024-03-01 and UTC+5 since (never dateparser's fixed "ALMT" offset).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateparser

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
MAX_AHEAD = timedelta(days=1)
# dateparser slows down badly on long strings (scrapinghub/dateparser#439) and spends
# up to 100 ms failing on text that is no date at all; it only sees short date-like text.
_DATEPARSER_MAX_CHARS = 40
_DATE_LIKE = re.compile(r"\d")

_MONTH_STEMS: dict[str, int] = {}
for _number, _stems in enumerate(
    [
        # ru genitive/nominative stems, kk, en: matched as prefixes of the month word
        ("январ", "янв", "қаңтар", "jan"),
        ("феврал", "фев", "ақпан", "feb"),
        ("март", "марта", "мар", "наурыз", "mar"),
        ("апрел", "апр", "сәуір", "apr"),
        ("мая", "май", "мамыр", "may"),
        ("июн", "маусым", "jun"),
        ("июл", "шілде", "jul"),
        ("август", "авг", "тамыз", "aug"),
        ("сентябр", "сен", "қыркүйек", "septemb", "sep"),
        ("октябр", "окт", "қазан", "oct"),
        ("ноябр", "ноя", "қараша", "nov"),
        ("декабр", "дек", "желтоқсан", "dec"),
    ],
    start=1,
):
    for _stem in _stems:
        _MONTH_STEMS[_stem] = _number
# Longest stems first so "март" wins over "мар" and "сентябр" over "сен".
_STEMS_BY_LENGTH = sorted(_MONTH_STEMS, key=len, reverse=True)
# Kazakh case endings on month names: "қарашада", "қарашадағы".
_KK_MONTH_SUFFIX = re.compile(r"(?:дағы|дегі|тағы|тегі|да|де|та|те|ның|нің)$")

_LABEL = re.compile(
    r"^\s*(?:опубликовано|обновлено|изменено|дата публикации|дата обновления|дата|"
    r"жарияланды|жарияланған|жаңартылды|жарияланған уақыты|"
    r"published(?: on)?|updated(?: on)?|posted(?: on)?|date)\s*:?\s*",
    re.IGNORECASE,
)
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)
_TIME = re.compile(
    r"(?<![\d.:])(?P<H>[01]?\d|2[0-3])[:.](?P<M>[0-5]\d)(?::(?P<S>[0-5]\d))?(?![\d:]|\.\d)"
    r"(?:\s*(?P<ampm>[AaPp])\.?\s?[Mm]\b\.?)?"
)
# Zone names printed after a time. UTC ones are exact; Kazakhstan's are read as the site's
# zone with its history (dateparser fixes "ALMT" at +06:00, wrong since March 2024).
_UTC_NAMES = re.compile(r"\s*\b(?:GMT|UTC|UT)\b(?:\s*[+-]\s*0+)?|\s*(?<=\d)Z\b")
_KZ_ZONE_NAMES = re.compile(r"\s*\b(?:ALMT|AQTT|QYZT|ORAT)\b")
_TIME_CONNECTOR = re.compile(r"(?:^|\s)(?:в|сағат|at|,|\||—|–|-)(?=\s|$)", re.IGNORECASE)
# RFC 822 as RSS feeds write it: "Tue, 19 Nov 2019 06:13:48 -0600".
_RFC822 = re.compile(
    r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+(?P<y>\d{4})\s+\d{1,2}:\d{2}(?::\d{2})?\s*"
    r"(?:[+-]\d{4}|GMT|UTC?|Z)$"
)
_NUMERIC = re.compile(r"^(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4}|\d{2})(?:\s*(?:г|ж)\.?)?$")
_WORD_DATE = re.compile(
    r"^(?:[^\W\d_]+,?\s+)?(?P<d>\d{1,2})\.?\s+(?P<mon>[^\W\d_]+)\.?(?:,?\s+(?P<y>\d{4}))?"
    r"(?:\s*(?:года|год|г|ж|жылы|жылғы)\.?)?$"
)
_KK_YEAR_FIRST = re.compile(
    r"^(?P<y>\d{4})\s*(?:жылғы|жылы|ж\.?)?\s*(?P<d>\d{1,2})\s+(?P<mon>[^\W\d_]+)\.?$"
)
_EN_MONTH_FIRST = re.compile(
    r"^(?:[^\W\d_]+,?\s+)?(?P<mon>[^\W\d_]+)\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+"
    r"(?P<y>\d{4})$"
)
# Where a date begins inside a line of text: an ISO or numeric date, a day and a month
# word ("25. September", "18 ноября"), a month word and a day ("November 18th, 2019"), a
# Kazakh year ("2025 жылғы").
_DATE_IN_LINE = re.compile(
    r"(?<![\w.:/-])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}"
    r"|\d{1,2}\.?\s+(?P<mon_after>[^\W\d_]{3,})|(?P<mon_before>[^\W\d_]{3,})\.?\s+\d{1,2}"
    r"(?:st|nd|rd|th)?,?\s+\d{4}|\d{4}\s*ж)"
)
# Closing brackets and quotes after a date that ends a line: "[ 2018-08-25 15:24 ]".
_LINE_END = " .,;|)]}»\"'"
# A label or a byline before a printed date: "Published:", "Von Moritz Bachmann publiziert
# am", "By Louis Jacobson on Monday,". More words than this make a sentence that ends
# with a date ("The ship left PortMiami, on Aug. 31, 2019"), not a date line.
MAX_LABEL_WORDS = 6

_DAY_WORDS = {
    "сегодня": 0,
    "бүгін": 0,
    "today": 0,
    "вчера": 1,
    "кеше": 1,
    "yesterday": 1,
    "позавчера": 2,
}
_AGO = re.compile(
    r"^(?:(?P<n>\d+|пол)\s*)?(?P<unit>[^\W\d_]+)\s+(?:назад|бұрын|ago)$", re.IGNORECASE
)
_UNIT_SECONDS = (
    (("сек", "second"), 1),
    (("мин", "minute"), 60),
    (("час", "сағат", "hour"), 3600),
    (("дн", "ден", "день", "күн", "day"), 86400),
    (("недел", "апта", "week"), 7 * 86400),
)


@dataclass(frozen=True)
class ParsedDate:
    """A moment as the site means it: aware, in the site's zone (or the offset given)."""

    moment: datetime

    @property
    def local_iso(self) -> str:
        return self.moment.isoformat(timespec="seconds")

    @property
    def utc_iso(self) -> str:
        return self.moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class DateOutcome:
    """What parsing one string gave: a date, or None with the reason in `warning`."""

    value: ParsedDate | None
    warning: str | None = None


@lru_cache(maxsize=64)
def site_zone(name: str) -> ZoneInfo:
    """The zone named in a site config; unknown names fall back to Asia/Almaty."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Asia/Almaty")


def month_number(word: str) -> int | None:
    """1-12 for a Russian, Kazakh or English month word in any case form, else None."""
    word = _KK_MONTH_SUFFIX.sub("", word.lower().rstrip("."))
    if len(word) < 3:
        return None
    for stem in _STEMS_BY_LENGTH:
        if word.startswith(stem):
            # "мар" must not take "марафон"; a stem of 3-4 letters matches short words only.
            if len(stem) <= 4 and len(word) > len(stem) + 5:
                continue
            return _MONTH_STEMS[stem]
    return None


def _split_time(text: str) -> tuple[str, tuple[int, int, int] | None]:
    match = _TIME.search(text)
    if match is None:
        return text, None
    hour = int(match["H"])
    if match["ampm"]:
        if hour > 12:
            return text, None  # "14:35 PM" is no time at all
        hour = hour % 12 + (12 if match["ampm"].lower() == "p" else 0)
    clock = (hour, int(match["M"]), int(match["S"] or 0))
    rest = text[: match.start()] + " " + text[match.end() :]
    rest = _TIME_CONNECTOR.sub(" ", rest)
    return " ".join(rest.replace(",", " , ").split()).strip(" ,"), clock


def _year_for(day: int, month: int, now_local: datetime) -> int:
    """The year of a date printed without one: the latest that is not after tomorrow."""
    year = now_local.year
    try:
        if date(year, month, day) > now_local.date() + MAX_AHEAD:
            year -= 1
    except ValueError:
        pass
    return year


def _calendar_date(text: str, now_local: datetime) -> date | None:
    match = _NUMERIC.match(text)
    if match:
        year = int(match["y"])
        # Only a two-digit year is short for 20xx; "31.12.0000" is a year 0, not 2000.
        year = year + 2000 if len(match["y"]) == 2 else year
        return date(year, int(match["m"]), int(match["d"]))
    for pattern in (_WORD_DATE, _KK_YEAR_FIRST, _EN_MONTH_FIRST):
        match = pattern.match(text)
        if match is None:
            continue
        month = month_number(match["mon"])
        if month is None:
            continue
        day = int(match["d"])
        year = int(match["y"]) if match["y"] else _year_for(day, month, now_local)
        return date(year, month, day)
    return None


def _relative(text: str, now_local: datetime) -> datetime | None:
    lowered = text.lower().strip(" ,")
    words = lowered.split()
    if words and words[0].rstrip(",") in _DAY_WORDS and len(words) <= 2:
        day = now_local.date() - timedelta(days=_DAY_WORDS[words[0].rstrip(",")])
        return datetime(day.year, day.month, day.day, tzinfo=now_local.tzinfo)
    match = _AGO.match(lowered)
    if match is None:
        return None
    unit = match["unit"]
    for prefixes, seconds in _UNIT_SECONDS:
        if unit.startswith(prefixes):
            count_text = match["n"]
            count = 0.5 if count_text == "пол" else float(count_text or 1)
            return now_local - timedelta(seconds=count * seconds)
    return None


def _fast_parse(text: str, zone: ZoneInfo, now_local: datetime) -> datetime | None:
    rfc822 = _RFC822.match(text)
    if rfc822:
        parsed = parsedate_to_datetime(text)
        # The email module reads years below 100 as 19xx/20xx, even printed as "0001".
        if parsed.year != int(rfc822["y"]):
            raise ValueError(f"year {rfc822['y']} out of range")
        return parsed
    if _ISO.match(text):
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1))
        return parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed
    if _KZ_ZONE_NAMES.search(text):
        text = _KZ_ZONE_NAMES.sub("", text)
    elif _UTC_NAMES.search(text):
        text = _UTC_NAMES.sub("", text)
        zone = ZoneInfo("UTC")
    date_part, clock = _split_time(text)
    relative = _relative(date_part, now_local)
    if relative is not None:
        if clock is not None:
            relative = relative.replace(hour=clock[0], minute=clock[1], second=clock[2])
        return relative
    if clock is not None and not date_part:
        return None  # a bare time: no date to attach it to
    day = _calendar_date(date_part, now_local)
    if day is None:
        return None
    hour, minute, second = clock or (0, 0, 0)
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone)


def _dateparser_parse(
    text: str, zone_name: str, now_local: datetime, languages: tuple[str, ...]
) -> datetime | None:
    if len(text) > _DATEPARSER_MAX_CHARS or not _DATE_LIKE.search(text):
        return None
    settings = {
        "TIMEZONE": zone_name,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": now_local.replace(tzinfo=None),
        "REQUIRE_PARTS": ["day", "month", "year"],
    }
    return dateparser.parse(text, languages=list(languages), settings=settings)


def parse_date(
    text: str | None,
    *,
    now: datetime,
    timezone: str | None = "Asia/Almaty",
    languages: tuple[str, ...] = ("ru", "kk", "en"),
) -> DateOutcome:
    """Parse one date string as printed on a page, relative to the fetch time `now`.

    `now` must be timezone-aware. The result is in the site's zone; with `timezone`
    None (no site config applies), a date printed with an offset keeps it and one
    printed without is read as Asia/Almaty. Dates more than a day after `now` or
    before 1990 are rejected with a warning.
    """
    keep_offset = timezone is None
    timezone = timezone or "Asia/Almaty"
    if not text or not text.strip():
        return DateOutcome(None)
    zone = site_zone(timezone)
    now_local = now.astimezone(zone)
    cleaned = _LABEL.sub("", " ".join(text.split())).strip(" .,;|")
    if not cleaned:
        return DateOutcome(None)
    try:
        moment = _fast_parse(cleaned, zone, now_local)
    except (ValueError, OverflowError):
        # An impossible calendar date such as 31.02.2026, or "10**12 days ago": let
        # dateparser judge.
        moment = None
    if moment is None:
        try:
            moment = _dateparser_parse(cleaned, zone.key, now_local, languages)
        except (ValueError, OverflowError) as error:
            return DateOutcome(None, f"date {cleaned!r} not understood: {error}")
    if moment is None:
        return DateOutcome(None, f"date {cleaned!r} not understood")
    # Judged on the printed year before any zone arithmetic: moving 9999-12-31 23:59
    # +00:00 into UTC+5, or 0001-01-01 +05:00 into UTC, leaves datetime's range.
    if moment.year > now.year + 1:
        return DateOutcome(None, f"date {moment.isoformat()} rejected: after the fetch time")
    if moment.year < EARLIEST.year - 1:
        return DateOutcome(None, f"date {moment.isoformat()} rejected: before 1990")
    if not keep_offset or moment.utcoffset() is None:
        moment = moment.astimezone(zone)
    if moment > now + MAX_AHEAD:
        return DateOutcome(None, f"date {moment.isoformat()} rejected: after the fetch time")
    if moment < EARLIEST:
        return DateOutcome(None, f"date {moment.isoformat()} rejected: before 1990")
    return DateOutcome(ParsedDate(moment))


def parse_printed_date(
    text: str | None,
    *,
    now: datetime,
    timezone: str | None = "Asia/Almaty",
    languages: tuple[str, ...] = ("ru", "kk", "en"),
) -> DateOutcome:
    """A date printed on a page as the end of a short line, after a label or a byline in
    any language: "publiziert am 25. September 2018", "기사입력 :[ 2018-08-25 15:24 ]",
    "By Carrie Arnold November 15, 2019", "on Monday, November 18th, 2019 at 11:08 a.m.".

    The date (with its time) must run to the end of the line, after at most
    MAX_LABEL_WORDS words: a line that goes on after the date ("12 May 2015 in Almaty")
    or a sentence that ends with one says something else than when the page was
    published.
    """
    outcome = parse_date(text, now=now, timezone=timezone, languages=languages)
    if outcome.value is not None or not text:
        return outcome
    line = " ".join(text.split()).rstrip(_LINE_END)
    for match in _DATE_IN_LINE.finditer(line):
        month_word = match["mon_after"] or match["mon_before"]
        if match.start() == 0 or (month_word and month_number(month_word) is None):
            continue
        if len(line[: match.start()].split()) > MAX_LABEL_WORDS:
            break
        found = parse_date(line[match.start() :], now=now, timezone=timezone, languages=languages)
        if found.value is not None or (found.warning and "rejected" in found.warning):
            return found
    return outcome


def parse_calendar_day(text: str) -> date | None:
    """A calendar day printed with its year ("19.10.2023", "05 мая 2017 г.", "2021 жылғы
    5 наурызда"), for registration issue dates; None when there is none or it is impossible."""
    cleaned = " ".join(text.split()).strip(" .,;")
    # Without a year the calendar date would depend on today; refuse rather than guess.
    if not re.search(r"\d{4}|\d{1,2}\.\d{1,2}\.\d{2}$", cleaned):
        return None
    try:
        return _calendar_date(cleaned, datetime(2000, 1, 1, tzinfo=UTC))
    except ValueError:
        return None
