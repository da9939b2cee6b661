"""The one data function behind the press summary (điểm báo) and the story list: ``build_report``.

A period is a range of Vietnamese calendar days (``Period``); stories are the articles of that
period grouped by ``coalesce(story_id, id)`` (SQL in db/report.py), each shown once with the
earliest report's title, its lead, the outlets that covered it (one link per outlet) and the
activity it reports when the database has an ``activities`` table.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from config import VN_TZ, parse_duration, vn_datetime
from db import report as sql
from pipeline.normalize import fold

OTHER = "Khác / Other"
LEAD_CHARS = 420


@dataclass(frozen=True)
class Period:
    """Vietnamese calendar days ``start`` to ``end``, both included."""

    start: date
    end: date

    @classmethod
    def since(cls, duration: str, today: date | None = None) -> Period:
        """The last ``duration`` ('7d', '1w', '24h', '30d'), counted in whole days ending today
        (Vietnam time): '7d' is today and the 6 days before. Raises ValueError for a bad duration."""
        days = max(1, math.ceil(parse_duration(duration) / 86400))
        end = today or datetime.now(VN_TZ).date()
        return cls(end - timedelta(days=days - 1), end)

    @classmethod
    def between(cls, start: str | date, end: str | date) -> Period:
        """From ``start`` to ``end`` (``YYYY-MM-DD`` or dates); raises ValueError when a date is not
        one or ``end`` is before ``start``."""
        s = start if isinstance(start, date) else date.fromisoformat(str(start).strip())
        e = end if isinstance(end, date) else date.fromisoformat(str(end).strip())
        if e < s:
            raise ValueError(f"the period ends ({e}) before it starts ({s})")
        return cls(s, e)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def label(self) -> str:
        """'23/11/2026 – 29/11/2026' (or one day)."""
        a, b = self.start.strftime("%d/%m/%Y"), self.end.strftime("%d/%m/%Y")
        return a if a == b else f"{a} – {b}"


@dataclass
class Outlet:
    name: str
    url: str
    site: str | None = None


@dataclass
class Story:
    key: int
    article_id: int  # the earliest report in the period
    title: str
    published: str | None  # ISO 8601, as stored
    lead: str
    outlets: list[Outlet] = field(default_factory=list)
    provinces: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    score: float | None = None
    activity: str | None = None
    locality: str | None = None  # the acting locality (activities table), when known
    articles: int = 1

    def when(self) -> str:
        """'13:30 22/11/2026' in Vietnam time ('' when unknown)."""
        return vn_time(self.published)


@dataclass
class Group:
    name: str
    stories: list[Story] = field(default_factory=list)


@dataclass
class Report:
    period: Period
    provinces: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    by: str = "province"  # province | country
    relevant_only: bool = True
    groups: list[Group] = field(default_factory=list)
    made_at: datetime = field(default_factory=lambda: datetime.now(VN_TZ))
    total: int = 0  # stories that match, before build_report's limit (the report holds the newest)

    @property
    def stories(self) -> list[Story]:
        return [s for g in self.groups for s in g.stories]

    @property
    def n_articles(self) -> int:
        return sum(s.articles for s in self.stories)

    def title(self) -> str:
        return f"Điểm báo đối ngoại địa phương {self.period.label()}"

    def filters(self) -> str:
        """The filters on one line, in Vietnamese."""
        parts = [f"Tỉnh, thành: {', '.join(self.provinces)}" if self.provinces else "Mọi tỉnh, thành"]
        if self.countries:
            parts.append(f"Đối tác: {', '.join(self.countries)}")
        parts.append("chỉ bài liên quan" if self.relevant_only else "mọi bài")
        return "; ".join(parts)


def vn_time(iso: str | None) -> str:
    """'2026-11-22T06:30:00+00:00' -> '13:30 22/11/2026' in Vietnam time; a naive time is taken as
    Vietnam time; '' for None; text that is not ISO 8601 comes back unchanged."""
    if not iso:
        return ""
    dt = vn_datetime(iso)
    return dt.strftime("%H:%M %d/%m/%Y") if dt else iso


def json_list(value: Any) -> list[str]:
    """A JSON list column as a list of strings ([] for NULL or bad JSON)."""
    try:
        items = json.loads(value) if isinstance(value, str) and value else (value or [])
    except ValueError:
        return []
    return [str(x) for x in items] if isinstance(items, list) else []


def lead(description: str | None, text: str | None, limit: int = LEAD_CHARS) -> str:
    """One paragraph: the article's lead, else its first paragraph, cut at a word to ``limit``."""
    s = " ".join((description or "").split())
    if not s and text:
        s = " ".join(text.strip().split("\n\n", 1)[0].split())
    if len(s) <= limit:
        return s
    return s[:limit].rsplit(" ", 1)[0] + " …"


KIND_LABELS = {
    "doan_vao": "Đón đoàn nước ngoài", "doan_ra": "Đoàn ra nước ngoài", "ky_ket": "Ký kết, kết nghĩa",
    "su_kien_quoc_te": "Sự kiện quốc tế", "xuc_tien": "Xúc tiến", "vien_tro": "Viện trợ",
    "nguoi_viet_nn": "Người Việt ở nước ngoài", "khac": "Hoạt động khác",
}


