"""The SQL of foreign-affairs activities (migration 0009_activities): one ``activities`` row per real
event, ``article_activities`` linking it to every article that reports it, and the articles'
``acting_provinces``.

Plain values in and out: an activity is a dict with the keys kind, date, locality, locality_unit,
partner_countries, partners, leaders (lists), venue, evidence and completeness (an int: how much of
it is filled). Nothing here imports pipeline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import sqlite_utils

__all__ = ["store_article_activities", "list_activities", "activities_of_article"]

_COLS = ("kind", "date", "month", "locality", "locality_unit", "partner_countries", "partners", "leaders",
         "venue", "evidence", "story_id", "source_article_id", "completeness")


def _row(a: Mapping[str, Any], story_id: int | None, article_id: int, published: str | None) -> dict[str, Any]:
    month = (a.get("date") or published or "")[:7] or None
    return {
        "kind": a["kind"], "date": a.get("date"), "month": month, "locality": a.get("locality"),
        "locality_unit": a.get("locality_unit") or a.get("locality"),
        "partner_countries": json.dumps(list(a.get("partner_countries") or []), ensure_ascii=False),
        "partners": json.dumps(list(a.get("partners") or []), ensure_ascii=False),
        "leaders": json.dumps(list(a.get("leaders") or []), ensure_ascii=False),
        "venue": a.get("venue"), "evidence": a.get("evidence"), "story_id": story_id,
        "source_article_id": article_id, "completeness": int(a.get("completeness") or 0),
    }


def _same_event(db: sqlite_utils.Database, story_id: int, a: Mapping[str, Any], article_id: int) -> int | None:
    """An activity of the same story (another report) with the same kind, locality unit and a compatible
    date (equal, or one of them unknown)."""
    row = db.execute(
        "SELECT id FROM activities WHERE story_id = ? AND kind = ? AND coalesce(locality_unit, '') = ? "
        "AND (date IS NULL OR ? IS NULL OR date = ?) "
        "AND id NOT IN (SELECT activity_id FROM article_activities WHERE article_id = ?) ORDER BY id LIMIT 1",
        [story_id, a["kind"], a.get("locality_unit") or a.get("locality") or "", a.get("date"), a.get("date"),
         article_id],
    ).fetchone()
    return int(row[0]) if row else None


def store_article_activities(db: sqlite_utils.Database, article_id: int, story_id: int | None,
                             published: str | None, activities: Iterable[Mapping[str, Any]],
                             acting: list[str] | None) -> list[int]:
    """Replace the activities of one article (call inside the article's transaction). An activity of
    the same story already stored from another report is shared (the link added, its fields taken
    from this report when this one is more complete); otherwise a new row. Activities no article links
    to any more are deleted. ``acting``: the article's acting localities (NULL stored when empty).
    Returns the activity ids linked, in order."""
    old = [int(r[0]) for r in db.execute("SELECT activity_id FROM article_activities WHERE article_id = ?",
                                         [article_id])]
    db.execute("DELETE FROM article_activities WHERE article_id = ?", [article_id])
    ids: list[int] = []
    for a in activities:
        row = _row(a, story_id, article_id, published)
        found = _same_event(db, story_id, a, article_id) if story_id is not None else None
        if found is None:
            cols, marks = ", ".join(_COLS), ", ".join("?" * len(_COLS))
            cur = db.execute(f"INSERT INTO activities ({cols}) VALUES ({marks})", [row[c] for c in _COLS])
            found = int(cur.lastrowid or 0)
        else:
            have = db.execute("SELECT completeness, date FROM activities WHERE id = ?", [found]).fetchone()
            if row["completeness"] > int(have[0] or 0) or (have[1] is None and row["date"] is not None):
                sets = ", ".join(f"{c} = ?" for c in _COLS)
                db.execute(f"UPDATE activities SET {sets} WHERE id = ?", [*(row[c] for c in _COLS), found])
        db.execute("INSERT OR IGNORE INTO article_activities (article_id, activity_id) VALUES (?, ?)",
                   [article_id, found])
        ids.append(found)
    for gone in set(old) - set(ids):
        if db.execute("SELECT 1 FROM article_activities WHERE activity_id = ?", [gone]).fetchone() is None:
            db.execute("DELETE FROM activities WHERE id = ?", [gone])
    db.execute("UPDATE articles SET acting_provinces = ? WHERE id = ?",
               [json.dumps(acting, ensure_ascii=False) if acting else None, article_id])
    return ids


def _decode(r: Mapping[str, Any]) -> dict[str, Any]:
    d = dict(r)
    for k in ("partner_countries", "partners", "leaders"):
        d[k] = json.loads(d[k]) if d.get(k) else []
    return d


def list_activities(db: sqlite_utils.Database, *, locality: str | None = None, date_from: str | None = None,
                    date_to: str | None = None) -> list[dict[str, Any]]:
    """Activities ordered by date (then id), with ``reports``: [{id, url, title, site, published}] of the
    articles reporting each. ``locality``: the name as the text used it or its 2025 unit (exact);
    ``date_from``/``date_to``: ISO days, inclusive, compared with the event date, else the first report's
    publication day."""
    cur = db.execute(
        "SELECT * FROM (SELECT a.*, coalesce(a.date, (SELECT substr(p.published, 1, 10) FROM articles p "
        "WHERE p.id = a.source_article_id)) AS day FROM activities a) "
        "WHERE (? IS NULL OR locality = ? OR locality_unit = ?) AND (? IS NULL OR day >= ?) "
        "AND (? IS NULL OR day <= ?) ORDER BY day, id",
        [locality, locality, locality, date_from, date_from, date_to, date_to])
    names = [c[0] for c in cur.description]
    out = [_decode(dict(zip(names, r, strict=True))) for r in cur.fetchall()]
    for a in out:
        a["reports"] = [
            {"id": r[0], "url": r[1], "title": r[2], "site": r[3], "published": r[4]}
            for r in db.execute(
                "SELECT ar.id, ar.url, ar.title, ar.site, ar.published FROM article_activities l "
                "JOIN articles ar ON ar.id = l.article_id WHERE l.activity_id = ? ORDER BY ar.published, ar.id",
                [a["id"]])
        ]
    return out


def activities_of_article(db: sqlite_utils.Database, article_id: int) -> list[dict[str, Any]]:
    """The activities linked to one article, in id order."""
    cur = db.execute("SELECT a.* FROM activities a JOIN article_activities l ON l.activity_id = a.id "
                     "WHERE l.article_id = ? ORDER BY a.id", [article_id])
    names = [c[0] for c in cur.description]
    return [_decode(dict(zip(names, r, strict=True))) for r in cur.fetchall()]


# Migration 0009_activities (db/schema.py) runs this; frozen: a change needs a new migration.
MIGRATION_0009 = """
CREATE TABLE IF NOT EXISTS activities (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,               -- doan_vao | doan_ra | ky_ket | su_kien_quoc_te | xuc_tien | ...
    date TEXT,                        -- event day YYYY-MM-DD, NULL when the text says none
    month TEXT,                       -- YYYY-MM of the date, else of the first report's publication
    locality TEXT,                    -- as the text names it (gazetteer spelling)
    locality_unit TEXT,               -- its provincial unit since 1 July 2025
    partner_countries TEXT,           -- JSON array
    partners TEXT,                    -- JSON array
    leaders TEXT,                     -- JSON array of {side, title, name}
    venue TEXT,
    evidence TEXT,
    story_id INTEGER,                 -- articles.story_id of its reports
    source_article_id INTEGER REFERENCES articles(id),  -- the most complete report
    completeness INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS activities_story ON activities(story_id, kind);
CREATE INDEX IF NOT EXISTS activities_unit_date ON activities(locality_unit, date);
CREATE INDEX IF NOT EXISTS activities_month_kind ON activities(month, kind);
CREATE TABLE IF NOT EXISTS article_activities (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    activity_id INTEGER NOT NULL REFERENCES activities(id),
    PRIMARY KEY (article_id, activity_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS article_activities_activity ON article_activities(activity_id);
ALTER TABLE articles ADD COLUMN acting_provinces TEXT;  -- JSON array; NULL: no activity found
"""
