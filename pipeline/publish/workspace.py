"""The analyst's workspace inside Datasette (routes registered by the plugin's ``register_routes``).

- ``/`` — home: today's and this week's relevant stories, stories by province and partner this
  week, site health in one line, links to the story list, the press summary, the charts and the
  raw tables (``/<db>``: Datasette's own pages stay there for power users).
- ``/-/tin`` — the story list: one row per story (``coalesce(story_id, id)``), title linked to the
  article page, outlets by name, Vietnam time, provinces and countries as chips, score; filters
  ``ky`` (``hom-nay`` / ``7`` / ``30`` / ``khoang`` with ``tu``, ``den``), ``tinh``, ``nuoc``, ``bao``
  (repeatable), ``lienquan`` (1 = relevant only, default; 0 = all), ``q`` (search), ``trang``
  (filters.py: ``tu``/``den`` given = that period; a bad date = a Vietnamese message, HTTP 400).
  ``/-/tin.csv``: the same rows for Excel (UTF-8 with BOM, lists joined with "; ").
- ``/-/diem-bao`` — the press summary (pipeline/report) with the same filters (``theo`` = province
  or country), printable, the newest ``REPORT_WEB_LIMIT`` stories with a link to the full download;
  ``/-/diem-bao.docx|.pdf|.md|.html`` download it whole.

Search (``q``) is the one matcher, ``pipeline.search.parse`` (as the search box, ``?_search=``, the
``search`` canned query and the alert keywords): a query with marks matches those marks, one without
matches accent-free; syllables side by side first, near each other after; stories ranked by their
best article (exact phrase, then bm25 with the title above the body), newest first without a search;
the title with its matches marked and a snippet of the matching article under it. Every statement
runs under Datasette's ``sql_time_limit_ms`` (timelimit.py): past it, the page says so (HTTP 503).
Templates: config/datasette_templates/pw_*.html.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup

from config import VN_TZ
from db import report as sql
from pipeline.publish.filters import PERIODS, Filters
from pipeline.publish.timelimit import QueryTooSlow, TimedConnection
from pipeline.report import MEDIA_TYPES, Period, Story, build_report, render
from pipeline.report import data as rdata
from pipeline.search import highlight, parse, snippet

__all__ = ["PERIODS", "Filters", "routes", "story_list", "home_data", "csv_bytes"]

PAGE = 50
REPORT_WEB_LIMIT = 100  # stories on the press summary page; the downloads hold them all
CSV_LIMIT = 5000


def _timed(datasette: Any, fn: Callable[[Any], Any]) -> Callable[[sqlite3.Connection], Any]:
    """``fn`` for ``execute_fn``, given the read connection with every statement limited to
    Datasette's ``sql_time_limit_ms``."""
    ms = int(datasette.setting("sql_time_limit_ms") or 3000)

    def run(conn: sqlite3.Connection) -> Any:
        return fn(TimedConnection(conn, ms))

    return run


SLOW = ("Truy vấn quá lâu (quá {ms} ms), trang đã dừng lại: hãy thu hẹp bộ lọc (ít ngày hơn, một tỉnh, "
        "một báo). The query took too long.")


def database_name(datasette: Any) -> str:
    """The published database (the first one that is not Datasette's internal one)."""
    names = [n for n in datasette.databases if not n.startswith("_")]
    return names[0]


def _story_dict(datasette: Any, db: str, st: Story, f: Filters,
                marked: tuple[str, str] | None = None) -> dict[str, Any]:
    return {
        "title": Markup(marked[0]) if marked else st.title, "snippet": Markup(marked[1]) if marked else "",
        "when": st.when(), "lead": st.lead, "score": st.score, "key": st.key,
        "href": datasette.urls.row(db, "articles", str(st.article_id)),
        "outlets": [{"name": o.name, "url": o.url} for o in st.outlets],
        "provinces": [(p, "?" + f.query(tinh=[p], trang="")) for p in st.provinces],
        "countries": [(c, "?" + f.query(nuoc=[c], trang="")) for c in st.countries],
        "activity": st.activity, "articles": st.articles,
    }


