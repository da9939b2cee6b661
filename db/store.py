"""Writes and reads the crawler needs. The database decides what is new:
``INSERT … ON CONFLICT DO NOTHING RETURNING`` on the unique canonical URL, one transaction per article."""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from collections.abc import Callable, Iterable
from typing import Any

import sqlite_utils

from db import utcnow
from db.schema import FTS_TABLE
from pipeline.article import Article
from pipeline.normalize import d_words, fold

# article columns the dedup stage sets through Article.extra (pipeline/dedup.py)
DEDUP_COLUMNS = ("duplicate_of", "story_id")
# URL statuses that mean "decided: do not download again"
FINAL_STATUSES = ("article", "not_article")

# Called as hook(db, article_id, article) inside the transaction that stores a new article
# (pipeline/outbox.py registers the alert outbox here for a crawl pass): what a hook writes is
# committed together with the article or not at all.
NewArticleHook = Callable[[sqlite_utils.Database, int, Article], None]
on_new_article: list[NewArticleHook] = []


def content_hash(text: str) -> str:
    """Hash of the accent-folded, space-collapsed text: equal for exact copies."""
    return hashlib.sha1(" ".join(fold(text).split()).encode()).hexdigest()


def compress(html: bytes | str) -> bytes:
    return zlib.compress(html.encode("utf-8") if isinstance(html, str) else html, 6)


def decompress(blob: bytes) -> bytes:
    return zlib.decompress(blob)


def sync_sites(db: sqlite_utils.Database, specs: Iterable[Any]) -> None:
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


def known_urls(db: sqlite_utils.Database, urls: Iterable[str]) -> set[str]:
    """Which of these URLs need no download: stored articles, their variants, decided rejects."""
    urls = list(dict.fromkeys(urls))
    found: set[str] = set()
    for i in range(0, len(urls), 500):
        chunk = urls[i : i + 500]
        marks = ",".join("?" * len(chunk))
        found.update(r[0] for r in db.execute(f"SELECT url FROM articles WHERE url IN ({marks})", chunk))
        found.update(
            r[0]
            for r in db.execute(
                f"SELECT url FROM urls WHERE url IN ({marks}) AND status IN ('article', 'not_article')",
                chunk,
            )
        )
    return found


def is_known(db: sqlite_utils.Database, url: str) -> bool:
    return bool(known_urls(db, [url]))


def record_url(
    db: sqlite_utils.Database,
    url: str,
    site: str | None,
    status: str,
    reason: str | None = None,
    http_status: int | None = None,
    article_id: int | None = None,
) -> None:
    now = utcnow()
    db.execute(
        "INSERT INTO urls (url, site, status, reason, http_status, article_id, first_seen, last_seen) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET status = excluded.status, "
        "reason = excluded.reason, http_status = excluded.http_status, "
        "article_id = coalesce(excluded.article_id, urls.article_id), last_seen = excluded.last_seen, "
        "attempts = urls.attempts + 1",
        [url, site, status, reason, http_status, article_id, now, now],
    )


def _fts_insert(db: sqlite_utils.Database, rowid: int, title: str, text: str) -> None:
    db.execute(
        f"INSERT INTO {FTS_TABLE} (rowid, title, text, dwords) VALUES (?, ?, ?, ?)",
        [rowid, title, text, d_words(title + " " + text)],
    )


def fts_replace(db: sqlite_utils.Database, rowid: int, title: str, text: str) -> None:
    db.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = ?", [rowid])
    _fts_insert(db, rowid, title, text)


def article_row(a: Article, fetched_at: str) -> dict[str, Any]:
    rel = a.extra.get("relevance")
    row: dict[str, Any] = {
        "url": a.url,
        "site": a.site,
        "title": a.title,
        "published": a.published,
        "published_source": a.published_source,
        "author": a.author,
        "description": a.description,
        "text": a.text,
        "image": a.image,
        "language": a.language,
        "content_hash": content_hash(a.text),
        "fetched_at": fetched_at,
        "relevance": None,
        "relevant": None,
        "provinces": None,
        "countries": None,
        "relevance_evidence": None,
    }
    if rel is not None:
        row.update(
            relevance=rel["score"],
            relevant=int(bool(rel["relevant"])),
            provinces=json.dumps(rel["provinces"], ensure_ascii=False),
            countries=json.dumps(rel["countries"], ensure_ascii=False),
            relevance_evidence=json.dumps(rel["evidence"], ensure_ascii=False),
        )
    for k in DEDUP_COLUMNS:  # set by the dedup stage (pipeline/dedup.py); absent on re-extraction
        if k in a.extra:
            row[k] = a.extra[k]
    return row


def store_article(
    db: sqlite_utils.Database,
    a: Article,
    html: bytes | str,
    *,
    http_status: int | None = 200,
    content_type: str | None = None,
    encoding: str | None = None,
    on_new: NewArticleHook | None = None,
) -> int | None:
    """Store one article with its raw page, its FTS row and its URL record in one transaction.

    ``on_new`` and the registered ``on_new_article`` hooks run inside that transaction for a new article.
    Returns the new article id, or None when the canonical URL was already stored."""
    now = utcnow()
    row = article_row(a, now)
    cols = ", ".join(row)
    marks = ", ".join("?" * len(row))
    with db.atomic():
        cur = db.execute(
            f"INSERT INTO articles ({cols}) VALUES ({marks}) ON CONFLICT(url) DO NOTHING RETURNING id",
            list(row.values()),
        )
        got = cur.fetchone()
        if got is None:
            existing = db.execute("SELECT id FROM articles WHERE url = ?", [a.url]).fetchone()
            if a.fetched_url and a.fetched_url != a.url and existing:
                record_url(db, a.fetched_url, a.site, "article", "variant of a stored URL",
                           http_status, existing[0])
            return None
        article_id = int(got[0])
        db.execute(
            "INSERT INTO pages (article_id, url, http_status, content_type, html, encoding, fetched_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [article_id, a.fetched_url or a.url, http_status, content_type, compress(html), encoding, now],
        )
        _fts_insert(db, article_id, a.title, a.text)
        if "bands" in a.extra:
            _store_dedup(db, article_id, a.extra)
        record_url(db, a.url, a.site, "article", None, http_status, article_id)
        if a.fetched_url and a.fetched_url != a.url:
            record_url(db, a.fetched_url, a.site, "article", "variant of a stored URL", http_status,
                       article_id)
        for hook in [*on_new_article, *([on_new] if on_new else [])]:
            hook(db, article_id, a)
    return article_id


