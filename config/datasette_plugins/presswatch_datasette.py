"""presswatch's Datasette plugin (loaded with ``--plugins-dir config/datasette_plugins``).

- ``vn_fold(text)``: an SQL function, accent-free lower case ('Đà Nẵng' -> 'da nang'), so canned
  queries can match what an analyst types without accents.
- The article page (``row.html`` in config/datasette_templates) gets the article as readable
  paragraphs, a link to the original and the other reports of the same story
  (``articles.story_id`` when it exists, else identical text by ``content_hash``, plus
  ``duplicate_of``).
- In tables, the long ``text`` column is shown as a short preview, and the province and country
  lists as links that filter the table.
- A facet that the metadata declares and the URL names again (``?_facet=site``, which Datasette's
  column menu adds) is shown once: the repeated ``_facet*`` parameter is dropped from the request.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

from datasette import hookimpl
from markupsafe import Markup

PREVIEW_CHARS = 240
RELATED_LIMIT = 30


def vn_fold(s: Any) -> str | None:
    if s is None:
        return None
    s = str(s).replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return " ".join(unicodedata.normalize("NFC", s).lower().split())


@hookimpl
def prepare_connection(conn: Any) -> None:
    conn.create_function("vn_fold", 1, vn_fold, deterministic=True)


def paragraphs(text: str | None) -> list[str]:
    """Paragraphs of a cleaned text (blank-line separated; single newlines become spaces)."""
    if not text:
        return []
    return [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


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
    if column == "text" and isinstance(value, str):
        flat = " ".join(value.split())
        short = flat if len(flat) <= PREVIEW_CHARS else flat[:PREVIEW_CHARS].rsplit(" ", 1)[0] + " …"
        return Markup('<span class="pw-preview">{}</span>').format(short)
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


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    def wrap(app: Any) -> Any:
        async def dedupe_facets(scope: dict[str, Any], receive: Any, send: Any) -> None:
            qs = scope.get("query_string", b"")
            if scope.get("type") == "http" and b"_facet" in qs:
                parts = scope.get("path", "").strip("/").split("/")
                if len(parts) == 2:
                    table = unquote(parts[1]).removesuffix(".json")
                    facets = (datasette.table_metadata(unquote(parts[0]), table) or {}).get("facets") or []
                    configured = {c for c in map(_facet_column, facets) if c}
                    new_qs = drop_duplicate_facets(qs.decode("latin-1"), configured)
                    scope = {**scope, "query_string": new_qs.encode("latin-1")}
            await app(scope, receive, send)

        return dedupe_facets

    return wrap


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
    wanted = "id, site, title, published, url"
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
    return {
        "pw_article": art,
        "pw_paragraphs": paragraphs(art.get("text")),
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
