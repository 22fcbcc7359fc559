"""Page furniture that body extraction lets through: share bars, "Читайте также",
subscription prompts, related-links blocks, comment headers, the imprint under the text,
and the headline repeated as the first paragraph.

Works on the body's paragraphs (one per line), after trafilatura.
"""

from __future__ import annotations

import re
from collections.abc import Collection

# A whole line that is furniture, wherever it stands (ru / kk / en).
FURNITURE_LINE = re.compile(
    r"^(?:читайте\s+(?:также|еще|ещё|нас)|смотрите\s+также|подписывайтесь|подпишитесь|"
    r"поделиться|оқи\s+отырыңыз|оқыңыз\s+сондай-ақ|жазылыңыз|бөлісу|"
    r"read\s+(?:also|more)\b|also\s+read|share\s+(?:this|on)\b|subscribe\s+to|sign\s+up\b|"
    r"thanks\s+for\s+signing\s+up|see\s+more:|advertisement$|keep\s+an\s+eye\s+on\s+your\s+inbox|"
    r"there\s+was\s+an\s+error\s+processing\s+your\s+subscription|sign\s+up\s+for\s+(?:our|the)\b|"
    r"если\s+вы\s+нашли\s+ошибку|нашли\s+ошибку|реклама$|теги:|tags:|"
    r"(?:reading\s+time|время\s+(?:на\s+)?чтени[ея]|оқу\s+уақыты|tempo\s+de\s+leitura)\s*:?\s*\d|"
    r"\d+\s+(?:min(?:ute)?s?|мин(?:ут[аы]?)?\.?)\s+(?:read|чтения)$|"
    r"\[button\b)",
    re.IGNORECASE,
)
# A heading after which the rest of the text is related links or comments.
TAIL_HEADING = re.compile(
    r"^(?:читайте\s+также|смотрите\s+также|оқи\s+отырыңыз|оқыңыз\s+сондай-ақ|see\s+also|"
    r"похожие\s+(?:новости|материалы|статьи)|ещё\s+по\s+теме|еще\s+по\s+теме|"
    r"новости\s+по\s+теме|другие\s+новости|комментарии|тақырыпқа\s+қатысты|ұқсас\s+жаңалықтар|"
    r"пікірлер|you\s+may\s+also\s+like|related(?:\s+(?:articles|stories|news|posts))?|"
    r"more\s+from\b|don'?t\s+miss|recommended(?:\s+for\s+you)?|comments?|"
    r"most\s+(?:read|popular|viewed|shared)|trending(?:\s+now)?|top\s+stories|"
    r"latest\s+(?:news|stories|articles)|more\s+(?:stories|news|articles)|(?:what\s+to\s+)?read\s+next|"
    r"up\s+next|самое\s+(?:читаемое|популярное|интересное)|популярное|последние\s+новости|"
    r"главное\s+за\s+(?:день|неделю)|көп\s+оқылған|соңғы\s+жаңалықтар|"
    r"tell\s+us\s+what\s+you\s+think)\W*$",
    re.IGNORECASE,
)
# Imprint lines printed right under the text, sometimes inside the article block.
IMPRINT_LINE = re.compile(
    r"^(?:©|\([cс]\)\s|copyright\b|главный\s+редактор|гл\.\s*ред|бас\s+редактор|editor-in-chief|"
    r"учредитель|собственник|меншік\s+иесі|свидетельство\s+(?:о|сми|№)|"
    r"все\s+права\s+защищены|барлық\s+құқықтар|при\s+(?:цитировании|использовании)|"
    r"[+\d\s()\-–]{10,20}$|[\w.+-]+@[\w.-]+\.\w{2,}$)",
    re.IGNORECASE,
)
# Related blocks sit at the end; a heading in the first part of the text is a subhead,
# unless only short lines (link titles) follow it, as under a short article.
_TAIL_START_SHARE = 0.6
_LINK_TITLE_WORDS = 20
_MAX_LINK_TITLES = 12
# A line that opens a list of related links; the bulleted lines after it go with it.
RELATED_LINE = re.compile(
    r"^[\[(]?(?:читайте\s+(?:также|еще|ещё)|смотрите\s+также|оқи\s+отырыңыз|оқыңыз\s+сондай-ақ|"
    r"тақырыпқа\s+қатысты|related\b|read\s+(?:also|more)\b|also\s+read|see\s+also)",
    re.IGNORECASE,
)
# Headings of a related-links block that may stand inside the text.
RELATED_HEADING = re.compile(
    r"^(?:читайте\s+также|смотрите\s+также|оқи\s+отырыңыз|тақырыпқа\s+қатысты|don'?t\s+miss|"
    r"related(?:\s+(?:articles|stories|news|posts))?|you\s+may\s+also\s+like)\W*$",
    re.IGNORECASE,
)
_MAX_INLINE_TITLES = 6
_BULLET = re.compile(r"^[-•–—▪·]\s")
# A share bar split into lines: nothing but network names.
SOCIAL_LINE = re.compile(
    r"^(?:(?:telegram|whatsapp|facebook|vk|вконтакте|одноклассники|twitter|x|instagram|"
    r"linkedin|viber|threads|youtube|tiktok|e-?mail|почта|копировать\s+ссылку|"
    r"скопировать\s+ссылку|copy\s+link)[\s,;|•·/]*)+$",
    re.IGNORECASE,
)
# Promotions inside the article block: "Click here to get the app", "Скачайте приложение".
PROMO = re.compile(
    r"\bnewsletters?\b|\binbox\b|рассылк|click\s+here|нажмите\s+(?:здесь|сюда)|\bget\s+(?:the\s+)?[\w ]{0,30}\bapp\b|"
    r"скачайте\s+(?:наше\s+)?приложение|жүктеп\s+алыңыз|\bsign\s+up\s+for\b|"
    r"\bsubscribe\s+to\b|share\s+it\s+with|^follow\s+(?:us\b|[\w.@ ]{1,40}\s+on\s+)|"
    r"^also\s+on\s+\S+\.\w+|следите\s+за\s+(?:нашими\s+)?новостями|"
    r"подписывайтесь|подпишитесь|жазылыңыз|"
    r"\bif\s+you\s+(?:buy|purchase)\s+something\b|"
    r"\b(?:may|might|will)\s+(?:earn|get|receive)\s+(?:a\s+)?(?:small\s+)?(?:commission|share\s+of\s+the\s+sale)",
    re.IGNORECASE,
)
_PROMO_WORDS = 30
_PROMO_HINTS = (
    "newsletter", "inbox", "рассылк", "click", "нажмите", "app", "приложени", "жүктеп", "sign up", "subscribe", "share it",
    "follow", "also on", "следите", "подпис", "жазылыңыз", "something", "commission", "share of",
)  # fmt: skip
_SOCIAL_WORDS = 12
# Short lines of credits: "Updated at 1:23 p.m.", "Фото: пресс-служба акимата",
# "Reporting by ...; Editing by ...".
_UPDATED_LINE = re.compile(
    r"^\(?(?:(?:updated|обновлено|жаңартылды)(?:\s+(?:at|on|в))?\s*:?\s*\d|"
    r"(?:фото|photo|image|picture)s?\s*(?::\s*\S|by\b)|"
    r"(?:additional\s+)?(?:reporting|writing|editing)\s+by\b)",
    re.IGNORECASE,
)
_UPDATED_WORDS = 25
# A dateline on its own line ("sexta-feira, 22 de outubro de 2010 às 20:13",
# "Опубликовано: 12.03.2024, 14:00"): a year and a time, a few words, no sentence.
_DATELINE = re.compile(r"\b(?:19|20)\d\d\b.*\b\d{1,2}:\d\d\b|\b\d{1,2}:\d\d\b.*\b(?:19|20)\d\d\b")
_DATELINE_WORDS = 10


