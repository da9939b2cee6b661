"""Discoveries (migration 0010_discovery): what was found for a site, why and when, and the
per-site discovery state of the ``site_discovery`` view. Plain values in and out."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from db import one_row, utcnow

__all__ = ["record_discovery", "latest_discovery", "discovery_state", "DISCOVERY_COLUMNS", "NO_ARTICLE_PASSES"]

# Migration 0010_discovery (db/schema.py) runs this; frozen: a change needs a new migration.
# ``site_discovery``: per site the latest discovery, the latest successful one (whose fields a pass
# uses) and ``passes_without_articles``: ok passes that stored no article and found no article link
# at all (counted since the latest discovery; 0 once the site has any article).
SCHEMA_0010 = """
CREATE TABLE discoveries (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    home TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,            -- ok | failed
    trigger TEXT,                    -- first pass | stale | blocked | no articles | manual
    requests INTEGER NOT NULL DEFAULT 0,
    seconds REAL,
    domains TEXT, feeds TEXT, sitemaps TEXT, sections TEXT,  -- JSON arrays
    article_pattern TEXT,
    samples_tried INTEGER, samples_ok INTEGER,
    notes TEXT,                      -- JSON array: what was found where, and why
    error TEXT
);
CREATE INDEX discoveries_site ON discoveries(site, id);
CREATE VIEW site_discovery AS
WITH last AS (SELECT site, max(id) AS id FROM discoveries GROUP BY site),
good AS (SELECT site, max(id) AS id FROM discoveries WHERE status = 'ok' GROUP BY site)
SELECT s.key AS site, d.finished AS discovered_at, d.status AS discovery_status, d.trigger,
       d.requests AS discovery_requests, d.seconds AS discovery_seconds, d.error AS discovery_error,
       o.finished AS used_discovery_at, o.feeds, o.sitemaps, o.sections, o.article_pattern,
       o.samples_ok, o.samples_tried,
       CASE WHEN EXISTS (SELECT 1 FROM articles a WHERE a.site = s.key)
              OR EXISTS (SELECT 1 FROM crawl_runs r WHERE r.site = s.key AND (r.new > 0 OR r.skipped > 0))
            THEN 0
            ELSE (SELECT count(*) FROM crawl_runs r WHERE r.site = s.key AND r.status = 'ok'
                    AND r.started > coalesce(d.finished, ''))
       END AS passes_without_articles
FROM sites s
LEFT JOIN last ON last.site = s.key LEFT JOIN discoveries d ON d.id = last.id
LEFT JOIN good ON good.site = s.key LEFT JOIN discoveries o ON o.id = good.id;
"""

# a site whose passes found no article link this many times in a row is reported (and rediscovered)
NO_ARTICLE_PASSES = 3

_ROW = ("home", "status", "trigger", "requests", "seconds", "domains", "feeds", "sitemaps", "sections",
        "article_pattern", "samples_tried", "samples_ok", "notes", "error")
DISCOVERY_COLUMNS = ("site", "discovered_at", "discovery_status", "trigger", "discovery_requests",
                     "discovery_seconds", "discovery_error", "used_discovery_at", "feeds", "sitemaps", "sections",
                     "article_pattern", "samples_ok", "samples_tried", "passes_without_articles")


def record_discovery(db: sqlite_utils.Database, site: str, row: dict[str, Any], started: str | None = None) -> int:
    """Store one discovery of ``site``: ``row`` has the ``discoveries`` columns of
    ``pipeline.discover.Discovery.to_row()`` (JSON text for the lists). Returns its id."""
    values = [row.get(c) for c in _ROW]
    now = utcnow()
    cols = ", ".join(("site", "started", "finished", *_ROW))
    marks = ", ".join("?" * (3 + len(_ROW)))
    cur = db.execute(f"INSERT INTO discoveries ({cols}) VALUES ({marks}) RETURNING id",
                     [site, started or now, now, *values])
    return int(cur.fetchone()[0])


def latest_discovery(db: sqlite_utils.Database, site: str, *, ok_only: bool = False) -> dict[str, Any] | None:
    """The site's newest ``discoveries`` row (the newest successful one with ``ok_only``), or None."""
    if ok_only:
        cur = db.execute("SELECT * FROM discoveries WHERE site = ? AND status = 'ok' ORDER BY id DESC LIMIT 1",
                         [site])
    else:
        cur = db.execute("SELECT * FROM discoveries WHERE site = ? ORDER BY id DESC LIMIT 1", [site])
    return one_row(cur)


def discovery_state(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """site -> its ``site_discovery`` row (``DISCOVERY_COLUMNS``) for every site in ``sites``."""
    cols = ", ".join(DISCOVERY_COLUMNS)
    return {r[0]: dict(zip(DISCOVERY_COLUMNS, r, strict=True))
            for r in db.execute(f"SELECT {cols} FROM site_discovery").fetchall()}
