"""The spec a site's pass actually runs with: ``effective_spec(db, spec)``.

The scheduler calls it for every due pass (pipeline/run/scheduler.py ``Runner.effective``), in local
and in queue mode, before the pass is handed to a worker; in queue mode the result is what travels
with the job, so a worker on another machine crawls exactly this spec.

This is the place for work that must happen before a site's pass and needs the database, e.g.
discovering the feeds and sitemaps of a one-line site block before its first pass (issue 20): look
up what was discovered (or discover it now, bounded in time), and return
``dataclasses.replace(spec, feeds=..., sitemaps=...)``. It runs in the scheduler's pass thread: it
may block for a few seconds, not for minutes, and must not raise for a site it cannot improve
(return ``spec`` unchanged and log why).
"""

from __future__ import annotations

import sqlite_utils

from config import SiteSpec


def effective_spec(db: sqlite_utils.Database, spec: SiteSpec) -> SiteSpec:
    """The SiteSpec to crawl for ``spec`` (as loaded from the sites file), given the database ``db``
    (open, migrated; read it, do not keep it). A one-line block (``home`` only) gets its discovered
    fields (pipeline/run/discover.py; discovered on the first pass, again when the site turns
    stale or blocked); any other spec comes back unchanged."""
    from pipeline.run.discover import effective_spec as discovered

    return discovered(db, spec)
