"""Bounds on the work one page can cost, applied to the parsed tree before extraction.

A 10 MB page of 100,000 links kept trafilatura busy for 53 s and 640 MB: its
paragraph classifiers walk every block, several times. No article needs a block of
hundreds of links, tens of thousands of elements or a text node of megabytes, so these
go before extraction, each with a warning in the record:

- a block with more than MAX_LINK_CHILDREN children holding links, mostly link text (a
  link wall: menus, tag clouds, "more news" lists), loses those children; the others
  (an article beside 100,000 links in one <body>) stay;
- past MAX_ELEMENTS elements the rest of the page is left out;
- text nodes are cut at MAX_TEXT_CHARS.
"""

from __future__ import annotations

import itertools

from lxml import etree
from lxml.html import HtmlElement

MAX_LINK_CHILDREN = 200
# 6x the largest of the 181 real pages of shared/benchmarks (1,596 elements).
MAX_ELEMENTS = 10_000
MAX_TEXT_CHARS = 200_000
_DATA_TAGS = {"script", "style", "template"}


def _link_children(element: HtmlElement) -> list[HtmlElement]:
    """The children of a link wall that hold links, or [] if `element` is none: more than
    MAX_LINK_CHILDREN of them, their text mostly link text."""
    if len(element) <= MAX_LINK_CHILDREN:
        return []
    linked = []
    link_chars = 0
    all_chars = 0
    for child in element:
        if not isinstance(child.tag, str):
            continue
        anchors = [child] if child.tag == "a" else child.findall(".//a")
        text = len(child.text_content())
        if anchors:
            anchor_text = sum(len(a.text_content()) for a in anchors)
            # A paragraph with a link in it is text; a teaser block is mostly its link.
            if anchor_text * 2 >= text:
                linked.append(child)
                link_chars += anchor_text
        all_chars += text
    if len(linked) > MAX_LINK_CHILDREN and link_chars * 2 >= all_chars:
        return linked
    return []


# Found by libxml2 in C: a walk over every element in Python made bound_tree an eighth
# of the chain's CPU on ordinary pages, which have none of these.
_WALL_CANDIDATES = etree.XPath(f"descendant-or-self::*[*[{MAX_LINK_CHILDREN + 1}]]")
# What tree.iter() yields: elements, comments and processing instructions.
_NODE_COUNT = etree.XPath("count(descendant-or-self::node()[not(self::text())])")
_LONG_TEXTS = etree.XPath(f"descendant::text()[string-length(.) > {MAX_TEXT_CHARS}]")


def bound_tree(tree: HtmlElement, source: str | None = None) -> list[str]:
    """Cut what no article needs out of `tree`, in place; a warning for each kind of cut.

    `source`, the HTML the tree was parsed from, spares the looks it rules out: a page
    of fewer tags than MAX_ELEMENTS (the parser adds at most a few: html, head, body)
    has fewer elements, and one shorter than MAX_TEXT_CHARS no longer text.
    """
    warnings = []
    walls = 0
    dropped = 0
    for element in _WALL_CANDIDATES(tree):
        linked = _link_children(element)
        if linked:
            walls += 1
            dropped += len(linked)
            for child in linked:
                child.drop_tree()
    if walls:
        warnings.append(
            f"page work bounded: {dropped} linked blocks left out of {walls} link wall(s) "
            f"(over {MAX_LINK_CHILDREN} links side by side)"
        )

    few_tags = source is not None and source.count("<") + 8 <= MAX_ELEMENTS
    if not few_tags and _NODE_COUNT(tree) > MAX_ELEMENTS:
        cut = next(itertools.islice(tree.iter(), MAX_ELEMENTS, None))
        # Everything from `cut` on, in document order: it and its following siblings,
        # then the following siblings of each ancestor.
        node: HtmlElement | None = cut
        first = True
        while node is not None and node.getparent() is not None:
            parent = node.getparent()
            for sibling in list(node.itersiblings()):
                parent.remove(sibling)
            if first:
                parent.remove(node)
                first = False
            node = parent
        warnings.append(f"page work bounded: only the first {MAX_ELEMENTS} elements read")

    long_texts = 0
    short = source is not None and len(source) <= MAX_TEXT_CHARS
    for text in [] if short else _LONG_TEXTS(tree):
        owner = text.getparent()
        if text.is_tail:
            owner.tail = owner.tail[:MAX_TEXT_CHARS]
        # Scripts (JSON-LD, a framework's page state) are data, read whole or not at all;
        # trafilatura never walks them.
        elif owner.tag in _DATA_TAGS:
            continue
        else:
            owner.text = owner.text[:MAX_TEXT_CHARS]
        long_texts += 1
    if long_texts:
        warnings.append(
            f"page work bounded: {long_texts} text(s) over {MAX_TEXT_CHARS} characters cut"
        )
    return warnings
