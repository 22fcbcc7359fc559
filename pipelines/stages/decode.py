"""Bytes to text: honour the declared charset, detect a missing or wrong one.

Old .kz and .ru sites declare windows-1251 and serve UTF-8, or declare nothing and
serve cp1251 or KOI8-R. w3lib decodes the way Scrapy does (HTTP header, BOM, <meta>);
when that text looks wrong, charset-normalizer and the usual Cyrillic encodings compete
and the most plausible text wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from charset_normalizer import from_bytes
from w3lib.encoding import html_to_unicode

_CANDIDATES = ("utf-8", "cp1251", "koi8-r")
_SAMPLE_BYTES = 200_000
_WORD = re.compile(r"[^\W\d_]{3,}")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
# How properly written Cyrillic words look: lower case, or capitalised, or short capitals.
_PROPER_CYRILLIC = re.compile(
    r"[а-яёәғқңөұүһі]+|[А-ЯЁӘҒҚҢӨҰҮҺІ][а-яёәғқңөұүһі]+|[А-ЯЁӘҒҚҢӨҰҮҺІ]{2,6}"
)
_LATIN1_LETTERS = re.compile(r"[\u00c0-\u00ff]")
_UTF8_AS_LATIN1 = re.compile(r"[ÃÂÐÑ][\u0080-\u00bf]")


@dataclass
class DecodedPage:
    text: str
    encoding: str | None
    warnings: list[str] = field(default_factory=list)


def _bad_latin(word: str) -> bool:
    """cp1251 read as Latin-1 ("Ãëàâíûé": mostly U+00C0-U+00FF) or UTF-8 read as
    Latin-1 ("Ã©"); real accented words ("opiniões", "Bedürfnisse") are neither."""
    if _UTF8_AS_LATIN1.search(word):
        return True
    return len(_LATIN1_LETTERS.findall(word)) * 2 > len(word)


def plausibility(text: str) -> tuple[int, int]:
    """(good, bad) word counts. Bad words are mixed-case Cyrillic (KOI8-R read as cp1251),
    words mixing Latin and Cyrillic, Latin-1 mojibake, and replacement characters."""
    good, bad = 0, 5 * text.count("\ufffd")
    for word in _WORD.findall(text):
        cyrillic = _CYRILLIC_WORD.search(word)
        if cyrillic and cyrillic.group(0) == word:
            if _PROPER_CYRILLIC.fullmatch(word):
                good += 1
            else:
                bad += 1
        elif cyrillic or _bad_latin(word):
            bad += 1
        else:
            good += 1
    return good, bad


_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32)])


def looks_binary(body: bytes) -> bool:
    """Images, archives and the like: text in any encoding has almost no control bytes."""
    head = body[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 with a BOM has NUL bytes by design
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > len(head) // 50 + 1


def decode_page(body: bytes, declared_charset: str | None = None) -> DecodedPage:
    """Decode a fetched page; warnings say when the declared charset was wrong."""
    if not body or not body.strip():
        return DecodedPage("", None, ["empty page"])
    if looks_binary(body):
        return DecodedPage("", None, ["not a text page: binary content"])
    header = f"text/html; charset={declared_charset}" if declared_charset else None
    encoding, text = html_to_unicode(header, body)
    if encoding.replace("-", "").replace("_", "").lower() == "utf8" and "\ufffd" not in text:
        # Non-UTF-8 Cyrillic bytes almost never decode as valid UTF-8: trust it.
        return DecodedPage(text, encoding)
    good, bad = plausibility(text[:_SAMPLE_BYTES])
    # Real pages have a few odd words (names, French accents); mojibake has many.
    if bad <= good // 50:
        return DecodedPage(text, encoding)

    best = (good - 3 * bad, encoding, text)
    guesses = list(_CANDIDATES)
    detected = from_bytes(body[:_SAMPLE_BYTES]).best()
    if detected is not None and detected.encoding not in guesses:
        guesses.insert(0, detected.encoding)
    for guess in guesses:
        try:
            candidate = body.decode(guess)
        except (UnicodeDecodeError, LookupError):
            continue
        good, bad = plausibility(candidate[:_SAMPLE_BYTES])
        score = good - 3 * bad
        if score > best[0]:
            best = (score, guess, candidate)
    warnings = []
    if best[1] != encoding:
        warnings.append(f"charset: declared or guessed {encoding}, decoded as {best[1]}")
    return DecodedPage(best[2], best[1], warnings)
