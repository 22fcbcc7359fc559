"""`newsbot report`: one self-contained HTML file (inline SVG and CSS, no script, no
network) that an analyst can mail or open anywhere."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from pipelines.store import ChangeFilter, ReprintFilter, SiteSummary, Store
from pipelines.store.stats import COVERAGE_FIELDS
from pipelines.textdiff import as_html, changed, word_diff

# Colour-blind-safe (Okabe-Ito), then greys for the rest.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000", "#666666", "#999999", "#BBBBBB")  # fmt: skip
CHART_WIDTH, CHART_HEIGHT, MARGIN = 900, 260, 40

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; } td, th { padding: 3px 8px; border-bottom: 1px solid #ddd; }
th { text-align: left; background: #f4f4f4; } td.n { text-align: right; }
.low { color: #b00; font-weight: bold; } .ok { color: #070; } .legend span { margin-right: 1em; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
del { background: #fdd; color: #900; } ins { background: #dfd; color: #060; text-decoration: none; }
.edit { margin: .8em 0 1.4em; } .edit .text { max-width: 60em; white-space: pre-wrap; }
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def chart_svg(days: list[date], counts: dict[str, list[int]]) -> str:
    """Stacked bars: one bar per day, one colour per site."""
    if not days:
        return "<p>No dated articles yet.</p>"
    totals = [sum(series[i] for series in counts.values()) for i in range(len(days))]
    peak = max(max(totals), 1)
    plot_w, plot_h = CHART_WIDTH - 2 * MARGIN, CHART_HEIGHT - 2 * MARGIN
    step = plot_w / len(days)
    bar = max(step * 0.8, 1)
    parts = [
        f'<svg id="chart" xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" '
        f'height="{CHART_HEIGHT}" role="img" aria-label="Articles per day per site">',
        f'<line x1="{MARGIN}" y1="{MARGIN + plot_h}" x2="{MARGIN + plot_w}" '
        f'y2="{MARGIN + plot_h}" stroke="#444"/>',
        f'<text x="{MARGIN - 6}" y="{MARGIN + 4}" text-anchor="end" font-size="11">{peak}</text>',
        f'<text x="{MARGIN - 6}" y="{MARGIN + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    colours = {site: PALETTE[i % len(PALETTE)] for i, site in enumerate(counts)}
    for i, day in enumerate(days):
        x = MARGIN + i * step + (step - bar) / 2
        y: float = MARGIN + plot_h
        for site, series in counts.items():
            if not series[i]:
                continue
            height = series[i] / peak * plot_h
            y -= height
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                f'height="{height:.1f}" fill="{colours[site]}">'
                f"<title>{_e(site)}, {day.isoformat()}: {series[i]}</title></rect>"
            )
        if i % max(len(days) // 8, 1) == 0 or i == len(days) - 1:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{MARGIN + plot_h + 16}" text-anchor="middle" '
                f'font-size="11">{day.strftime("%d.%m")}</text>'
            )
    parts.append("</svg>")
    legend = "".join(
        f'<span><i class="swatch" style="background:{colour}"></i>{_e(site)}</span>'
        for site, colour in colours.items()
    )
    return "".join(parts) + f'<p class="legend">{legend}</p>'


def _coverage_table(summaries: list[SiteSummary]) -> str:
    head = "".join(f"<th>{name}</th>" for name in COVERAGE_FIELDS)
    rows = []
    for s in summaries:
        cells = "".join(
            f'<td class="n{" low" if name in ("title", "body") and share < 0.5 else ""}">'
            f"{share:.0%}</td>"
            for name, share in ((n, s.coverage.get(n, 0.0)) for n in COVERAGE_FIELDS)
        )
        health = (
            '<span class="ok">ok</span>'
            if not s.last_problems
            else '<span class="low">' + _e("; ".join(s.last_problems)) + "</span>"
        )
        rows.append(
            f"<tr><td>{_e(s.site)}</td><td class='n'>{s.articles}</td>{cells}"
            f"<td>{_e(s.last_success or '-')}</td><td>{health}</td></tr>"
        )
    return (
        f'<table id="coverage"><tr><th>site</th><th>articles</th>{head}'
        f"<th>last success (UTC)</th><th>last run</th></tr>{''.join(rows)}</table>"
    )


def _publishers_table(store: Store) -> str:
    rows = []
    for p in store.publishers():
        contacts = "<br>".join(_e(c) for c in p["phones"] + p["emails"])
        rows.append(
            f"<tr><td>{_e(p['site'])}</td><td>{_e(p['name'])}</td>"
            f"<td>{_e(p['editor_in_chief'])}</td><td>{_e(p['owner'])}</td>"
            f"<td>{contacts}</td><td>{_e(p['address'])}</td><td>{_e(p['last_seen_at'])}</td></tr>"
        )
    return (
        '<table id="publishers"><tr><th>site</th><th>name</th><th>editor-in-chief</th>'
        "<th>owner</th><th>contacts</th><th>address</th><th>last seen (UTC)</th></tr>"
        f"{''.join(rows)}</table>"
    )


def _registrations_table(store: Store) -> str:
    rows = [
        f"<tr><td>{_e(r['site'])}</td><td>{_e(r['number'])}</td><td>{_e(r['country'])}</td>"
        f"<td>{_e(r['kind'])}</td><td>{_e(r['issued_on'])}</td><td>{_e(r['issuer'])}</td></tr>"
        for r in store.registrations()
    ]
    return (
        '<table id="registrations"><tr><th>site</th><th>number</th><th>country</th>'
        f"<th>kind</th><th>issued on</th><th>issuer</th></tr>{''.join(rows)}</table>"
    )


def _runs_table(store: Store, last: int) -> str:
    rows = []
    for run in store.recent_runs(last):
        health = "ok" if not run["health"] else "; ".join(run["health"])
        css = "ok" if not run["health"] and run["status"] == "finished" else "low"
        counts = "".join(
            f"<td class='n'>{run[k] or 0}</td>"
            for k in ("requests", "new", "updated", "dropped", "errors")
        )
        rows.append(
            f"<tr><td class='n'>{run['id']}</td><td>{_e(run['started_at'])}</td>"
            f"<td>{_e(run['status'])}</td>{counts}<td>{_e(', '.join(run['sites']))}</td>"
            f'<td class="{css}">{_e(health)}</td></tr>'
        )
    return (
        '<table id="runs"><tr><th>run</th><th>started (UTC)</th><th>status</th><th>requests</th>'
        "<th>new</th><th>updated</th><th>dropped</th><th>errors</th><th>sites</th>"
        f"<th>health</th></tr>{''.join(rows)}</table>"
    )


def _copies(count: int) -> str:
    return f"{count} cop{'y' if count == 1 else 'ies'}"


def reach_svg(reach: dict[str, dict[str, int]]) -> str:
    """Horizontal bars: per site of originals, the copies on other sites, credited and
    not."""
    if not reach:
        return "<p>No reprints found yet.</p>"
    label_w, bar_w, row_h = 160, CHART_WIDTH - 160 - 120, 22
    peak = max(row["copies"] for row in reach.values())
    height = row_h * len(reach) + 10
    parts = [
        f'<svg id="reach" xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" '
        f'height="{height}" role="img" aria-label="Reach of originals per site">'
    ]
    for i, (site, row) in enumerate(reach.items()):
        y = 5 + i * row_h
        credited = row["copies"] - row["uncredited"]
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" font-size="12">'
            f"{_e(site)}</text>"
        )
        x = float(label_w)
        for count, colour, what in ((credited, PALETTE[0], "credited"),
                                    (row["uncredited"], PALETTE[5], "uncredited")):  # fmt: skip
            if not count:
                continue
            width = count / peak * bar_w
            parts.append(
                f'<rect class="reach" x="{x:.1f}" y="{y}" width="{width:.1f}" height="16" '
                f'fill="{colour}"><title>{_e(site)}: {_copies(count)}, {what}</title></rect>'
            )
            x += width
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + 14}" font-size="12">{_copies(row["copies"])} of '
            f"{row['originals']} original{'s' if row['originals'] != 1 else ''}</text>"
        )
    parts.append("</svg>")
    legend = (
        f'<p class="legend"><span><i class="swatch" style="background:{PALETTE[0]}"></i>'
        f'credited</span><span><i class="swatch" style="background:{PALETTE[5]}"></i>'
        "uncredited</span> (copies on other sites)</p>"
    )
    return "".join(parts) + legend


def _uncredited_table(store: Store, last: int = 100) -> str:
    rows = []
    for link in store.reprint_links(ReprintFilter(uncredited=True)):
        if link["same_site"]:
            continue
        rows.append(
            f'<tr><td>{_e(link["copy_site"])}</td><td><a href="{_e(link["copy_url"])}">'
            f"{_e(link['copy_title'])}</a></td><td>{_e(link['original_site'])}</td>"
            f'<td><a href="{_e(link["original_url"])}">{_e(link["original_title"])}</a></td>'
            f"<td class='n'>{link['containment']:.2f}</td></tr>"
        )
        if len(rows) == last:
            break
    if not rows:
        return "<p>No uncredited reprints.</p>"
    return (
        '<table id="uncredited"><tr><th>copy site</th><th>copy</th><th>original site</th>'
        f"<th>original</th><th>containment</th></tr>{''.join(rows)}</table>"
    )


def _edits(store: Store, last: int = 20) -> str:
    """The latest edits after publication: the changed field with <del> and <ins>."""
    parts = []
    for change in store.changes(ChangeFilter(), limit=last):
        fields = []
        for name in ("title", "body"):
            ops = word_diff(change[f"{name}_before"], change[f"{name}_after"])
            if changed(ops):
                fields.append(f"<div class='text'><b>{name}:</b> {as_html(ops)}</div>")
        parts.append(
            f"<div class='edit'>{_e(change['changed_at'])} · {_e(change['site'])} · "
            f'<a href="{_e(change["url"])}">{_e(change["title_after"])}</a>{"".join(fields)}</div>'
        )
    return "".join(parts) if parts else "<p>No article was edited after it was stored.</p>"


def render_report(store: Store, *, days: int = 30, runs: int = 20) -> str:
    span, counts = store.articles_per_day(days)
    summaries = store.site_summaries()
    total = sum(s.articles for s in summaries)
    period = f"{span[0]:%d.%m.%Y} – {span[-1]:%d.%m.%Y}" if span else "no dated articles"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>newsbot report</title><style>{STYLE}</style></head><body>"
        f"<h1>newsbot report</h1><p>{total} articles from {len(summaries)} sites.</p>"
        f"<h2>Articles per day ({period})</h2>{chart_svg(span, counts)}"
        f"<h2>Field coverage per site</h2>{_coverage_table(summaries)}"
        f"<h2>Who reprints whom</h2>{reach_svg(store.reach_per_site())}"
        f"<h3>Uncredited reprints</h3>{_uncredited_table(store)}"
        f"<h2>Edits after publication</h2>{_edits(store)}"
        f"<h2>Publishers</h2>{_publishers_table(store)}"
        f"<h2>Media registrations</h2>{_registrations_table(store)}"
        f"<h2>Last runs</h2>{_runs_table(store, runs)}"
        "</body></html>\n"
    )
