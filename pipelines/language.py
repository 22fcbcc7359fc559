"""The language of a text (ru, kk or en), from its letters, never from the markup.

Kazakh Cyrillic has nine letters Russian lacks (ә ғ қ ң ө ұ ү һ і); a Kazakh text uses
them in most sentences, while a Russian text quoting a Kazakh name has only a few.
"""

from __future__ import annotations

import re

_CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
_KAZAKH_ONLY = re.compile(r"[әғқңөұүһі]", re.IGNORECASE)
# Share of Kazakh-only letters among Cyrillic ones: Kazakh prose runs at 5-9%,
# Russian prose with Kazakh names and places stays well under 1%.
_KAZAKH_SHARE = 0.02
_SAMPLE_CHARS = 20_000


def detect_language(text: str | None) -> str | None:
    """`ru`, `kk` or `en` for a text with at least a few words of letters, else None."""
    if not text:
        return None
    sample = text[:_SAMPLE_CHARS]
    cyrillic = len(_CYRILLIC.findall(sample))
    latin = len(_LATIN.findall(sample))
    if cyrillic + latin < 20:
        return None
    if latin > cyrillic:
        return "en"
    kazakh = len(_KAZAKH_ONLY.findall(sample))
    return "kk" if kazakh / cyrillic >= _KAZAKH_SHARE else "ru"
