"""Publication dates, in Vietnam time (config.VN_TZ).

- ``parse_date(value)``: ISO 8601, 'dd/mm/yyyy hh:mm', 'hh:mm dd/mm/yyyy' or Unix seconds -> an
  aware datetime in Vietnam time (a naive time is taken to be Vietnam time), None if unreadable.
- ``url_timestamp(url)``: the yyyymmddhhmmss[fff] stamp some outlets put in article URLs.
- ``_published(tree, url, meta, quirk)``: (ISO 8601 string, source) of a page's publication time,
  source one of jsonld | meta | url | htmldate (the quirk's ``date_order`` decides the first
  three; htmldate is the last resort); dates before 1990 or in the future are ignored.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from config import VN_TZ
from pipeline.extract.metadata import _ld_str
from pipeline.extract.quirks import Quirk

_URL_STAMP = re.compile(r"-(\d{17,18})\.html?$")
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\D+(\d{1,2})[:hg](\d{2}))?")
_HM_DMY = re.compile(r"(\d{1,2})[:hg](\d{2})\D+(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def _valid(dt: datetime, now: datetime) -> bool:
    return datetime(1990, 1, 1, tzinfo=VN_TZ) <= dt <= now + timedelta(days=2)


def parse_date(value: Any) -> datetime | None:
    """A datetime in Vietnam time from ISO 8601, 'dd/mm/yyyy hh:mm', 'hh:mm dd/mm/yyyy' or epoch."""
    if value is None:
        return None
    s = str(value).strip()
    if not s:
        return None
    dt: datetime | None = None
    if re.fullmatch(r"\d{9,10}(?:\.\d+)?", s):  # its_publication: Unix seconds
        try:
            dt = datetime.fromtimestamp(float(s), tz=VN_TZ)
        except (OverflowError, OSError, ValueError):
            return None
    else:
        iso = s.replace("Z", "+00:00").replace(" +", "+")
        iso = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", iso)  # +0700 -> +07:00
        try:
            dt = datetime.fromisoformat(iso)
        except ValueError:
            m = _HM_DMY.search(s)
            try:
                if m:
                    hh, mi, d, mo, y = (int(x) for x in m.groups())
                    dt = datetime(y, mo, d, hh, mi)
                else:
                    m2 = _DMY.search(s)
                    if not m2:
                        return None
                    d, mo, y = int(m2.group(1)), int(m2.group(2)), int(m2.group(3))
                    hh, mi = int(m2.group(4) or 0), int(m2.group(5) or 0)
                    dt = datetime(y, mo, d, hh, mi)
            except ValueError:
                return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=VN_TZ)
    return dt.astimezone(VN_TZ)


def url_timestamp(url: str) -> datetime | None:
    """The yyyymmddhhmmss[fff] stamp of dantri/baotintuc/tuoitre URLs, in Vietnam time.

    Thanh Niên's 18-digit IDs (185…) and Báo Chính phủ's "102"+YYMMDD… are not stamps and give None
    (they fail the calendar/range check)."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    m = _URL_STAMP.search(path)
    if not m:
        return None
    d = m.group(1)
    try:
        dt = datetime(
            int(d[0:4]), int(d[4:6]), int(d[6:8]), int(d[8:10]), int(d[10:12]), int(d[12:14]), tzinfo=VN_TZ
        )
    except ValueError:
        return None
    return dt


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def _published(
    tree: Any, url: str, meta: dict[str, Any], quirk: Quirk | None
) -> tuple[str | None, str | None]:
    now = datetime.now(VN_TZ)
    metas: dict[str, str] = meta["metas"]
    ld = meta["ld"]

    def from_jsonld() -> datetime | None:
        return parse_date(_ld_str(ld.get("datePublished"))) if ld else None

    def from_meta() -> datetime | None:
        for k in (
            "article:published_time",
            "pubdate",
            "datepublished",
            "og:published_time",
            "publishdate",
            "publish-date",
            "dc.date.issued",
            "sailthru.date",
            "its_publication",
            "date",
            "dc.date",
        ):
            v = metas.get(k)
            dt = parse_date(v) if v else None
            if dt is not None and _valid(dt, now):
                return dt
        for el in tree.xpath("//time[@datetime][1]|//*[@itemprop='datePublished'][@content or @datetime][1]"):
            dt = parse_date(el.get("datetime") or el.get("content"))
            if dt is not None and _valid(dt, now):
                return dt
        return None

    readers = {"jsonld": from_jsonld, "meta": from_meta, "url": lambda: url_timestamp(url)}
    order = quirk.date_order if quirk is not None else ("jsonld", "meta", "url")
    for name in order:
        reader = readers.get(name)
        dt = reader() if reader else None
        if dt is not None and _valid(dt, now):
            return _iso(dt), name
    try:
        from htmldate import find_date

        found = find_date(
            tree, extensive_search=False, original_date=True, outputformat="%Y-%m-%dT%H:%M:%S", url=url
        )
    except Exception:  # htmldate is best effort
        found = None
    dt = parse_date(found) if found else None
    if dt is not None and _valid(dt, now):
        return _iso(dt), "htmldate"
    return None, None