# The author's note under the text: how to reach or follow them, who they are.
AUTHOR_NOTE = re.compile(
    r"\b(?:can|may)\s+be\s+(?:reached|contacted)\s+at\b|\bfollow\s+(?:him|her|them|me)\s+on\b|"
    r"^have\s+a\s+(?:news\s+)?tip\b|\bcontributed\s+(?:reporting|research|to\s+this\s+(?:report|article|story))\b|"
    r"^(?:(?-i:[A-Z])[\w.'’-]+\s+){1,3}is\s+(?:a|an|the|(?:[\w.]+\s+){0,2}[\w.]+['’]s)\s+(?:[\w-]+\s+){0,3}"
    r"(?:writer|reporter|editor|correspondent|curator|contributor|columnist)\b",
    re.IGNORECASE,
)
_AUTHOR_NOTE_LINES = 3
_AUTHOR_NOTE_WORDS = 60
# A headline in capitals between paragraphs is a teaser link ("SEAN SPICER ELIMINATED
# FROM ..."), not text.
_CAPS_MIN_WORDS = 8
_CAPS_SHARE = 0.9
_CAPS_HEAD_CHARS = 24


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def is_furniture(line: str) -> bool:
    """A whole line that is page furniture, wherever it stands."""
    if FURNITURE_LINE.match(line):
        return True
    words = line.count(" ") + 1
    if words > _PROMO_WORDS:
        return False
    lowered = line.lower()
    # Substring tests first: the regexes run on the few lines that could match.
    return bool(
        (any(word in lowered for word in _PROMO_HINTS) and PROMO.search(line))
        or (words <= _SOCIAL_WORDS and SOCIAL_LINE.match(line))
        or (words <= _UPDATED_WORDS and _UPDATED_LINE.match(line))
        or (words <= _DATELINE_WORDS and not line.endswith(".") and _DATELINE.search(line))
    )


