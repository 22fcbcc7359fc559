"""Media registration numbers: Kazakhstan (new and legacy) and Russia (Roskomnadzor).

Canonical forms (DESIGN.md): `KZ15VPY00079493`, `15988-ИА`, `Эл № ФС77-57640`.
Kazakhstan's permit system gives every permit a `KZ..XXX........` number; only the
`VPY` code is a media registration, so other codes are reported in warnings and not
taken. Legacy numbers (`15988-ИА`) look like house numbers ("дом 150-Г"), so they count
only right after a registration keyword.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date

from pipelines.stages.clean import normalize_characters
from pipelines.stages.dates import parse_calendar_day

_DASH = r"[-\u2010\u2011\u2012\u2013\u2014\u2212]"
_NUM_SIGN = r"(?:№|N[o°º]?\.?|#)"

KZ_PERMIT = re.compile(r"(?<![A-Z0-9])KZ\d{2}(?P<code>[A-Z]{3})\d{8}(?![A-Z0-9])")
# A permit number as typed: full-width letters and digits (`ＫＺ１５ＶＰＹ０００７９４９３`)
# and Cyrillic letters drawn like Latin ones (`КZ15VРY00079493`, Cyrillic К and Р).
# Each candidate is normalised on its own (NFKC, look-alikes to Latin) and must then be
# a KZ_PERMIT; NFKC never runs on the text around it, where it would turn `№` into `No`.
_KZ_PERMIT_LIKE = re.compile(
    r"(?<![A-ZＡ-Ｚ\d])[KКＫ][ZＺ]\d{2}[A-ZА-ЯＡ-Ｚ]{3}\d{8}(?![A-ZＡ-Ｚ\d])"
)
_LATIN_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")
KZ_LEGACY = re.compile(
    r"(?<![\d\w])(?P<num>\d{3,5})\s?" + _DASH + r"\s?(?P<kind>ИА|СИ|Г|Ж|Т|Р)"
    r"(?![А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі])"
)
RU_MEDIA = re.compile(
    r"(?:(?<![А-Яа-яЁё])(?P<kind>Эл|ЭЛ|эл|ПИ|ИА)\.?\s*)?" + _NUM_SIGN + r"\s*"
    r"(?:(?P<kind2>Эл|ЭЛ)\s*)?(?P<series>ФС|ТУ)\s*(?P<region>\d{2})\s*"
    + _DASH
    + r"\s*(?P<num>\d{3,6})(?!\d)"
)
UA_MEDIA_ID = re.compile(r"(?<![A-Za-z0-9])R\d{2}" + _DASH + r"\d{5}(?!\d)")
REG_CONTEXT = re.compile(
    r"свидетельств|регистрац|зарегистр|уч[её]т|куәлі|тіркел|есепке\s+қою|certificate|"
    r"registration|медіа",
    re.IGNORECASE,
)
_CONTEXT_WINDOW = 150

_MONTH_DATE = r"\d{1,2}\s+[^\W\d_]+\.?\s+\d{4}"
_NUMERIC_DATE = r"\d{1,2}\.\d{1,2}\.\d{4}"
_DATE = rf"(?P<date>{_NUMERIC_DATE}|{_MONTH_DATE})"
_ISSUE_WORD = r"(?:выдан[оа]?|от|берілген(?:\s+күні)?|dated|issued(?:\s+on)?|of)"
_ISSUE_DATE_AFTER = re.compile(
    rf"^[^.;]{{0,160}}?{_ISSUE_WORD}\s*:?\s+(?:[^.;\d]{{0,160}}?\s)?{_DATE}",
    re.IGNORECASE,
)
# "от 08.04.2014 Эл № ФС77-57642": the date printed right before the number.
_ISSUE_DATE_BEFORE = re.compile(
    rf"{_ISSUE_WORD}\s+{_DATE}\s*(?:г\.?|года|ж\.?)?\s*[,:]?\s*"
    r"(?:серия\s+)?(?:Эл|ЭЛ|ПИ|ИА)?\s*(?:№|N[o°º]?\.?)?\s*$",
    re.IGNORECASE,
)
_KK_DATE = r"(?P<date>\d{4}\s+жылғы\s+\d{1,2}\s+[^\W\d_]+)"
# "№ KZ26VPY00075900, 2023 жылғы 1 маусымда берілген".
_KK_ISSUE_DATE_AFTER = re.compile(rf"^[\s,.:;-]*{_KK_DATE}\s+берілген", re.IGNORECASE)
_KK_ISSUE_DATE_BEFORE = re.compile(r"(?P<date>\d{4}\s+жылғы\s+\d{1,2}\s+[^\W\d_]+)[^.;]{0,160}$")
# A footer line that ends in "от" or "выдано", or a next line that opens with a date or
# an issue word, continues the registration across the line break.
_ENDS_IN_ISSUE = re.compile(
    rf"(?:(?<!\w){_ISSUE_WORD}|{_DATE}\s*(?:г\.?|года)?)\s*[,:]?\s*$", re.IGNORECASE
)
_OPENS_WITH_ISSUE = re.compile(
    rf"^\s*(?:{_ISSUE_WORD}\b|{_NUMERIC_DATE}|{_MONTH_DATE}|\d{{4}}\s+жылғы)", re.IGNORECASE
)
_ISSUER = re.compile(
    r"(?:выдан[оа]?|зарегистрирован[оа]?\s+в)\s+"
    r"(?P<body>(?:Министерств|Комитет|Федеральн|Управлени|Роскомнадзор|Агентств)"
    r"[^;]{3,220}?)(?=\s+(?:от\s+)?\d{1,2}[.\s]|[.;]\s|[.;]?$|,\s+(?:о чем|о чём))",
    re.IGNORECASE | re.MULTILINE,
)
_KK_ISSUER = re.compile(
    r"(?P<body>(?:ҚР|Қазақстан Республикасы(?:ның)?)\s+[^.;«»]{3,120}?"
    r"(?:министрлігі|комитеті)(?:[^\s,.;]*)(?:,\s+[^\s,.;]+\s+комитет[^\s,.;]*)?)"
)

_LEGACY_KINDS = {
    "ИА": "news_agency",
    "СИ": "online",
    "Г": "newspaper",
    "Ж": "magazine",
    "Т": "tv",
    "Р": "radio",
}
_RU_KINDS = {"Эл": "online", "ПИ": "print", "ИА": "news_agency"}


@dataclass(frozen=True)
class Registration:
    number: str
    country: str
    kind: str
    issued_on: str | None
    issuer: str | None
    text: str

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


_LINE_LIMIT = 400
_CONTEXT = 150


def _line_around(text: str, start: int, end: int) -> tuple[str, int]:
    """The line holding text[start:end] and its offset in text: the whole line when it is
    short, else 150 characters either side, cut between words, never inside one."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    if line_end - line_start > _LINE_LIMIT:
        if start - _CONTEXT > line_start:
            space = text.find(" ", start - _CONTEXT, start)
            line_start = space + 1 if space != -1 else start
        if end + _CONTEXT < line_end:
            space = text.rfind(" ", end, end + _CONTEXT)
            line_end = space if space != -1 else end
    return text[line_start:line_end].strip(), line_start


