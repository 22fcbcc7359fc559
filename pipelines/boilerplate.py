"""Page furniture that body extraction lets through: share bars, "Читайте также",
subscription prompts, related-links blocks, comment headers, the imprint under the text,
and the headline repeated as the first paragraph.

Works on the body's paragraphs (one per line), after trafilatura.
"""

from __future__ import annotations

import re

# A whole line that is furniture, wherever it stands (ru / kk / en).
FURNITURE_LINE = re.compile(
    r"^(?:читайте\s+(?:также|еще|ещё|нас)|смотрите\s+также|подписывайтесь|подпишитесь|"
    r"поделиться|оқи\s+отырыңыз|оқыңыз\s+сондай-ақ|жазылыңыз|бөлісу|"
    r"read\s+(?:also|more)\b|also\s+read|share\s+(?:this|on)\b|subscribe\s+to|sign\s+up\b|"
    r"thanks\s+for\s+signing\s+up|see\s+more:|advertisement$|keep\s+an\s+eye\s+on\s+your\s+inbox|"
    r"there\s+was\s+an\s+error\s+processing\s+your\s+subscription|sign\s+up\s+for\s+(?:our|the)\b|"
    r"если\s+вы\s+нашли\s+ошибку|нашли\s+ошибку|реклама$|теги:|tags:|"
    r"\[button\b)",
    re.IGNORECASE,
)
# A heading after which the rest of the text is related links or comments.
TAIL_HEADING = re.compile(
    r"^(?:читайте\s+также|похожие\s+(?:новости|материалы|статьи)|ещё\s+по\s+теме|еще\s+по\s+теме|"
    r"новости\s+по\s+теме|другие\s+новости|комментарии|тақырыпқа\s+қатысты|ұқсас\s+жаңалықтар|"
    r"пікірлер|you\s+may\s+also\s+like|related(?:\s+(?:articles|stories|news|posts))?|"
    r"more\s+from\b|don'?t\s+miss|recommended(?:\s+for\s+you)?|comments?|"
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
# Related blocks sit at the end; a heading in the first part of the text is a subhead.
_TAIL_START_SHARE = 0.6


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def strip_furniture(
    lines: list[str], title: str | None, footer_lines: set[str], lead: str | None = None
) -> list[str]:
    """The body's paragraphs without page furniture, in order."""
    kept = [
        line
        for line in (line.strip() for line in lines)
        if line and not FURNITURE_LINE.match(line) and line not in footer_lines
    ]
    if kept and title and _same_text(kept[0], title):
        kept = kept[1:]
    # A standfirst printed above the text and given as the page's description is the
    # lead field, not body (the description can also be the first sentence: only an
    # exact copy of a short paragraph is taken out).
    if len(kept) > 1 and lead and _same_text(kept[0], lead):
        kept = kept[1:]
    for index, line in enumerate(kept):
        if index >= len(kept) * _TAIL_START_SHARE and TAIL_HEADING.match(line):
            kept = kept[:index]
            break
    while kept and IMPRINT_LINE.match(kept[-1]):
        kept.pop()
    return kept
