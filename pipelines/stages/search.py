"""Full-text search that finds word forms: «налог» finds «налоги», «налогов».

SQLite's own tokenizers know no Russian morphology, so newsbot stems the text itself
(Snowball: Russian for Cyrillic words, English for Latin ones) into a second FTS5 table,
`articles_stems`, and stems the query the same way. Kazakh has no Snowball stemmer; its
words go through the Russian one, which strips few of their endings but does so the same
way on both sides, so an exact word form still finds itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"\w+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
_RUSSIAN = snowballstemmer.stemmer("russian")
_ENGLISH = snowballstemmer.stemmer("english")


# Snowball cuts some nouns unevenly (Казахстан -> казахста, Казахстане -> казахстан), so
# a long stem also matches as a prefix. Short stems match exactly: мир must not find
# мировой, налог must not find налоговый.
PREFIX_FROM = 6


class QueryError(ValueError):
    """A search query with nothing to search for, or unbalanced syntax."""


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem of one word, lower-cased; ё and е are one letter in search."""
    word = word.lower().replace("ё", "е")
    if _CYRILLIC.search(word):
        return str(_RUSSIAN.stemWord(word))
    if _LATIN.search(word):
        return str(_ENGLISH.stemWord(word))
    return word


def stem_text(text: str | None) -> str:
    """Every word of a text replaced by its stem, joined by spaces (what is indexed)."""
    if not text:
        return ""
    return " ".join(stem(word) for word in _WORD.findall(text))


def stems_row(title: str | None, lead: str | None, body: str | None) -> dict[str, str]:
    return {"title": stem_text(title), "lead": stem_text(lead), "body": stem_text(body)}


# A query: words (all must occur), "exact phrases", OR, NOT, AND, parentheses, and a
# trailing * for a prefix. Everything else (FTS5 column filters, NEAR) is read as words.
_QUERY_TOKEN = re.compile(r'"([^"]*)"|(\()|(\))|(\w+\*?)', re.UNICODE)
_OPERATORS = {"OR", "AND", "NOT"}


def _quoted(stems: Iterable[str]) -> str:
    return '"' + " ".join(stems) + '"'


def stemmed_query(query: str) -> str:
    """Translate what a user typed into an FTS5 query over the stemmed table."""
    if query.count('"') % 2:
        raise QueryError(f"{query!r}: a quotation mark is not closed")
    parts: list[str] = []
    depth = 0
    for phrase, opening, closing, word in (m.groups() for m in _QUERY_TOKEN.finditer(query)):
        if phrase is not None:
            stems = [stem(w) for w in _WORD.findall(phrase)]
            if stems:
                parts.append(_quoted(stems))
        elif opening:
            depth += 1
            parts.append("(")
        elif closing:
            depth -= 1
            if depth < 0:
                raise QueryError(f"{query!r}: a parenthesis is closed but never opened")
            parts.append(")")
        elif word in _OPERATORS:
            parts.append(word)
        else:
            stemmed = stem(word.rstrip("*"))
            prefix = word.endswith("*") or len(stemmed) >= PREFIX_FROM
            parts.append(_quoted([stemmed]) + (" *" if prefix else ""))
    if depth:
        raise QueryError(f"{query!r}: a parenthesis is opened but never closed")
    if not any(part.startswith('"') for part in parts):
        raise QueryError(f"{query!r}: no words to search for")
    return " ".join(parts)
