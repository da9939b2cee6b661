"""The SQL of the analyst's workspace and the press summary (pipeline/report/, pipeline/publish/workspace.py).

Stories are articles grouped by ``coalesce(story_id, id)`` (an article with no story is a story of
its own), over a window of Vietnamese calendar days: ``published_day`` (the generated column,
migration ``datasette_browse_indexes``), else the day of ``fetched_at`` in Vietnam time (``DAY``),
the leading expression of the covering indexes of migration ``0012_story_days`` (``MIGRATION_0012``),
so that a window is one index range, not every row.
A search (``story_search_page``) takes the FTS5 expressions of ``pipeline.search.Query``
(the one matcher: folded table, marks table for a marked query, exact phrases first, bm25 with the
title weighted as the ``search`` canned query does). Each function
takes a DB-API connection (``sqlite3.Connection``, or ``sqlite_utils.Database.conn``) and returns
plain values: lists of dicts, tuples, ints. Province and country filters use the ``arraycontains``
pre-test of db/publish.py (substring of the JSON list first, then ``json_each`` decides).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

DAY = "coalesce(a.published_day, date(a.fetched_at, '+7 hours'))"  # the expression of MIGRATION_0012
WHEN = "coalesce(a.published, a.fetched_at)"
STORY = "coalesce(a.story_id, a.id)"


def _contains(col: str, n: int) -> str:
    """An SQL test: the JSON list ``a.<col>`` holds one of ``n`` values (bound as parameters)."""
    one = f"(instr(a.{col}, json_quote(?)) > 0 and ? in (select value from json_each(a.{col})))"
    return "(" + " or ".join([one] * n) + ")"


def _in_days(day_from: str, day_to: str | None = None) -> tuple[str, list[Any]]:
    """``DAY`` between the two days (``day_to`` None: no upper bound), written as the expression of
    the ``0012_story_days`` indexes (``MIGRATION_0012``) so that a window is one index range."""
    if day_to is None:
        return f" {DAY} >= ? ", [day_from]
    return f" {DAY} between ? and ? ", [day_from, day_to]


# Migration 0012_story_days (db/schema.py; frozen with it): the story list, the home page and the press
# summary read a window of days (``DAY``) of relevant (or all) articles. Without these, SQLite took the
# (relevant, published) index for the window's OR of two ranges and read every relevant row (with its
# text): 90-370 ms a statement at 200,000 articles. These lead with the window's expression and carry
# every column those statements read (story key, both times, outlet, JSON lists): SQLite defers the row
# seek and reads the index alone, 5-50 ms (3-4x faster than the bare expression; bench/datasette_load.py).
MIGRATION_0012 = """
CREATE INDEX IF NOT EXISTS articles_story_days_relevant ON articles(relevant,
    coalesce(published_day, date(fetched_at, '+7 hours')), published, fetched_at, story_id, site, provinces,
    countries);
CREATE INDEX IF NOT EXISTS articles_story_days ON articles(
    coalesce(published_day, date(fetched_at, '+7 hours')), relevant, published, fetched_at, story_id, site,
    provinces, countries);
