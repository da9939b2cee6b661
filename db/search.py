"""The full-text index and its SQL: two FTS5 tables over the articles' title and text, kept by triggers.

- ``articles_fts`` (``FTS_TABLE``, tokenizer ``unicode61 remove_diacritics 2``: case and every mark
  folded except đ, so its content is the view ``articles_folded``: title and text with đ→d by SQL
  ``replace``, the character table of ``pipeline.normalize.fold_d``). An accent-free query ("da nang",
  "doi ngoai") matches here token by token, so phrases work.
- ``articles_fts_marks`` (``MARKS_TABLE``, ``unicode61 remove_diacritics 0``: case folded, marks
  kept), content ``articles``: a query written with Vietnamese marks ("Hải Nam") matches here, so it
  does not find "hai năm".

Both are *external content* tables: the index alone is stored (no copy of the text), and three
triggers on ``articles`` (insert, delete, update of title or text) keep it exact with the row's old
and new values, whoever writes (presswatch, ``sqlite-utils``, the sqlite3 shell); nothing in
presswatch writes the index by hand. One SQLite rule to know: the row an ``INSERT OR REPLACE``
deletes fires the delete trigger only with ``PRAGMA recursive_triggers = ON`` (``db.open_db`` sets
it; another tool that replaces articles must too). ``check_index`` is FTS5's own check;
``rebuild_index`` (migrations 0007 and 0013, ``presswatch reindex``) builds all of it in place,
a damaged table included. The query strings come
from ``pipeline.search`` (plain strings in, rows out).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import sqlite_utils

from db import rows

FTS_TABLE = "articles_fts"
MARKS_TABLE = "articles_fts_marks"
FOLDED_VIEW = "articles_folded"

# đ folded like pipeline.normalize.fold_d (đ Đ and the look-alikes Ð ð Ɖ; tests/test_search.py
# checks the two agree); the tokenizer folds every other mark.
_FOLD_D = "replace(replace(replace(replace(replace({}, 'đ', 'd'), 'Đ', 'D'), 'Ð', 'D'), 'ð', 'd'), 'Ɖ', 'D')"


def _fold(col: str) -> str:
    return _FOLD_D.format(col)


CREATE_VIEW = (f"CREATE VIEW articles_folded AS SELECT id, {_fold('title')} AS title, {_fold('text')} AS text "
               "FROM articles")
CREATE_FTS = ("CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content = 'articles_folded', "
              "content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2')")
CREATE_MARKS = ("CREATE VIRTUAL TABLE articles_fts_marks USING fts5(title, text, content = 'articles', "
                "content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 0')")


def _add(row: str) -> str:
    return (f"INSERT INTO articles_fts (rowid, title, text) VALUES ({row}.id, {_fold(row + '.title')}, "
            f"{_fold(row + '.text')}); "
            f"INSERT INTO articles_fts_marks (rowid, title, text) VALUES ({row}.id, {row}.title, {row}.text);")


def _drop(row: str) -> str:
    return (f"INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', {row}.id, "
            f"{_fold(row + '.title')}, {_fold(row + '.text')}); "
            "INSERT INTO articles_fts_marks (articles_fts_marks, rowid, title, text) "
            f"VALUES ('delete', {row}.id, {row}.title, {row}.text);")


TRIGGERS = {
    "articles_fts_insert": f"CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN {_add('new')} END",
    "articles_fts_delete": f"CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN {_drop('old')} END",
    "articles_fts_update": ("CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles "
                            f"BEGIN {_drop('old')} {_add('new')} END"),
}
_FILL = {"accent-free": "INSERT INTO articles_fts (rowid, title, text) SELECT id, title, text "
                        "FROM articles_folded WHERE id > ? AND id <= ?",
         "accent-sensitive": "INSERT INTO articles_fts_marks (rowid, title, text) SELECT id, title, text "
                             "FROM articles WHERE id > ? AND id <= ?"}


def _progress(msg: str) -> None:
    sys.stderr.write(f"\r{msg}")
    sys.stderr.flush()


def index_is_current(db: sqlite_utils.Database) -> bool:
    """Whether the index has this module's layout (both tables on external content, the triggers)."""
    have = {name: sql for name, sql in db.execute(
        "SELECT name, sql FROM sqlite_master WHERE name IN (?, ?, ?, ?, ?, ?)",
        [FTS_TABLE, MARKS_TABLE, FOLDED_VIEW, *TRIGGERS])}
    return set(have) == {FTS_TABLE, MARKS_TABLE, FOLDED_VIEW, *TRIGGERS} and FOLDED_VIEW in have[FTS_TABLE]


# A fresh FTS5 table's own rows (its empty structure record, its format version): what a damaged
# table's shadow tables are reset to so that FTS5 can open it again, and drop it.
_SHADOW = {t: {"data": (f"CREATE TABLE IF NOT EXISTS {t}_data(id INTEGER PRIMARY KEY, block BLOB)",
                        f"DELETE FROM {t}_data", f"INSERT INTO {t}_data (id, block) VALUES (?, ?)",
                        "SELECT id, block FROM x_data"),
               "config": (f"CREATE TABLE IF NOT EXISTS {t}_config(k PRIMARY KEY, v) WITHOUT ROWID",
                          f"DELETE FROM {t}_config", f"INSERT INTO {t}_config (k, v) VALUES (?, ?)",
                          "SELECT k, v FROM x_config")}
           for t in (FTS_TABLE, MARKS_TABLE)}
_DROP = {t: f"DROP TABLE IF EXISTS {t}" for t in (FTS_TABLE, MARKS_TABLE)}


