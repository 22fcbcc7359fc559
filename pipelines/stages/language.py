"""The language of a text (ru, kk or en), from its letters, never from the markup.

Kazakh Cyrillic has nine letters Russian lacks (ә ғ қ ң ө ұ ү һ і). In Kazakh prose
about half the words hold one; in Russian prose only the Kazakh names and places do.
"""

from __future__ import annotations

import re

_CYRILLIC_WORD = re.compile(r"[а-яёәғқңөұүһі]{2,}", re.IGNORECASE)
_LATIN_WORD = re.compile(r"[a-z]{2,}", re.IGNORECASE)
_KAZAKH_ONLY = re.compile(r"[әғқңөұүһі]", re.IGNORECASE)
# Share of Cyrillic words with a Kazakh-only letter above which the text is Kazakh:
# 0.58 on the Kazakh fixture, 0.0 on the Russian ones; a Russian paragraph crowded with
# Kazakh names (tests) reaches about 0.2.
_KAZAKH_WORD_SHARE = 0.25
_SAMPLE_CHARS = 20_000
_MIN_WORDS = 4


def detect_language(text: str | None) -> str | None:
    """`ru`, `kk` or `en` for a text of at least a few words, else None."""
    if not text:
        return None
    sample = text[:_SAMPLE_CHARS]
    cyrillic = _CYRILLIC_WORD.findall(sample)
    latin = _LATIN_WORD.findall(sample)
    if len(cyrillic) + len(latin) < _MIN_WORDS:
        return None
    if len(latin) > len(cyrillic):
        return "en"
    kazakh = sum(1 for word in cyrillic if _KAZAKH_ONLY.search(word))
    return "kk" if kazakh / len(cyrillic) >= _KAZAKH_WORD_SHARE else "ru"
