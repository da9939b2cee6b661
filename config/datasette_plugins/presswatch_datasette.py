"""presswatch's Datasette plugin (loaded with ``--plugins-dir config/datasette_plugins``): thin hooks.

The logic lives in ``pipeline/publish/`` (Datasette loads this file by path, in the process that
``pipeline.publish.datasette_command`` starts with the same Python, where ``pipeline`` is importable):

- ``connection``: the ``vn_fold(text)`` SQL function (accent-free lower case, 'Đà Nẵng' -> 'da nang',
  so canned queries match what an analyst types without accents) and the read-connection pragmas.
- ``render``: previews and filter links in table cells, canned queries' titles linked to the
  article (their ``url``), the article page's data (row.html), the table page script.
- ``facets``: a faster array facet and ``arraycontains`` filter, and facets the metadata declares
  shown once even when the URL names them again.
- ``cache``: the response cache (PRESSWATCH_CACHE_SECONDS, 0 = off) and the ASGI wrapper.
- ``search``: the search box and ``?_search=`` through ``pipeline.search`` (marks or accent-free,
  phrases), matches marked under each title; the SQL functions of the ``search`` canned query.
- ``workspace``: the analysts' pages (``/``, ``/-/tin``, ``/-/diem-bao``), via ``register_routes``.
- ``auth``: logins and feed tokens when accounts are configured; ``excel``: CSV with a BOM.
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from pathlib import Path
from typing import Any

from datasette import hookimpl

try:
    import pipeline  # noqa: F401
except ImportError:  # run from a checkout that is not installed: the repository root is two levels up
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pipeline.publish import auth, cache, connection, excel, facets, render, workspace  # noqa: E402
from pipeline.publish import search as pw_search  # noqa: E402

facets.speed_up_arraycontains()


@hookimpl(trylast=True)  # after Datasette's own sql_functions plugin: our escape_fts replaces its
def prepare_connection(conn: Any) -> None:
    connection.prepare_connection(conn)
    pw_search.prepare_connection(conn)


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    marked = pw_search.render_cell(row, value, column, table)
    linked = render.linked_title(row, value, column, table, marked)
    if linked is not None:
        return linked
    return marked if marked is not None else render.render_cell(value, column, table, database, datasette)


@hookimpl(wrapper=True)
def register_facet_classes() -> Generator[None, list[list[type]], list[list[type]]]:
    results = yield
    return facets.with_fast_array_facet(results)


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    cached, guard = cache.asgi_wrapper(datasette), auth.asgi_wrapper(datasette)
    return lambda app: guard(excel.asgi_wrapper(cached(pw_search.asgi_wrapper(app))))


@hookimpl
def register_routes() -> Any:
    return workspace.routes()


@hookimpl
def extra_body_script(view_name: str) -> str | None:
    return render.TABLE_SCRIPT if view_name == "table" else None


@hookimpl
def extra_template_vars(view_name: str, table: str | None, database: str | None, request: Any,
                        datasette: Any) -> Any:
    if view_name != "row" or table != "articles" or database is None or request is None:
        return None

    async def inner() -> dict[str, Any]:
        return await render.article_context(datasette, database, request)

    return inner