def _drop_fts(db: sqlite_utils.Database, table: str) -> None:
    """DROP an FTS5 table, even a damaged one ("vtable constructor failed", "invalid fts5 file
    format"): its data and config shadow tables are first reset to a fresh table's rows."""
    import sqlite3

    try:
        db.execute(_DROP[table])
        return
    except sqlite3.DatabaseError:
        pass
    fresh = sqlite3.connect(":memory:")
    try:
        fresh.execute("CREATE VIRTUAL TABLE x USING fts5(a)")
        for create, clear, insert, select in _SHADOW[table].values():
            db.execute(create)
            db.execute(clear)
            db.conn.executemany(insert, fresh.execute(select).fetchall())
    finally:
        fresh.close()
    db.execute(_DROP[table])


def rebuild_index(db: sqlite_utils.Database, *, chunk: int = 10_000,
                  progress: Callable[[str], None] | None = _progress) -> int:
    """Drop and rebuild the whole index from ``articles``: the view, both FTS tables and the triggers
    (migrations 0007 and 0013; ``presswatch`` never calls it otherwise), reporting "search index:
    N/M articles" through ``progress`` (stderr by default) every ``chunk`` articles of each table.
    Runs in the caller's transaction. Returns the number of articles."""
    db.executescript("DROP TRIGGER IF EXISTS articles_fts_insert; DROP TRIGGER IF EXISTS articles_fts_delete; "
                     "DROP TRIGGER IF EXISTS articles_fts_update; DROP VIEW IF EXISTS articles_folded;")
    for table in (FTS_TABLE, MARKS_TABLE):
        _drop_fts(db, table)
    db.execute(CREATE_VIEW)
    db.execute(CREATE_FTS)
    db.execute(CREATE_MARKS)
    for sql in TRIGGERS.values():
        db.execute(sql)
    total, top = db.execute("SELECT count(*), coalesce(max(id), 0) FROM articles").fetchone()
    if not total:
        return 0
    started = time.monotonic()
    for what, fill in _FILL.items():
        done, lo = 0, 0
        while lo < top:
            hi = lo + chunk
            done += db.execute(fill, [lo, hi]).rowcount
            lo = hi
            if progress:
                progress(f"search index ({what}): {done:,}/{total:,} articles "
                         f"({time.monotonic() - started:.0f}s)" + ("\n" if lo >= top else ""))
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    db.execute("INSERT INTO articles_fts_marks (articles_fts_marks) VALUES ('optimize')")
    if progress:
        free = db.execute("PRAGMA freelist_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0]
        spare = (f"; {free / 1e6:,.0f} MB of the file are free for new rows (VACUUM gives them back to the disk)"
                 if free > 50e6 else "")
        progress(f"search index: {total:,} articles in {time.monotonic() - started:.0f}s{spare}\n")
    return int(total)


def check_index(db: sqlite_utils.Database) -> None:
    """FTS5's own check of both tables against their content (``articles``). Raises
    sqlite3.DatabaseError ("database disk image is malformed") when the index disagrees with it."""
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    db.execute("INSERT INTO articles_fts_marks (articles_fts_marks, rank) VALUES ('integrity-check', 1)")


# Ranked search on one table (FTS_TABLE or MARKS_TABLE, the query's): exact phrases first, then
# bm25 with the title weighted. :province: a name as articles carry it (the gazetteer's spelling).
_SEARCH = """
SELECT a.id, a.published, a.fetched_at, a.site, a.title, a.text, a.url, a.provinces,
       (f.rowid IN (SELECT rowid FROM {t} WHERE {t} MATCH :phrase)) AS exact,
       bm25({t}, 10.0, 1.0) AS score
FROM {t} f JOIN articles a ON a.id = f.rowid
WHERE {t} MATCH :match
  AND (:since = '' OR julianday(coalesce(a.published, a.fetched_at)) >= julianday(:since))
  AND (:province = '' OR EXISTS (SELECT 1 FROM json_each(a.provinces) p WHERE p.value = :province))
ORDER BY exact DESC, score, a.id DESC
LIMIT :limit
"""
SEARCH_SQL = {t: _SEARCH.format(t=t) for t in (FTS_TABLE, MARKS_TABLE)}


def search(db: sqlite_utils.Database, table: str, match: str, phrase: str, *, since: str = "",
           province: str = "", limit: int = 50) -> list[dict[str, Any]]:
    """Ranked hits: dicts of id, published, fetched_at, site, title, text, url, provinces (JSON text),
    exact (1 = the phrase itself), score (bm25, lower is better). ``table``, ``match``, ``phrase``:
    ``pipeline.search.Query.table/.fts/.fts_phrase``; ``since``: ISO lower bound on published (else
    fetched) time, any UTC offset (compared as instants); ``province``: the gazetteer's spelling of
    a province ("Đà Nẵng").
    Raises KeyError for another table, sqlite3.OperationalError for a malformed expression."""
    cur = db.execute(SEARCH_SQL[table], {"match": match, "phrase": phrase, "since": since,
                                         "province": province, "limit": limit})
    return rows(cur)


def index_size(db: sqlite_utils.Database) -> dict[str, int]:
    """Bytes on disk of each FTS table's shadow tables (dbstat), by table name prefix."""
    out: dict[str, int] = {}
    for name, size in db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
        for t in (MARKS_TABLE, FTS_TABLE):
            if name.startswith(t + "_"):
                out[t] = out.get(t, 0) + int(size)
                break
    return out