def _only_link_titles(lines: list[str]) -> bool:
    return 0 < len(lines) <= _MAX_LINK_TITLES and all(
        len(line.split()) <= _LINK_TITLE_WORDS and not line.endswith(".") for line in lines
    )


def strip_furniture(
    lines: list[str],
    title: str | None,
    footer_lines: set[str],
    lead: str | None = None,
    headlines: Collection[str] = (),
) -> list[str]:
    """The body's paragraphs without page furniture, in order. `headlines` are the other
    forms of the title the page prints (its <h1>, its <title>), any of which can stand
    first in the text."""
    kept: list[str] = []
    after_related = False
    for line in (line.strip() for line in lines):
        if not line or line in footer_lines:
            continue
        if TAIL_HEADING.match(line):
            kept.append(line)  # judged below, by where it stands and what follows
            continue
        if RELATED_LINE.match(line):
            after_related = True
            continue
        if after_related and _BULLET.match(line) and len(line.split()) <= _LINK_TITLE_WORDS:
            continue
        after_related = False
        if not is_furniture(line):
            kept.append(line)
    if kept and any(h and _same_text(kept[0], h) for h in (title, *headlines)):
        kept = kept[1:]
    # A standfirst printed above the text and given as the page's description is the
    # lead field, not body (the description can also be the first sentence: only an
    # exact copy of a short paragraph is taken out). The caller passes `lead` only when
    # the page prints it apart from the text (extract.lead_printed_apart).
    if len(kept) > 1 and lead and _same_text(kept[0], lead):
        kept = kept[1:]
    for index, line in enumerate(kept):
        if not TAIL_HEADING.match(line):
            continue
        rest = [other for other in kept[index + 1 :] if not TAIL_HEADING.match(other)]
        if index >= len(kept) * _TAIL_START_SHARE or (index > 0 and _only_link_titles(rest)):
            kept = kept[:index]
            break
    kept = _drop_tail_furniture(_drop_inline_related(kept))
    # Last too: when the text is one run of lines (<br>), trafilatura goes on to the
    # whole <article> and brings its headline in after the text.
    if len(kept) > 1 and any(h and _same_text(kept[-1], h) for h in (title, *headlines)):
        kept = kept[:-1]
    return kept


def _is_caps_headline(line: str) -> bool:
    # The opening words first: most lines fail there, before any count over the line.
    head = line[:_CAPS_HEAD_CHARS]
    if head.upper() != head or len(line.split()) < _CAPS_MIN_WORDS or "|" in line:
        return False  # text, a subhead, or a table row
    upper = sum(map(str.isupper, line))
    return upper > 0 and upper >= _CAPS_SHARE * sum(map(str.isalpha, line))


def _drop_tail_furniture(kept: list[str]) -> list[str]:
    """Without teaser headlines in capitals and the author's note at the end."""
    caps = [_is_caps_headline(line) for line in kept]
    if sum(caps) < len(kept) / 2:
        kept = [line for line, is_caps in zip(kept, caps, strict=True) if not is_caps]
    start = max(0, len(kept) - _AUTHOR_NOTE_LINES)
    kept = kept[:start] + [
        line
        for line in kept[start:]
        if len(line.split()) > _AUTHOR_NOTE_WORDS or not AUTHOR_NOTE.search(line)
    ]
    return kept


def _drop_inline_related(kept: list[str]) -> list[str]:
    """Without a "Читайте также" heading set inside the text, the link titles under it
    (short lines with no full stop), and the imprint lines at the end."""
    result: list[str] = []
    skipping = 0
    for line in kept:
        if TAIL_HEADING.match(line) and (is_furniture(line) or RELATED_HEADING.match(line)):
            skipping = _MAX_INLINE_TITLES
            continue
        if skipping and len(line.split()) <= _LINK_TITLE_WORDS and not line.endswith("."):
            skipping -= 1
            continue
        skipping = 0
        result.append(line)
    kept = result
    while kept and IMPRINT_LINE.match(kept[-1]):
        kept.pop()
    return kept
