"""A page's markup read on its own (the chain reads it from its one parse): for the
classifier's unit tests, which build pages of a few elements."""

from __future__ import annotations

from pipelines.stages.classify import Markup, read_markup
from pipelines.stages.decode import decode_page
from pipelines.stages.extract import load_tree


def markup_of(body: bytes, charset: str | None = None) -> Markup | None:
    decoded = decode_page(body, charset)
    tree = load_tree(decoded.text) if decoded.text else None
    return read_markup(tree) if tree is not None else None
