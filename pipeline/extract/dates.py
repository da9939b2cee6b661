"""Publication dates, in Vietnam time (config.VN_TZ).

- ``parse_date(value)``: ISO 8601, 'dd/mm/yyyy hh:mm', 'hh:mm dd/mm/yyyy' or Unix seconds -> an
  aware datetime in Vietnam time (a naive time is taken to be Vietnam time), None if unreadable.
- ``url_timestamp(url)``: the yyyymmddhhmmss[fff] stamp some outlets put in article URLs.
- ``_published(tree, url, meta, quirk)``: (ISO 8601 string, source) of a page's publication time,
  source one of jsonld | meta | url | header | htmldate (the quirk's ``date_order`` decides the first
  three; then the article's own date line; htmldate is the last resort and only ever sees the
  article's own part of the page); dates before 1990 or in the future are ignored. ``(None, None)``
  when nothing near the headline says when (the reason is logged): never a teaser's date.
- ``header_date(tree)``: the date line nearest the headline in the article's own header
  ("Thứ Ba, 12/11/2024 09:15 (GMT+7)", "09:15 12/11/2024", "12/11/2024 - 09:15", "Cập nhật: …",
  ``time[datetime]``), skipping dates inside links and teaser boxes.
"""

from __future__ import annotations

import copy
import logging
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from config import VN_TZ
from pipeline.extract.metadata import _ld_str
from pipeline.extract.quirks import Quirk

log = logging.getLogger(__name__)

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
        for el in tree.xpath("//*[@itemprop='datePublished'][@content or @datetime][1]"):
            dt = parse_date(el.get("datetime") or el.get("content"))
            if dt is not None and _valid(dt, now):
                return dt
        return None

    readers = {"jsonld": from_jsonld, "meta": from_meta, "url": lambda: url_timestamp(url),
               "header": lambda: header_date(tree, now)}
    order = (*(quirk.date_order if quirk is not None else ("jsonld", "meta", "url")), "header")
    for name in order:
        reader = readers.get(name)
        dt = reader() if reader else None
        if dt is not None and _valid(dt, now):
            return _iso(dt), name
    try:
        from htmldate import find_date

        own = _article_part(tree)
        if own is None:
            log.info("%s: no publication date (no date metadata, no headline to find the article's own date by)",
                     url)
            return None, None
        found = find_date(
            own, extensive_search=False, original_date=True, outputformat="%Y-%m-%dT%H:%M:%S", url=url
        )
    except Exception:  # htmldate is best effort
        found = None
    dt = parse_date(found) if found else None
    if dt is not None and _valid(dt, now):
        return _iso(dt), "htmldate"
    log.info("%s: no publication date (no metadata, no date line near the headline)", url)
    return None, None


# -- the article's own date line --------------------------------------------------------------------

_DATE_LINE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}")
_UPDATED = re.compile(r"^\s*(?:cập nhật|updated?|sửa đổi|chỉnh sửa)", re.I)
_MAX_DISTANCE = 80  # elements between the headline and its date line, in document order
_TEASERISH = re.compile(r"relate|lien-?quan|suggest|quan-?tam|box-news|box-tin|teaser|story|item|list|"
                        r"sidebar|most|doc-?nhieu|same|cung-?chuyen", re.I)


def _headline(tree: Any) -> Any:
    for h in tree.iter("h1"):
        if len(" ".join((h.text_content() or "").split())) >= 8:
            return h
    return None


def _in_teaser(el: Any, stop: Any) -> bool:
    """Inside a link, or inside a block that also holds a linked headline (a teaser)."""
    for a in el.iterancestors():
        if a.tag == "a":
            return True
        if a is stop or a.tag in ("body", "html", "article", "main"):
            return False
        if a.find(".//h1") is not None:
            return False
        if _TEASERISH.search(a.get("class") or "") or a.xpath("./descendant::*[self::h2 or self::h3 or self::h4]//a"):
            return True
    return False


def header_date(tree: Any, now: datetime | None = None) -> datetime | None:
    """The date line nearest the headline (first h1) in document order, within the article's own
    header; a "Cập nhật" (updated) line only when no other line is as near. None when there is none."""
    now = now or datetime.now(VN_TZ)
    h1 = _headline(tree)
    if h1 is None:
        return None
    order: dict[Any, int] = {}
    for i, el in enumerate(tree.iter()):
        order[el] = i
    pos = order.get(h1, 0)
    best: tuple[int, datetime] | None = None
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "a", "title", "head", "meta"):
            continue
        d = abs(order.get(el, 0) - pos)
        if d > _MAX_DISTANCE:
            continue
        raw = el.get("datetime") if el.tag == "time" else None
        if not raw:
            if not (el.text or "").strip() and not len(el):
                continue
            full = " ".join("".join(el.itertext()).split())
            if len(full) > 120 or not _DATE_LINE.search(full):
                continue
            raw = full
        if el is not h1 and _in_teaser(el, h1):
            continue
        dt = parse_date(raw)
        if dt is None or not _valid(dt, now):
            continue
        if _UPDATED.match(el.text or "") or _UPDATED.match(raw):
            d += _MAX_DISTANCE  # an update time only when nothing else is there
        if best is None or d < best[0]:
            best = (d, dt)
    return best[1] if best else None


def _article_part(tree: Any) -> Any:
    """A copy of the article's own part of the page (its <head>, and the headline's <article> or the
    block around the headline that also holds the body), for htmldate; None without a headline."""
    h1 = _headline(tree)
    if h1 is None:
        return None
    part = h1
    for a in h1.iterancestors():
        part = a
        if a.tag == "article" or len(a.findall(".//p")) >= 3 or a.tag in ("body", "main"):
            break
    if part.tag in ("body", "html"):
        part = h1.getparent() if h1.getparent() is not None else h1
    from lxml import etree
    from lxml import html as lhtml

    doc = lhtml.Element("html")
    head = tree.find("head")
    if head is not None:  # the page's own metadata is the article's
        doc.append(copy.deepcopy(head))
    body = etree.SubElement(doc, "body")
    body.append(copy.deepcopy(part))
    return doc
