"""The SQL of explained story links (``story_links``, migration 0008_story_links) and of keeping an
alerted story's id stable when stories are recomputed. Plain values in and out."""

from __future__ import annotations

from collections.abc import Sequence

import sqlite_utils

# migration 0008_story_links (db/schema.py): one explained link per clustered article, and the
# document frequency of every story key (IDF weights), kept by triggers on story_keys.
MIGRATION_0008 = """
        CREATE TABLE IF NOT EXISTS story_links (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id),
            story_id INTEGER NOT NULL,
            linked_to INTEGER,                 -- the stored report that decided the link
            score REAL NOT NULL,
            explanation TEXT NOT NULL          -- "shared: Houaphanh, Thanh Hóa; same event date 1/12; ..."
        );
        CREATE INDEX IF NOT EXISTS story_links_story ON story_links(story_id);
        CREATE TABLE IF NOT EXISTS story_key_df (key TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
        INSERT OR REPLACE INTO story_key_df (key, n) SELECT key, count(*) FROM story_keys GROUP BY key;
        CREATE TRIGGER IF NOT EXISTS story_keys_df_insert AFTER INSERT ON story_keys BEGIN
            INSERT INTO story_key_df (key, n) VALUES (NEW.key, 1)
            ON CONFLICT(key) DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER IF NOT EXISTS story_keys_df_delete AFTER DELETE ON story_keys BEGIN
            UPDATE story_key_df SET n = n - 1 WHERE key = OLD.key;
        END;
"""


def _in(ids: Sequence[object]) -> str:
    return ",".join("?" * len(ids))


def write_link(db: sqlite_utils.Database, article_id: int, link: tuple[int, int, float, str] | None,
               merges: Sequence[int] = ()) -> None:
    """Replace an article's story link: ``(story_id, linked_to, score, explanation)``, or None (the
    article starts its own story, or copies another: no link row). ``merges``: other stories the
    article showed to be the same event: their articles, links and activities move to ``story_id``
    (``rename_story``). Inside the caller's transaction."""
    if link is not None:
        for other in merges:
            rename_story(db, other, link[0])
    db.execute("DELETE FROM story_links WHERE article_id = ?", [article_id])
    if link is not None:
        story_id, linked_to, score, explanation = link
        db.execute("INSERT INTO story_links (article_id, story_id, linked_to, score, explanation) "
                   "VALUES (?, ?, ?, ?, ?)", [article_id, story_id, linked_to, score, explanation])


def alerted_story(db: sqlite_utils.Database, article_id: int) -> int | None:
    """The article's current story id when an alert was enqueued for that story (alert_outbox keys on
    it: the id must stay), else None."""
    row = db.execute(
        "SELECT a.story_id FROM articles a WHERE a.id = ? AND a.story_id IS NOT NULL AND EXISTS "
        "(SELECT 1 FROM alert_outbox o WHERE o.story_key = CAST(a.story_id AS TEXT))", [article_id]).fetchone()
    return int(row[0]) if row else None


def alerted_among(db: sqlite_utils.Database, stories: Sequence[int]) -> list[int]:
    """Those of these story ids for which an alert was enqueued (alert_outbox keys on the id), sorted."""
    if not stories:
        return []
    keys = [str(s) for s in stories]
    return sorted(int(r[0]) for r in db.execute(
        f"SELECT DISTINCT story_key FROM alert_outbox WHERE story_key IN ({_in(keys)})", keys))


def alerted_stories(db: sqlite_utils.Database, ids: list[int] | None = None) -> dict[int, int]:
    """article_id -> story id, for the enqueued article of every alerted story (of these ids: all when None)."""
    rows = db.execute(
        "SELECT o.article_id, min(CAST(o.story_key AS INTEGER)) FROM alert_outbox o "
        "WHERE o.story_key GLOB '[0-9]*' GROUP BY o.article_id").fetchall()
    keep = set(ids) if ids is not None else None
    return {int(a): int(s) for a, s in rows if keep is None or a in keep}


def rename_story(db: sqlite_utils.Database, old: int, new: int) -> int:
    """Give every article (its link, its activities) of story ``old`` the story id ``new``; returns
    the articles moved. The first article of a story may have a NULL story_id: it moves too."""
    if old == new:
        return 0
    n = db.execute("UPDATE articles SET story_id = ? WHERE story_id = ? OR (id = ? AND story_id IS NULL)",
                   [new, old, old]).rowcount
    db.execute("UPDATE story_links SET story_id = ? WHERE story_id = ?", [new, old])
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'activities'").fetchone():
        db.execute("UPDATE activities SET story_id = ? WHERE story_id = ?", [new, old])
    return int(n)


def story_of(db: sqlite_utils.Database, article_id: int) -> int | None:
    row = db.execute("SELECT story_id FROM articles WHERE id = ?", [article_id]).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def ids_since(db: sqlite_utils.Database, cutoff: str | None) -> list[int]:
    """Ids of the articles published (else stored) at or after ``cutoff`` (ISO; None: all), oldest first."""
    return [int(r[0]) for r in db.execute(
        "SELECT id FROM articles WHERE ? IS NULL OR coalesce(published, fetched_at) >= ? "
        "ORDER BY coalesce(published, fetched_at), id", [cutoff, cutoff])]


def story_used(db: sqlite_utils.Database, story_id: int) -> bool:
    return db.execute("SELECT 1 FROM articles WHERE story_id = ? LIMIT 1", [story_id]).fetchone() is not None


def count_stories(db: sqlite_utils.Database, ids: list[int]) -> int:
    """Distinct story ids among these articles."""
    seen: set[int] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        seen |= {int(r[0]) for r in db.execute(
            f"SELECT DISTINCT coalesce(story_id, id) FROM articles WHERE id IN ({_in(chunk)})", chunk)}
    return len(seen)
