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
- An optional response cache (off unless PRESSWATCH_CACHE_SECONDS is set): identical anonymous GETs
  within that many seconds share one answer, and identical requests that arrive together wait for
  the first one instead of all running the same queries.
- A facet that the metadata declares and the URL names again (``?_facet=site``, which Datasette's
  column menu adds) is shown once: the repeated ``_facet*`` parameter is dropped from the request.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Generator
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import ArrayFacet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args
from markupsafe import Markup

PREVIEW_CHARS = 160
RELATED_LIMIT = 30


def vn_fold(s: Any) -> str | None:
    if s is None:
        return None
    s = str(s).replace("đ", "d").replace("Đ", "D")
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


class ResponseCache:
    """Whole responses of anonymous GET requests, kept `ttl` seconds (LRU, `max_entries`)."""

    def __init__(self, ttl: float, max_entries: int = 2000, max_body: int = 4 << 20) -> None:
        self.ttl, self.max_entries, self.max_body = ttl, max_entries, max_body
        self.entries: OrderedDict[tuple[Any, ...], tuple[float, list[dict[str, Any]]]] = OrderedDict()
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

    async def __call__(self, app: Any, scope: dict[str, Any], receive: Any, send: Any) -> None:
        key = self.key(scope)
        if key is None:
            await app(scope, receive, send)
            return
        hit = self.entries.get(key)
        if hit and hit[0] > time.monotonic():
            self.entries.move_to_end(key)
            return await self._replay(hit[1], send)
        if key in self.pending:  # the same request is being answered: wait for it
            messages = await asyncio.shield(self.pending[key])
            if messages is not None:
                return await self._replay(messages, send)
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
            await send(message)

        try:
            await app(scope, receive, record)
        finally:
            ok = bool(recorded) and recorded[0].get("status") == 200 and size <= self.max_body
            fut.set_result(recorded if ok else None)
            del self.pending[key]
        if ok and not _facets_timed_out(recorded):
            self.entries[key] = (time.monotonic() + self.ttl, recorded)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    @staticmethod
    async def _replay(messages: list[dict[str, Any]], send: Any) -> None:
        for m in messages:
            await send(m)


def _facets_timed_out(messages: list[dict[str, Any]]) -> bool:
    """A page on which Datasette gave up some facet (busy server) is not kept."""
    body = b"".join(m.get("body", b"") for m in messages)
    if b"These facets timed out" in body:
        return True
    return b'"facets_timed_out": [' in body and b'"facets_timed_out": []' not in body


def cache_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get("PRESSWATCH_CACHE_SECONDS", "0") or 0))
    except ValueError:
        return 0.0


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    ttl = cache_seconds()
    cache = ResponseCache(ttl) if ttl else None

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
