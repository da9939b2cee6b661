"""Datasette's search through the one matcher (``pipeline.search``): hooks of the plugin.

How Datasette 0.65 searches a table: with ``fts_table`` in the metadata and ``searchmode: escaped``,
``?_search=Q`` (the search box) adds ``id in (select rowid from <fts table> where <fts table>
match escape_fts(:search))``, the FTS table being ``?_fts_table=`` when the request names one, and
the page stays ordered by the table's sort (newest first).

- ``asgi_wrapper`` picks the FTS table from the query itself (``route_search``): for a query with
  Vietnamese marks it sets ``_fts_table=articles_fts_marks`` (accent-sensitive: "Hải Nam" leaves
  out "hai năm"), for any other it drops ``_fts_table`` (the folded ``articles_fts`` of the
  metadata), so one index is read, once, whatever the user or an old link sent; ``_searchmode`` is
  dropped too (no raw FTS5 syntax: everything typed is words). It also remembers the request's ``_search`` (a
  context variable) so that ``render_cell`` shows the title with its matches marked and a snippet
  of the text under it.
- ``prepare_connection`` replaces ``escape_fts`` on presswatch's connections (plugin hooks run after
  Datasette registers its own) by ``Query.fts``: the expression for that table (phrase or NEAR, the
  query normalised: Ð, NFD, old tone placement). It also registers ``pw_table``, ``pw_fts``,
  ``pw_fts_phrase`` (``Query.table/.fts/.fts_phrase``), ``pw_highlight(text, q)`` and
  ``pw_snippet(text, q)`` for the ranked ``search`` canned query.
"""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any
from urllib.parse import parse_qsl, quote_plus

from markupsafe import Markup

from db.search import MARKS_TABLE
from pipeline.normalize import search_fold
from pipeline.search import highlight, parse, snippet

__all__ = ["prepare_connection", "asgi_wrapper", "render_cell", "safe_marked", "route_search"]

TABLE = "articles"
_CURRENT: ContextVar[str | None] = ContextVar("presswatch_search", default=None)
_MARK = re.compile(r"</?mark>")


def _q(fn: Callable[..., str]) -> Callable[..., str | None]:
    def wrapped(*args: Any) -> str | None:
        try:
            return fn(*args)
        except Exception:  # noqa: BLE001 - an SQL function must never raise into the query
            return None
    return wrapped


def prepare_connection(conn: sqlite3.Connection) -> None:
    """Register the search functions on a Datasette connection (``escape_fts`` replaced)."""
    conn.create_function("escape_fts", 1, _q(lambda q: parse(str(q or "")).fts), deterministic=True)
    conn.create_function("pw_table", 1, _q(lambda q: parse(str(q or "")).table), deterministic=True)
    conn.create_function("pw_fts", 1, _q(lambda q: parse(str(q or "")).fts), deterministic=True)
    conn.create_function("pw_fts_phrase", 1, _q(lambda q: parse(str(q or "")).fts_phrase), deterministic=True)
    conn.create_function("pw_highlight", 2,
                         _q(lambda t, q: highlight(str(t or ""), parse(str(q or "")))), deterministic=True)
    conn.create_function("pw_snippet", 2,
                         _q(lambda t, q: snippet(str(t or ""), parse(str(q or "")))), deterministic=True)


# What the wrapper owns in an articles request: the FTS table (chosen by the query) and the search
# mode (always escaped: everything typed is words, never raw FTS5 syntax)
_OWNED = ("_fts_table", "_searchmode")


def route_search(query_string: bytes) -> tuple[bytes, str | None]:
    """(the query string to pass on, its ``_search``) for an articles request. Every ``_fts_table`` and
    ``_searchmode`` is dropped (however percent-encoded); ``_fts_table=articles_fts_marks`` is added
    when the searches (``_search``, ``_search_<column>``) all have Vietnamese marks; when marked and
    accent-free column searches are mixed, the marked ones are folded (one table per request: the
    folded one). A search with no letters or digits ("*", '"') is dropped: no search. Keys and values
    read as Datasette reads them (latin-1, then percent-decoding)."""
    kept: list[bytes] = []
    searches: dict[int, tuple[bytes, str]] = {}  # position in kept -> (raw key, value), each with words
    q = None
    for part in query_string.split(b"&"):
        if not part:
            continue
        pairs = parse_qsl(part.decode("latin-1"), keep_blank_values=True)
        key, value = pairs[0] if pairs else ("", "")
        if key in _OWNED:
            continue
        if key == "_search" or key.startswith("_search_"):
            if not parse(value):
                continue  # no letters or digits: no search (the table newest first, as the canned query)
            searches[len(kept)] = (part.split(b"=", 1)[0], value)
            if key == "_search" and q is None:
                q = value
        kept.append(part)
    marked = {at for at, (_, value) in searches.items() if parse(value).table == MARKS_TABLE}
    if marked and len(marked) == len(searches):
        kept.append(b"_fts_table=" + MARKS_TABLE.encode())
    else:
        for at in marked:
            kept[at] = searches[at][0] + b"=" + quote_plus(search_fold(searches[at][1]) or "").encode()
    return b"&".join(kept), q


def asgi_wrapper(app: Any) -> Any:
    """Wraps an ASGI app: an articles request's search routed (``route_search``) and its ``_search``
    in a context variable (for ``render_cell``)."""
    async def with_search(scope: dict[str, Any], receive: Any, send: Any) -> None:
        q = None
        if scope.get("type") == "http" and scope.get("path", "").rstrip("/").split("/")[-1].split(".")[0] == TABLE:
            raw = scope.get("query_string", b"")
            if raw:
                routed, q = route_search(raw)
                scope = dict(scope, query_string=routed)
        token = _CURRENT.set(q or None)
        try:
            await app(scope, receive, send)
        finally:
            _CURRENT.reset(token)

    return with_search


def safe_marked(value: Any) -> Markup | None:
    """``value`` as Markup when it is escaped text whose only tags are <mark> (what pw_highlight and
    pw_snippet return), else None (rendered as plain text by Datasette)."""
    if not isinstance(value, str) or "<mark>" not in value:
        return None
    rest = _MARK.sub("", value)
    return Markup(value) if html.escape(html.unescape(rest), quote=True) == rest else None


def render_cell(row: Any, value: Any, column: str, table: str | None) -> Markup | None:
    """The articles table's title cell during a search: matches marked, a snippet of the text under
    it. A canned query's ``title``/``snippet`` cells from pw_highlight/pw_snippet as HTML. Else None."""
    if table is None and column in ("title", "snippet"):
        return safe_marked(value)
    q = _CURRENT.get()
    if table != TABLE or column != "title" or not q or not isinstance(value, str):
        return None
    query = parse(q)
    if not query:
        return None
    text = None
    try:
        text = row["text"]
    except (KeyError, IndexError, TypeError):
        pass
    title = Markup(highlight(value, query))
    if not isinstance(text, str):
        return title
    return Markup('{}<div class="pw-snippet">{}</div>').format(title, Markup(snippet(text, query)))
