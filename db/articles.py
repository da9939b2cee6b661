"""Articles, their raw pages, full-text rows, URL records, revisions and dedup index rows: the SQL of
the page path. The database decides what is new: ``INSERT … ON CONFLICT(url) DO NOTHING RETURNING``
on the unique canonical URL, one transaction per article.

Everything here takes plain values: an article is a dict of ``articles`` columns (built by
``pipeline.process.article_row``), index rows are ints/bytes/strings. Nothing here imports pipeline.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from db import one_row, rows, utcnow

# URL statuses that mean "decided: do not download again"
FINAL_STATUSES = ("article", "not_article")
# columns a re-extraction may rewrite (not url, fetched_at, duplicate_of, story_id)
EXTRACTED_COLUMNS = ("site", "title", "published", "published_source", "author", "description", "text", "image",
                     "language", "content_hash", "relevance", "relevant", "provinces", "countries",
                     "relevance_evidence")


@dataclass
class IndexRows:
    """The dedup index rows of one article (from pipeline.dedup): MinHash signature bytes, LSH band
    hashes, story name keys with their day (YYYY-MM-DD), and the id of a stored article it replaces
    as its group's original (``supersedes``)."""

    minhash: bytes | None = None
    bands: list[int] = field(default_factory=list)
    story_keys: list[str] = field(default_factory=list)
    story_day: str | None = None
    supersedes: int | None = None
    story_link: tuple[int, int, float, str] | None = None  # (story_id, linked_to, score, explanation)
    story_merges: list[int] = field(default_factory=list)  # stories joined into the link's story (db.stories)


def compress(html: bytes | str) -> bytes:
    """zlib level 6 of the raw page (str is stored as UTF-8)."""
    return zlib.compress(html.encode("utf-8") if isinstance(html, str) else html, 6)


def decompress(blob: bytes) -> bytes:
    return zlib.decompress(blob)


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


def article_id_of(db: sqlite_utils.Database, url: str) -> int | None:
    """The id of the article stored under this canonical URL, or None."""
    row = db.execute("SELECT id FROM articles WHERE url = ?", [url]).fetchone()
    return int(row[0]) if row else None


def record_url(
    db: sqlite_utils.Database,
    url: str,
    site: str | None,
    status: str,
    reason: str | None = None,
    http_status: int | None = None,
    article_id: int | None = None,
) -> None:
    """Upsert the ``urls`` row of a URL: its status (article, not_article, blocked, error) and why."""
    now = utcnow()
    db.execute(
        "INSERT INTO urls (url, site, status, reason, http_status, article_id, first_seen, last_seen) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET status = excluded.status, "
        "reason = excluded.reason, http_status = excluded.http_status, "
        "article_id = coalesce(excluded.article_id, urls.article_id), last_seen = excluded.last_seen, "
        "attempts = urls.attempts + 1",
        [url, site, status, reason, http_status, article_id, now, now],
    )


def insert_article(
    db: sqlite_utils.Database,
    row: Mapping[str, Any],
    html: bytes | str,
    *,
    index: IndexRows | None = None,
    fetched_url: str | None = None,
    http_status: int | None = 200,
    content_type: str | None = None,
    encoding: str | None = None,
    on_new: Callable[[int], None] | None = None,
) -> int | None:
    """Store one article (``row``: articles columns, ``url`` the canonical URL) with its raw page, its
    dedup index rows (the search index follows by trigger, db/search.py) and its URL records, in one transaction.

    ``on_new(article_id)`` runs inside that transaction for a new article (the alert outbox): what it
    writes is committed with the article or not at all. Returns the new id, or None when the
    canonical URL was stored already (then ``fetched_url`` is recorded as a variant of it)."""
    now = row.get("fetched_at") or utcnow()
    url, site = row["url"], row.get("site")
    cols = ", ".join(row)
    marks = ", ".join("?" * len(row))
    with db.atomic():
        got = db.execute(
            f"INSERT INTO articles ({cols}) VALUES ({marks}) ON CONFLICT(url) DO NOTHING RETURNING id",
            list(row.values()),
        ).fetchone()
        if got is None:
            existing = article_id_of(db, url)
            if fetched_url and fetched_url != url and existing:
                record_url(db, fetched_url, site, "article", "variant of a stored URL", http_status, existing)
            return None
        article_id = int(got[0])
        db.execute(
            "INSERT INTO pages (article_id, url, http_status, content_type, html, encoding, fetched_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [article_id, fetched_url or url, http_status, content_type, compress(html), encoding, now],
        )
        if index is not None:
            write_index(db, article_id, index)
        record_url(db, url, site, "article", None, http_status, article_id)
        if fetched_url and fetched_url != url:
            record_url(db, fetched_url, site, "article", "variant of a stored URL", http_status, article_id)
        if on_new is not None:
            on_new(article_id)
    return article_id


