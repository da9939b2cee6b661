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

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

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
              "relevance": article.relevance.to_dict() if article.relevance is not None else None}
    key = story_key(article_id, article)
    ts = iso(_now(now))
    written = 0
    for sub in subs.values():
        m = sub.match(fields)
        if m is None:
            continue
        cur = db.execute(
            "INSERT INTO alert_outbox (subscription, story_key, article_id, reasons, created_at, status, "
            "next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(subscription, story_key) DO NOTHING",
            [sub.name, key, article_id, reasons_json(m), ts, "pending" if sub.channels else "feed_only", ts],
        )
        written += cur.rowcount if cur.rowcount and cur.rowcount > 0 else 0
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
    now_s = iso(now)
    lease = iso(max(now, datetime.now(UTC)) + timedelta(seconds=LEASE_SECONDS))
    rows = db.execute(
        "UPDATE alert_outbox SET next_attempt_at = ? WHERE id IN (SELECT id FROM alert_outbox "
        "WHERE subscription = ? AND status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?) "
        "AND status = 'pending' AND next_attempt_at <= ? RETURNING id",
        [lease, sub, now_s, limit, now_s],
    ).fetchall()
    return sorted(int(r[0]) for r in rows)


def _digest_due(db: sqlite_utils.Database, sub: Subscription, now: datetime) -> tuple[bool, int]:
    """(is a digest due, how many rows are waiting): due once the oldest waiting row is ``digest`` old."""
    oldest, n = db.execute(
        "SELECT min(created_at), count(*) FROM alert_outbox WHERE subscription = ? AND status = 'pending' "
        "AND next_attempt_at <= ?", [sub.name, iso(now)],
    ).fetchone()
    if not n:
        return False, 0
    due = datetime.fromisoformat(oldest) + timedelta(seconds=sub.digest or 0) <= now
    return due, int(n)


def items(db: sqlite_utils.Database, outbox_ids: list[int]) -> list[tuple[int, list[str], Item]]:
    """(outbox id, channels already delivered, Item) for each row, in id order."""
    has_story = "story_id" in db["articles"].columns_dict
    out = []
    for oid in outbox_ids:
        r = db.execute(
            "SELECT o.delivered, o.reasons, a.id, a.title, a.url, a.site, s.name, a.published, a.fetched_at, "
            "a.description, a.text FROM alert_outbox o JOIN articles a ON a.id = o.article_id "
            "LEFT JOIN sites s ON s.key = a.site WHERE o.id = ?", [oid],
        ).fetchone()
        if r is None:
            continue
        delivered, reasons, aid, title, url, site, outlet, published, fetched_at, desc, text = r
        also: list[tuple[str, str]] = []
        if has_story:  # the dedup module's story: its first article's id (story_id may be NULL on it)
            key = db.execute("SELECT coalesce(story_id, id) FROM articles WHERE id = ?", [aid]).fetchone()[0]
            also = [(row[0] or "?", row[1]) for row in db.execute(
                "SELECT coalesce(s.name, b.site), b.url FROM articles b LEFT JOIN sites s ON s.key = b.site "
                "WHERE (b.story_id = ? OR b.id = ?) AND b.id != ? ORDER BY b.id LIMIT 10", [key, key, aid],
            )]
        out.append((oid, json.loads(delivered or "[]"), Item(
            article_id=aid, title=title, url=url, site=site, outlet=outlet, published=published,
            fetched_at=fetched_at, snippet=snippet(desc, text), reasons=json.loads(reasons or "{}"),
            also=also,
        )))
    return out


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
            db.execute(
                "UPDATE alert_outbox SET status = 'sent', sent_at = ?, last_attempt_at = ?, "
                "attempts = attempts + 1, delivered = ?, error = NULL WHERE id = ?",
                [now_s, now_s, json.dumps(sorted(done)), oid],
            )
            report.sent += 1
            continue
        attempts = db.execute("SELECT attempts FROM alert_outbox WHERE id = ?", [oid]).fetchone()[0] + 1
        gave_up = attempts >= cfg.delivery.max_attempts
        nxt = iso(now + timedelta(seconds=cfg.delivery.backoff(attempts)))
        db.execute(
            "UPDATE alert_outbox SET status = ?, attempts = ?, last_attempt_at = ?, next_attempt_at = ?, "
            "delivered = ?, error = ? WHERE id = ?",
            ["failed" if gave_up else "pending", attempts, now_s, nxt, json.dumps(sorted(done)), error, oid],
        )
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
            due = db.execute(
                "SELECT count(*) FROM alert_outbox WHERE subscription = ? AND status = 'pending' "
                "AND next_attempt_at <= ?", [sub.name, iso(t)],
            ).fetchone()[0]
            if not due:
                break
            grouped = sub.is_digest or due > cfg.delivery.max_instant
            ids = _claim(db, sub.name, t, BATCH if grouped else CHUNK)
            if not ids:
                break
            rows = items(db, ids)
            gone = set(ids) - {oid for oid, _, _ in rows}
            for oid in gone:  # the article was deleted: nothing to send, say so
                db.execute("UPDATE alert_outbox SET status = 'failed', error = 'article no longer stored' "
                           "WHERE id = ?", [oid])
            batches = [rows] if grouped else [[r] for r in rows]
            for batch in batches:
                _send_batch(db, sub, cfg, batch, _now(now), report, sender, env)
    return report


def retry_failed(db: sqlite_utils.Database, only: str | None = None) -> int:
    """Give rows that reached max_attempts a new series of attempts; returns how many."""
    cur = db.execute(
        "UPDATE alert_outbox SET status = 'pending', attempts = 0, next_attempt_at = ? "
        "WHERE status = 'failed' AND (? IS NULL OR subscription = ?)", [iso(_now(None)), only, only],
    )
    return max(cur.rowcount, 0)


def status(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """Per subscription: counts by status, last delivery, last error."""
    out: dict[str, dict[str, Any]] = {}
    for sub, st, n in db.execute(
        "SELECT subscription, status, count(*) FROM alert_outbox GROUP BY subscription, status"
    ):
        out.setdefault(sub, {"pending": 0, "sent": 0, "failed": 0, "feed_only": 0})[st] = n
    for sub, last_sent in db.execute(
        "SELECT subscription, max(sent_at) FROM alert_outbox GROUP BY subscription"
    ):
        out[sub]["last_sent"] = last_sent
    for sub, err, at in db.execute(
        "SELECT subscription, error, max(last_attempt_at) FROM alert_outbox WHERE error IS NOT NULL "
        "AND status != 'sent' GROUP BY subscription"
    ):
        out[sub]["last_error"] = err
        out[sub]["last_error_at"] = at
    return out
