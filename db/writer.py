"""SQL of the queue-mode writer (pipeline/run/writer.py): the URLs workers need not request, and the
crawl_runs row of a pass a remote worker ran."""

from __future__ import annotations

from collections.abc import Iterator

import sqlite_utils

from db import utcnow


def known_url_batches(db: sqlite_utils.Database, size: int = 5000) -> Iterator[list[str]]:
    """Every URL that needs no download (stored articles, their fetched variants, decided non-articles),
    in lists of at most ``size``: the seed of the Redis known-URL set."""
    cur = db.execute("SELECT url FROM articles UNION SELECT url FROM urls WHERE status IN ('article', 'not_article')")
    while True:
        rows = cur.fetchmany(size)
        if not rows:
            return
        yield [r[0] for r in rows]


def record_remote_run(db: sqlite_utils.Database, site: str, *, started: str, requests: int, new: int,
                      skipped: int, errors: int, status: str, error: str | None, http_status: int | None,
                      unchanged: int, backoff_until: str | None) -> int:
    """A finished crawl_runs row for a pass run by a queue worker (no pid: another machine). Returns its id."""
    cur = db.execute(
        "INSERT INTO crawl_runs (site, started, finished, requests, new, skipped, errors, status, error, "
        "http_status, unchanged, backoff_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [site, started, utcnow(), requests, new, skipped, errors, status, error, http_status, unchanged,
         backoff_until])
    return int(cur.fetchone()[0])
