"""Health per site, from the `site_health` view (db/schema.py, migration 0002): last run, last
success, last new article, consecutive failures, last error and HTTP status, back-off, "blocked"
(a challenge/WAF page or a 403) and "stale" (no new article for > 10 intervals and > 24 h)."""

from __future__ import annotations

from typing import Any

from db.runs import HEALTH_COLUMNS as COLUMNS
from db.runs import site_health

__all__ = ["COLUMNS", "site_health", "flags", "format_status"]


def flags(row: dict[str, Any]) -> list[str]:
    out = []
    if row["blocked"]:
        out.append("BLOCKED")
    if row["stale"]:
        out.append("STALE")
    if row["backoff_until"]:
        out.append(f"backoff until {row['backoff_until']}")
    if row["consecutive_failures"]:
        out.append(f"{row['consecutive_failures']} failure(s) in a row")
    if not row["enabled"]:
        out.append("disabled")
    return out


def _short(ts: str | None) -> str:
    return ts.replace("T", " ")[:16] if ts else "-"


def _interval(sec: float | None) -> str:
    if not sec:
        return "-"
    if sec < 120:
        return f"{sec:.0f}s"
    if sec < 7200:
        return f"{sec / 60:.0f}m"
    return f"{sec / 3600:.1f}h"


def format_status(rows: list[dict[str, Any]]) -> str:
    """One line per site (UTC times), then the last error of the sites that have one."""
    if not rows:
        return "no site has been crawled into this database yet"
    head = (f"{'site':<14} {'every':>6} {'last run':<16} {'status':<10} {'last success':<16} "
            f"{'last new':<16}  flags")
    lines = [head]
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
        status = f" (HTTP {r['last_http_status']})" if r["last_http_status"] else ""
        lines.append(f"  {r['site']}: last error{status}: {r['last_error']}")
    return "\n".join(lines)
