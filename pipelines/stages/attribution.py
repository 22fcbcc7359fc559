"""The source an article credits: "сообщает Primeminister.kz", "деп жазады Tengrinews.kz".

Russian puts the verb before the source, Kazakh mostly after it ("ҚазАқпараттың
мәліметінше", "министрлік хабарлады"). The source is the whole noun phrase
("АО «КазМунайГаз»", "пресс-служба городского акимата"); `phrase` keeps it as printed
and `name` gives it in the nominative where the change is regular ("в Министерстве
энергетики" -> "Министерство энергетики"; "в городском акимате" stays, since the
masculine adjective's ending cannot be told from its printed form). The outlet's own
name in any case ("передает корреспондент «Вечерней Астаны»" on «Вечерняя Астана")
is a signature, not a source. A quoted person ("«...», — сообщил Трамп") is a speaker,
not a source: sources are publications, agencies, press offices and institutions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipelines.stages.search import stem

_UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_DOMAIN = r"[\w-]+(?:\.[\w-]+)*\.(?:kz|ru|com|net|org|uz|kg|by|info|media|news|tv)(?![\w])"
# One level of nesting: «Национальная компания «КазМунайГаз»».
_QUOTED = r"«(?:[^«»\n]|«[^«»\n]*»){2,80}»|\"[^\"\n]{2,80}\"|“[^”\n]{2,80}”"
_ORG_FORM = r"(?:АО|ТОО|ОАО|ЗАО|ПАО|ООО|НАО|РГП|ГКП|КГП|КГУ|РГУ|ГУ|ОЮЛ|ОФ|ОО|LLP|JSC|LLC)"
# A token of a name: a quoted name, a domain, or a word (a dot only inside a word:
# "Kazinform.kz", never the full stop after it).
_TOKEN = re.compile(rf"(?P<tok>{_QUOTED}|{_DOMAIN}|[\w&'’-]+(?:\.[\w&'-]+)*)(?P<gap>[ \t\u00a0]*)")

# Head nouns of institutions, with the ending that makes each one nominative.
_HEADS = {
    "министерств": "о", "агентств": "о", "правительств": "о", "ведомств": "о",
    "управлени": "е", "бюро": "",
    "комитет": "", "департамент": "", "акимат": "", "банк": "", "суд": "", "фонд": "",
    "институт": "", "университет": "", "центр": "", "совет": "", "мажилис": "",
    "сенат": "", "парламент": "", "маслихат": "",
    "служб": "а", "пресс-служб": "а", "прокуратур": "а", "генпрокуратур": "а", "палат": "а",
    "полици": "я", "ассоциаци": "я", "администраци": "я", "инспекци": "я", "дирекци": "я",
    "компани": "я", "корпораци": "я",
}  # fmt: skip
_GENDER = {"о": "n", "е": "n", "": "m", "а": "f", "я": "f"}
# Case endings each kind of head takes; anything else ("Советник") is another word.
_HEAD_ENDINGS = {
    "о": {"о", "а", "у", "ом", "е"},
    "е": {"е", "я", "ю", "ем", "и"},
    "": {"", "а", "у", "ом", "е"},
    "а": {"а", "ы", "е", "у", "ой", "и"},
    "я": {"я", "и", "ю", "ей"},
}
_HEAD = re.compile(
    r"(?i)^(?P<stem>" + "|".join(sorted(_HEADS, key=len, reverse=True)) + r")(?P<end>\w*)$"
)
_ADJECTIVE = re.compile(
    r"(?i)^(?P<stem>\w+?)(?P<end>ого|его|ому|ему|ым|им|ом|ем|ой|ей|ую|юю|ая|яя|ое|ее|ый|ий)$"
)
# Words that end a name read forward ("в", "что", "на сайте").
_STOP = {
    "в", "во", "на", "о", "об", "что", "из", "с", "со", "для", "к", "ко", "при", "за", "от",
    "после", "это", "этом", "который", "которая", "которое", "также", "уже", "сегодня",
    "вчера", "а", "но", "же", "ли", "не", "the", "that", "on", "in",
}  # fmt: skip
_VERB_END = re.compile(r"(?:ет|ют|ит|ат|ят|ла|ли|ло|ал|ил|ел|ется|ются|ться|ать|ить)$")
_LOWER_GENITIVE = re.compile(
    r"^[а-яё-]+(?:ого|его|ых|их|ой|ей|ов|ев|ии|ия|ства|ения|ания|ости|ации|ции|а|я|ы|и)$"
)
_DATIVE = re.compile(r"^[а-яё-]+(?:ам|ям|ым|им|ому|ему|ию|ии|ой|ей|е|у|ю)$")
_SURNAME = re.compile(
    r"(?:ов|ев|ёв|ин|ын|ова|ева|ина|ына|ский|ская|цкий|цкая|енко|ук|юк|ян|дзе|швили|"
    r"ович|евич|овна|евна|ұлы|қызы|баев|баева)$"
)
_ROLE = re.compile(
    r"(?:(?:собственный\s+)?корреспондент(?:а|ы)?\s+)?"
    r"(?:(?:информационн(?:ое|ого)\s+)?(?:издани|агентств|сайт|портал|газет|телеканал|"
    r"Telegram-канал|телеграм-канал)\w{0,2}\s+)?"
)
_RU_VERB = (
    r"(?i:(?:заявили|сообщили|рассказали)\s+в|сообщает|сообщают|сообщил[аи]?|передает|"
    r"передаёт|пишет|информирует|отмечает|уточняет)"
)
_QUOTE_DASH = re.compile(r"[»\"”]\s*[,.!?]?\s*[-–—]\s*$")

# Kazakh: case endings, the words that close a name read backwards, institution heads.
_KK_GENITIVE = re.compile(r"(?i)[-'’]?(?:ның|нің|дың|дің|тың|тің)$")
_KK_CASE_END = re.compile(
    r"(?:ға|ге|қа|ке|на|не|да|де|та|те|ын|ін|нда|нде|дан|ден|тан|тен|нан|нен|ны|ні|ды|ді|ты|ті|"
    r"мен|бен|пен|ған|ген|қан|кен|ып|іп|п)$"
)
_KK_BOUNDARY = re.compile(r"[,;:!?()—–\n]|\.(?!\w)")
_KK_WORD = re.compile(rf"{_QUOTED}|{_DOMAIN}(?:[-'’]\w+)?|[\w'’-]+(?:\.[\w'’-]+)*")
# A capitalised word in a place case opens the sentence ("Астанада ..."), not a name.
_KK_PLACE_CASE = re.compile(r"\w{3,}(?:ға|ге|қа|ке|да|де|та|те)$")
_KK_STOP = {
    "бұл", "туралы", "осы", "деп", "ал", "алайда", "сондай-ақ", "сонымен", "қатар",
    "ресми", "бойынша", "сәйкес", "ретінде", "және", "мен", "да", "де", "та", "те",
}  # fmt: skip
_KK_HEAD = re.compile(
    r"(?i)(?:министрлі|агенттіг|комитет|әкімдіг|қызмет|департамент|басқарма|палата|"
    r"мәжіліс|сенат|парламент|соты|банк|қоры|институт|университет|орталығ|кеңес|полиция|"
    r"прокуратура|компания|корпорация|бюро)"
)
_KK_ROLE = re.compile(r"(?i)\s+(?:тілшіс\w*|сайты|порталы)$")
_NAME_WORDS_MAX = 8


@dataclass(frozen=True)
class Source:
    name: str
    phrase: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "phrase": self.phrase}


def _is_capitalised(word: str) -> bool:
    return bool(re.match(rf"[{_UPPER}0-9«\"“]", word))


def _nominative_adjective(word: str, gender: str) -> str | None:
    match = _ADJECTIVE.match(word)
    if match is None:
        return None
    stem_, end = match["stem"], match["end"].lower()
    soft = end[0] in "еюя" or end in {"им", "ий"}
    if gender == "n":
        return stem_ + ("ее" if soft else "ое")
    if gender == "f":
        return stem_ + ("яя" if soft else "ая")
    # Masculine: "-ском" is -ский or -ской (казахстанский, городской): not regular.
    if stem_[-1:].lower() in "кгхжшчщ":
        return None
    return stem_ + ("ий" if soft else "ый")


def _head(word: str) -> tuple[str, str] | None:
    """(stem, nominative ending) of an institution's head noun in any case, else None."""
    match = _HEAD.match(word)
    if match is None:
        return None
    nominative_end = _HEADS[match["stem"].lower()]
    if match["end"].lower() not in _HEAD_ENDINGS[nominative_end]:
        return None
    return match["stem"], nominative_end