def write_index(db: sqlite_utils.Database, article_id: int, index: IndexRows, *, replace: bool = False) -> None:
    """An article's dedup index rows (inside the caller's transaction). ``replace``: drop its old
    signature, bands and story keys first (re-extraction, recheck, recluster)."""
    if replace:
        db.execute("DELETE FROM minhash_bands WHERE article_id = ?", [article_id])
        db.execute("DELETE FROM story_keys WHERE article_id = ?", [article_id])
    if index.minhash is not None:
        db.execute("INSERT OR REPLACE INTO article_minhash (article_id, minhash) VALUES (?, ?)",
                   [article_id, index.minhash])
    db.conn.executemany("INSERT OR IGNORE INTO minhash_bands (hash, band, article_id) VALUES (?, ?, ?)",
                        [(h, i, article_id) for i, h in enumerate(index.bands)])
    if index.story_day and index.story_keys:
        db.conn.executemany("INSERT OR IGNORE INTO story_keys (key, day, article_id) VALUES (?, ?, ?)",
                            [(k, index.story_day, article_id) for k in index.story_keys])
    db.execute("UPDATE articles SET story_id = coalesce(story_id, id) WHERE id = ?", [article_id])
    from db.stories import write_link

    # story_links (0008_story_links): why it joined its story
    write_link(db, article_id, index.story_link, index.story_merges)
    if index.supersedes is not None:  # the new article is earlier than a stored group: it becomes the original
        db.execute("UPDATE articles SET duplicate_of = ? WHERE id = ? OR duplicate_of = ?",
                   [article_id, index.supersedes, index.supersedes])


def update_article(db: sqlite_utils.Database, article_id: int, row: Mapping[str, Any]) -> bool:
    """Replace the extracted columns of a stored article (only those of ``EXTRACTED_COLUMNS`` found in
    ``row``); True when anything changed."""
    names = [k for k in EXTRACTED_COLUMNS if k in row]
    cols, sets = ", ".join(names), ", ".join(f"{k} = ?" for k in names)  # known column names only
    old = db.execute(f"SELECT {cols} FROM articles WHERE id = ?", [article_id]).fetchone()
    new = [row[k] for k in names]
    if old is not None and tuple(old) == tuple(new):
        return False
    db.execute(f"UPDATE articles SET {sets} WHERE id = ?", [*new, article_id])
    return True


def set_links(db: sqlite_utils.Database, article_id: int, duplicate_of: int | None, story_id: int | None) -> None:
    """An article's ``duplicate_of`` and ``story_id`` (re-clustering)."""
    db.execute("UPDATE articles SET duplicate_of = ?, story_id = ? WHERE id = ?", [duplicate_of, story_id, article_id])


def replace_page(db: sqlite_utils.Database, article_id: int, html: bytes | str, fetched_at: str) -> None:
    """The stored raw page of an article, after a fresh download (recheck)."""
    db.execute("UPDATE pages SET html = ?, fetched_at = ? WHERE article_id = ?",
               [compress(html), fetched_at, article_id])


def stored_pages(db: sqlite_utils.Database) -> list[tuple[int, str, str | None, bytes, str | None]]:
    """(id, url, site, compressed html, content type) of every article with a stored page."""
    return [(int(i), u, s, h, ct) for i, u, s, h, ct in db.execute(
        "SELECT a.id, a.url, a.site, p.html, p.content_type FROM articles a JOIN pages p ON p.article_id = a.id "
        "ORDER BY a.id")]


def article_texts(db: sqlite_utils.Database) -> list[tuple[int, str, str | None, str]]:
    """(id, title, description, text) of every stored article (rescore)."""
    rows = db.execute("SELECT id, title, description, text FROM articles ORDER BY id")
    return [(int(i), t, d, x) for i, t, d, x in rows]


