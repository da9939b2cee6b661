"""The full-text index and its SQL: two FTS5 tables over the articles' title and text.

- ``articles_fts`` (``FTS_TABLE``, tokenizer ``unicode61 remove_diacritics 2``: case and every mark
  folded except đ): columns ``title``, ``text`` (as stored) and ``dtitle``, ``dtext`` (the same with
  đ→d, ``pipeline.normalize.fold_d``). An accent-free query ("da nang", "doi ngoai") matches
  ``{dtitle dtext}`` token by token, so phrases work; it is the table Datasette's search uses.
- ``articles_fts_marks`` (``MARKS_TABLE``, ``unicode61 remove_diacritics 0``: case folded, marks
  kept), external content on ``articles`` (no second copy of the text): a query written with
  Vietnamese marks ("Hải Nam") matches here, so it does not find "hai năm".

The FTS row of an article is built in one place, ``pipeline.search.fts_row``, and written here by
``write_fts`` (every writer goes through it: the marks table has no stored content, so the old
title and text are read back from ``articles_fts`` to delete their tokens). The query strings come
from ``pipeline.search`` (plain strings in, rows out).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

import sqlite_utils

from db import rows

FTS_TABLE = "articles_fts"
MARKS_TABLE = "articles_fts_marks"
FTS_COLUMNS = ("title", "text", "dtitle", "dtext")
# bm25 weights of (title, text, dtitle, dtext) and of the marks table's (title, text): a hit in the
# title counts ten times one in the body
TITLE_WEIGHT = 10.0

CREATE_FTS = ("CREATE VIRTUAL TABLE articles_fts USING fts5("
              "title, text, dtitle, dtext, tokenize = 'unicode61 remove_diacritics 2')")
CREATE_MARKS = ("CREATE VIRTUAL TABLE articles_fts_marks USING fts5("
                "title, text, content = 'articles', content_rowid = 'id', "
                "tokenize = 'unicode61 remove_diacritics 0')")
# The migration's copy of the stored text with đ folded: the same character table as
# pipeline.normalize.fold_d (đ Đ and the look-alikes Ð ð Ɖ; tests/test_search.py checks the two
# agree); the writer path uses fold_d itself.
_FOLD_D = "replace(replace(replace(replace(replace({}, 'đ', 'd'), 'Đ', 'D'), 'Ð', 'D'), 'ð', 'd'), 'Ɖ', 'D')"
_FILL_FTS = ("INSERT INTO articles_fts (rowid, title, text, dtitle, dtext) "
             "SELECT id, title, text, " + _FOLD_D.format("title") + ", " + _FOLD_D.format("text")
             + " FROM articles WHERE id > ? AND id <= ?")


def _progress(msg: str) -> None:
    sys.stderr.write(f"\r{msg}")
    sys.stderr.flush()


def rebuild_index(db: sqlite_utils.Database, *, chunk: int = 10_000,
                  progress: Callable[[str], None] | None = _progress) -> int:
    """Drop and rebuild both FTS tables from ``articles`` (migration 0007, ``presswatch`` never calls
    it otherwise), reporting "search index: N/M articles" through ``progress`` (stderr by default)
    every ``chunk`` articles. Runs in the caller's transaction. Returns the number of articles."""
    db.execute("DROP TABLE IF EXISTS articles_fts")
    db.execute("DROP TABLE IF EXISTS articles_fts_marks")
    db.execute(CREATE_FTS)
    db.execute(CREATE_MARKS)
    total, top = db.execute("SELECT count(*), coalesce(max(id), 0) FROM articles").fetchone()
    if not total:
        return 0
    started, done, lo = time.monotonic(), 0, 0
    while lo < top:
        hi = lo + chunk
        done += db.execute(_FILL_FTS, [lo, hi]).rowcount
        lo = hi
        if progress:
            progress(f"search index: {done:,}/{total:,} articles ({time.monotonic() - started:.0f}s)")
    if progress:
        progress(f"search index: accent-sensitive table ({time.monotonic() - started:.0f}s)")
    db.execute("INSERT INTO articles_fts_marks (articles_fts_marks) VALUES ('rebuild')")
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    if progress:
        progress(f"search index: {total:,} articles in {time.monotonic() - started:.0f}s\n")
    return int(total)


