"""The README's table of bundled sites is the one their configs render."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsbot.sites.config import bundled_configs, parse_config
from newsbot.sites.table import BEGIN, END, site_table, with_table

README = Path(__file__).resolve().parent.parent / "README.md"
BASE = {"name": "X | Y", "domains": ["x.kz"], "language": "ru"}


def test_the_readme_table_is_the_one_the_configs_render():
    readme = README.read_text(encoding="utf-8")
    assert readme == with_table(readme, site_table(bundled_configs().values())), (
        "README.md's table of bundled sites differs from the site configs: "
        "run `.venv/bin/python -m newsbot.sites.table README.md` and commit README.md"
    )


def test_a_row_says_how_the_site_is_discovered_and_escapes_its_cells():
    api = {"url": "https://x.kz/api?page={page}", "items": "items", "item_url": "url",
           "session_page": "https://x.kz/", "session_headers": ["token"]}  # fmt: skip
    with_api = {**BASE, "slug": "b", "feeds": ["https://x.kz/rss"], "api": api,
                "accept_broken_tls": True, "notes": "a\nb"}  # fmt: skip
    configs = [
        parse_config(with_api, "b.toml"),
        parse_config({**BASE, "slug": "a", "unsupported": "403", "enabled": False}, "a.toml"),
    ]
    assert site_table(configs).splitlines()[2:] == [
        "| `a` | X \\| Y | ru | - (unsupported: 403) (disabled) | - |",
        "| `b` | X \\| Y | ru | feed+api (**browser**) (TLS chain not checked) | a b |",
    ]


def test_a_readme_without_the_markers_is_refused():
    with pytest.raises(ValueError, match="no site table markers"):
        with_table("# newsbot\n", "| table |\n")
    assert with_table(f"a\n{BEGIN}\nold\n{END}\nb", "new\n") == f"a\n{BEGIN}\nnew\n{END}\nb"
