"""Scheduled press summaries: a subscription with ``report = "daily"`` or ``"weekly"`` gets the
điểm báo (pipeline/report) of its filters through its channels, once per period, never twice.

- When: ``report_time`` (HH:MM, Vietnam time) every day (daily: the report of the day before) or
  on Mondays (weekly: the 7 days Monday–Sunday before). The report due is the latest such moment
  up to now; one that was missed (presswatch not running) goes out at the next delivery, and
  only the latest one.
- Once: the outbox row ``story_key = "report:<daily|weekly>:<period>"`` is written before sending
  (``UNIQUE(subscription, story_key)``): a second sender, a restart or the next pass finds it and
  sends nothing. A failed channel is retried with the subscription's back-off, only that channel.
- How: e-mail channels (mailto://, mailtos://) get the report attached (``report_format``, docx
  by default); other channels get a short text with the period, the number of stories and the
  first titles, plus a link to the workspace page when ``report_link`` is set.

The subscription's filters (provinces, countries, relevant) choose the stories; its stories are
not sent one by one (they stay in its Atom feed).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlencode

import sqlite_utils

from config import VN_TZ
from db import outbox as box
from pipeline.alerts.send import scrub, send
from pipeline.alerts.subscriptions import AlertsConfig, Subscription
from pipeline.report import Period, Report, build_report, render

log = logging.getLogger(__name__)

LEASE_SECONDS = 600
# (url, title, body, secrets, attachments): raises on failure
ReportSender = Callable[[str, str, str, list[str], list[str]], None]
ATTACHING = ("mailto", "mailtos")


def due(sub: Subscription, now: datetime) -> tuple[str, Period] | None:
    """(outbox key, period) of the report due for ``sub`` at ``now`` (aware), None when it asks for none."""
    if sub.report not in ("daily", "weekly"):
        return None
    hh, mm = (int(x) for x in sub.report_time.split(":"))
    vn = now.astimezone(VN_TZ)
    at = datetime.combine(vn.date(), time(hh, mm), VN_TZ)
    if sub.report == "daily":
        if vn < at:
            at -= timedelta(days=1)
        day = at.date() - timedelta(days=1)
        return f"{box.REPORT_PREFIX}daily:{day.isoformat()}", Period(day, day)
    at -= timedelta(days=at.weekday())  # Monday of this week
    if vn < at:
        at -= timedelta(days=7)
    monday = at.date()
    year, week, _ = monday.isocalendar()
    key = f"{box.REPORT_PREFIX}weekly:{year}-W{week:02d}"
    return key, Period(monday - timedelta(days=7), monday - timedelta(days=1))


def _period_of(key: str) -> Period:
    kind, _, rest = key[len(box.REPORT_PREFIX):].partition(":")
    if kind == "daily":
        d = datetime.fromisoformat(rest).date()
        return Period(d, d)
    year, week = rest.split("-W")
    monday = datetime.fromisocalendar(int(year), int(week), 1).date()
    return Period(monday - timedelta(days=7), monday - timedelta(days=1))


def _report(db: sqlite_utils.Database, sub: Subscription, period: Period) -> Report:
    return build_report(db.conn, period, provinces=sub.provinces, countries=sub.countries,
                        relevant_only=sub.relevant is not False)


def message(sub: Subscription, rep: Report, attached: bool) -> tuple[str, str]:
    """(title, plain-text body) of a report message."""
    title = f"[presswatch] {rep.title()}" + (f" — {sub.title}" if sub.title else "")
    lines = [rep.title(), f"{rep.filters()} · {len(rep.stories)} sự kiện, {rep.n_articles} bài báo", ""]
    if attached:
        lines.append(f"Điểm báo đính kèm ({sub.report_format.upper()}). The press summary is attached.")
    if sub.report_link:
        q = [("ky", "khoang"), ("tu", rep.period.start.isoformat()), ("den", rep.period.end.isoformat())]
        q += [("tinh", p) for p in sub.provinces] + [("nuoc", c) for c in sub.countries]
        lines.append(f"Xem trực tuyến / online: {sub.report_link}/-/diem-bao?{urlencode(q)}")
    if not attached:
        for g in rep.groups:
            lines += ["", f"== {g.name} =="]
            lines += [f"- {s.title} ({s.when()}; {', '.join(o.name for o in s.outlets)})" for s in g.stories[:10]]
    return title, "\n".join(lines) + f"\n\n— presswatch, subscription {sub.name}"


def _default_sender(url: str, title: str, body: str, secrets: list[str], attach: list[str]) -> None:
    send(url, title, body, secrets, attach=attach)


def _send(db: sqlite_utils.Database, cfg: AlertsConfig, sub: Subscription, oid: int, key: str,
          now: datetime, sender: ReportSender, env: dict[str, str] | None) -> tuple[int, str | None]:
    """Send the report row ``oid``; (messages sent, error or None). Marks the row."""
    rep = _report(db, sub, _period_of(key))
    row = next(r for r in box.report_rows(db, sub.name) if r["id"] == oid)
    done: set[str] = set()
    errors: list[str] = []
    try:
        channels, secrets = sub.expanded_channels(env), sub.secrets(env)
    except KeyError as e:
        channels, secrets = [], []
        errors.append(str(e.args[0]))
    messages = 0
    with tempfile.TemporaryDirectory(prefix="presswatch-report-") as tmp:
        path = Path(tmp) / f"diem-bao-{rep.period.start:%Y%m%d}-{rep.period.end:%Y%m%d}.{sub.report_format}"
        for cid, url in channels:
            attach = url.split("://", 1)[0].lower() in ATTACHING
            if attach and not path.exists():
                path.write_bytes(render(rep, sub.report_format))
            title, body = message(sub, rep, attach)
            try:
                sender(url, title, body, secrets, [str(path)] if attach else [])
            except Exception as e:  # one channel's failure must not stop the others
                errors.append(f"{url.split('://', 1)[0]}: {scrub(str(e), secrets)}"[:700])
                continue
            messages += 1
            done.add(cid)
    now_s = now.astimezone(UTC).isoformat(timespec="seconds")
    if channels and {c for c, _ in channels} <= done:
        box.mark_sent(db, oid, now_s, done)
        return messages, None
    attempts = int(row["attempts"]) + 1
    nxt = (now + timedelta(seconds=cfg.delivery.backoff(attempts))).astimezone(UTC).isoformat(timespec="seconds")
    error = "; ".join(errors) or "no channel"
    box.mark_report_failed(db, oid, gave_up=attempts >= cfg.delivery.max_attempts, now=now_s,
                           next_attempt_at=nxt, delivered=done, error=error)
    return messages, error


def deliver_reports(db: sqlite_utils.Database, cfg: AlertsConfig, *, now: datetime | None = None,
                    only: str | None = None, sender: ReportSender | None = None,
                    env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    """Send every report that is due (of every subscription with ``report``, or ``only`` one):
    (messages sent, errors). Writes its outbox rows in ``db``; safe to run from two processes."""
    now = now or datetime.now(UTC)
    sender = sender or _default_sender
    lease = (max(now, datetime.now(UTC)) + timedelta(seconds=LEASE_SECONDS)).astimezone(UTC).isoformat()
    now_s = now.astimezone(UTC).isoformat(timespec="seconds")
    sent, errors = 0, []
    for sub in cfg.subscriptions.values():
        if not sub.report or not sub.channels or (only and sub.name != only):
            continue
        todo = box.claim_reports(db, sub.name, now_s, lease)  # earlier attempts that failed
        d = due(sub, now)
        article = box.any_article_id(db)
        if d is not None and article is not None:
            oid = box.enqueue_report(db, sub.name, d[0], article, now_s, lease)
            if oid is not None:
                todo.append((oid, d[0]))
        for oid, key in todo:
            n, err = _send(db, cfg, sub, oid, key, now, sender, env)
            sent += n
            if err:
                errors.append(f"{sub.name}: {err}")
                log.warning("report %s (%s): %s", sub.name, key, err)
    return sent, errors
