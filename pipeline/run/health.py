"""Health per site, from the `site_health` view (db/schema.py, migration 0002): last run, last
success, last new article, consecutive failures, last error and HTTP status, back-off, "blocked"
(a challenge/WAF page or a 403) and "stale" (no new article for > 10 intervals and > 24 h); with the
discovery state of the ``site_discovery`` view (migration 0010): the latest discovery and
"NO ARTICLES" (ok passes that found no article link, db.discovery.NO_ARTICLE_PASSES or more)."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import sqlite_utils

from config import vn_datetime
from db.discovery import NO_ARTICLE_PASSES, discovery_state
from db.runs import HEALTH_COLUMNS as COLUMNS
from db.runs import site_health as _health_rows

__all__ = ["COLUMNS", "site_health", "flags", "format_status"]


def site_health(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """The ``site_health`` rows (``COLUMNS``), each with ``discovery``: its ``site_discovery`` row
    (db/discovery.py ``DISCOVERY_COLUMNS``) or None."""
    state = discovery_state(db)
    return [{**r, "discovery": state.get(r["site"])} for r in _health_rows(db)]


def flags(row: dict[str, Any]) -> list[str]:
    out = []
    if row["blocked"]:
        out.append("BLOCKED")
    if row["stale"]:
        out.append("STALE")
    if row["backoff_until"]:
        out.append(f"backoff until {_short(row['backoff_until'])}")
    if row["consecutive_failures"]:
        out.append(f"{row['consecutive_failures']} failure(s) in a row")
    disc = row.get("discovery") or {}
    if (disc.get("passes_without_articles") or 0) >= NO_ARTICLE_PASSES:
        out.append(f"NO ARTICLES in {disc['passes_without_articles']} passes (article_pattern matches no link?)")
    if disc.get("discovery_status") == "failed" and not disc.get("used_discovery_at"):
        out.append("DISCOVERY FAILED")
    if not row["enabled"]:
        out.append("disabled")
    return out


def _short(ts: str | None) -> str:
    """A stored time (ISO 8601, UTC when it has no offset) as Vietnam time, to the minute."""
    if not ts:
        return "-"
    d = vn_datetime(ts, naive=UTC)
    return d.strftime("%Y-%m-%d %H:%M") if d else ts[:16]


def _interval(sec: float | None) -> str:
    if not sec:
        return "-"
    if sec < 120:
        return f"{sec:.0f}s"
    if sec < 7200:
        return f"{sec / 60:.0f}m"
    return f"{sec / 3600:.1f}h"


def format_status(rows: list[dict[str, Any]]) -> str:
    """One line per site (times in Vietnam time, UTC+7), then the last error of the sites that have one."""
    if not rows:
        return "no site has been crawled into this database yet"
    head = (f"{'site':<14} {'every':>6} {'last run':<16} {'status':<10} {'last success':<16} "
            f"{'last new':<16}  flags")
    lines = ["times in Vietnam time (UTC+7)", head]
    for r in rows:
        lines.append(
            f"{r['site']:<14} {_interval(r['interval_seconds']):>6} {_short(r['last_run']):<16} "
            f"{(r['last_status'] or '-'):<10} {_short(r['last_success']):<16} "
            f"{_short(r['last_new_article']):<16}  "
            + (", ".join(flags(r)) or "ok")
        )
    errs = [r for r in rows
            if r["last_error"] and (r["consecutive_failures"] or r["blocked"] or r["backoff_until"])]
    for r in errs:
        status = f" (HTTP {r['last_http_status']})" if r.get("last_http_status") else ""
        lines.append(f"  {r['site']}: last error{status}: {r['last_error']}")
        n = r.get("last_error_errors") or 0
        if n > 1:
            lines.append(f"    (1 of {n} errors of that pass shown; see crawl_runs id {r.get('last_error_run')}, "
                         "the urls table (status error/blocked) and the log)")
    for r in rows:
        d = r.get("discovery") or {}
        if d.get("discovered_at"):
            what = d["discovery_error"] or (
                f"{len(json.loads(d['feeds'] or '[]'))} feed(s), {len(json.loads(d['sitemaps'] or '[]'))} "
                f"sitemap(s), {len(json.loads(d['sections'] or '[]'))} section(s), pattern {d['article_pattern']!r}, "
                f"{d['samples_ok']}/{d['samples_tried']} samples")
            lines.append(f"  {r['site']}: discovered {_short(d['discovered_at'])} ({d['trigger']}, "
                         f"{d['discovery_status']}, {d['discovery_requests']} requests): {what}")
    return "\n".join(lines)
