"""Text cleaning for Russian, Kazakh and English news text.

Every function here is idempotent: cleaning cleaned text changes nothing. That lets
the store compare a re-fetched body with the stored one and lets `newsbot reprocess`
run the chain again without drifting.
"""

from __future__ import annotations

import html
import re
import unicodedata

import ftfy

# Spaces that must become a plain space before any number or regex work ("1 000").
_SPACE_LIKE = re.compile(r"[\u00a0\u2007\u202f\u2009\u200a\u2002-\u2006\u3000]")
# Invisible characters that split words for regexes and deduplication.
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_HORIZONTAL_SPACE = re.compile(r"[ \t\f\v]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Letters only Kazakh Cyrillic has: a token holding one is Kazakh, not Russian.
_KAZAKH_ONLY = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_LATIN_HIGH = re.compile(r"[\u00c0-\u00ff]")
_LETTER = re.compile(r"[^\W\d_]")

# Latin letters drawn like Cyrillic ones; typists and OCR mix them into Cyrillic words.
_LOOKALIKES = str.maketrans(
    "aceopxyABCEHKMOPTX",
    "асеорхуАВСЕНКМОРТХ",
)
# Kazakh і and һ look like Latin i and h; only in Kazakh text may i/h be repaired
# (Russian has neither letter, so a Russian word never needs it).
_KAZAKH_LOOKALIKES = str.maketrans("iIh", "іІһ")
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
# Characters that mojibake leaves behind: Latin-1 letters and symbols (UTF-8 read as
# cp1252/Latin-1), or "Р"/"С" before cp1251 punctuation and Serbian letters (UTF-8 read
# as cp1251). Clean text rarely has them, so ftfy, the slow part, runs only then.
# « » © ° ± · § and NBSP are common in clean Russian text and do not count.
_MOJIBAKE_HINT = re.compile(
    r"[\u0080-\u00a6\u00a8\u00aa\u00ac\u00af\u00b2-\u00b6\u00b8-\u00ba\u00bc-\u00ff]"
    r"|[РС][\u0402-\u040f\u0452-\u045f\u2018-\u203a]"
)


def unescape_entities(text: str) -> str:
    """Undo HTML entities, also double-escaped ones (`&amp;quot;`), until nothing changes."""
    for _ in range(3):
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    return text


def repair_cp1251_read_as_latin1(text: str) -> str:
    """Repair cp1251 bytes that were decoded as Latin-1 (`Ãëàâíûé` -> `Главный`).

    ftfy does not repair this one (python-ftfy issue #28). Only text without any
    Cyrillic and with many U+00C0-U+00FF letters qualifies, so real French or German
    text with a few accents is left alone.
    """
    if _CYRILLIC.search(text) or not _LATIN_HIGH.search(text):
        return text
    letters = _LETTER.findall(text)
    if len(letters) < 4:
        return text
    high = len(_LATIN_HIGH.findall(text))
    if high / len(letters) < 0.5:
        return text
    try:
        return text.encode("cp1252").decode("cp1251")
    except UnicodeError:
        try:
            return text.encode("latin-1").decode("cp1251")
        except UnicodeError:
            return text


def _repair_word(word: str, kazakh_text: bool) -> str:
    if not _CYRILLIC.search(word):
        return word
    latin = sum(1 for ch in word if "a" <= ch.lower() <= "z")
    if latin == 0 or latin * 2 >= len(word):
        # All Cyrillic already, or mostly Latin (a brand like "KazMunayGas"): keep.
        return word
    repaired = word.translate(_LOOKALIKES)
    if kazakh_text or _KAZAKH_ONLY.search(repaired):
        repaired = repaired.translate(_KAZAKH_LOOKALIKES)
    return repaired


def repair_lookalikes(text: str) -> str:
    """Replace Latin look-alike letters inside mostly Cyrillic words with Cyrillic ones."""
    if not (_CYRILLIC.search(text) and _LATIN_LETTER.search(text)):
        return text
    kazakh_text = _KAZAKH_ONLY.search(text) is not None
    return _WORD.sub(lambda m: _repair_word(m.group(0), kazakh_text), text)


def normalize_characters(text: str) -> str:
    """Entities, mojibake, invisible characters, look-alikes and NFC; keeps line breaks.

    NFC, never NFKC: NFKC turns `№` into `No` and breaks registration numbers.
    """
    text = unescape_entities(text)
    # Line breaks first: ftfy judges mojibake line by line, and a lone \r is no line
    # break to it, so a later pass over the same text would see other lines.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Invisible characters (a soft hyphen inside "Ã€") hide mojibake from ftfy; they go
    # before it too, or a second pass, finding them gone, repairs what the first did not.
    text = _INVISIBLE.sub("", text)
    if _MOJIBAKE_HINT.search(text):
        text = ftfy.fix_text(
            text,
            unescape_html=False,
            uncurl_quotes=False,  # stored text keeps its “quotes”; only match keys fold them
            normalization="NFC",
        )
    # After ftfy, whose own repairs (C1 controls to cp1252 letters) can create the
    # Latin-1 look this step keys on: run it before ftfy and a second pass differs.
    text = repair_cp1251_read_as_latin1(text)
    text = _SPACE_LIKE.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    text = repair_lookalikes(text)
    return unicodedata.normalize("NFC", text)


def clean_line(text: str | None) -> str | None:
    """Clean a one-line field (title, author, section): all whitespace becomes one space.

    Returns None for None and for text that is empty once cleaned.
    """
    if text is None:
        return None
    cleaned = " ".join(normalize_characters(text).split())
    # Joining lines can make mojibake of what was two lines ("Â" + line break + "0"
    # becomes "Â 0", a broken no-break space): clean until nothing changes.
    for _ in range(2):
        if not _MOJIBAKE_HINT.search(cleaned):
            break
        again = " ".join(normalize_characters(cleaned).split())
        if again == cleaned:
            break
        cleaned = again
    return cleaned or None


def clean_paragraphs(text: str | None) -> str | None:
    """Clean a multi-paragraph field: paragraphs are separated by exactly one blank line."""
    if text is None:
        return None
    cleaned = tidy_paragraphs(normalize_characters(text))
    # ftfy's repairs can leave text that a second look repairs further (a no-break space
    # before "À\x86" hid it the first time; a tab between "Â" and "0" became the space
    # that makes "Â " a broken no-break space): like clean_line, clean until nothing changes.
    for _ in range(3):
        if cleaned is None or not _MOJIBAKE_HINT.search(cleaned):
            break
        again = tidy_paragraphs(normalize_characters(cleaned))
        if again == cleaned:
            break
        cleaned = again
    return cleaned


def tidy_paragraphs(text: str) -> str | None:
    """Whitespace and paragraph breaks only, for text already through normalize_characters."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = [_HORIZONTAL_SPACE.sub(" ", line).strip() for line in block.split("\n")]
        joined = "\n".join(line for line in lines if line)
        if joined:
            paragraphs.append(joined)
    cleaned = _MANY_BLANK_LINES.sub("\n\n", "\n\n".join(paragraphs))
    return cleaned or None