def mark_interrupted(db: sqlite_utils.Database, site: str) -> int:
    """Close the runs of ``site`` left 'running' by a pass that was killed (SIGKILL, power loss);
    called when a new pass of the site starts. A run whose process is still alive (a manual
    `presswatch crawl` beside `presswatch run`) is left alone. Returns how many were closed."""
    rows = db.execute("SELECT id, pid FROM crawl_runs WHERE site = ? AND status = 'running'", [site]).fetchall()
    dead = [run_id for run_id, pid in rows if pid == os.getpid() or not pid_alive(pid)]
    for run_id in dead:
        db.execute(
            "UPDATE crawl_runs SET status = 'killed', "
            "error = coalesce(error, 'pass ended without finishing (process killed?)') WHERE id = ?",
            [run_id],
        )
    return len(dead)


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


def _store_dedup(db: sqlite_utils.Database, article_id: int, extra: dict[str, Any]) -> None:
    """The dedup stage's index rows for a new article (inside store_article's transaction)."""
    if extra.get("minhash") is not None:
        db.execute("INSERT OR REPLACE INTO article_minhash (article_id, minhash) VALUES (?, ?)",
                   [article_id, extra["minhash"]])
    db.conn.executemany(
        "INSERT OR IGNORE INTO minhash_bands (hash, band, article_id) VALUES (?, ?, ?)",
        [(h, i, article_id) for i, h in enumerate(extra["bands"])],
    )
    day = extra.get("story_day")
    if day and extra.get("story_keys"):
        db.conn.executemany(
            "INSERT OR IGNORE INTO story_keys (key, day, article_id) VALUES (?, ?, ?)",
            [(k, day, article_id) for k in extra["story_keys"]],
        )
    db.execute("UPDATE articles SET story_id = coalesce(story_id, id) WHERE id = ?", [article_id])
    old_root = extra.get("supersedes")
    if old_root is not None:  # the new article is earlier than a stored group: it becomes the original
        db.execute("UPDATE articles SET duplicate_of = ? WHERE id = ? OR duplicate_of = ?",
                   [article_id, old_root, old_root])


def record_revision(db: sqlite_utils.Database, article_id: int, fetched_at: str, title: str,
                    text: str) -> int:
    """One version of an article's title and text (pipeline.dedup.recheck_article)."""
    cur = db.execute(
        "INSERT INTO article_revisions (article_id, fetched_at, title, text, content_hash) "
        "VALUES (?, ?, ?, ?, ?) RETURNING id",
        [article_id, fetched_at, title, text, content_hash(text)],
    )
    return int(cur.fetchone()[0])


def revisions(db: sqlite_utils.Database, article_id: int) -> list[dict[str, Any]]:
    """The recorded versions of an article, oldest first (empty when it never changed)."""
    cur = db.execute(
        "SELECT id, fetched_at, title, text, content_hash FROM article_revisions WHERE article_id = ? "
        "ORDER BY fetched_at, id", [article_id])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def start_run(db: sqlite_utils.Database, site: str) -> int:
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


# -- incremental polling: sources (conditional GET) and per-site scheduler state -------------------

def get_source(db: sqlite_utils.Database, url: str) -> dict[str, Any] | None:
    cur = db.execute("SELECT * FROM sources WHERE url = ?", [url])
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row, strict=True))


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
    cur = db.execute("SELECT * FROM site_state WHERE site = ?", [site])
    row = cur.fetchone()
    if row is None:
        return {"site": site, "backoff_until": None, "backoff_count": 0, "backoff_reason": None,
                "interval_seconds": None}
    return dict(zip([d[0] for d in cur.description], row, strict=True))


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


def update_article(db: sqlite_utils.Database, article_id: int, a: Article) -> bool:
    """Replace the extracted fields of a stored article (reextract); True when anything changed."""
    row = article_row(a, utcnow())
    row.pop("url")
    row.pop("fetched_at")
    old = db.execute(
        f"SELECT {', '.join(row)} FROM articles WHERE id = ?", [article_id]
    ).fetchone()
    if old is not None and tuple(old) == tuple(row.values()):
        return False
    sets = ", ".join(f"{k} = ?" for k in row)
    db.execute(f"UPDATE articles SET {sets} WHERE id = ?", [*row.values(), article_id])
    return True


def set_relevance(db: sqlite_utils.Database, article_id: int, rel: dict[str, Any]) -> None:
    db.execute(
        "UPDATE articles SET relevance = ?, relevant = ?, provinces = ?, countries = ?, "
        "relevance_evidence = ? WHERE id = ?",
        [rel["score"], int(bool(rel["relevant"])), json.dumps(rel["provinces"], ensure_ascii=False),
         json.dumps(rel["countries"], ensure_ascii=False), json.dumps(rel["evidence"], ensure_ascii=False),
         article_id],
    )