def story_list(conn: Any, f: Filters, limit: int = PAGE, *, with_choices: bool = True) -> dict[str, Any]:
    """One page of stories for ``f``: total, stories (``Story``), period, ``marked`` (story key ->
    (title HTML, snippet HTML) of a search: matches in <mark>, escaped), choices of the filter boxes.
    ``conn``: a read connection (Datasette's ``execute_fn``, or a ``TimedConnection``). Raises
    ValueError when ``f`` has bad dates, sqlite3.OperationalError (``QueryTooSlow``) past the limit."""
    period = f.period()
    since, until = period.start.isoformat(), period.end.isoformat()
    prov = rdata.resolve(f.tinh, sql.list_values(conn, "provinces", since)) if f.tinh else []
    ctry = rdata.resolve(f.nuoc, sql.list_values(conn, "countries", since)) if f.nuoc else []
    query = parse(f.q) if f.q else None
    query = query or None  # no letters or digits: no search (the list, as on the other pages)
    marked: dict[int, tuple[str, str]] = {}
    if query is not None:
        total, hits = sql.story_search_page(conn, query.table, query.fts, query.fts_phrase, since, until,
                                            provinces=prov, countries=ctry, sites=f.bao, relevant_only=f.lienquan,
                                            limit=limit, offset=(f.trang - 1) * limit)
        keys = [k for k, _ in hits]
        stories = rdata.stories(conn, keys, period, relevant_only=f.lienquan)
        texts = sql.titles_and_texts(conn, [i for _, i in hits])
        best = dict(hits)
        for st in stories:
            _title, text = texts.get(best.get(st.key, -1), ("", ""))
            marked[st.key] = (highlight(st.title, query), snippet(text, query))
    else:
        total, keys = sql.story_page(conn, since, until, provinces=prov, countries=ctry, sites=f.bao,
                                     relevant_only=f.lienquan, limit=limit, offset=(f.trang - 1) * limit)
        stories = rdata.stories(conn, keys, period, relevant_only=f.lienquan)
    out = {"total": total, "stories": stories, "period": period, "marked": marked}
    if with_choices:
        out.update(choices(conn, f))
    return out


def choices(conn: Any, f: Filters) -> dict[str, Any]:
    """The filter boxes' choices over ``f``'s period: provinces and partner countries (most articles
    first, read from the indexes) and every outlet (key, name)."""
    period = f.period()
    since, until = period.start.isoformat(), period.end.isoformat()
    return {
        "province_choices": [p for p, _ in sql.window_counts(conn, since, until, "provinces", f.lienquan, 200,
                                                             stories=False)],
        "country_choices": [c for c, _ in sql.window_counts(conn, since, until, "countries", f.lienquan, 200,
                                                            stories=False)],
        "site_choices": sql.sites(conn),
    }


NO_CHOICES: dict[str, Any] = {"province_choices": [], "country_choices": [], "site_choices": []}


def home_data(conn: Any) -> dict[str, Any]:
    """The home page's numbers and stories (today's and this week's relevant ones)."""
    today = datetime.now(VN_TZ).date()
    week = Period(today - timedelta(days=6), today)
    d_today = Period(today, today)
    out: dict[str, Any] = {}
    for name, per, n in (("today", d_today, 10), ("week", week, 15)):
        total, keys = sql.story_page(conn, per.start.isoformat(), per.end.isoformat(), limit=n)
        out[name] = (total, rdata.stories(conn, keys, per))
    w0, w1 = week.start.isoformat(), week.end.isoformat()
    out["by_province"] = sql.window_counts(conn, w0, w1, "provinces")
    out["by_country"] = sql.window_counts(conn, w0, w1, "countries")
    out["totals"] = sql.window_totals(conn, w0, w1)
    n_sites, failing, runs, last = sql.site_health_line(conn)
    out["health"] = (f"{n_sites} trang báo · {runs} lượt thu thập trong 24 giờ · "
                     + (f"{failing} trang lỗi ở lượt gần nhất" if failing else "không trang nào lỗi")
                     + (f" · lượt cuối xong {rdata.vn_time(last.replace(' ', 'T') + '+00:00')}" if last else ""))
    out["failing"] = failing
    out["week"] = (out["week"][0], out["week"][1], week)
    return out


async def home(datasette: Any, request: Any) -> Any:
    from datasette.utils.asgi import Response

    db = database_name(datasette)
    try:
        data = await datasette.get_database(db).execute_fn(_timed(datasette, home_data))
    except QueryTooSlow as e:
        return Response.html(SLOW.format(ms=e.ms), status=503)
    f = Filters()
    ctx = {
        "db": db, "health": data["health"], "failing": data["failing"], "totals": data["totals"],
        "today_total": data["today"][0], "week_total": data["week"][0], "week_period": data["week"][2].label(),
        "today": [_story_dict(datasette, db, s, f) for s in data["today"][1]],
        "week": [_story_dict(datasette, db, s, f) for s in data["week"][1]],
        "by_province": [(p, n, "/-/tin?" + f.query(tinh=[p])) for p, n in data["by_province"]],
        "by_country": [(c, n, "/-/tin?" + f.query(nuoc=[c])) for c, n in data["by_country"]],
    }
    return Response.html(await datasette.render_template("pw_home.html", ctx, request=request))