def write_fts(db: sqlite_utils.Database, rowid: int, row: Mapping[str, str]) -> None:
    """(Re)write the full-text rows of article ``rowid``; ``row``: title, text, dtitle, dtext
    (``pipeline.search.fts_row``). Inside the caller's transaction."""
    old = db.execute("SELECT title, text FROM articles_fts WHERE rowid = ?", [rowid]).fetchone()
    if old is not None:
        db.execute("INSERT INTO articles_fts_marks (articles_fts_marks, rowid, title, text) VALUES ('delete', ?, ?, ?)",
                   [rowid, old[0], old[1]])
        db.execute("DELETE FROM articles_fts WHERE rowid = ?", [rowid])
    db.execute("INSERT INTO articles_fts (rowid, title, text, dtitle, dtext) VALUES (?, ?, ?, ?, ?)",
               [rowid, row["title"], row["text"], row["dtitle"], row["dtext"]])
    db.execute("INSERT INTO articles_fts_marks (rowid, title, text) VALUES (?, ?, ?)",
               [rowid, row["title"], row["text"]])


def delete_fts(db: sqlite_utils.Database, rowid: int) -> None:
    """Remove an article's full-text rows (both tables)."""
    old = db.execute("SELECT title, text FROM articles_fts WHERE rowid = ?", [rowid]).fetchone()
    if old is not None:
        db.execute("INSERT INTO articles_fts_marks (articles_fts_marks, rowid, title, text) VALUES ('delete', ?, ?, ?)",
                   [rowid, old[0], old[1]])
        db.execute("DELETE FROM articles_fts WHERE rowid = ?", [rowid])


# The accent-sensitive test Datasette's table search gets for a query with marks
# (pipeline/publish/search.py, filters_from_request; :pw_marks from pipeline.search.Query.marks).
MARKS_FILTER = "id in (select rowid from articles_fts_marks where articles_fts_marks match :pw_marks)"

# Ranked search: the match expression (phrase or NEAR) on the folded table, the marks table's
# expression as a second filter for a query with marks ('' = none), exact phrases first, then bm25
# with the title weighted. :province: a name as articles carry it (the gazetteer's spelling).
SEARCH_SQL = """
SELECT a.id, a.published, a.fetched_at, a.site, a.title, a.text, a.url, a.provinces,
       (f.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :phrase)) AS exact,
       bm25(articles_fts, 10.0, 1.0, 10.0, 1.0) AS score
FROM articles_fts f JOIN articles a ON a.id = f.rowid
WHERE articles_fts MATCH :match
  AND (:marks = '' OR f.rowid IN (SELECT rowid FROM articles_fts_marks WHERE articles_fts_marks MATCH :marks))
  AND (:since = '' OR coalesce(a.published, a.fetched_at) >= :since)
  AND (:province = '' OR EXISTS (SELECT 1 FROM json_each(a.provinces) p WHERE p.value = :province))
ORDER BY exact DESC, score, a.id DESC
LIMIT :limit
"""


def search(db: sqlite_utils.Database, match: str, phrase: str, marks: str = "", *, since: str = "",
           province: str = "", limit: int = 50) -> list[dict[str, Any]]:
    """Ranked hits: dicts of id, published, fetched_at, site, title, text, url, provinces (JSON text),
    exact (1 = the phrase itself), score (bm25, lower is better). ``match``/``phrase``/``marks``: FTS5
    expressions from ``pipeline.search.Query``; ``since``: ISO lower bound on published (else fetched)
    time; ``province``: the gazetteer's spelling of a province ("Đà Nẵng").
    Raises sqlite3.OperationalError for a malformed expression."""
    cur = db.execute(SEARCH_SQL, {"match": match, "phrase": phrase, "marks": marks, "since": since,
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
