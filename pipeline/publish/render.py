"""What the Datasette pages show of an article: table cells, the article page's data, a table script.

- In the articles table, the long ``text`` column is shown as a short preview, and the province and
  country lists as links that filter the table (``render_cell``).
- The article page (``row.html`` in config/datasette_templates) gets the article as readable
  paragraphs, a link to the original and the other reports of the same story (``articles.story_id``
  when it exists, else identical text by ``content_hash``, plus ``duplicate_of``): ``article_context``.
- Table pages fold the column descriptions and say that accents are not needed (``TABLE_SCRIPT``).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit

from markupsafe import Markup

from db import publish as sql

PREVIEW_CHARS = 160
RELATED_LIMIT = 30


def paragraphs(text: str | None) -> list[str]:
    """Paragraphs of a cleaned text (blank-line separated; single newlines become spaces)."""
    if not text:
        return []
    return [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters plus " …"."""
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


def render_cell(value: Any, column: str, table: str | None, database: str, datasette: Any) -> Markup | None:
    """HTML of an articles cell (preview, short link, province/country filter links), or None to let
    Datasette render it (other tables and columns, empty lists)."""
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


async def article_context(datasette: Any, database: str, request: Any) -> dict[str, Any]:
    """The ``pw_*`` variables of row.html for the article ``request.url_vars['pks']`` of ``database``
    (pw_article: the row as a dict; pw_paragraphs; pw_related: up to RELATED_LIMIT other reports, each
    with an href; pw_related_by: "story" or "content_hash"; pw_provinces, pw_countries: (name, filter
    URL); pw_site_name; pw_table_url). {} when the key is not an id or no such row exists."""
    pk = request.url_vars.get("pks", "")
    if not pk.isdigit():
        return {}
    db = datasette.get_database(database)
    cols = {r[1] for r in (await db.execute(*sql.article_columns())).rows}
    row = (await db.execute(*sql.article_by_id(int(pk)))).first()
    if row is None:
        return {}
    art = dict(zip(row.keys(), tuple(row), strict=True))
    how = "story" if "story_id" in cols and art.get("story_id") is not None else "content_hash"
    related: list[dict[str, Any]] = []
    query = sql.related_articles(art, cols, RELATED_LIMIT)
    if query is not None:
        res = await db.execute(*query)
        for r in res.rows:
            d = dict(zip(r.keys(), tuple(r), strict=True))
            d["href"] = datasette.urls.row(database, "articles", str(d["id"]))
            related.append(d)
    table_url = datasette.urls.table(database, "articles")
    body = paragraphs(art.get("text"))
    lead = " ".join((art.get("description") or "").split())
    if body and lead and body[0] == lead:
        body = body[1:]  # the text often starts with the lead, shown above it already
    site_name = (await db.execute(*sql.site_name(art.get("site")))).first()
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


def linked_title(row: Any, value: Any, column: str, table: str | None, inner: Markup | None) -> Markup | None:
    """A canned query's ``title`` cell as a link to the article when its row has an http(s) ``url``
    column (``inner``: the cell's HTML already made, e.g. the search's marked title); else None."""
    if table is not None or column != "title" or value is None:
        return None
    try:
        url = row["url"]
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    text = inner if inner is not None else Markup.escape(str(value))
    return Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(url, text)
