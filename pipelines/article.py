"""The one typed article record: what the chain makes, the store keeps, `newsbot extract`
prints and the export writes (DESIGN.md, the item contract).

Every field list elsewhere derives from `Article`: the store's columns and JSON columns,
the export's columns, the JSONL fields, the tests' contract list. A new field is added
here (and in a store migration), nowhere else.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from pipelines.stages.attribution import Source
from pipelines.stages.imprint import Publisher
from pipelines.stages.registrations import Registration

# Metadata key of fields stored as JSON text (lists and nested records).
STORED_AS_JSON = "json"
NO_IMPRINT_WARNING = "no imprint (editor-in-chief or registration) on this page"


_AS_JSON = {STORED_AS_JSON: True}


@dataclass
class Article:
    url: str
    site: str
    canonical_url: str | None = None
    title: str | None = None
    lead: str | None = None
    body: str | None = None
    author: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list, metadata=_AS_JSON)
    image_url: str | None = None
    published_at: str | None = None
    published_at_utc: str | None = None
    modified_at: str | None = None
    modified_at_utc: str | None = None
    language: str | None = None
    source: Source | None = field(default=None, metadata=_AS_JSON)
    publisher: Publisher = field(default_factory=Publisher, metadata=_AS_JSON)
    registrations: list[Registration] = field(default_factory=list, metadata=_AS_JSON)
    warnings: list[str] = field(default_factory=list, metadata=_AS_JSON)

    @property
    def has_imprint(self) -> bool:
        """Whether the page carried an imprint of its own (an editor or a registration)."""
        return bool(self.publisher.editor_in_chief or self.registrations)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `newsbot extract` (DESIGN.md contract)."""
        record: dict[str, Any] = {}
        for name in ARTICLE_FIELDS:
            value = getattr(self, name)
            if name == "source":
                value = value.as_dict() if value else None
            elif name == "publisher":
                value = value.as_dict()
            elif name == "registrations":
                value = [registration.as_dict() for registration in value]
            elif isinstance(value, list):
                value = list(value)
            record[name] = value
        return record

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Article:
        """The inverse of `as_dict`; JSON columns may still be text (a stored row)."""
        values = {}
        for name in ARTICLE_FIELDS:
            if name not in record:
                continue
            value = record[name]
            if name in JSON_FIELDS and isinstance(value, str):
                value = json.loads(value)
            if name == "source":
                value = Source(**value) if value else None
            elif name == "publisher":
                value = Publisher(**(value or {}))
            elif name == "registrations":
                value = [Registration(**item) for item in value or []]
            elif name in JSON_FIELDS:
                value = list(value or [])
            values[name] = value
        return cls(**values)


ARTICLE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Article))
JSON_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Article) if f.metadata.get(STORED_AS_JSON)
)
SCALAR_FIELDS: tuple[str, ...] = tuple(name for name in ARTICLE_FIELDS if name not in JSON_FIELDS)


@dataclass
class SiteImprint:
    """A site's imprint as read from one page (its footer, or its imprint page)."""

    publisher: Publisher
    registrations: list[Registration]
    warnings: list[str]


def fill_from_imprint_page(article: Article, imprint: SiteImprint) -> bool:
    """Give an article whose page carries no imprint the site's imprint page (zakon.kz
    keeps it on a separate page); returns whether it changed. A page with an imprint of
    its own keeps it: one site may host several outlets, each with its footer."""
    if article.has_imprint or (imprint.publisher.is_empty() and not imprint.registrations):
        return False
    publisher = article.publisher
    for key, value in asdict(imprint.publisher).items():
        if value and not getattr(publisher, key):
            setattr(publisher, key, value)
    article.registrations = list(imprint.registrations)
    if article.has_imprint:
        article.warnings = [w for w in article.warnings if w != NO_IMPRINT_WARNING]
    return True