def _nominative(words: list[str], head_index: int) -> list[str]:
    """The words with the head noun and the adjectives before it made nominative; the
    words as printed when the change is not regular."""
    found = _head(words[head_index])
    if found is None:
        return words
    stem_, nominative_end = found
    head = stem_ + nominative_end
    adjectives = []
    for word in words[:head_index]:
        adjective = _nominative_adjective(word, _GENDER[nominative_end])
        if adjective is None:
            return words
        adjectives.append(adjective)
    return [*adjectives, head, *words[head_index + 1 :]]


def _tokens(text: str, pos: int) -> list[tuple[str, int]]:
    """Tokens of a name from pos to the end of its clause: (token, end offset)."""
    found = []
    for match in _TOKEN.finditer(text, pos):
        if match.start() != pos:
            break
        found.append((match["tok"], match.end("tok")))
        if not match["gap"] or len(found) > _NAME_WORDS_MAX + 4:
            break
        pos = match.end()
    return found


def _read_ru_name(text: str, pos: int) -> tuple[str, int] | None:
    """The name that starts at pos (nominative where regular) and where it ends."""
    tokens = _tokens(text, pos)
    if not tokens:
        return None
    words = [token for token, _ in tokens]
    first = words[0]
    if re.fullmatch(_ORG_FORM, first) and len(words) > 1 and words[1][0] in '«"“':
        return f"{first} {words[1]}", tokens[1][1]
    if first[0] in '«"“':
        return first[1:-1].strip(), tokens[0][1]
    if re.fullmatch(_DOMAIN, first):
        return first, tokens[0][1]
    # An institution: adjectives, the head noun, then its genitive tail.
    head_index = next((i for i, word in enumerate(words[:3]) if _head(word)), None)
    if head_index is not None and all(_ADJECTIVE.match(w) for w in words[:head_index]):
        end = head_index + 1
        while end < len(words) and end < _NAME_WORDS_MAX:
            word = words[end]
            lower = word.lower()
            if lower in _STOP or (_VERB_END.search(lower) and not _is_capitalised(word)):
                break
            if lower == "по" and end + 1 < len(words) and _DATIVE.match(words[end + 1].lower()):
                # "Комитет по чрезвычайным ситуациям": the dative phrase belongs to it.
                end += 2
                while end < len(words) and _DATIVE.match(words[end].lower()):
                    end += 1
                continue
            if lower == "и" and end + 1 < len(words):
                following = words[end + 1]
                if _LOWER_GENITIVE.match(following.lower()) and not _VERB_END.search(
                    following.lower()
                ):
                    end += 2
                    continue
                break
            if _is_capitalised(word) or _LOWER_GENITIVE.match(lower) or word[0] in '«"“':
                end += 1
                continue
            break
        name_words = _nominative(words[:end], head_index)
        return " ".join(name_words), tokens[end - 1][1]
    # Capitalised words: "Kazinform", "РИА Новости", "МВД РК".
    end = 0
    while end < min(len(words), 4) and _is_capitalised(words[end]) and words[end][0] not in '«"“':
        end += 1
    if end == 0:
        return None
    return " ".join(words[:end]), tokens[end - 1][1]


