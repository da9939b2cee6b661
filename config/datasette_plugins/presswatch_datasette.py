"""presswatch's Datasette plugin (loaded with ``--plugins-dir config/datasette_plugins``).

- ``vn_fold(text)``: an SQL function, accent-free lower case ('Đà Nẵng' -> 'da nang'), so canned
  queries can match what an analyst types without accents.
- The article page (``row.html`` in config/datasette_templates) gets the article as readable
  paragraphs, a link to the original and the other reports of the same story
  (``articles.story_id`` when it exists, else identical text by ``content_hash``, plus
  ``duplicate_of``).
- In tables, the long ``text`` column is shown as a short preview, and the province and country
  lists as links that filter the table.
- Array facets (provinces, countries) with a faster query than Datasette 0.65's: its query copies
  every column of every row (the article texts too) to de-duplicate values within a row, which at
  200,000 articles always ran past facet_time_limit_ms; this one reads only the JSON column (through
  its index when the table is not filtered). A value repeated inside one row's list counts twice.
- A response cache (on by default, PRESSWATCH_CACHE_SECONDS=0 turns it off): an anonymous GET is
  answered again from memory while no commit changed the database since (``PRAGMA data_version``)
  and for at most that many seconds; identical requests that arrive together wait for the first
  one instead of all running the same queries. A new article shows on the next request.
- A facet that the metadata declares and the URL names again (``?_facet=site``, which Datasette's
  column menu adds) is shown once: the repeated ``_facet*`` parameter is dropped from the request.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import sqlite3
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import ArrayFacet
from datasette.filters import Filters, TemplatedFilter
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args
from markupsafe import Markup

PREVIEW_CHARS = 160
RELATED_LIMIT = 30


def vn_fold(s: Any) -> str | None:
    if s is None:
        return None
    s = str(s)
    return _short_fold(s) if len(s) <= 200 else _fold(s)


@functools.lru_cache(maxsize=16384)
def _short_fold(s: str) -> str:
    """Memoised for short strings: canned queries fold the same few hundred province and country
    names on every row (a Python call each, holding the GIL)."""
    return _fold(s)


def _fold(s: str) -> str:
    s = s.replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return " ".join(unicodedata.normalize("NFC", s).lower().split())


# Read connections: map the file into memory and keep a bigger page cache, so facets and
# searches over tens of thousands of rows read pages from memory rather than by a system call
# each (the default cache is 2 MB per connection). Memory-mapped pages are the OS page cache's.
MMAP_BYTES = 4 << 30
CACHE_KIB = 64 << 10


@hookimpl
def prepare_connection(conn: Any) -> None:
    conn.create_function("vn_fold", 1, vn_fold, deterministic=True)
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")


def paragraphs(text: str | None) -> list[str]:
    """Paragraphs of a cleaned text (blank-line separated; single newlines become spaces)."""
    if not text:
        return []
    return [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + " …"


def _json_list(value: Any) -> list[str]:
    if not value:
        return []
    try:
        items = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return []
    return [str(x) for x in items] if isinstance(items, list) else []


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    if table != "articles":
        return None
    if column in ("text", "description") and isinstance(value, str):
        return Markup('<span class="pw-preview">{}</span>').format(preview(value))
    if column == "url" and isinstance(value, str) and value.startswith(("http://", "https://")):
        parts = urlsplit(value)
        short = parts.netloc + (parts.path if len(parts.path) <= 24 else parts.path[:22] + "…")
        return Markup('<a href="{}" title="{}" rel="noopener noreferrer">{}</a>').format(value, value, short)
    if column == "content_hash" and isinstance(value, str):
        return Markup('<span title="{}">{}…</span>').format(value, value[:10])
    if column == "relevance_evidence" and isinstance(value, str) and len(value) > 80:
        return Markup('<span class="pw-preview" title="{}">{} …</span>').format(value[:2000], value[:80])
    if column in ("provinces", "countries"):
        items = _json_list(value)
        if not items:
            return None
        base = datasette.urls.table(database, "articles")
        links = [
            Markup('<a href="{}?{}">{}</a>').format(base, urlencode({f"{column}__arraycontains": x}), x)
            for x in items
        ]
        return Markup(", ").join(links)
    return None


class FastArrayFacet(ArrayFacet):  # type: ignore[misc]
    """Datasette's ArrayFacet (same type, URLs, output) with a query that reads only the column."""

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        facet_results: list[dict[str, Any]] = []
        facets_timed_out: list[str] = []
        facet_size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            source = source_and_config["source"]
            column = config.get("column") or config["simple"]
            col = escape_sqlite(column)
            facet_sql = (
                f"select j.value as value, count(*) as count from ({self.sql}) as pw_inner, "
                f"json_each(pw_inner.{col}) j where json_valid(pw_inner.{col}) "
                f"group by j.value order by count(*) desc, value limit {facet_size + 1}"
            )
            try:
                rows = await self.ds.execute(
                    self.database, facet_sql, self.params, truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                facets_timed_out.append(column)
                continue
            pairs = self.get_querystring_pairs()
            values = []
            for row in rows.rows[:facet_size]:
                value = str(row["value"])
                selected = (f"{column}__arraycontains", value) in pairs
                change = path_with_removed_args if selected else path_with_added_args
                toggle_path = change(self.request, {f"{column}__arraycontains": value})
                values.append({
                    "value": value, "label": value, "count": row["count"],
                    "toggle_url": self.ds.absolute_url(self.request, toggle_path), "selected": selected,
                })
            facet_results.append({
                "name": column,
                "type": self.type,
                "results": values,
                "hideable": source != "metadata",
                "toggle_url": self.ds.urls.path(
                    path_with_removed_args(self.request, {"_facet_array": column})),
                "truncated": len(rows) > facet_size,
            })
        return facet_results, facets_timed_out


# `column__arraycontains=value` (the province and country filters): Datasette 0.65 tests every row
# with json_each, ~0.4 µs a row even when the list is empty. The same filter with a substring test
# first (the JSON text of a list that holds the value contains the value, JSON-quoted as
# db/store.py writes it: ensure_ascii=False, or as given) runs json_each only on the few rows that
# can match: a province page's count goes from 75 ms to 14 ms at 200,000 articles. Same results:
# the json_each test still decides.
ARRAYCONTAINS_SQL = (
    "(instr({t}.{c}, json_quote(:{p})) > 0 or instr({t}.{c}, :{p}) > 0) "
    "and :{p} in (select value from json_each({t}.{c}))"
)


def _speed_up_arraycontains() -> None:
    for f in Filters._filters:
        if getattr(f, "key", None) == "arraycontains" and isinstance(f, TemplatedFilter):
            f.sql_template = ARRAYCONTAINS_SQL


_speed_up_arraycontains()


@hookimpl(wrapper=True)
def register_facet_classes() -> Generator[None, list[list[type]], list[list[type]]]:
    results = yield
    return [[FastArrayFacet if c is ArrayFacet else c for c in classes] for classes in results]


def _facet_column(facet: Any) -> str | None:
    if isinstance(facet, str):
        return facet
    if isinstance(facet, dict) and len(facet) == 1:
        value = next(iter(facet.values()))
        return value if isinstance(value, str) else None
    return None


def drop_duplicate_facets(query_string: str, configured: set[str]) -> str:
    """The query string without the `_facet`, `_facet_array`, `_facet_date` parameters naming a
    column whose facet the metadata already declares."""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    facet_keys = ("_facet", "_facet_array", "_facet_date")
    kept = [(k, v) for k, v in pairs if not (k in facet_keys and v in configured)]
    return query_string if len(kept) == len(pairs) else urlencode(kept)


DEFAULT_CACHE_SECONDS = 60.0
CACHE_HEADER = b"x-presswatch-cache"


class DataVersion:
    """What the served database files hold, as a value that changes with every commit.

    ``PRAGMA data_version`` on a connection of our own changes whenever another connection (the
    crawler, in another process) commits: a cached page is only replayed while nothing was
    written since it was made. One read-only connection per file, used only from the event loop;
    the pragma reads the WAL index in shared memory (~3 µs). A file that cannot be read gives a
    value that never repeats, so nothing is replayed from it.
    """

    def __init__(self, paths: list[str]) -> None:
        self.paths = paths
        self.conns: dict[str, sqlite3.Connection] = {}
        self.misses = 0

    def __call__(self) -> tuple[Any, ...]:
        out: list[Any] = []
        for path in self.paths:
            try:
                conn = self.conns.get(path)
                if conn is None:
                    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True,
                                           check_same_thread=False)
                    self.conns[path] = conn
                out.append(conn.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error:
                self.conns.pop(path, None)
                self.misses += 1
                out.append(("unreadable", self.misses))
        return tuple(out)


class ResponseCache:
    """Whole answers of anonymous GET requests, replayed while the database is unchanged.

    An entry is replayed only while (1) no commit happened in the served files since it was made
    (``version``: `DataVersion`), and (2) it is younger than ``ttl`` seconds, which bounds how late
    a page that depends on the clock ("new today", "last 7 days") can be. Identical requests that
    arrive together wait for the first one instead of all running the same queries. LRU within
    ``max_entries`` and ``max_bytes``; a page on which a facet timed out, an error, or a streamed
    answer larger than ``max_body`` is not kept. Answers carry ``x-presswatch-cache: hit|miss``.
    """

    def __init__(self, ttl: float, version: Callable[[], Any] | None = None, max_entries: int = 5000,
                 max_body: int = 4 << 20, max_bytes: int = 256 << 20) -> None:
        self.ttl, self.max_entries, self.max_body, self.max_bytes = ttl, max_entries, max_body, max_bytes
        self.version = version or (lambda: None)
        self.entries: OrderedDict[tuple[Any, ...], tuple[float, int, list[dict[str, Any]]]] = OrderedDict()
        self.bytes = 0
        self.seen: Any = None  # the version the entries were made at
        self.pending: dict[tuple[Any, ...], asyncio.Future[list[dict[str, Any]] | None]] = {}

    @staticmethod
    def key(scope: dict[str, Any]) -> tuple[Any, ...] | None:
        if scope.get("type") != "http" or scope.get("method") != "GET":
            return None
        headers = dict(scope.get("headers") or [])
        if b"cookie" in headers or b"authorization" in headers or b"_trace" in scope.get("query_string", b""):
            return None
        return (scope.get("path"), scope.get("query_string"), headers.get(b"host"),
                headers.get(b"accept-encoding"))

    def _drop(self, key: tuple[Any, ...]) -> None:
        entry = self.entries.pop(key, None)
        if entry is not None:
            self.bytes -= entry[1]

    async def __call__(self, app: Any, scope: dict[str, Any], receive: Any, send: Any) -> None:
        key = self.key(scope)
        if key is None:
            await app(scope, receive, send)
            return
        version = self.version()
        if version != self.seen:  # a commit since: every entry is stale
            self.entries.clear()
            self.bytes, self.seen = 0, version
        hit = self.entries.get(key)
        if hit is not None:
            if hit[0] > time.monotonic():
                self.entries.move_to_end(key)
                return await self._replay(hit[2], send, b"hit")
            self._drop(key)
        if key in self.pending:  # the same request is being answered: wait for it
            messages = await asyncio.shield(self.pending[key])
            if messages is not None:
                return await self._replay(messages, send, b"hit")
            await app(scope, receive, send)
            return
        fut: asyncio.Future[list[dict[str, Any]] | None] = asyncio.get_running_loop().create_future()
        self.pending[key] = fut
        recorded: list[dict[str, Any]] = []
        size = 0

        async def record(message: dict[str, Any]) -> None:
            nonlocal size
            if size <= self.max_body:  # a big (streamed) answer is passed on, not kept
                size += len(message.get("body", b""))
                recorded.append(message)
            if message.get("type") == "http.response.start":
                message = _with_header(message, b"miss")
            await send(message)

        ok = False
        try:
            await app(scope, receive, record)
            ok = bool(recorded) and recorded[0].get("status") == 200 and size <= self.max_body
        finally:
            fut.set_result(recorded if ok else None)
            del self.pending[key]
        # kept only when nothing was committed while it was being made
        if ok and not _facets_timed_out(recorded) and self.version() == version == self.seen \
                and size <= self.max_bytes:
            self._drop(key)
            self.entries[key] = (time.monotonic() + self.ttl, size, recorded)
            self.bytes += size
            while self.entries and (len(self.entries) > self.max_entries or self.bytes > self.max_bytes):
                self._drop(next(iter(self.entries)))

    @staticmethod
    async def _replay(messages: list[dict[str, Any]], send: Any, how: bytes) -> None:
        for m in messages:
            await send(_with_header(m, how) if m.get("type") == "http.response.start" else m)


def _with_header(message: dict[str, Any], value: bytes) -> dict[str, Any]:
    headers = [h for h in message.get("headers") or [] if h[0].lower() != CACHE_HEADER]
    return {**message, "headers": [*headers, (CACHE_HEADER, value)]}


def _facets_timed_out(messages: list[dict[str, Any]]) -> bool:
    """A page on which Datasette gave up some facet (busy server) is not kept."""
    body = b"".join(m.get("body", b"") for m in messages)
    if b"These facets timed out" in body:
        return True
    return b'"facets_timed_out": [' in body and b'"facets_timed_out": []' not in body


def cache_seconds() -> float:
    """PRESSWATCH_CACHE_SECONDS (``presswatch serve --cache-seconds``); 0 turns the cache off."""
    raw = os.environ.get("PRESSWATCH_CACHE_SECONDS")
    if raw is None or not raw.strip():
        return DEFAULT_CACHE_SECONDS
    try:
        return max(0.0, float(raw))
    except ValueError:
        return DEFAULT_CACHE_SECONDS


def _database_files(datasette: Any) -> list[str]:
    return sorted(str(db.path) for db in datasette.databases.values() if getattr(db, "path", None))


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    ttl = cache_seconds()
    versions = DataVersion([])
    cache = ResponseCache(ttl, versions) if ttl else None

    def wrap(app: Any) -> Any:
        async def presswatch_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
            qs = scope.get("query_string", b"")
            if scope.get("type") == "http" and b"_facet" in qs:
                parts = scope.get("path", "").strip("/").split("/")
                if len(parts) == 2:
                    table = unquote(parts[1]).removesuffix(".json")
                    facets = (datasette.table_metadata(unquote(parts[0]), table) or {}).get("facets") or []
                    configured = {c for c in map(_facet_column, facets) if c}
                    new_qs = drop_duplicate_facets(qs.decode("latin-1"), configured)
                    scope = {**scope, "query_string": new_qs.encode("latin-1")}
            if cache is not None:
                versions.paths = _database_files(datasette)  # databases are attached after start-up
                await cache(app, scope, receive, send)
            else:
                await app(scope, receive, send)

        return presswatch_app

    return wrap


# Table pages: the long list of column descriptions folds into a <details>, and the search box
# says that accents are not needed.
TABLE_SCRIPT = """
(function () {
  var dl = document.querySelector("dl.column-descriptions");
  if (dl) {
    var d = document.createElement("details");
    d.className = "pw-columns";
    var s = document.createElement("summary");
    s.textContent = "Giải thích các cột / What the columns mean";
    dl.parentNode.insertBefore(d, dl);
    d.appendChild(s);
    d.appendChild(dl);
  }
  var q = document.querySelector("input#_search");
  if (q) {
    q.placeholder = "không cần dấu / no accents needed: hop tac quoc te, da nang";
    var label = document.querySelector('label[for="_search"]');
    if (label) { label.textContent = "Tìm:"; label.title = "Search"; }
  }
})();
"""


@hookimpl
def extra_body_script(view_name: str) -> str | None:
    return TABLE_SCRIPT if view_name == "table" else None


async def _article_context(datasette: Any, database: str, request: Any) -> dict[str, Any]:
    pk = request.url_vars.get("pks", "")
    if not pk.isdigit():
        return {}
    db = datasette.get_database(database)
    cols = {r[1] for r in (await db.execute("select * from pragma_table_xinfo('articles')")).rows}
    row = (await db.execute("select * from articles where id = ?", [int(pk)])).first()
    if row is None:
        return {}
    art = dict(zip(row.keys(), tuple(row), strict=True))
    wanted = ("id, site, title, published, url, "
              "coalesce((select s.name from sites s where s.key = articles.site), site) as site_name")
    clauses, params = [], []
    if "story_id" in cols and art.get("story_id") is not None:
        clauses.append("story_id = ?")
        params.append(art["story_id"])
        how = "story"
    else:
        how = "content_hash"
    if art.get("content_hash"):
        clauses.append("content_hash = ?")
        params.append(art["content_hash"])
    if "duplicate_of" in cols:
        clauses.append("duplicate_of = ?")
        params.append(art["id"])
        if art.get("duplicate_of") is not None:
            clauses.append("id = ?")
            params.append(art["duplicate_of"])
    related: list[dict[str, Any]] = []
    if clauses:
        sql = (
            f"select {wanted} from articles where id != ? and ({' or '.join(clauses)}) "
            f"order by coalesce(published, fetched_at) limit {RELATED_LIMIT}"
        )
        res = await db.execute(sql, [art["id"], *params])
        for r in res.rows:
            d = dict(zip(r.keys(), tuple(r), strict=True))
            d["href"] = datasette.urls.row(database, "articles", str(d["id"]))
            related.append(d)
    table_url = datasette.urls.table(database, "articles")
    body = paragraphs(art.get("text"))
    lead = " ".join((art.get("description") or "").split())
    if body and lead and body[0] == lead:
        body = body[1:]  # the text often starts with the lead, shown above it already
    site_name = (await db.execute("select name from sites where key = ?", [art.get("site")])).first()
    return {
        "pw_site_name": site_name[0] if site_name else art.get("site"),
        "pw_article": art,
        "pw_paragraphs": body,
        "pw_related": related,
        "pw_related_by": how,
        "pw_provinces": [
            (x, f"{table_url}?{urlencode({'provinces__arraycontains': x})}")
            for x in _json_list(art.get("provinces"))
        ],
        "pw_countries": [
            (x, f"{table_url}?{urlencode({'countries__arraycontains': x})}")
            for x in _json_list(art.get("countries"))
        ],
        "pw_table_url": table_url,
    }


@hookimpl
def extra_template_vars(view_name: str, table: str | None, database: str | None, request: Any,
                        datasette: Any) -> Any:
    if view_name != "row" or table != "articles" or database is None or request is None:
        return None

    async def inner() -> dict[str, Any]:
        return await _article_context(datasette, database, request)

    return inner


__all__ = ["vn_fold", "paragraphs"]
