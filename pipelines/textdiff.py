"""Word-level differences between two versions of a text (what an edit after publication
changed): pure functions over difflib, for `newsbot changes`, the export of versions,
the report and the browse view."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from html import escape

# Words with the punctuation and spaces that follow them: joined back, they are the text.
_TOKEN = re.compile(r"\S+\s*|\s+")

Op = tuple[str, str]  # ("=" | "-" | "+", text)


def word_diff(before: str | None, after: str | None) -> list[Op]:
    """The edit from `before` to `after` as runs of kept, removed and added words."""
    old, new = _TOKEN.findall(before or ""), _TOKEN.findall(after or "")
    # Words are compared without the spaces after them: the last word of a text (or of a
    # paragraph) is the same word when something is added after it.
    matcher = difflib.SequenceMatcher(
        None, [w.strip() for w in old], [w.strip() for w in new], autojunk=False
    )
    ops: list[Op] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("=", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            ops.append(("-", "".join(old[i1:i2])))
        if j2 > j1:
            ops.append(("+", "".join(new[j1:j2])))
    return ops


def changed(ops: Sequence[Op]) -> bool:
    return any(op != "=" for op, _ in ops)


def as_text(ops: Sequence[Op], context: int = 8) -> str:
    """`[-removed-]{+added+}` with `context` words of kept text around each change and
    `…` where kept text is left out (git's --word-diff=plain)."""
    parts = []
    last = len(ops) - 1
    for index, (op, text) in enumerate(ops):
        if op == "-":
            parts.append(f"[-{text.strip()}-] ")
        elif op == "+":
            parts.append(f"{{+{text.strip()}+}} ")
        else:
            parts.append(_kept(text, context, first=index == 0, last=index == last))
    return "".join(parts).strip()


def _kept(text: str, context: int, first: bool, last: bool) -> str:
    words = text.split()
    if len(words) <= 2 * context:
        return " ".join(words) + " "
    head = [] if first else words[:context]
    tail = [] if last else words[-context:]
    return " ".join([*head, "…", *tail]) + " "


def as_html(ops: Sequence[Op]) -> str:
    """The whole text with <del> and <ins> around what changed (escaped)."""
    tags = {"-": "del", "+": "ins"}
    return "".join(
        f"<{tags[op]}>{escape(text)}</{tags[op]}>" if op in tags else escape(text)
        for op, text in ops
    )
