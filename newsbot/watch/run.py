"""`newsbot watch run`: each watch's new matches to the digest file, its e-mail address
and its webhook. What a channel received is recorded only once it went through, so a
failed delivery is tried again on the next run and nothing is delivered twice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from newsbot.watch.delivery import (
    DeliveryError,
    SmtpSettings,
    post_webhook,
    send_email,
    webhook_messages,
)
from newsbot.watch.digest import render_html, render_text
from pipelines.export import atomic_output
from pipelines.store import Store, Watch, utc_iso


@dataclass
class WatchOutcome:
    watch: Watch
    new: int = 0  # matches new to at least one of its channels
    delivered: dict[str, int] = field(default_factory=dict)  # channel -> matches sent
    failed: dict[str, str] = field(default_factory=dict)  # channel -> why


def run_watches(
    store: Store,
    now: datetime,
    smtp: SmtpSettings | None,
    digest: Path | None = None,
) -> list[WatchOutcome]:
    at = utc_iso(now)
    outcomes = {w.name: WatchOutcome(w) for w in store.watches()}
    if digest is not None:
        found = {o.watch: store.new_matches(o.watch, "digest") for o in outcomes.values()}
        with atomic_output(str(digest), "utf-8") as out:
            out.write(render_html(found, at))
        for watch, matches in found.items():
            _delivered(store, outcomes[watch.name], "digest", matches, at)
    _deliver_email(store, list(outcomes.values()), smtp, at)
    for outcome in outcomes.values():
        watch = outcome.watch
        if not watch.webhook:
            continue
        matches = store.new_matches(watch, "webhook")
        outcome.new = max(outcome.new, len(matches))
        sent: list[Mapping[str, Any]] = []
        for body, carried in (
            webhook_messages(watch.webhook_format, watch.name, watch.query, matches)
            if matches
            else []
        ):
            try:
                post_webhook(watch.webhook, body)
            except DeliveryError as error:
                outcome.failed["webhook"] = str(error)
                break
            sent += carried
        if sent:
            _delivered(store, outcome, "webhook", sent, at)
    return list(outcomes.values())


def _deliver_email(
    store: Store,
    outcomes: list[WatchOutcome],
    smtp: SmtpSettings | None,
    at: str,
) -> None:
    """One message per address, with a section for each of its watches."""
    by_address: dict[str, dict[Watch, list[dict[str, Any]]]] = {}
    for outcome in outcomes:
        watch = outcome.watch
        if watch.email:
            matches = store.new_matches(watch, "email")
            if matches:
                by_address.setdefault(watch.email, {})[watch] = matches
    for address, found in by_address.items():
        total = sum(len(m) for m in found.values())
        try:
            if smtp is None:
                raise DeliveryError("no NEWSBOT_SMTP_HOST is set: e-mail cannot be sent")
            names = ", ".join(w.name for w in found)
            send_email(
                smtp,
                address,
                f"newsbot: {total} new ({names})",
                render_text(found),
                render_html(found, at),
            )
        except DeliveryError as error:
            for watch, matches in found.items():
                outcome = next(o for o in outcomes if o.watch == watch)
                outcome.failed["email"] = str(error)
                outcome.new = max(outcome.new, len(matches))
            continue
        for watch, matches in found.items():
            outcome = next(o for o in outcomes if o.watch == watch)
            _delivered(store, outcome, "email", matches, at)


def _delivered(
    store: Store,
    outcome: WatchOutcome,
    channel: str,
    matches: Sequence[Mapping[str, Any]],
    at: str,
) -> None:
    store.record_deliveries(outcome.watch.name, channel, (m["id"] for m in matches), at)
    outcome.delivered[channel] = len(matches)
    outcome.new = max(outcome.new, len(matches))


def summary_line(outcome: WatchOutcome) -> str:
    parts = [f"watch {outcome.watch.name}: {outcome.new} new"]
    parts += [f"{channel} {count}" for channel, count in outcome.delivered.items() if count]
    parts += [f"{channel} failed ({why})" for channel, why in outcome.failed.items()]
    return "; ".join(parts)
