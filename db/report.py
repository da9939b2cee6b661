"""The SQL of the analyst's workspace and the press summary (pipeline/report/, pipeline/publish/workspace.py).

Stories are articles grouped by ``coalesce(story_id, id)`` (an article with no story is a story of
its own), over a window of Vietnamese calendar days: ``published_day`` (the generated column,
migration ``datasette_browse_indexes``), else the day of ``fetched_at`` in Vietnam time. Each function
takes a DB-API connection (``sqlite3.Connection``, or ``sqlite_utils.Database.conn``) and returns
plain values: lists of dicts, tuples, ints. Province and country filters use the ``arraycontains``
pre-test of db/publish.py (substring of the JSON list first, then ``json_each`` decides).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from db.schema import FTS_TABLE

DAY = "coalesce(a.published_day, date(a.fetched_at, '+7 hours'))"
WHEN = "coalesce(a.published, a.fetched_at)"
STORY = "coalesce(a.story_id, a.id)"


def _contains(col: str, n: int) -> str:
    """An SQL test: the JSON list ``a.<col>`` holds one of ``n`` values (bound as parameters)."""
    one = f"(instr(a.{col}, json_quote(?)) > 0 and ? in (select value from json_each(a.{col})))"
    return "(" + " or ".join([one] * n) + ")"


def _where(day_from: str, day_to: str, provinces: Sequence[str], countries: Sequence[str],
           sites: Sequence[str], relevant_only: bool, ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    clauses = [f"{DAY} between ? and ?"]
    params: list[Any] = [day_from, day_to]
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
    rel = " and a.relevant = 1" if relevant_only else ""
    sql = (f"select a.id, {STORY} as story, a.site, coalesce(s.name, a.site) as site_name, a.title, a.url, "
           "a.published, a.fetched_at, a.description, substr(a.text, 1, 1000) as text, a.relevance, a.relevant, "
           "a.provinces, a.countries, a.duplicate_of "
           f"from articles a left join sites s on s.key = a.site where {STORY} in ({marks}) "
           f"and {DAY} between ? and ?{rel} order by {WHEN}, a.id")
    cur = conn.execute(sql, [*keys, day_from, day_to])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def window_counts(conn: sqlite3.Connection, day_from: str, day_to: str, column: str,
                  relevant_only: bool = True, limit: int = 12) -> list[tuple[str, int]]:
    """(value, stories) of the JSON list ``column`` ('provinces' or 'countries') over the window,
    most stories first."""
    if column not in ("provinces", "countries"):
        raise ValueError(f"not a list column: {column!r}")
    rel = " and a.relevant = 1" if relevant_only else ""
    cols = column  # one of two names checked above
    sql = (f"select j.value, count(distinct {STORY}) as n from articles a, json_each(a.{cols}) j "
           f"where {DAY} between ? and ?{rel} and json_valid(a.{cols}) group by j.value "
           "order by n desc, j.value limit ?")
    rows = conn.execute(sql, [day_from, day_to, int(limit)]).fetchall()
    return [(str(v), int(n)) for v, n in rows]


def window_totals(conn: sqlite3.Connection, day_from: str, day_to: str) -> tuple[int, int, int]:
    """(articles, relevant articles, relevant stories) published in the window."""
    sql = (f"select count(*), coalesce(sum(a.relevant = 1), 0), count(distinct case when a.relevant = 1 "
           f"then {STORY} end) from articles a where {DAY} between ? and ?")
    a, r, s = conn.execute(sql, [day_from, day_to]).fetchone()
    return int(a), int(r), int(s)


def list_values(conn: sqlite3.Connection, column: str, since_day: str) -> list[str]:
    """The distinct values of the JSON list ``column`` ('provinces' or 'countries') of the articles
    published since ``since_day``, sorted (the choices of a filter box)."""
    if column not in ("provinces", "countries"):
        raise ValueError(f"not a list column: {column!r}")
    cols = column
    sql = (f"select distinct j.value from articles a, json_each(a.{cols}) j where {DAY} >= ? "
           f"and json_valid(a.{cols}) order by j.value")
    rows = conn.execute(sql, [since_day]).fetchall()
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


def search_ids(conn: sqlite3.Connection, match: str, limit: int = 5000) -> list[int]:
    """Article ids whose full-text row matches the FTS5 expression ``match`` (already escaped by
    the caller), best first, at most ``limit``. Raises ``sqlite3.OperationalError`` for a bad one."""
    rows = conn.execute(
        f"select rowid from {FTS_TABLE} where {FTS_TABLE} match ? order by rank limit ?", [match, int(limit)]
    ).fetchall()
    return [int(r[0]) for r in rows]


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