def _looks_like_person(name: str, after_quote: bool) -> bool:
    words = name.split()
    if not words or re.fullmatch(_DOMAIN, words[0]):
        return False
    if any(_head(word) or _KK_HEAD.search(word) for word in words):
        return False
    if any(word[0] in '«"“' for word in words):
        return False
    organisation_like = any(
        sum(1 for char in word if char.isupper()) >= 2 or re.search(r"[A-Za-z]", word)
        for word in words
    )
    if after_quote:
        # A speaker after a quote: only an agency-like name (acronym, Latin brand) counts.
        return not organisation_like
    if organisation_like:
        return False
    return bool(_SURNAME.search(words[-1].lower())) and len(words) <= 3


def _read_kk_name_before(text: str, pos: int) -> tuple[str, int] | None:
    """The Kazakh name that ends right before pos, read leftwards: (name, start)."""
    boundaries = list(_KK_BOUNDARY.finditer(text, max(0, pos - 300), pos))
    segment_start = boundaries[-1].end() if boundaries else max(0, pos - 300)
    words = list(_KK_WORD.finditer(text[segment_start:pos]))
    if not words:
        return None
    head = words[-1].group(0)
    # Only a head with its possessive ending ("министрлігі", "басқармасы") closes a
    # compound name that runs on in lower case; a bare "министрлік" is a common noun.
    institutional = _KK_HEAD.search(head) is not None and bool(
        re.search(r"[ыі]$", _KK_GENITIVE.sub("", head))
    )
    taken = [words[-1]]
    for match in reversed(words[:-1]):
        word = match.group(0)
        lower = word.lower()
        if lower in _KK_STOP or len(taken) >= _NAME_WORDS_MAX - 2 or word.isdigit():
            break
        name_word = _is_capitalised(word) and not _KK_PLACE_CASE.search(lower)
        # An institution's name runs on in lower case: "облыстық денсаулық сақтау басқармасы".
        tail_word = institutional and (
            _KK_GENITIVE.search(lower) is not None or not _KK_CASE_END.search(lower)
        )
        if not (name_word or tail_word):
            break
        taken.append(match)
    start = segment_start + taken[-1].start()
    name = text[start : segment_start + words[-1].end()]
    return " ".join(name.split()), start