def _issue_date(before: str, after: str) -> str | None:
    """The issue date printed after the number, or right before it, in that order."""
    found = _ISSUE_DATE_AFTER.search(after) or _KK_ISSUE_DATE_AFTER.search(after)
    candidates = [found["date"]] if found else []
    for pattern in (_ISSUE_DATE_BEFORE, _KK_ISSUE_DATE_BEFORE):
        found = pattern.search(before)
        if found:
            candidates.append(found["date"])
    for candidate in candidates:
        day = parse_calendar_day(candidate)
        if day is not None and date(1990, 1, 1) <= day:
            return day.isoformat()
    return None


def _neighbour_lines(text: str, start: int, end: int) -> tuple[str, str]:
    """The text before the number and after it, on its line, extended over a line break
    where the registration visibly goes on (a line ending in "от", one opening with a
    date)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    before = text[max(line_start, start - 200) : start]
    after = text[end : min(line_end, end + 200)]
    if line_end < len(text):
        next_end = text.find("\n", line_end + 1)
        next_line = text[line_end + 1 : len(text) if next_end == -1 else next_end]
        if _ENDS_IN_ISSUE.search(after) or (
            _OPENS_WITH_ISSUE.match(next_line)
            and not (_ISSUE_DATE_AFTER.search(after) or _KK_ISSUE_DATE_AFTER.search(after))
        ):
            after = f"{after} {next_line[:200]}"
    if line_start > 0 and not before.strip(" \t№N"):
        previous_start = text.rfind("\n", 0, line_start - 1) + 1
        previous = text[previous_start : line_start - 1][-200:]
        before = f"{previous} {before}"
    return before, after


def _issuer(line: str) -> str | None:
    match = _ISSUER.search(line) or _KK_ISSUER.search(line)
    if match is None:
        return None
    body = " ".join(match["body"].split()).rstrip(" ,")
    return body or None


def _has_context(text: str, start: int) -> bool:
    return REG_CONTEXT.search(text, max(0, start - _CONTEXT_WINDOW), start) is not None


def _make(text: str, start: int, end: int, number: str, country: str, kind: str) -> Registration:
    line, _ = _line_around(text, start, end)
    return Registration(
        number=number,
        country=country,
        kind=kind,
        issued_on=_issue_date(*_neighbour_lines(text, start, end)),
        issuer=_issuer(line),
        text=line,
    )


def _ascii(number: str) -> str:
    """A matched number's full-width digits and letters as ASCII (NFKC), Cyrillic
    look-alike capitals as Latin ones."""
    return unicodedata.normalize("NFKC", number).translate(_LATIN_LOOKALIKES)


def extract_registrations(text: str | None) -> tuple[list[Registration], list[str]]:
    """All media registrations in a footer or imprint text, first occurrence of each.

    Returns the registrations and warnings (other KZ permit numbers that were seen).
    """
    if not text:
        return [], []
    text = normalize_characters(text)
    found: dict[str, tuple[int, Registration]] = {}
    warnings: list[str] = []

    def add(reg: Registration, start: int) -> None:
        if reg.number not in found or start < found[reg.number][0]:
            found[reg.number] = (start, reg)

    for candidate in _KZ_PERMIT_LIKE.finditer(text):
        match = KZ_PERMIT.fullmatch(_ascii(candidate.group(0)))
        if match is None:
            continue
        if match["code"] == "VPY":
            add(
                _make(text, candidate.start(), candidate.end(), match.group(0), "KZ", "media"),
                candidate.start(),
            )
        else:
            warnings.append(
                f"{match.group(0)} is a Kazakhstan permit ({match['code']}), "
                "not a media registration: not taken"
            )
    for match in RU_MEDIA.finditer(text):
        prefix = match["kind"] or match["kind2"]
        prefix = "Эл" if prefix and prefix.lower() == "эл" else prefix
        number = (
            f"{prefix + ' ' if prefix else ''}№ {match['series']}"
            f"{_ascii(match['region'])}-{_ascii(match['num'])}"
        )
        kind = _RU_KINDS.get(prefix or "", "media")
        add(_make(text, match.start(), match.end(), number, "RU", kind), match.start())
    for match in KZ_LEGACY.finditer(text):
        if _has_context(text, match.start()):
            number = f"{_ascii(match['num'])}-{match['kind']}"
            kind = _LEGACY_KINDS[match["kind"]]
            add(_make(text, match.start(), match.end(), number, "KZ", kind), match.start())
    for match in UA_MEDIA_ID.finditer(text):
        if _has_context(text, match.start()):
            number = _ascii(match.group(0)).replace("\u2013", "-").replace("\u2014", "-")
            add(_make(text, match.start(), match.end(), number, "UA", "media"), match.start())
    return [reg for _, reg in sorted(found.values(), key=lambda pair: pair[0])], warnings
