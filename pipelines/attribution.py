"""The source an article credits: "сообщает Primeminister.kz", "деп жазады Tengrinews.kz".

Russian puts the verb before the source, Kazakh after it. The outlet's own name
("передает NUR.KZ" on nur.kz) is a signature, not a source, and is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_DOMAIN = r"[\w-]+(?:\.[\w-]+)*\.(?:kz|ru|com|net|org|uz|kg|by|info|media|news|tv)(?![\w])"
_QUOTED = r"«[^»\n]{2,80}»|\"[^\"\n]{2,80}\"|“[^”\n]{2,80}”"
# Capitalised words on one line; a dot only inside a word ("Kazinform.kz"), never the
# full stop after it.
_CAP_WORD = rf"[{_UPPER}][\w&'-]*(?:\.[\w&'-]+)*"
_CAPITALISED = rf"{_CAP_WORD}(?:[ \t]+{_CAP_WORD}){{0,3}}"
# Institutions keep their lower-case genitive tail: "Министерства здравоохранения РК".
_INSTITUTION = (
    r"(?:Министерств|Агентств|Бюро|Комитет|Департамент|Управлени|Служб|Акимат|акимат|"
    r"Правительств|Генпрокуратур|Прокуратур|Верховн|Национальн|Пресс-служб|пресс-служб)"
    r"\w*(?:[ \t]+(?!из\b|в\b|на\b|о\b|об\b|со?\b|и\b|что\b)[\w«»-]+){0,5}"
)
NAME = rf"(?:{_QUOTED}|{_DOMAIN}|{_INSTITUTION}|{_CAPITALISED})"
_ROLE = (
    r"(?:(?:собственный\s+)?корреспондент(?:а|ы)?|пресс-служба|издание|агентство|сайт|портал|"
    r"газета|телеканал|Telegram-канал|телеграм-канал|информационное\s+агентство)\s+"
)
_RU_VERB = (
    r"(?i:сообщает|сообщают|сообщил[аи]?|передает|передаёт|пишет|информирует|отмечает|"
    r"уточняет|заявили\s+в|сообщили\s+в|рассказали\s+в)"
)

# Each pattern with words that must occur for it to match: most texts skip most patterns,
# which matters because the name-first (Kazakh) patterns try every capitalised word.
_PATTERNS: list[tuple[tuple[str, ...], re.Pattern[str]]] = [
    (
        (
            "сообщ",
            "переда",
            "пишет",
            "информирует",
            "отмечает",
            "уточняет",
            "заявили",
            "рассказали",
        ),
        re.compile(rf"(?<!\w)(?P<phrase>{_RU_VERB}\s+(?:{_ROLE})?(?P<name>{NAME}))"),
    ),
    (
        ("ссылкой", "по данным", "по информации", "по сообщению", "источник", "сообщается в"),
        re.compile(
            rf"(?P<phrase>(?:[Сс]о\s+ссылкой\s+на|[Пп]о\s+данным|[Пп]о\s+информации|"
            rf"[Пп]о\s+сообщению|[Ии]сточник:|сообщается\s+в|сообщается\s+на)\s+"
            rf"(?:(?:Telegram|телеграм)-канале\s+|пресс-службе\s+|(?:официальном\s+)?сайте\s+)?"
            rf"(?P<name>{NAME}))"
        ),
    ),
    # A quote followed by "- сообщили в агентстве": the noun may be lower case here.
    (
        ("сообщили в", "рассказали в", "пояснили в", "отметили в", "заявили в"),
        re.compile(
            r"[»\"”]\s*[,.]?\s*[-–—]\s*(?P<phrase>(?:сообщили|рассказали|пояснили|отметили|"
            r"заявили)\s+в\s+(?P<name>[\w«»-]+(?:\s+[\w«»-]+){0,3}?))(?=[.,;\n]|$)"
        ),
    ),
    (
        ("деп ",),
        re.compile(
            rf"(?P<phrase>деп\s+(?:хабарлайды|жазады|хабарлады|мәлімдеді)\s+(?P<name>{NAME}))"
        ),
    ),
    (
        ("хабарлайды",),
        re.compile(
            rf"(?P<phrase>(?P<name>{NAME})\s+(?:тілшісі\s+|баспасөз\s+қызметі\s+|сайты\s+|"
            r"ақпарат\s+агенттігі\s+)?хабарлайды)"
        ),
    ),
    (
        ("мәліметінше", "сілтеме"),
        re.compile(rf"(?P<phrase>(?P<name>{NAME})\s+(?:мәліметінше|сайтына\s+сілтеме\s+жасап))"),
    ),
    (
        ("according",),
        re.compile(rf"(?P<phrase>[Aa]ccording\s+to\s+(?P<name>{NAME}))"),
    ),
    # "..., Kazinform reports." English puts the outlet before the verb; only a one-word
    # outlet name at the end of a sentence counts ("the Minister of Transport reported
    # that" is not an attribution).
    (
        ("reports", "reported"),
        re.compile(
            rf"(?P<phrase>(?P<name>{_DOMAIN}|[A-Z][\w-]+)\s+(?:reports|reported))(?=[.;]|$)"
        ),
    ),
]
_TRAILING = " .,;:!?\"'»«“”"
_NOT_NAMES = {"бұл", "об", "этом", "как", "также", "ранее", "the", "this", "it", "news", "media"}


@dataclass(frozen=True)
class Source:
    name: str
    phrase: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "phrase": self.phrase}


def _key(name: str) -> str:
    return re.sub(r"[^\w]", "", name.casefold().removeprefix("www."))


def _strip_name(name: str) -> str:
    name = name.strip(_TRAILING)
    return name.strip()


def find_source(text: str | None, own_names: Iterable[str] = ()) -> Source | None:
    """The first source the text credits that is not the outlet itself, or None."""
    if not text:
        return None
    own = set()
    for name in own_names:
        if name:
            own.add(_key(name))
            own.add(_key(name.split(".")[0]))  # "nur.kz" also names "NUR"
    best: tuple[int, Source] | None = None
    lowered = text.lower()
    for keywords, pattern in _PATTERNS:
        if not any(word in lowered for word in keywords):
            continue
        for match in pattern.finditer(text):
            name = _strip_name(match["name"])
            if not name or name.casefold() in _NOT_NAMES or _key(name) in own:
                continue
            phrase = match["phrase"].rstrip(" .,;:!?")
            if best is None or match.start() < best[0]:
                best = (match.start(), Source(name=name, phrase=phrase))
            break
    return best[1] if best else None
