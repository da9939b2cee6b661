"""The SQL of the alert outbox (pipeline/alerts/outbox.py decides what is owed and when it is sent):
one ``alert_outbox`` row per (subscription, story), claimed with a lease, marked delivered, failed
or due again. Plain values in and out: ids, ISO UTC strings, lists of channel ids, dicts.

``delivered`` (the channel ids a row was already sent to) is stored as a sorted JSON array and
``reasons`` as the JSON text ``pipeline.alerts.reasons_json`` makes; both come back parsed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from db import rows

STATUSES = ("pending", "sent", "failed", "feed_only", "report")
REPORT_PREFIX = "report:"  # story_key of a scheduled press summary (status 'report' until sent)
ALSO_LIMIT = 10  # other reports of the same story listed with an item ("also reported by")


def enqueue(db: sqlite_utils.Database, subscription: str, story_key: str, article_id: int, reasons: str,
            created_at: str, status: str) -> int:
    """Owe ``subscription`` this story (``status`` 'pending', or 'feed_only' for a subscription with no
    channel), due at ``created_at``. Returns 1 when written, 0 when the subscription is already owed
    the story (``UNIQUE(subscription, story_key)``: nothing changes)."""
    cur = db.execute(
        "INSERT INTO alert_outbox (subscription, story_key, article_id, reasons, created_at, status, "
        "next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(subscription, story_key) DO NOTHING",
        [subscription, story_key, article_id, reasons, created_at, status, created_at],
    )
    return cur.rowcount if cur.rowcount and cur.rowcount > 0 else 0


def claim(db: sqlite_utils.Database, subscription: str, now: str, lease_until: str, limit: int) -> list[int]:
    """Take up to ``limit`` due pending rows of ``subscription`` (``next_attempt_at <= now``, oldest id
    first): their next_attempt_at moves to ``lease_until`` in one statement, so a sender running at
    the same time cannot take them too. Returns their ids, sorted."""
    rows = db.execute(
        "UPDATE alert_outbox SET next_attempt_at = ? WHERE id IN (SELECT id FROM alert_outbox "
        "WHERE subscription = ? AND status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?) "
        "AND status = 'pending' AND next_attempt_at <= ? RETURNING id",
        [lease_until, subscription, now, limit, now],
    ).fetchall()
    return sorted(int(r[0]) for r in rows)


def due(db: sqlite_utils.Database, subscription: str, now: str) -> tuple[str | None, int]:
    """(created_at of the oldest, how many) of the pending rows of ``subscription`` due at ``now``
    ((None, 0) when none is)."""
    oldest, n = db.execute(
        "SELECT min(created_at), count(*) FROM alert_outbox WHERE subscription = ? AND status = 'pending' "
        "AND next_attempt_at <= ?", [subscription, now],
    ).fetchone()
    return oldest, int(n or 0)


def count_due(db: sqlite_utils.Database, subscription: str, now: str) -> int:
    """How many pending rows of ``subscription`` are due at ``now``."""
    return int(db.execute(
        "SELECT count(*) FROM alert_outbox WHERE subscription = ? AND status = 'pending' "
        "AND next_attempt_at <= ?", [subscription, now],
    ).fetchone()[0])


def also_reported(db: sqlite_utils.Database, article_id: int) -> list[tuple[str, str]]:
    """(outlet name, else site key, else '?'; url) of the other articles of this article's story, by id,
    at most ``ALSO_LIMIT``. The story is its ``story_id``, or its own id (the first article of a story
    may have a NULL story_id)."""
    key = db.execute("SELECT coalesce(story_id, id) FROM articles WHERE id = ?", [article_id]).fetchone()[0]
    return [(row[0] or "?", row[1]) for row in db.execute(
        "SELECT coalesce(s.name, b.site), b.url FROM articles b LEFT JOIN sites s ON s.key = b.site "
        "WHERE (b.story_id = ? OR b.id = ?) AND b.id != ? ORDER BY b.id LIMIT ?",
        [key, key, article_id, ALSO_LIMIT],
    )]


def items(db: sqlite_utils.Database, outbox_ids: Iterable[int]) -> list[dict[str, Any]]:
    """One dict per outbox row whose article is still stored, in the order of ``outbox_ids``: ``id``
    (the outbox row's), ``delivered`` (list of channel ids), ``reasons`` (dict), the article's
    ``article_id``, ``title``, ``url``, ``site``, ``outlet`` (the site's name), ``published``,
    ``fetched_at``, ``description``, ``text``, and ``also`` (``also_reported``)."""
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
        out.append({
            "id": oid, "delivered": json.loads(delivered or "[]"), "reasons": json.loads(reasons or "{}"),
            "article_id": aid, "title": title, "url": url, "site": site, "outlet": outlet,
            "published": published, "fetched_at": fetched_at, "description": desc, "text": text,
            "also": also_reported(db, aid),
        })
    return out


def mark_sent(db: sqlite_utils.Database, outbox_id: int, now: str, delivered: Iterable[str]) -> None:
    """The row reached every channel: 'sent' at ``now``, one more attempt, its error cleared."""
    db.execute(
        "UPDATE alert_outbox SET status = 'sent', sent_at = ?, last_attempt_at = ?, "
        "attempts = attempts + 1, delivered = ?, error = NULL WHERE id = ?",
        [now, now, json.dumps(sorted(delivered)), outbox_id],
    )


def attempts(db: sqlite_utils.Database, outbox_id: int) -> int:
    """How many delivery attempts the row has had."""
    return int(db.execute("SELECT attempts FROM alert_outbox WHERE id = ?", [outbox_id]).fetchone()[0])


def mark_failed(db: sqlite_utils.Database, outbox_id: int, *, gave_up: bool, attempts: int, now: str,
                next_attempt_at: str, delivered: Iterable[str], error: str | None) -> None:
    """A failed attempt: the row is 'failed' (``gave_up``: kept, not retried) or 'pending' again, due at
    ``next_attempt_at``; ``delivered``: the channels that have it all the same; ``error`` (scrubbed)."""
    db.execute(
        "UPDATE alert_outbox SET status = ?, attempts = ?, last_attempt_at = ?, next_attempt_at = ?, "
        "delivered = ?, error = ? WHERE id = ?",
        ["failed" if gave_up else "pending", attempts, now, next_attempt_at, json.dumps(sorted(delivered)),
         error, outbox_id],
    )


def mark_gone(db: sqlite_utils.Database, outbox_id: int) -> None:
    """The row's article was deleted: 'failed' with the error 'article no longer stored'."""
    db.execute("UPDATE alert_outbox SET status = 'failed', error = 'article no longer stored' "
               "WHERE id = ?", [outbox_id])


def retry_failed(db: sqlite_utils.Database, now: str, only: str | None = None) -> int:
    """Rows that were given up ('failed'), of every subscription or of ``only``: 'pending' again with
    no attempt, due at ``now``. Returns how many."""
    cur = db.execute(
        "UPDATE alert_outbox SET status = 'pending', attempts = 0, next_attempt_at = ? "
        "WHERE status = 'failed' AND (? IS NULL OR subscription = ?)", [now, only, only],
    )
    return max(cur.rowcount, 0)


def status(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """Per subscription in the outbox: the number of rows of each status (``STATUSES``),
    ``last_sent`` (ISO or None), and, when a row not sent has one, ``last_error`` with
    ``last_error_at``."""
    out: dict[str, dict[str, Any]] = {}
    for sub, st, n in db.execute(
        "SELECT subscription, status, count(*) FROM alert_outbox GROUP BY subscription, status"
    ):
        out.setdefault(sub, dict.fromkeys(STATUSES, 0))[st] = n
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


# -- scheduled press summaries (pipeline/alerts/reports.py) ----------------------------------------
def enqueue_report(db: sqlite_utils.Database, subscription: str, key: str, article_id: int, now: str,
                   lease_until: str) -> int | None:
    """Owe ``subscription`` the report ``key`` (a ``REPORT_PREFIX`` story key: one per period), held
    by this sender until ``lease_until``. Returns the new row's id, or None when a row of that key
    exists already (the report was sent, or another sender has it): never twice."""
    row = db.execute(
        "INSERT INTO alert_outbox (subscription, story_key, article_id, reasons, created_at, status, "
        "next_attempt_at) VALUES (?, ?, ?, '{}', ?, 'report', ?) ON CONFLICT(subscription, story_key) DO NOTHING "
        "RETURNING id", [subscription, key, article_id, now, lease_until],
    ).fetchone()
    return int(row[0]) if row else None


def claim_reports(db: sqlite_utils.Database, subscription: str, now: str, lease_until: str) -> list[tuple[int, str]]:
    """Take the report rows of ``subscription`` due again (a failed attempt's back-off is over):
    (id, story_key), their next_attempt_at moved to ``lease_until`` in one statement."""
    rows = db.execute(
        "UPDATE alert_outbox SET next_attempt_at = ? WHERE subscription = ? AND status = 'report' "
        "AND next_attempt_at <= ? RETURNING id, story_key", [lease_until, subscription, now],
    ).fetchall()
    return sorted((int(r[0]), str(r[1])) for r in rows)


def mark_report_failed(db: sqlite_utils.Database, outbox_id: int, *, gave_up: bool, now: str,
                       next_attempt_at: str, delivered: Iterable[str], error: str | None) -> None:
    """A report that did not reach every channel: due again at ``next_attempt_at`` (status 'report'),
    or 'failed' when ``gave_up``; one more attempt counted."""
    db.execute(
        "UPDATE alert_outbox SET status = ?, attempts = attempts + 1, last_attempt_at = ?, next_attempt_at = ?, "
        "delivered = ?, error = ? WHERE id = ?",
        ["failed" if gave_up else "report", now, next_attempt_at, json.dumps(sorted(delivered)), error, outbox_id],
    )


def report_rows(db: sqlite_utils.Database, subscription: str) -> list[dict[str, Any]]:
    """The report rows of ``subscription``, oldest first: id, story_key, status, sent_at, attempts, error."""
    cur = db.execute(
        "SELECT id, story_key, status, sent_at, attempts, error FROM alert_outbox WHERE subscription = ? "
        "AND story_key LIKE 'report:%' ORDER BY id", [subscription])
    return rows(cur)


def any_article_id(db: sqlite_utils.Database) -> int | None:
    """The newest article's id (a report row needs one: ``article_id`` is NOT NULL), None when empty."""
    row = db.execute("SELECT max(id) FROM articles").fetchone()
    return int(row[0]) if row and row[0] is not None else None
