"""The alert outbox: what each subscription is owed, written with the article, delivered after a pass.

- ``enqueue`` runs inside the transaction that stores a new article (the ``on_new``
  hook of pipeline.process.store_article):
  one row per (subscription, story) — ``UNIQUE(subscription, story_key)`` where the story key is the
  dedup story id when there is one, else the article id — so a re-crawl, a restart or a copy from
  another outlet never owes a subscription the same story twice. A copy marked ``duplicate_of`` is
  not a new story and is not enqueued.
- ``deliver`` sends what is due: at-least-once, each row claimed with a short lease (so two passes
  finishing together do not both send it), each channel remembered once it has the message (a retry
  goes only to the channels that failed), failures kept with their error and retried with
  exponential back-off until ``max_attempts``; then the row is ``failed`` and kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from db import outbox as box
from pipeline.alerts import (
    AlertsConfig,
    Item,
    Subscription,
    reasons_json,
    render,
    scrub,
    send,
    snippet,
)
from pipeline.article import Article

log = logging.getLogger(__name__)

LEASE_SECONDS = 300  # a claimed row is someone's for this long (a crashed sender's rows come back after it)
BATCH = 200  # rows in one grouped message (digest, flood) at most
CHUNK = 10  # instant rows claimed at a time, so that a slow channel never outlives the lease

Sender = Callable[[str, str, str, list[str]], None]  # (url, title, body, secrets); raises on failure


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


# -- enqueue -----------------------------------------------------------------------------------
def story_key(article_id: int, article: Article) -> str:
    sid = article.story_id
    return str(sid if sid is not None else article_id)


def enqueue(db: sqlite_utils.Database, article_id: int, article: Article,
            subs: dict[str, Subscription], now: datetime | None = None) -> int:
    """Owe the matching subscriptions this new article; call inside the article's transaction.
    Returns the number of rows written (0 for a story a subscription is already owed)."""
    if article.duplicate_of is not None:
        return 0
    fields = {"title": article.title, "description": article.description, "text": article.text,
              "site": article.site,
              "relevance": article.relevance.to_dict() if article.relevance is not None else None,
              "acting_provinces": list(dict.fromkeys(
                  a["locality"] for a in article.activities or [] if a.get("locality")))}
    key = story_key(article_id, article)
    ts = iso(_now(now))
    written = 0
    for sub in subs.values():
        m = sub.match(fields)
        if m is None:
            continue
        written += box.enqueue(db, sub.name, key, article_id, reasons_json(m), ts,
                               "pending" if sub.channels and not sub.report else "feed_only")
    return written


def enqueuer(subs: dict[str, Subscription]) -> Callable[[sqlite_utils.Database, int, Article], None]:
    """A ``pipeline.process.store_article`` ``on_new`` hook that enqueues each new article for ``subs``."""

    def hook(db: sqlite_utils.Database, article_id: int, article: Article) -> None:
        enqueue(db, article_id, article, subs)

    return hook


# -- deliver -----------------------------------------------------------------------------------
@dataclass
class Report:
    messages: int = 0  # messages sent (one per channel)
    sent: int = 0  # rows now fully delivered
    failed: int = 0  # rows that failed this time (kept, retried later)
    gave_up: int = 0  # rows that reached max_attempts
    waiting: int = 0  # digest rows not due yet
    errors: list[str] = field(default_factory=list)
    # channels that failed in this run: not tried again before the run ends (a server that is down
    # costs one connection attempt per run, not one per story)
    down: dict[str, str] = field(default_factory=dict)

    def line(self) -> str:
        out = f"alerts: {self.sent} delivered in {self.messages} message(s), {self.failed} failed"
        if self.gave_up:
            out += f" ({self.gave_up} given up)"
        if self.waiting:
            out += f", {self.waiting} waiting for their digest"
        if self.errors:
            out += f" — {self.errors[0]}"
        return out


def _claim(db: sqlite_utils.Database, sub: str, now: datetime, limit: int) -> list[int]:
    """Take up to ``limit`` due rows of ``sub`` for this sender: their next_attempt_at moves past the
    lease, in one statement, so a sender running at the same time cannot take them too."""
    lease = iso(max(now, datetime.now(UTC)) + timedelta(seconds=LEASE_SECONDS))
    return box.claim(db, sub, iso(now), lease, limit)


def _digest_due(db: sqlite_utils.Database, sub: Subscription, now: datetime) -> tuple[bool, int]:
    """(is a digest due, how many rows are waiting): due once the oldest waiting row is ``digest`` old."""
    oldest, n = box.due(db, sub.name, iso(now))
    if not n or oldest is None:
        return False, 0
    due = datetime.fromisoformat(oldest) + timedelta(seconds=sub.digest or 0) <= now
    return due, n


def items(db: sqlite_utils.Database, outbox_ids: list[int]) -> list[tuple[int, list[str], Item]]:
    """(outbox id, channels already delivered, Item) for each row whose article is still stored, in
    the order of ``outbox_ids``; ``Item.also``: the other reports of its story (the dedup story_id)."""
    return [(r["id"], r["delivered"], Item(
        article_id=r["article_id"], title=r["title"], url=r["url"], site=r["site"], outlet=r["outlet"],
        published=r["published"], fetched_at=r["fetched_at"], snippet=snippet(r["description"], r["text"]),
        reasons=r["reasons"], also=r["also"],
    )) for r in box.items(db, outbox_ids)]


def _send_batch(db: sqlite_utils.Database, sub: Subscription, cfg: AlertsConfig,
                batch: list[tuple[int, list[str], Item]], now: datetime, report: Report,
                sender: Sender, env: dict[str, str] | None) -> None:
    delivered = {oid: set(done) for oid, done, _ in batch}
    errors: list[str] = []
    try:
        channels = sub.expanded_channels(env)
        secrets = sub.secrets(env)
    except KeyError as e:
        channels, secrets = [], []
        errors.append(f"{e.args[0]}")
    for cid, url in channels:
        todo = [oid for oid, _, _ in batch if cid not in delivered[oid]]
        if not todo:
            continue
        if cid in report.down:
            errors.append(report.down[cid])
            continue
        title, body = render(sub, [it for oid, _, it in batch if oid in todo])
        try:
            sender(url, title, body, secrets)
        except Exception as e:  # a channel's failure must not stop the others
            report.down[cid] = f"{url.split('://', 1)[0]}: {scrub(str(e), secrets)}"[:700]
            errors.append(report.down[cid])
            continue
        report.messages += 1
        for oid in todo:
            delivered[oid].add(cid)
    wanted = {cid for cid, _ in channels}
    now_s = iso(now)
    error = "; ".join(errors) or None
    for oid, _, _ in batch:
        done = delivered[oid]
        if channels and wanted <= done:
            box.mark_sent(db, oid, now_s, done)
            report.sent += 1
            continue
        attempts = box.attempts(db, oid) + 1
        gave_up = attempts >= cfg.delivery.max_attempts
        nxt = iso(now + timedelta(seconds=cfg.delivery.backoff(attempts)))
        box.mark_failed(db, oid, gave_up=gave_up, attempts=attempts, now=now_s, next_attempt_at=nxt,
                        delivered=done, error=error)
        report.failed += 1
        report.gave_up += gave_up
    if error and f"{sub.name}: {error}" not in report.errors:  # once per run, not once per story
        report.errors.append(f"{sub.name}: {error}")
        log.warning("alerts %s: %s", sub.name, error)


def _default_sender(url: str, title: str, body: str, secrets: list[str]) -> None:
    send(url, title, body, secrets)


def deliver(db: sqlite_utils.Database, cfg: AlertsConfig, *, now: datetime | None = None,
            flush_digests: bool = False, only: str | None = None, sender: Sender | None = None,
            env: dict[str, str] | None = None) -> Report:
    """Send what is due to every configured subscription (or ``only`` one); ``flush_digests`` sends
    digests now instead of when their interval is up."""
    report = Report()
    sender = sender or _default_sender
    for sub in cfg.subscriptions.values():
        if (only and sub.name != only) or not sub.channels:
            continue
        t = _now(now)
        if sub.is_digest:
            due, n = _digest_due(db, sub, t)
            if not (due or flush_digests):
                report.waiting += n
                continue
        while True:
            # each round leaves the rows it took sent or due later than t: the loop ends
            n_due = box.count_due(db, sub.name, iso(t))
            if not n_due:
                break
            grouped = sub.is_digest or n_due > cfg.delivery.max_instant
            ids = _claim(db, sub.name, t, BATCH if grouped else CHUNK)
            if not ids:
                break
            rows = items(db, ids)
            gone = set(ids) - {oid for oid, _, _ in rows}
            for oid in gone:  # the article was deleted: nothing to send, say so
                box.mark_gone(db, oid)
            batches = [rows] if grouped else [[r] for r in rows]
            for batch in batches:
                _send_batch(db, sub, cfg, batch, _now(now), report, sender, env)
    from pipeline.alerts.reports import deliver_reports  # scheduled press summaries (report = ...)

    n, errors = deliver_reports(db, cfg, now=now, only=only, env=env)
    report.messages += n
    report.errors += errors
    return report


def retry_failed(db: sqlite_utils.Database, only: str | None = None) -> int:
    """Give rows that reached max_attempts a new series of attempts; returns how many."""
    return box.retry_failed(db, iso(_now(None)), only)


def status(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """Per subscription: counts by status, last delivery, last error (``db.outbox.status``)."""
    return box.status(db)
