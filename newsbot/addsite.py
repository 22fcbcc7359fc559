"""`newsbot add-site URL`: site configs written from a home page alone, and
`newsbot sites --which URL`."""

from __future__ import annotations

from collections.abc import Iterable

from newsbot.siteconfig import SiteConfig, config_for_url


def which_site(configs: Iterable[SiteConfig], url: str) -> str:
    """The slug of the edition that takes `url` as an article, or "none"."""
    config = config_for_url(configs, url)
    return config.slug if config else "none"