def activity_text(row: dict[str, Any]) -> str:
    """One activity row (db.report.activities) on one line: kind, locality, partners, date, venue."""
    parts = [KIND_LABELS.get(str(row.get("kind")), str(row.get("kind") or row.get("label") or "")).strip()]
    if row.get("locality"):
        parts.append(str(row["locality"]))
    partners = json_list(row.get("partner_countries")) + json_list(row.get("partners"))
    if partners:
        parts.append("đối tác: " + ", ".join(dict.fromkeys(partners)))
    if row.get("date"):
        parts.append(f"ngày {row['date']}")
    if row.get("venue"):
        parts.append(f"tại {row['venue']}")
    return " · ".join(p for p in parts if p) or str(row.get("summary") or row.get("title") or "")


def resolve(values: Sequence[str], known: Sequence[str]) -> list[str]:
    """Names typed with or without accents ('da nang') as stored ('Đà Nẵng'); a name not among
    ``known`` is kept as typed (it then matches nothing, and the header says so)."""
    by_fold = {fold(k): k for k in known}
    return [by_fold.get(fold(v), v.strip()) for v in values if v.strip()]


def stories(conn: sqlite3.Connection, keys: Sequence[int], period: Period, *,
            relevant_only: bool = True) -> list[Story]:
    """The ``Story`` of each key (db.report.story_page's), in the order of ``keys``."""
    rows = sql.story_articles(conn, keys, period.start.isoformat(), period.end.isoformat(),
                              relevant_only=relevant_only)
    acts = sql.activities(conn, [r["id"] for r in rows]) if rows else {}
    by_key: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_key.setdefault(int(r["story"]), []).append(r)
    out: list[Story] = []
    for k in keys:
        arts = by_key.get(int(k))
        if not arts:
            continue
        first = arts[0]
        outlets: dict[str, Outlet] = {}
        provinces: list[str] = []
        countries: list[str] = []
        for a in arts:
            site = str(a["site"] or "")
            if site not in outlets:
                outlets[site] = Outlet(str(a["site_name"] or site or "?"), str(a["url"]), site or None)
            provinces += [p for p in json_list(a["provinces"]) if p not in provinces]
            countries += [c for c in json_list(a["countries"]) if c not in countries]
        scores = [float(a["relevance"]) for a in arts if a["relevance"] is not None]
        out.append(Story(
            key=int(k), article_id=int(first["id"]), title=str(first["title"]),
            published=str(first["published"] or first["fetched_at"] or "") or None,
            lead=lead(first["description"], first["text"]),
            outlets=list(outlets.values()), provinces=provinces, countries=countries,
            score=max(scores) if scores else None,
            activity=next((activity_text(acts[int(a["id"])][0]) for a in arts if int(a["id"]) in acts), None),
            locality=next((str(x["locality"]) for a in arts for x in acts.get(int(a["id"]), [])
                           if x.get("locality")), None),
            articles=len(arts),
        ))
    return out


def build_report(conn: sqlite3.Connection, period: Period, *, provinces: Sequence[str] = (),
                 countries: Sequence[str] = (), by: str = "province", relevant_only: bool = True,
                 limit: int = 2000) -> Report:
    """The press summary of ``period``: stories (at most ``limit``) with articles in any of
    ``provinces`` and any of ``countries`` (names with or without accents; empty = all), grouped
    by province (``by='province'``: a story goes under the first of its provinces that the filter
    names, else its first province) or by partner country (``by='country'``); stories with neither
    under "Khác / Other", last. Groups by name, stories newest first; ``Report.total``: the stories
    that match (more than it holds when over ``limit``). Reads ``conn`` (the presswatch database, or
    any object with its ``execute``); raises ValueError for an unknown ``by``."""
    if by not in ("province", "country"):
        raise ValueError(f"group by 'province' or 'country', not {by!r}")
    since = period.start.isoformat()
    prov = resolve(provinces, sql.list_values(conn, "provinces", since)) if provinces else []
    ctry = resolve(countries, sql.list_values(conn, "countries", since)) if countries else []
    total, keys = sql.story_page(conn, since, period.end.isoformat(), provinces=prov, countries=ctry,
                                 relevant_only=relevant_only, limit=limit)
    groups: dict[str, Group] = {}
    for st in stories(conn, keys, period, relevant_only=relevant_only):
        names = st.provinces if by == "province" else st.countries
        if by == "province" and st.locality:
            names = [st.locality, *[p for p in names if p != st.locality]]
        wanted = prov if by == "province" else ctry
        name = next((n for n in names if n in wanted), names[0] if names else OTHER)
        groups.setdefault(name, Group(name)).stories.append(st)
    ordered = sorted(groups.values(), key=lambda g: (g.name == OTHER, fold(g.name)))
    return Report(period, tuple(prov), tuple(ctry), by, relevant_only, ordered, total=total)
