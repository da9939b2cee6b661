"""The SQL of publishing with Datasette (pipeline/publish/ and the plugin in config/datasette_plugins/).

These statements run on Datasette's connections, not on ``open_db``'s: the read-connection set-up
(``tune_read_connection``, from the ``prepare_connection`` hook), the article page's queries (each a
function returning ``(sql, params)`` for ``await Database.execute(sql, params)``), the array facet and
``arraycontains`` filter templates, and the alert feeds' canned query. Plus what pipeline/publish
reads itself on a read-only ``sqlite3`` connection: the schema (``schema_names``) and
``data_version`` (the response cache). Plain values in and out; nothing here imports pipeline.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

# Read connections: map the file into memory and keep a bigger page cache, so facets and
# searches over tens of thousands of rows read pages from memory rather than by a system call
# each (the default cache is 2 MB per connection). Memory-mapped pages are the OS page cache's.
MMAP_BYTES = 4 << 30
CACHE_KIB = 64 << 10


def tune_read_connection(conn: sqlite3.Connection) -> None:
    """``mmap_size`` ``MMAP_BYTES`` and ``cache_size`` ``CACHE_KIB`` KiB on a read connection."""
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")  # constants: PRAGMA values cannot be bound
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")


def data_version(conn: sqlite3.Connection) -> int:
    """``PRAGMA data_version``: changes whenever another connection commits to the file."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def schema_names(conn: sqlite3.Connection) -> tuple[set[str], set[str]]:
    """(names of the tables and views, columns of ``articles`` including generated ones); raises
    ``sqlite3.Error`` when the file cannot be read."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    cols = {r[1] for r in conn.execute("SELECT * FROM pragma_table_xinfo('articles')")}
    return names, cols


# -- the article page (row.html) --------------------------------------------------------------
def article_columns() -> tuple[str, list[Any]]:
    """The columns of ``articles``, generated ones included: column 1 of each row is the name."""
    return "select * from pragma_table_xinfo('articles')", []


def article_by_id(article_id: int) -> tuple[str, list[Any]]:
    """The ``articles`` row of an id (every column)."""
    return "select * from articles where id = ?", [int(article_id)]


def site_name(site: str | None) -> tuple[str, list[Any]]:
    """The name of a site key (column 0), from ``sites``."""
    return "select name from sites where key = ?", [site]


def related_articles(article: dict[str, Any], columns: set[str], limit: int) -> tuple[str, list[Any]] | None:
    """Up to ``limit`` other reports of ``article`` (a dict of its columns; ``columns``: those the
    table has): same ``story_id`` (when it has one), same ``content_hash``, its copies
    (``duplicate_of`` = its id) and its original, earliest first, with id, site, title, published,
    url and site_name. None when nothing can relate to it."""
    clauses: list[str] = []
    params: list[Any] = []
    if "story_id" in columns and article.get("story_id") is not None:
        clauses.append("story_id = ?")
        params.append(article["story_id"])
    if article.get("content_hash"):
        clauses.append("content_hash = ?")
        params.append(article["content_hash"])
    if "duplicate_of" in columns:
        clauses.append("duplicate_of = ?")
        params.append(article["id"])
        if article.get("duplicate_of") is not None:
            clauses.append("id = ?")
            params.append(article["duplicate_of"])
    if not clauses:
        return None
    sql = ("select id, site, title, published, url, "
           "coalesce((select s.name from sites s where s.key = articles.site), site) as site_name "
           f"from articles where id != ? and ({' or '.join(clauses)}) "
           "order by coalesce(published, fetched_at) limit ?")
    return sql, [article["id"], *params, int(limit)]


# -- facets and filters --------------------------------------------------------------------------
def array_facet_sql(inner_sql: str, col: str, limit: int) -> str:
    """Counts of the values of the JSON array column ``col`` (already escaped: Datasette's
    ``escape_sqlite``) over the rows of ``inner_sql`` (the table page's query, its parameters passed
    with it), most frequent first, at most ``limit`` rows. Reads only that column."""
    return (
        f"select j.value as value, count(*) as count from ({inner_sql}) as pw_inner, "
        f"json_each(pw_inner.{col}) j where json_valid(pw_inner.{col}) "
        f"group by j.value order by count(*) desc, value limit {int(limit)}"
    )


# `column__arraycontains=value` (the province and country filters): Datasette 0.65 tests every row
# with json_each, ~0.4 µs a row even when the list is empty. The same filter with a substring test
# first (the JSON text of a list that holds the value contains the value, JSON-quoted as
# db/articles.py writes it: ensure_ascii=False, or as given) runs json_each only on the few rows that
# can match: a province page's count goes from 75 ms to 14 ms at 200,000 articles. Same results:
# the json_each test still decides. A Datasette TemplatedFilter template ({t} table, {c} column,
# {p} parameter name).
ARRAYCONTAINS_SQL = (
    "(instr({t}.{c}, json_quote(:{p})) > 0 or instr({t}.{c}, :{p}) > 0) "
    "and :{p} in (select value from json_each({t}.{c}))"
)


# -- alert feeds -------------------------------------------------------------------------------
# The articles an alert subscription was owed (pipeline/alerts/outbox.py), newest first, in the columns
# datasette-atom turns into an Atom feed: /<db>/alert_NAME.atom, /<db>/alert_feed.atom?subscription=NAME
ALERT_FEED_SQL = """select * from (select a.url as atom_id, a.title as atom_title,
  case when a.published glob '????-??-??T*[+-]??:??' or a.published glob '????-??-??T*Z'
    then a.published else o.created_at end as atom_updated,
  a.url as atom_link, coalesce(s.name, a.site) as atom_author_name,
  coalesce(nullif(a.description, ''), substr(a.text, 1, 400) || ' …') || char(10) || char(10)
    || 'Vì sao / why: ' || coalesce((select group_concat(value, ', ') from (
      select value from json_each(o.reasons, '$.provinces') union all
      select value from json_each(o.reasons, '$.countries') union all
      select value from json_each(o.reasons, '$.terms'))), 'mọi tin mới / every new story') as atom_content,
  o.subscription, a.site, a.published, o.created_at as found_at, o.status as delivery
from alert_outbox o join articles a on a.id = o.article_id left join sites s on s.key = a.site
where o.subscription = {sub} and o.story_key not like 'report:%'
order by o.id desc limit 50)
union all
-- datasette-atom 0.9 fails (HTTP 500) on an empty result: a subscription with no story yet gets one
-- placeholder entry instead
select 'tag:presswatch.invalid,2026:' || {sub} || ':empty',
  'Chưa có tin / No stories yet', '2026-01-01T00:00:00+00:00',
  '/{db}/alert_outbox?subscription=' || {sub}, 'presswatch',
  'Chưa có bài nào cho đăng ký này. / No article for this subscription yet.', {sub}, null, null, null, null
where not exists (select 1 from alert_outbox where subscription = {sub})"""

_SUBSCRIPTION_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")  # as config validates [alerts.NAME]


def alert_feed_sql(db_name: str, subscription: str | None = None) -> str:
    """The canned query of one subscription's Atom feed (its name as a literal), or, with None, of any
    (the ``:subscription`` parameter). ``db_name``: the database's name in Datasette's URLs."""
    if subscription is None:
        return ALERT_FEED_SQL.format(sub=":subscription", db=db_name)
    if not _SUBSCRIPTION_NAME.match(subscription):  # the literal is safe only for these names
        raise ValueError(f"not a subscription name: {subscription!r}")
    return ALERT_FEED_SQL.format(sub=f"'{subscription}'", db=db_name)
