"""The digest: one self-contained HTML page (no script, no outside file) listing each
watch's new matches, and the plain-text version that goes beside it in an e-mail."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from pipelines.store import Watch

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;"
    "color:#1a1a1a}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem}"
    "li{margin:.6rem 0}.meta{color:#666;font-size:.9em}.lead{margin:.2rem 0}"
)

Matches = Mapping[Watch, Sequence[Mapping[str, Any]]]


def render_html(matches: Matches, generated_at: str) -> str:
    total = sum(len(m) for m in matches.values())
    parts = [
        "<!doctype html><html lang=ru><head><meta charset=utf-8>",
        f"<title>newsbot: {total} new matches</title><style>{STYLE}</style></head><body>",
        f"<h1>newsbot: {total} new matches</h1><p class=meta>{escape(generated_at)}</p>",
    ]
    for watch, found in matches.items():
        parts.append(
            f"<h2>{escape(watch.name)}: {len(found)}</h2>"
            f"<p class=meta>query: {escape(watch.query)}{_scope(watch)}</p><ul>"
        )
        for article in found:
            parts.append(_item_html(article))
        parts.append("</ul>")
    parts.append("</body></html>")
    return "".join(parts)


def _scope(watch: Watch) -> str:
    scope = []
    if watch.sites:
        scope.append("sites: " + ", ".join(watch.sites))
    if watch.sources:
        scope.append("sources: " + ", ".join(watch.sources))
    return escape("; " + "; ".join(scope)) if scope else ""


def _item_html(article: Mapping[str, Any]) -> str:
    title = escape(article.get("title") or article["url"])
    meta = " · ".join(
        escape(str(value))
        for value in (article.get("site"), article.get("published_at"), article.get("source_name"))
        if value
    )
    lead = f"<p class=lead>{escape(article['lead'])}</p>" if article.get("lead") else ""
    url = escape(article["url"], quote=True)
    return f'<li><a href="{url}">{title}</a><div class=meta>{meta}</div>{lead}</li>'


def render_text(matches: Matches) -> str:
    lines = []
    for watch, found in matches.items():
        lines.append(f"{watch.name}: {len(found)} new ({watch.query})")
        for article in found:
            when = article.get("published_at") or ""
            lines.append(f"- {article.get('title') or article['url']} [{article['site']}, {when}]")
            lines.append(f"  {article['url']}")
        lines.append("")
    return "\n".join(lines)
