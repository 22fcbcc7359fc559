"""What a shared frontier holds now (`newsbot frontier status`): the open run, each
site's queue, requests in flight per worker, whether it is done and who holds it; the
workers alive; the records waiting for the writer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis

from newsbot.frontier import keys
from newsbot.frontier.publish import RunSpec, queue_length


@dataclass
class SiteStatus:
    site: str
    queued: int = 0
    in_flight: dict[str, int] = field(default_factory=dict)
    done: str | None = None
    lease: str | None = None


@dataclass
class FrontierStatus:
    run_id: int | None = None
    opened_at: str | None = None
    age_seconds: float | None = None
    sites: list[SiteStatus] = field(default_factory=list)
    workers: list[str] = field(default_factory=list)
    workers_gone: list[str] = field(default_factory=list)
    outbox: int = 0
    processing: int = 0
    dead_letters: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def frontier_status(client: redis.Redis, now: datetime | None = None) -> FrontierStatus:
    """Raises redis.RedisError when Redis cannot answer."""
    status = FrontierStatus()
    raw_run = client.get(keys.RUN)
    run = RunSpec.parse(raw_run) if raw_run is not None else None
    sites: list[str] = []
    done: dict[str, str] = {}
    if run is not None:
        status.run_id, status.opened_at = run.run_id, run.opened_at or None
        if run.opened_at:
            opened = datetime.fromisoformat(run.opened_at)
            status.age_seconds = ((now or datetime.now(UTC)) - opened).total_seconds()
        sites = sorted(run.sites)
        done = {_text(k): _text(v) for k, v in client.hgetall(keys.done(run.run_id)).items()}
    else:
        # No run: the queues some earlier run left, if any.
        prefix, suffix = keys.QUEUE_PATTERN.split("%(spider)s")
        sites = sorted(
            _text(key)[len(prefix) : -len(suffix)]
            for key in client.scan_iter(match=keys.queue("*"), count=1000)
        )
    for site in sites:
        entry = SiteStatus(site, queue_length(client, keys.queue(site)), done=done.get(site))
        prefix = keys.inflight(site, "")
        for key in client.scan_iter(match=keys.inflight_pattern(site), count=1000):
            count = int(client.hlen(key))
            if count:
                entry.in_flight[_text(key)[len(prefix) :]] = count
        holder = client.get(keys.lease(site))
        entry.lease = _text(holder) if holder is not None else None
        status.sites.append(entry)
    for worker in sorted(_text(w) for w in client.zrange(keys.WORKERS, 0, -1)):
        alive = client.exists(keys.heartbeat(worker))
        (status.workers if alive else status.workers_gone).append(worker)
    status.outbox = int(client.llen(keys.OUTBOX))
    status.processing = int(client.llen(keys.PROCESSING))
    status.dead_letters = int(client.llen(keys.DEAD_LETTERS))
    return status


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


def format_status(status: FrontierStatus) -> str:
    if status.run_id is None:
        lines = ["no open run"]
    else:
        lines = [f"run {status.run_id}: open for {_age(status.age_seconds)}"]
    if status.sites:
        header = f"{'site':<22}{'queued':>8}{'in flight':>11}  {'done':<10}lease holder"
        lines += [header, "-" * len(header)]
        for site in status.sites:
            lines.append(
                f"{site.site:<22}{site.queued:>8}{sum(site.in_flight.values()):>11}  "
                f"{site.done or '-':<10}{site.lease or '-'}"
            )
            for worker, count in sorted(site.in_flight.items()):
                lines.append(f"{'':<22}{'':>8}{count:>11}  in flight at {worker}")
    lines.append(
        f"workers alive: {len(status.workers)}"
        + (f" ({', '.join(status.workers)})" if status.workers else "")
    )
    if status.workers_gone:
        lines.append(f"workers gone (heartbeat expired): {', '.join(status.workers_gone)}")
    lines.append(
        f"records waiting for the writer: {status.outbox} in the outbox, "
        f"{status.processing} in the writer's batch"
    )
    if status.dead_letters:
        lines.append(f"unreadable records set aside: {status.dead_letters} ({keys.DEAD_LETTERS})")
    return "\n".join(lines)