def _clean_kk(name: str, genitive: bool) -> str:
    if genitive:
        name = _KK_GENITIVE.sub("", name)
    name = _KK_ROLE.sub("", name)
    if name[:1] in '«"“' and name[-1:] in '»"”' and name.count("«") <= 1:
        name = name[1:-1]
    return name.strip()


_RU_PATTERNS: list[tuple[tuple[str, ...], re.Pattern[str]]] = [
    (
        ("сообщ", "переда", "пишет", "информирует", "отмечает", "уточняет", "заявили",
         "рассказали"),
        re.compile(rf"(?<!\w){_RU_VERB}\s+(?P<role>{_ROLE.pattern})"),
    ),
    (
        ("ссылкой", "по данным", "по информации", "по сообщению", "источник", "сообщается в"),
        re.compile(
            r"(?:[Сс]о\s+ссылкой\s+на|[Пп]о\s+данным|[Пп]о\s+информации|"
            r"[Пп]о\s+сообщению|[Ии]сточник:|сообщается\s+в|сообщается\s+на)\s+"
            r"(?:(?:Telegram|телеграм)-канале\s+|(?:официальном\s+)?сайте\s+)?"
        ),
    ),
    # A quote followed by "- сообщили в агентстве": the noun may be lower case here.
    (
        ("сообщили в", "рассказали в", "пояснили в", "отметили в", "заявили в"),
        re.compile(
            r"(?<=[»\"”])\s*[,.]?\s*[-–—]\s*(?P<verb>(?:сообщили|рассказали|пояснили|"
            r"отметили|заявили)\s+в\s+)"
        ),
    ),
]  # fmt: skip
_KK_BEFORE = [
    (("мәліметінше",), re.compile(r"\s+мәліметінше"), True),
    (("хабарлауынша",), re.compile(r"\s+хабарлауынша"), True),
    (("сілтеме",), re.compile(r"\s+сайтына\s+сілтеме\s+жасап"), True),
    (("хабарлайды", "хабарлады"), re.compile(r"(?<!деп)\s+(?:хабарлайды|хабарлады)"), False),
]
_KK_AFTER = re.compile(r"деп\s+(?:хабарлайды|жазады|хабарлады|мәлімдеді)\s+")
_EN_PATTERNS = [
    (("according",), re.compile(rf"(?P<phrase>[Aa]ccording\s+to\s+(?P<name>{_DOMAIN}|"
                                rf"[{_UPPER}][\w&'-]*(?:\.[\w&'-]+)*(?:[ \t]+[{_UPPER}][\w&'-]*){{0,3}}))")),
    # "..., Kazinform reports." Only a one-word outlet at the end of a sentence counts
    # ("the Minister of Transport reported that" is not an attribution).
    (("reports", "reported"), re.compile(
        rf"(?P<phrase>(?P<name>{_DOMAIN}|[A-Z][\w-]+)\s+(?:reports|reported))(?=[.;]|$)")),
]  # fmt: skip
_NOT_NAMES = {
    "бұл", "об", "этом", "как", "также", "ранее", "the", "this", "it", "news", "media",
    "ол", "олар", "біз", "сіз", "мен", "он", "она", "они", "мы",
}  # fmt: skip


def _kk_stripped(word: str) -> str:
    bare = _KK_GENITIVE.sub("", word)
    bare = re.sub(r"(?:ға|ге|қа|ке|да|де|та|те|дан|ден|тан|тен|нан|нен|ны|ні)$", "", bare)
    return bare if len(bare) >= 3 else word


