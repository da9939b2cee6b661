"""The analyst's workspace inside Datasette (routes registered by the plugin's ``register_routes``).

- ``/`` — home: today's and this week's relevant stories, stories by province and partner this
  week, site health in one line, links to the story list, the press summary, the charts and the
  raw tables (``/<db>``: Datasette's own pages stay there for power users).
- ``/-/tin`` — the story list: one row per story (``coalesce(story_id, id)``), title linked to the
  article page, outlets by name, Vietnam time, provinces and countries as chips, score; filters
  ``ky`` (``hom-nay`` / ``7`` / ``30`` / ``khoang`` with ``tu``, ``den``), ``tinh``, ``nuoc``, ``bao``
  (repeatable), ``lienquan`` (1 = relevant only, default; 0 = all), ``q`` (search), ``trang``.
  ``/-/tin.csv``: the same rows for Excel (UTF-8 with BOM, lists joined with "; ").
- ``/-/diem-bao`` — the press summary (pipeline/report) with the same filters (``theo`` = province
  or country), printable; ``/-/diem-bao.docx|.pdf|.md|.html`` download it.

Search goes through ``SEARCH`` (today: the FTS table, as Datasette's ``?_search=`` does); swap it for
the search module's function when it lands. Templates: config/datasette_templates/pw_*.html.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from config import VN_TZ
from db import report as sql
from pipeline.report import MEDIA_TYPES, Period, Story, build_report, render
from pipeline.report import data as rdata

PAGE = 50
PERIODS = [("hom-nay", "Hôm nay"), ("7", "7 ngày"), ("30", "30 ngày"), ("khoang", "Từ ngày … đến ngày")]


def fts_search(conn: sqlite3.Connection, q: str) -> list[int]:
    """Article ids matching ``q`` in the full-text table, best first: each word taken literally (as
    Datasette's ``searchmode: escaped``), accents optional (the FTS table folds them, đ included)."""
    words = q.split()
    if not words:
        return []
    match = " ".join('"' + w.replace('"', '""') + '"' for w in words)
    return sql.search_ids(conn, match)


# the search of the story list: (connection, query) -> article ids
SEARCH: Callable[[sqlite3.Connection, str], list[int]] = fts_search


@dataclass
class Filters:
    """The story list's and the press summary's filters, read from a query string."""

    ky: str = "7"
    tu: str = ""
    den: str = ""
    tinh: list[str] = field(default_factory=list)
    nuoc: list[str] = field(default_factory=list)
    bao: list[str] = field(default_factory=list)
    lienquan: bool = True
    q: str = ""
    trang: int = 1
    theo: str = "province"
    error: str | None = None

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        """From Datasette's ``request.args`` (a MultiParams: ``get``, ``getlist``)."""
        def many(k: str) -> list[str]:
            return [x for x in args.getlist(k) if x.strip()]

        f = cls(ky=args.get("ky") or "7", tu=(args.get("tu") or "").strip(), den=(args.get("den") or "").strip(),
                tinh=many("tinh"), nuoc=many("nuoc"), bao=many("bao"), lienquan=args.get("lienquan", "1") != "0",
                q=(args.get("q") or "").strip(), theo="country" if args.get("theo") == "country" else "province")
        try:
            f.trang = max(1, int(args.get("trang") or 1))
        except ValueError:
            f.trang = 1
        return f

    def period(self, today: date | None = None) -> Period:
        today = today or datetime.now(VN_TZ).date()
        if self.ky == "hom-nay":
            return Period(today, today)
        if self.ky == "khoang" and self.tu:
            try:
                return Period.between(self.tu, self.den or today)
            except ValueError as e:
                self.error = f"Khoảng ngày không hợp lệ / bad dates: {e}"
        days = 30 if self.ky == "30" else 7
        return Period(today - timedelta(days=days - 1), today)

    def query(self, **change: Any) -> str:
        """The query string of these filters with ``change`` applied (lists as repeated keys)."""
        d: dict[str, Any] = {"ky": self.ky, "tu": self.tu, "den": self.den, "tinh": self.tinh, "nuoc": self.nuoc,
                             "bao": self.bao, "lienquan": "1" if self.lienquan else "0", "q": self.q,
                             "theo": self.theo if self.theo != "province" else ""}
        d.update(change)
        pairs = [(k, x) for k, v in d.items() for x in (v if isinstance(v, list) else [v]) if x not in ("", None)]
        return urlencode(pairs)


def database_name(datasette: Any) -> str:
    """The published database (the first one that is not Datasette's internal one)."""
    names = [n for n in datasette.databases if not n.startswith("_")]
    return names[0]


def _story_dict(datasette: Any, db: str, st: Story, f: Filters) -> dict[str, Any]:
    return {
        "title": st.title, "when": st.when(), "lead": st.lead, "score": st.score, "key": st.key,
        "href": datasette.urls.row(db, "articles", str(st.article_id)),
        "outlets": [{"name": o.name, "url": o.url} for o in st.outlets],
        "provinces": [(p, "?" + f.query(tinh=[p], trang="")) for p in st.provinces],
        "countries": [(c, "?" + f.query(nuoc=[c], trang="")) for c in st.countries],
        "activity": st.activity, "articles": st.articles,
    }


def story_list(conn: sqlite3.Connection, f: Filters, limit: int = PAGE) -> dict[str, Any]:
    """One page of stories for ``f``: total, stories (``Story``), period, choices of the filter boxes.
    Runs on a read connection (Datasette's ``execute_fn``)."""
    period = f.period()
    since, until = period.start.isoformat(), period.end.isoformat()
    ids = SEARCH(conn, f.q) if f.q else None
    prov = rdata.resolve(f.tinh, sql.list_values(conn, "provinces", since)) if f.tinh else []
    ctry = rdata.resolve(f.nuoc, sql.list_values(conn, "countries", since)) if f.nuoc else []
    total, keys = sql.story_page(conn, since, until, provinces=prov, countries=ctry, sites=f.bao,
                                 relevant_only=f.lienquan, ids=ids, limit=limit, offset=(f.trang - 1) * limit)
    return {"total": total, "stories": rdata.stories(conn, keys, period, relevant_only=f.lienquan),
            "period": period, **choices(conn, f)}


def choices(conn: sqlite3.Connection, f: Filters) -> dict[str, Any]:
    """The filter boxes' choices over ``f``'s period: provinces and partner countries (most stories
    first) and every outlet (key, name)."""
    period = f.period()
    since, until = period.start.isoformat(), period.end.isoformat()
    return {
        "province_choices": [p for p, _ in sql.window_counts(conn, since, until, "provinces", f.lienquan, 200)],
        "country_choices": [c for c, _ in sql.window_counts(conn, since, until, "countries", f.lienquan, 200)],
        "site_choices": sql.sites(conn),
    }


def home_data(conn: sqlite3.Connection) -> dict[str, Any]:
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
    data = await datasette.get_database(db).execute_fn(home_data)
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
    limit = 5000 if as_csv else PAGE

    def run(conn: sqlite3.Connection) -> dict[str, Any]:
        try:
            return story_list(conn, f, limit)
        except sqlite3.OperationalError as e:  # a search the FTS syntax refuses
            f.error = f"Không tìm được / search failed: {e}"
            f.q = ""
            return story_list(conn, f, limit)

    data = await datasette.get_database(db).execute_fn(run)
    if as_csv:
        return Response(csv_bytes(data["stories"]), content_type="text/csv; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="tin.csv"'})
    pages = max(1, -(-data["total"] // PAGE))
    ctx = {
        "db": db, "f": f, "periods": PERIODS, "total": data["total"], "period": data["period"].label(),
        "stories": [_story_dict(datasette, db, s, f) for s in data["stories"]],
        "province_choices": data["province_choices"], "country_choices": data["country_choices"],
        "site_choices": data["site_choices"], "page": f.trang, "pages": pages,
        "prev": "?" + f.query(trang=f.trang - 1) if f.trang > 1 else None,
        "next": "?" + f.query(trang=f.trang + 1) if f.trang < pages else None,
        "csv": "/-/tin.csv?" + f.query(), "report": "/-/diem-bao?" + f.query(), "error": f.error,
        "raw": f"/{db}/articles", "action": "/-/tin",
    }
    return Response.html(await datasette.render_template("pw_stories.html", ctx, request=request))


async def report_page(datasette: Any, request: Any) -> Any:
    from datasette.utils.asgi import Response

    from pipeline.report.html_page import CSS, fragment

    db = database_name(datasette)
    f = Filters.from_args(request.args)
    fmt = request.url_vars.get("fmt")
    rep = await datasette.get_database(db).execute_fn(
        lambda conn: build_report(conn, f.period(), provinces=f.tinh, countries=f.nuoc, by=f.theo,
                                  relevant_only=f.lienquan))
    boxes = {} if fmt else await datasette.get_database(db).execute_fn(lambda conn: choices(conn, f))
    if fmt:
        name = f"diem-bao-{rep.period.start:%Y%m%d}-{rep.period.end:%Y%m%d}.{fmt}"
        body = render(rep, fmt)
        return Response(body, content_type=MEDIA_TYPES[fmt],
                        headers={"content-disposition": f'attachment; filename="{name}"'})
    ctx = {
        "db": db, "f": f, "periods": PERIODS, "css": CSS, "report": fragment(rep), "error": f.error,
        "downloads": [(x.upper(), f"/-/diem-bao.{x}?" + f.query()) for x in ("docx", "pdf", "md")],
        "stories": "/-/tin?" + f.query(), "action": "/-/diem-bao", **boxes,
    }
    return Response.html(await datasette.render_template("pw_report.html", ctx, request=request))


def routes() -> list[tuple[str, Any]]:
    """The workspace's routes for Datasette's ``register_routes`` hook."""
    return [
        (r"^/$", home),
        (r"^/-/tin(\.(?P<fmt>csv))?$", stories_page),
        (r"^/-/diem-bao(\.(?P<fmt>docx|pdf|md|html))?$", report_page),
    ]