def get_article(db: sqlite_utils.Database, article_id: int) -> dict[str, Any] | None:
    """The ``articles`` row of an id as a dict, or None."""
    return one_row(db.execute("SELECT * FROM articles WHERE id = ?", [article_id]))


def recent_articles(db: sqlite_utils.Database, since_iso: str) -> list[tuple[int, str, str | None]]:
    """(id, url, site) of the articles first fetched at or after ``since_iso`` (UTC ISO), oldest first."""
    return [(int(i), u, s) for i, u, s in db.execute(
        "SELECT id, url, site FROM articles WHERE fetched_at >= ? ORDER BY id", [since_iso])]


def set_relevance(db: sqlite_utils.Database, article_id: int, columns: Mapping[str, Any]) -> None:
    """The relevance columns of an article (relevance, relevant, provinces, countries, relevance_evidence)."""
    db.execute("UPDATE articles SET relevance = ?, relevant = ?, provinces = ?, countries = ?, "
               "relevance_evidence = ? WHERE id = ?",
               [columns["relevance"], columns["relevant"], columns["provinces"], columns["countries"],
                columns["relevance_evidence"], article_id])


def has_revisions(db: sqlite_utils.Database, article_id: int) -> bool:
    row = db.execute("SELECT 1 FROM article_revisions WHERE article_id = ? LIMIT 1", [article_id]).fetchone()
    return row is not None


def record_revision(db: sqlite_utils.Database, article_id: int, fetched_at: str, title: str, text: str,
                    content_hash: str) -> int:
    """One version of an article's title and text (``presswatch recheck``); returns its id."""
    cur = db.execute(
        "INSERT INTO article_revisions (article_id, fetched_at, title, text, content_hash) "
        "VALUES (?, ?, ?, ?, ?) RETURNING id",
        [article_id, fetched_at, title, text, content_hash],
    )
    return int(cur.fetchone()[0])


def revisions(db: sqlite_utils.Database, article_id: int) -> list[dict[str, Any]]:
    """The recorded versions of an article, oldest first (empty when it never changed)."""
    cur = db.execute(
        "SELECT id, fetched_at, title, text, content_hash FROM article_revisions WHERE article_id = ? "
        "ORDER BY fetched_at, id", [article_id])
    return rows(cur)


def unindexed_ids(db: sqlite_utils.Database) -> list[int]:
    """Ids of the articles with no MinHash yet, in publication (else fetch) day order, then id."""
    return [int(r[0]) for r in db.execute(
        "SELECT a.id FROM articles a LEFT JOIN article_minhash m ON m.article_id = a.id WHERE m.article_id IS NULL "
        "ORDER BY coalesce(substr(a.published, 1, 10), substr(a.fetched_at, 1, 10)), a.id")]


def clear_index(db: sqlite_utils.Database, ids: list[int] | None = None) -> None:
    """Forget the dedup index and links: of every article (``ids`` None) or of these ones."""
    with db.atomic():
        if ids is None:
            db.execute("DELETE FROM minhash_bands")
            db.execute("DELETE FROM story_keys")
            db.execute("DELETE FROM article_minhash")
            db.execute("UPDATE articles SET duplicate_of = NULL, story_id = NULL")
            return
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            db.execute(f"DELETE FROM minhash_bands WHERE article_id IN ({marks})", chunk)
            db.execute(f"DELETE FROM story_keys WHERE article_id IN ({marks})", chunk)
            db.execute(f"DELETE FROM article_minhash WHERE article_id IN ({marks})", chunk)
            db.execute(f"UPDATE articles SET duplicate_of = NULL, story_id = NULL WHERE id IN ({marks})", chunk)


def articles_by_id(db: sqlite_utils.Database, ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """id -> (id, url, site, title, text, published, fetched_at) for these ids."""
    out: dict[int, tuple[Any, ...]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for r in db.execute(f"SELECT id, url, site, title, text, published, fetched_at FROM articles "
                            f"WHERE id IN ({marks})", chunk):
            out[int(r[0])] = tuple(r)
    return out


def ids_fetched_since(db: sqlite_utils.Database, since_iso: str) -> list[int]:
    """Ids of the articles published or fetched on/after ``since_iso`` (for ``recluster --since``)."""
    return [int(r[0]) for r in db.execute(
        "SELECT id FROM articles WHERE coalesce(published, fetched_at) >= ? ORDER BY id", [since_iso])]
