"""What the stage chain needs to know of a site: its names, clock, languages and selectors.

A site config (newsbot/sites/config.py) makes one with `chain_options()`; `newsbot extract`
without a config uses the defaults. Small and picklable: it travels to extraction workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LANGUAGES = ("ru", "kk", "en")


@dataclass(frozen=True)
class ChainOptions:
    slug: str | None = None
    name: str | None = None
    # Names the outlet goes by (its name, its domains): not a credited source.
    own_names: tuple[str, ...] = ()
    timezone: str | None = None  # for dates printed without an offset
    language: str | None = None  # the edition's language: tried first when reading dates
    selectors: dict[str, str] = field(default_factory=dict)

    @property
    def date_languages(self) -> tuple[str, ...]:
        if self.language is None:
            return LANGUAGES
        return (self.language, *(lang for lang in LANGUAGES if lang != self.language))