def name_key(name: str) -> tuple[tuple[str, str], ...]:
    """Each word of a name as (Russian stem, Kazakh stem without its case ending), so
    that the case forms of one name compare equal in either language."""
    words = re.findall(r"\w+", name.casefold().removeprefix("www."))
    return tuple((stem(word), stem(_kk_stripped(word))) for word in words)


def _same_stem(x: str, y: str) -> bool:
    # Snowball cuts some nouns unevenly (Казахстан -> казахста, Казахстане -> казахстан).
    return x == y or (min(len(x), len(y)) >= 4 and (x.startswith(y) or y.startswith(x)))


def _same_name(a: tuple[tuple[str, str], ...], b: tuple[tuple[str, str], ...]) -> bool:
    return len(a) == len(b) and all(
        _same_stem(x[0], y[0]) or _same_stem(x[1], y[1]) for x, y in zip(a, b, strict=True)
    )


def _own_keys(own_names: Iterable[str]) -> list[tuple[tuple[str, str], ...]]:
    keys = []
    for name in own_names:
        if name:
            keys.append(name_key(name))
            keys.append(name_key(name.removeprefix("www.").split(".")[0]))  # nur.kz: "NUR"
    return [key for key in keys if key]


def _candidates(text: str, lowered: str) -> Iterable[tuple[int, str, str]]:
    """(position, name, phrase) for every attribution in the text, pattern by pattern."""
    for keywords, pattern in _RU_PATTERNS:
        if not any(word in lowered for word in keywords):
            continue
        quoted_credit = "verb" in pattern.groupindex
        for match in pattern.finditer(text):
            start = match.start("verb") if quoted_credit else match.start()
            read = _read_ru_name(text, match.end())
            if read is None and "role" in pattern.groupindex and match["role"]:
                # "сообщает агентство по делам госслужбы": the role word is the head.
                read = _read_ru_name(text, match.start("role"))
            if read is None:
                continue
            name, end = read
            # After a quote the verb's subject is the speaker ("«...», — сообщил Трамп").
            after_quote = not quoted_credit and bool(
                _QUOTE_DASH.search(text, max(0, start - 6), start)
            )
            if _looks_like_person(name, after_quote):
                continue
            # A bare common noun ("со ссылкой на агентство") names no one, unless a quote
            # precedes it: "«...», - сообщили в агентстве". A domain in lower case
            # ("пишет primeminister.kz") is a name.
            bare_noun = " " not in name and name[:1].islower() and not re.fullmatch(_DOMAIN, name)
            if not quoted_credit and bare_noun:
                continue
            yield start, name, text[start:end]
    for keywords, pattern, genitive in _KK_BEFORE:
        if not any(word in lowered for word in keywords):
            continue
        for match in pattern.finditer(text):
            read = _read_kk_name_before(text, match.start())
            if read is None:
                continue
            printed, start = read
            name = _clean_kk(printed, genitive)
            # "министрлік хабарлады", like "сообщили в ведомстве", names no one.
            if _looks_like_person(name, False) or (" " not in name and name[:1].islower()):
                continue
            yield start, name, text[start : match.end()]
    if "деп " in lowered:
        for match in _KK_AFTER.finditer(text):
            tokens = _tokens(text, match.end())
            words = []
            for token, end in tokens[:_NAME_WORDS_MAX]:
                if token.lower() in _KK_STOP:
                    break
                words.append((token, end))
            if not words:
                continue
            name = _clean_kk(" ".join(token for token, _ in words), False)
            if not name or _looks_like_person(name, False):
                continue
            yield match.start(), name, text[match.start() : words[-1][1]]
    for keywords, en_pattern in _EN_PATTERNS:
        if any(word in lowered for word in keywords):
            for match in en_pattern.finditer(text):
                yield match.start(), match["name"], match["phrase"]


def find_source(text: str | None, own_names: Iterable[str] = ()) -> Source | None:
    """The first source the text credits that is not the outlet itself, or None."""
    if not text:
        return None
    own = _own_keys(own_names)
    best: tuple[int, Source] | None = None
    for position, raw_name, phrase in _candidates(text, text.lower()):
        name = raw_name.strip(" .,;:!?'")
        if not name or name.casefold() in _NOT_NAMES or len(name) < 2:
            continue
        key = name_key(name)
        if not key or any(_same_name(key, own_key) for own_key in own):
            continue
        if best is None or position < best[0]:
            best = (position, Source(name=name, phrase=phrase.rstrip(" .,;:!?")))
    return best[1] if best else None