def csv_bytes(stories: list[Story]) -> bytes:
    """Stories as CSV for Excel: UTF-8 with a BOM, lists joined with "; "."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Thời gian (giờ VN)", "Tiêu đề", "Các báo", "Liên kết", "Tỉnh, thành", "Đối tác", "Điểm", "Tóm tắt"])
    for s in stories:
        w.writerow([s.when(), s.title, "; ".join(o.name for o in s.outlets), "; ".join(o.url for o in s.outlets),
                    "; ".join(s.provinces), "; ".join(s.countries),
                    "" if s.score is None else f"{s.score:.2f}", s.lead])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


async def stories_page(datasette: Any, request: Any) -> Any:
    from datasette.utils.asgi import Response

    db = database_name(datasette)
    f = Filters.from_args(request.args)
    as_csv = request.url_vars.get("fmt") == "csv"
    status, data = 200, None
    if f.error:
        status = 400
    else:
        try:
            data = await datasette.get_database(db).execute_fn(
                _timed(datasette, lambda conn: story_list(conn, f, CSV_LIMIT if as_csv else PAGE,
                                                          with_choices=not as_csv)))
        except QueryTooSlow as e:
            status, f.error = 503, SLOW.format(ms=e.ms)
    if as_csv:
        if data is None:
            return Response.text(f.error or "", status=status)
        return Response(csv_bytes(data["stories"]), content_type="text/csv; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="tin.csv"'})
    if data is None:
        data = {"total": 0, "stories": [], "period": None, "marked": {}, **NO_CHOICES}
    pages = max(1, -(-data["total"] // PAGE))
    marked = data["marked"]
    ctx = {
        "db": db, "f": f, "periods": PERIODS, "total": data["total"],
        "period": data["period"].label() if data["period"] else "",
        "stories": [_story_dict(datasette, db, s, f, marked.get(s.key)) for s in data["stories"]],
        "searching": bool(f.q), "province_choices": data["province_choices"],
        "country_choices": data["country_choices"], "site_choices": data["site_choices"],
        "page": f.trang, "pages": pages,
        "prev": "?" + f.query(trang=f.trang - 1) if f.trang > 1 else None,
        "next": "?" + f.query(trang=f.trang + 1) if f.trang < pages else None,
        "csv": "/-/tin.csv?" + f.query(), "report": "/-/diem-bao?" + f.query(), "error": f.error,
        "raw": f"/{db}/articles", "action": "/-/tin",
    }
    return Response.html(await datasette.render_template("pw_stories.html", ctx, request=request), status=status)


async def report_page(datasette: Any, request: Any) -> Any:
    from datasette.utils.asgi import Response

    from pipeline.report.html_page import CSS, fragment

    db = database_name(datasette)
    f = Filters.from_args(request.args)
    fmt = request.url_vars.get("fmt")
    status, rep, boxes = 200, None, dict(NO_CHOICES)
    if f.error:
        status = 400
    else:
        def run(conn: Any) -> tuple[Any, dict[str, Any]]:
            r = build_report(conn, f.period(), provinces=f.tinh, countries=f.nuoc, by=f.theo,
                             relevant_only=f.lienquan, **({} if fmt else {"limit": REPORT_WEB_LIMIT}))
            return r, ({} if fmt else choices(conn, f))

        try:
            rep, boxes = await datasette.get_database(db).execute_fn(_timed(datasette, run))
        except QueryTooSlow as e:
            status, f.error = 503, SLOW.format(ms=e.ms)
    if fmt:
        if rep is None:
            return Response.text(f.error or "", status=status)
        name = f"diem-bao-{rep.period.start:%Y%m%d}-{rep.period.end:%Y%m%d}.{fmt}"
        body = render(rep, fmt)
        return Response(body, content_type=MEDIA_TYPES[fmt],
                        headers={"content-disposition": f'attachment; filename="{name}"'})
    downloads = [(x.upper(), f"/-/diem-bao.{x}?" + f.query()) for x in ("docx", "pdf", "md")]
    ctx = {
        "db": db, "f": f, "periods": PERIODS, "css": CSS, "report": fragment(rep) if rep else "", "error": f.error,
        "downloads": downloads, "shown": len(rep.stories) if rep else 0, "total": rep.total if rep else 0,
        "stories": "/-/tin?" + f.query(), "action": "/-/diem-bao", **boxes,
    }
    return Response.html(await datasette.render_template("pw_report.html", ctx, request=request), status=status)


def routes() -> list[tuple[str, Any]]:
    """The workspace's routes for Datasette's ``register_routes`` hook."""
    return [
        (r"^/$", home),
        (r"^/-/tin(\.(?P<fmt>csv))?$", stories_page),
        (r"^/-/diem-bao(\.(?P<fmt>docx|pdf|md|html))?$", report_page),
    ]
