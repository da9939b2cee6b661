"""Sites, crawl runs, sources (conditional GET) and per-site scheduler state: the SQL of a crawl
pass and of the scheduler. Plain values in and out (dicts, ints, ISO strings)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any, Protocol

import sqlite_utils

from db import one_row, utcnow


class SiteRow(Protocol):
    """What ``sync_sites`` reads of a site spec (config.SiteSpec has these)."""

    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def domains(self) -> tuple[str, ...]: ...
    @property
    def every(self) -> float: ...
    @property
    def enabled(self) -> bool: ...



def sync_sites(db: sqlite_utils.Database, specs: Iterable[SiteRow]) -> None:
    """Upsert the ``sites`` table from the site specs (name, domains, interval, enabled)."""
    now = utcnow()
    with db.atomic():
        for s in specs:
            db.execute(
                "INSERT INTO sites (key, name, domains, every_seconds, enabled, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET name = excluded.name, "
                "domains = excluded.domains, every_seconds = excluded.every_seconds, "
                "enabled = excluded.enabled, updated_at = excluded.updated_at",
                [s.key, s.name, json.dumps(list(s.domains)), s.every, int(s.enabled), now],
            )


def mark_interrupted(db: sqlite_utils.Database, site: str, *, status: str = "killed",
                     error: str = "pass ended without finishing (process killed?)", only_dead: bool = True,
                     older_than: float | None = None, keep_error: bool = True) -> int:
    """Close the runs of ``site`` left 'running' (a pass killed by SIGKILL, a power loss, a child the
    scheduler stopped). With ``only_dead`` (the default), only runs whose process is gone, or this very
    process's own, or (``older_than`` seconds given) older than that; a run whose process is alive (a
    manual `presswatch crawl` beside `presswatch run`) is left alone. Sets ``status``, ``finished``
    and ``error``: with ``keep_error`` (the default) an error and end time already recorded are kept;
    without it (the scheduler's verdict on its own child: "killed after 4s timeout") both are replaced.
    Returns how many runs were closed."""
    rows = db.execute("SELECT id, pid, (julianday('now') - julianday(started)) * 86400 FROM crawl_runs "
                      "WHERE site = ? AND status = 'running'", [site]).fetchall()
    ids = [run_id for run_id, pid, age in rows
           if not only_dead or pid == os.getpid() or not pid_alive(pid)
           or (older_than is not None and age is not None and age > older_than)]
    now = utcnow()
    sql = ("UPDATE crawl_runs SET status = ?, finished = coalesce(finished, ?), error = coalesce(error, ?) "
           "WHERE id = ?" if keep_error else
           "UPDATE crawl_runs SET status = ?, finished = ?, error = ? WHERE id = ?")
    for run_id in ids:
        db.execute(sql, [status, now, error, run_id])
    return len(ids)


def last_run_id(db: sqlite_utils.Database, site: str) -> int:
    """The id of the site's latest crawl_runs row (0 when it has none)."""
    return int(db.execute("SELECT coalesce(max(id), 0) FROM crawl_runs WHERE site = ?", [site]).fetchone()[0])


def record_missing_run(db: sqlite_utils.Database, site: str, since_id: int, started: str, status: str,
                       error: str, pid: int | None = None) -> bool:
    """A finished run row (``status``, ``error``, finished now) for a pass whose process died or was killed
    before it wrote its own: unless the site has a run after ``since_id`` already. ``pid``: the process
    that ran (or was to run) the pass, e.g. the crawl worker, so the row names it as the pass's own row
    would; None when no process was involved (the sites file could not be read). True when written."""
    if db.execute("SELECT 1 FROM crawl_runs WHERE site = ? AND id > ?", [site, since_id]).fetchone():
        return False
    db.execute("INSERT INTO crawl_runs (site, started, finished, status, error, pid) VALUES (?, ?, ?, ?, ?, ?)",
               [site, started, utcnow(), status, error, pid])
    return True


def last_finished_start(db: sqlite_utils.Database, site: str) -> str | None:
    """``started`` (ISO UTC) of the site's latest run that is not 'running', or None."""
    row = db.execute("SELECT max(started) FROM crawl_runs WHERE site = ? AND status != 'running'",
                     [site]).fetchone()
    return row[0] if row else None


def run_summaries(db: sqlite_utils.Database, run_ids: list[int]) -> list[tuple[Any, ...]]:
    """(site, status, requests, new, skipped, errors, error) of these crawl_runs rows, by id."""
    if not run_ids:
        return []
    marks = ", ".join("?" * len(run_ids))
    return [tuple(r) for r in db.execute(
        f"SELECT site, status, requests, new, skipped, errors, error FROM crawl_runs WHERE id IN ({marks}) "
        "ORDER BY id", run_ids).fetchall()]


# the columns of the site_health view (db/schema.py, migration 0002_scheduler)
HEALTH_COLUMNS = ("site", "name", "enabled", "interval_seconds", "last_run", "last_status", "last_success",
                  "last_new_article", "consecutive_failures", "last_error", "last_http_status",
                  "backoff_until", "blocked", "stale")


def site_health(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """One dict per site (``HEALTH_COLUMNS``) from the ``site_health`` view, by site key, plus
    ``last_error_errors`` and ``last_error_run``: the error count and id of the run the last error
    comes from. ``last_error`` and ``last_http_status`` are taken from that one run (the view takes
    each from the latest run that has one, which may be two different runs)."""
    cols = ", ".join(HEALTH_COLUMNS)
    cur = db.execute(f"SELECT {cols} FROM site_health ORDER BY site")
    out = [dict(zip(HEALTH_COLUMNS, row, strict=True)) for row in cur.fetchall()]
    for r in out:
        last = db.execute(
            "SELECT id, error, http_status, errors FROM crawl_runs WHERE site = ? AND error IS NOT NULL "
            "AND started > strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-7 days') ORDER BY started DESC, id DESC "
            "LIMIT 1", [r["site"]]).fetchone()
        r["last_error_run"], r["last_error"], r["last_http_status"], r["last_error_errors"] = last or (None,) * 4
    return out


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this id exists (a run's ``pid`` in crawl_runs)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_run(db: sqlite_utils.Database, site: str) -> int:
    """A new 'running' row in crawl_runs for this process; returns its id."""
    cur = db.execute("INSERT INTO crawl_runs (site, started, pid) VALUES (?, ?, ?) RETURNING id",
                     [site, utcnow(), os.getpid()])
    return int(cur.fetchone()[0])


def finish_run(db: sqlite_utils.Database, run_id: int, *, requests: int, new: int, skipped: int,
               errors: int, status: str, error: str | None = None, http_status: int | None = None,
               unchanged: int = 0, backoff_until: str | None = None) -> None:
    db.execute(
        "UPDATE crawl_runs SET finished = ?, requests = ?, new = ?, skipped = ?, errors = ?, status = ?, "
        "error = ?, http_status = ?, unchanged = ?, backoff_until = ? WHERE id = ?",
        [utcnow(), requests, new, skipped, errors, status, error, http_status, unchanged, backoff_until,
         run_id],
    )


def close_unfinished_run(db: sqlite_utils.Database, run_id: int, *, status: str, error: str, requests: int,
                         skipped: int, errors: int) -> bool:
    """Close run ``run_id`` if it is still 'running' (its pass was stopped before its spider could close
    it: a second Ctrl-C). ``new`` is counted from the database: the site's articles stored since the
    run started (each article is committed on its own, so this is what the pass stored; an article of
    the same site stored by another process meanwhile would count too). ``requests``, ``skipped`` and
    ``errors`` are the pass's own counters. True when the row was closed."""
    row = db.execute("SELECT site, started FROM crawl_runs WHERE id = ? AND status = 'running'", [run_id]).fetchone()
    if row is None:
        return False
    new = int(db.execute("SELECT count(*) FROM articles WHERE site = ? AND fetched_at >= ?", row).fetchone()[0])
    finish_run(db, run_id, requests=requests, new=new, skipped=skipped, errors=errors, status=status, error=error)
    return True


def get_source(db: sqlite_utils.Database, url: str) -> dict[str, Any] | None:
    """The ``sources`` row of a feed/sitemap/section URL (validators, body hash), or None."""
    return one_row(db.execute("SELECT * FROM sources WHERE url = ?", [url]))


def note_source(db: sqlite_utils.Database, url: str, site: str, kind: str, *, status: int,
                etag: str | None = None, last_modified: str | None = None, body_hash: str | None = None,
                changed: bool = False, lastmod: str | None = None, retired: bool | None = None,
                keep_validators: bool = True) -> None:
    """Record one fetch of a source. ``changed``: the body differs from the one parsed before (or is
    the first one). Validators (ETag, Last-Modified) and the body hash are only replaced when given,
    unless ``keep_validators`` is False (then they are cleared: the next fetch is unconditional)."""
    now = utcnow()
    db.execute(
        "INSERT INTO sources (url, site, kind, etag, last_modified, body_hash, lastmod, last_status, "
        "last_fetched, last_changed, retired) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(url) DO UPDATE SET site = excluded.site, kind = excluded.kind, "
        "etag = CASE WHEN ? THEN coalesce(excluded.etag, sources.etag) ELSE NULL END, "
        "last_modified = CASE WHEN ? THEN coalesce(excluded.last_modified, sources.last_modified) "
        "ELSE NULL END, "
        "body_hash = CASE WHEN ? THEN coalesce(excluded.body_hash, sources.body_hash) ELSE NULL END, "
        "lastmod = coalesce(excluded.lastmod, sources.lastmod), last_status = excluded.last_status, "
        "last_fetched = excluded.last_fetched, "
        "last_changed = CASE WHEN ? THEN excluded.last_changed ELSE sources.last_changed END, "
        "retired = coalesce(?, sources.retired)",
        [url, site, kind, etag, last_modified, body_hash, lastmod, status, now, now,
         int(bool(retired)), keep_validators, keep_validators, keep_validators, changed,
         None if retired is None else int(retired)],
    )


def forget_site_hashes(db: sqlite_utils.Database, site: str) -> None:
    """Make the next pass re-read every source of the site (some links were left for later)."""
    db.execute("UPDATE sources SET body_hash = NULL, etag = NULL, last_modified = NULL WHERE site = ?",
               [site])


def get_site_state(db: sqlite_utils.Database, site: str) -> dict[str, Any]:
    """The site's row of site_state (back-off, interval) or its defaults."""
    row = one_row(db.execute("SELECT * FROM site_state WHERE site = ?", [site]))
    return row if row is not None else {"site": site, "backoff_until": None, "backoff_count": 0,
                                        "backoff_reason": None, "interval_seconds": None}


def set_backoff(db: sqlite_utils.Database, site: str, until: str | None, reason: str | None = None) -> None:
    """Set (``until`` given: count + 1) or clear (None: count back to 0) the back-off of a site."""
    now = utcnow()
    if until is None:
        db.execute(
            "INSERT INTO site_state (site, backoff_until, backoff_count, backoff_reason, updated_at) "
            "VALUES (?, NULL, 0, NULL, ?) ON CONFLICT(site) DO UPDATE SET backoff_until = NULL, "
            "backoff_count = 0, backoff_reason = NULL, updated_at = excluded.updated_at",
            [site, now],
        )
    else:
        db.execute(
            "INSERT INTO site_state (site, backoff_until, backoff_count, backoff_reason, updated_at) "
            "VALUES (?, ?, 1, ?, ?) ON CONFLICT(site) DO UPDATE SET backoff_until = excluded.backoff_until, "
            "backoff_count = site_state.backoff_count + 1, backoff_reason = excluded.backoff_reason, "
            "updated_at = excluded.updated_at",
            [site, until, reason, now],
        )


def set_interval(db: sqlite_utils.Database, site: str, seconds: float) -> None:
    """The site's current adaptive polling interval, in seconds."""
    db.execute(
        "INSERT INTO site_state (site, interval_seconds, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT(site) DO UPDATE SET interval_seconds = excluded.interval_seconds, "
        "updated_at = excluded.updated_at",
        [site, seconds, utcnow()],
    )


def recent_new_counts(db: sqlite_utils.Database, site: str, limit: int = 12) -> list[int]:
    """``new`` of the site's last finished runs, newest first (only passes that observed the site)."""
    return [int(r[0]) for r in db.execute(
        "SELECT new FROM crawl_runs WHERE site = ? AND status NOT IN "
        "('running', 'killed', 'shutdown', 'throttled', 'failed', 'blocked') "
        "ORDER BY id DESC LIMIT ?", [site, limit])]


# Migration 0011_site_health_pairs (db/schema.py) replaces the site_health view of 0002 with this one:
# the last error and its HTTP status now come from the same run. Frozen: a change needs a new migration.
SITE_HEALTH_VIEW_0011 = """
CREATE VIEW site_health AS
WITH h AS (
    SELECT s.key AS site, s.name, s.enabled,
           coalesce(st.interval_seconds, s.every_seconds) AS interval_seconds,
           st.backoff_until,
           (SELECT max(id) FROM crawl_runs r WHERE r.site = s.key) AS last_id,
           (SELECT id FROM crawl_runs r WHERE r.site = s.key AND r.status = 'ok'
              ORDER BY id DESC LIMIT 1) AS last_ok_id,
           (SELECT started FROM crawl_runs r WHERE r.site = s.key ORDER BY id LIMIT 1) AS first_run,
           (SELECT max(fetched_at) FROM articles a WHERE a.site = s.key) AS last_new_article,
           -- the last run of the last 7 days with an error (bounded: crawl_runs grows for months);
           -- its error and its own HTTP status are shown together
           (SELECT id FROM crawl_runs r WHERE r.site = s.key AND r.error IS NOT NULL
              AND r.started > strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-7 days')
              ORDER BY started DESC LIMIT 1) AS last_error_id
    FROM sites s LEFT JOIN site_state st ON st.site = s.key
), h2 AS (
    SELECT h.*, err.error AS last_error, err.http_status AS last_http_status,
           last.started AS last_run, last.status AS last_status,
           last.http_status AS last_run_http_status, ok.finished AS last_success,
           (SELECT count(*) FROM crawl_runs f WHERE f.site = h.site AND f.id > coalesce(h.last_ok_id, 0)
              AND f.status IN ('failed', 'blocked', 'killed', 'throttled')) AS consecutive_failures
    FROM h
    LEFT JOIN crawl_runs last ON last.id = h.last_id
    LEFT JOIN crawl_runs ok ON ok.id = h.last_ok_id
    LEFT JOIN crawl_runs err ON err.id = h.last_error_id
)
SELECT site, name, enabled, interval_seconds, last_run, last_status, last_success, last_new_article,
       consecutive_failures, last_error, last_http_status, backoff_until,
       CASE WHEN last_status = 'blocked' OR last_run_http_status = 403 THEN 1 ELSE 0 END AS blocked,
       CASE WHEN last_run IS NOT NULL
             AND (julianday('now') - julianday(coalesce(last_new_article, first_run))) * 86400
                 > max(10 * coalesce(interval_seconds, 900), 86400)
            THEN 1 ELSE 0 END AS stale
FROM h2
"""