"""


def _where(day_from: str, day_to: str, provinces: Sequence[str], countries: Sequence[str],
           sites: Sequence[str], relevant_only: bool, ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    days, params = _in_days(day_from, day_to)
    clauses = [days]
    if relevant_only:
        clauses.append("a.relevant = 1")
    if provinces:
        clauses.append(_contains("provinces", len(provinces)))
        params += [x for p in provinces for x in (p, p)]
    if countries:
        clauses.append(_contains("countries", len(countries)))
        params += [x for c in countries for x in (c, c)]
    if sites:
        marks = ", ".join("?" * len(sites))
        clauses.append(f"a.site in ({marks})")
        params += list(sites)
    if ids is not None:
        marks = ", ".join("?" * len(ids)) or "null"
        clauses.append(f"a.id in ({marks})")
        params += list(ids)
    return " and ".join(clauses), params


def story_page(conn: sqlite3.Connection, day_from: str, day_to: str, *, provinces: Sequence[str] = (),
               countries: Sequence[str] = (), sites: Sequence[str] = (), relevant_only: bool = True,
               ids: Sequence[int] | None = None, limit: int = 50, offset: int = 0) -> tuple[int, list[int]]:
    """(number of stories, story keys of one page, newest story first) of the articles published
    between the Vietnamese days ``day_from`` and ``day_to`` (``YYYY-MM-DD``, inclusive) that match
    every filter (``ids``: only these article ids, e.g. a search's; None = no such filter)."""
    where, params = _where(day_from, day_to, provinces, countries, sites, relevant_only, ids)
    count_sql = f"select count(distinct {STORY}) from articles a where {where}"
    total = conn.execute(count_sql, params).fetchone()[0]
    page_sql = (f"select {STORY} as k from articles a where {where} group by k "
                f"order by max({WHEN}) desc, k desc limit ? offset ?")
    rows = conn.execute(page_sql, [*params, int(limit), int(offset)]).fetchall()
    return int(total or 0), [int(r[0]) for r in rows]


def story_articles(conn: sqlite3.Connection, keys: Sequence[int], day_from: str, day_to: str,
                   *, relevant_only: bool = False) -> list[dict[str, Any]]:
    """Every article of the stories ``keys`` published in the window, earliest first: id, story
    (the key), site, site_name, title, url, published, fetched_at, description, text (the first 1,000
    characters), relevance, relevant, provinces, countries (JSON text), duplicate_of."""
    if not keys:
        return []
    marks = ", ".join("?" * len(keys))
    rel = " and +a.relevant = 1" if relevant_only else ""
    days, params = _in_days(day_from, day_to)
    days = days.replace(DAY, f"+{DAY}")  # not the window's index: the story keys pick the rows
    sql = (f"select a.id, {STORY} as story, a.site, coalesce(s.name, a.site) as site_name, a.title, a.url, "
           "a.published, a.fetched_at, a.description, substr(a.text, 1, 1000) as text, a.relevance, a.relevant, "
           "a.provinces, a.countries, a.duplicate_of "
           # coalesce(story_id, id) in keys, written so that the story_id index and the rowid answer it
           f"from articles a left join sites s on s.key = a.site where (a.story_id in ({marks}) or "
           f"(a.story_id is null and a.id in ({marks}))) and {days}{rel} order by {WHEN}, a.id")
    cur = conn.execute(sql, [*keys, *keys, *params])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def window_counts(conn: sqlite3.Connection, day_from: str, day_to: str, column: str,
                  relevant_only: bool = True, limit: int = 12, *, stories: bool = True) -> list[tuple[str, int]]:
    """(value, stories) of the JSON list ``column`` ('provinces' or 'countries') over the window,
    most stories first. ``stories=False``: (value, articles) instead, read from the covering
    indexes alone (no row is read; the filter boxes' order)."""
    if column not in ("provinces", "countries"):
        raise ValueError(f"not a list column: {column!r}")
    rel = " and a.relevant = 1" if relevant_only else ""
    cols = column  # one of two names checked above
    days, params = _in_days(day_from, day_to)
    n = f"count(distinct {STORY})" if stories else "count(*)"
    sql = (f"select j.value, {n} as n from articles a, json_each(a.{cols}) j "
           f"where {days}{rel} and json_valid(a.{cols}) group by j.value "
           "order by n desc, j.value limit ?")
    rows = conn.execute(sql, [*params, int(limit)]).fetchall()
    return [(str(v), int(n)) for v, n in rows]


def window_totals(conn: sqlite3.Connection, day_from: str, day_to: str) -> tuple[int, int, int]:
    """(articles, relevant articles, relevant stories) published in the window."""
    days, params = _in_days(day_from, day_to)
    sql = (f"select count(*), coalesce(sum(a.relevant = 1), 0), count(distinct case when a.relevant = 1 "
           f"then {STORY} end) from articles a where {days}")
    a, r, s = conn.execute(sql, params).fetchone()
    return int(a), int(r), int(s)


def list_values(conn: sqlite3.Connection, column: str, since_day: str) -> list[str]:
    """The distinct values of the JSON list ``column`` ('provinces' or 'countries') of the articles
    published since ``since_day``, sorted (the choices of a filter box)."""
    if column not in ("provinces", "countries"):
        raise ValueError(f"not a list column: {column!r}")
    cols = column
    days, params = _in_days(since_day)
    sql = (f"select distinct j.value from articles a, json_each(a.{cols}) j where {days} "
           f"and json_valid(a.{cols}) order by j.value")
    rows = conn.execute(sql, params).fetchall()
    return [str(r[0]) for r in rows]


def sites(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(key, name) of every site, by name."""
    return [(str(k), str(n)) for k, n in conn.execute("select key, name from sites order by name")]


def site_health_line(conn: sqlite3.Connection) -> tuple[int, int, int, str | None]:
    """(sites, sites whose last run failed or was blocked, runs in the last 24 h, last finished run
    (UTC ISO) or None) from ``crawl_runs``."""
    n_sites = conn.execute("select count(*) from sites where enabled = 1").fetchone()[0]
    failing = conn.execute(
        "select count(*) from (select site, status from crawl_runs r where id = "
        "(select max(id) from crawl_runs q where q.site = r.site)) where status in ('failed', 'blocked', 'killed')"
    ).fetchone()[0]
    runs, last = conn.execute(
        "select count(*) filter (where started >= datetime('now', '-1 day')), max(finished) from crawl_runs"
    ).fetchone()
    return int(n_sites), int(failing), int(runs or 0), last


# The hits of a search on one table (pipeline.search.Query.table: articles_fts, or articles_fts_marks
# for a marked query; ? 1 = Query.fts_phrase ranks the exact phrases first, ? 2 = Query.fts), ranked
# as the ``search`` canned query ranks them: exact first, then bm25 with the title ten times the body.
_HITS_SQL = """hits(id, r) as materialized (
  select f.rowid, (case when f.rowid in (select rowid from {t} where {t} match ?)
                   then 0 else 1000000.0 end) + bm25({t}, 10.0, 1.0)
  from {t} f where {t} match ?)"""
_HITS = {t: _HITS_SQL.format(t=t) for t in ("articles_fts", "articles_fts_marks")}


def story_search_page(conn: sqlite3.Connection, table: str, match: str, phrase: str, day_from: str, day_to: str,
                      *, provinces: Sequence[str] = (), countries: Sequence[str] = (), sites: Sequence[str] = (),
                      relevant_only: bool = True, limit: int = 50, offset: int = 0
                      ) -> tuple[int, list[tuple[int, int]]]:
    """(number of stories, (story key, best-matching article id) of one page) of the stories with an
    article that matches the search and every filter of ``story_page``, the best match first (its
    exact phrase, then bm25, title above body), ties newest first. ``table``, ``match``, ``phrase``:
    ``pipeline.search.Query.table/.fts/.fts_phrase``. Raises KeyError for another table,
    sqlite3.OperationalError for a malformed expression (Query never makes one)."""
    where, params = _where(day_from, day_to, provinces, countries, sites, relevant_only, None)
    hits = [phrase, match]
    per = (f"with {_HITS[table]}, per(k, id, r, t) as (select k, id, min(r), t from (select {STORY} as k, a.id, h.r, "
           f"{WHEN} as t from hits h join articles a on a.id = h.id where {where}) group by k)")
    page_sql = f"{per} select k, id, count(*) over () from per order by r, t desc, k desc limit ? offset ?"
    rows = conn.execute(page_sql, [*hits, *params, int(limit), int(offset)]).fetchall()
    if rows:
        total = rows[0][2]
    else:  # past the last page: count alone
        count_sql = f"{per} select count(*) from per"
        total = conn.execute(count_sql, [*hits, *params]).fetchone()[0]
    return int(total or 0), [(int(k), int(i)) for k, i, _ in rows]


def titles_and_texts(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """id -> (title, text) of the articles ``ids`` (whole texts: a search's snippet is cut from them)."""
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    rows = conn.execute(f"select id, title, text from articles where id in ({marks})", list(ids)).fetchall()
    return {int(i): (str(t or ""), str(x or "")) for i, t, x in rows}


ACTIVITY_COLUMNS = ("kind", "date", "locality", "partner_countries", "partners", "leaders", "venue",
                    "summary", "label", "title")


def activities(conn: sqlite3.Connection, article_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The activities each article reports (article id -> rows, each a dict of those of
    ``ACTIVITY_COLUMNS`` the table has, JSON lists as text), from the ``activities`` table when the
    database has one with an ``article_id`` column; {} otherwise."""
    if not article_ids:
        return {}
    have = [str(r[1]) for r in conn.execute("select * from pragma_table_info('activities')")]
    if "article_id" not in have:
        return {}
    cols = ", ".join(_quoted(c) for c in ACTIVITY_COLUMNS if c in have) or "null as none"
    marks = ", ".join("?" * len(article_ids))
    out: dict[int, list[dict[str, Any]]] = {}
    sql = f"select article_id, {cols} from activities where article_id in ({marks}) order by rowid"
    cur = conn.execute(sql, list(article_ids))
    names = [d[0] for d in cur.description]
    for r in cur.fetchall():
        out.setdefault(int(r[0]), []).append(dict(zip(names[1:], r[1:], strict=True)))
    return out


def _quoted(name: str) -> str:
    """A column name of ``ACTIVITY_COLUMNS`` (a fixed list), quoted."""
    return '"' + name.replace('"', '""') + '"'
