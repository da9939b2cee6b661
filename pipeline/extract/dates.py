"""Publication dates, in Vietnam time (config.VN_TZ).

- ``parse_date(value)``: ISO 8601, a Vietnamese date line ('dd/mm/yyyy hh:mm', 'hh:mm dd/mm/yyyy',
  'Cập nhật lúc HH:MM, dd/mm/yyyy', 'lúc HH:MM ngày dd/mm/yyyy', 'HH:MM | dd/mm/yyyy', 10h05, PM) or Unix
  seconds -> an aware datetime in Vietnam time (a naive time is taken to be Vietnam time), None if
  unreadable. ``text_date(s)``: the same for text, also saying whether a time was written.
- ``url_timestamp(url)``: the yyyymmddhhmmss[fff] stamp some outlets put in article URLs.
- ``_published(tree, url, meta, quirk)``: (ISO 8601 string, source) of a page's publication time,
  source one of jsonld | meta | url | header | htmldate (the quirk's ``date_order`` decides the first
  three; then the article's own date line; htmldate is the last resort and only ever sees the
  article's own part of the page); dates before 1990 or in the future are ignored. ``(None, None)``
  when nothing near the headline says when (the reason is logged): never a teaser's date.
- ``header_date(tree)``: the article's own date line: under the headline in the article's block
  first, never one in the site's chrome (header, menu, top bar, today's-date/weather widget, footer),
  in a link or in a teaser box; a line with a time beats one without, a time is only read from the
  same line (see its docstring for the ranking).
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
# a time (10:05, 10h05, 10g05, 10:05:30, 10:05 PM), a day (03/12/2025, 3.12.2025, 03-12-2025) and what
# may sit between them on one date line: spaces, "," "|" "-", "lúc", "vào", "ngày", a weekday
_TIME = r"(?<!\d)(\d{1,2})[:hg](\d{2})(?::\d{2})?(?:\s*([ap])\.?m\b\.?)?"
_DAY = r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)"
_SEP = r"(?:[\s,|\-–—]|lúc|vào|ngày|thứ\s+(?:hai|ba|tư|năm|sáu|bảy|\d)|chủ\s+nhật)*"
_DMY = re.compile(_DAY + f"(?:{_SEP}{_TIME})?", re.I)
_HM_DMY = re.compile(_TIME + _SEP + _DAY, re.I)


def _hour(hh: int, ampm: str | None) -> int:
    if ampm and ampm.lower() == "p" and hh < 12:
        return hh + 12
    if ampm and ampm.lower() == "a" and hh == 12:
        return 0
    return hh


def text_date(s: str) -> tuple[datetime, bool] | None:
    """(naive datetime, whether a time was given) of the first date written in ``s`` — 'dd/mm/yyyy',
    'dd/mm/yyyy HH:MM', 'HH:MM dd/mm/yyyy', 'Cập nhật lúc HH:MM, dd/mm/yyyy', 'lúc HH:MM ngày
    dd/mm/yyyy', 'HH:MM | dd/mm/yyyy', 'Thứ Ba, dd/mm/yyyy - HH:MM' — or None. A time is read only
    when it is joined to the day by separators (never from another clause of the line)."""
    m1 = _HM_DMY.search(s)
    m2 = _DMY.search(s)
    try:
        if m1 is not None and (m2 is None or m1.start() < m2.start()):
            hh, mi, ap, d, mo, y = m1.groups()
            return datetime(int(y), int(mo), int(d), _hour(int(hh), ap), int(mi)), True
        if m2 is None:
            return None
        d, mo, y, hh, mi, ap = m2.groups()
        if hh is None:
            return datetime(int(y), int(mo), int(d)), False
        return datetime(int(y), int(mo), int(d), _hour(int(hh), ap), int(mi)), True
    except ValueError:
        return None


def _valid(dt: datetime, now: datetime) -> bool:
    return datetime(1990, 1, 1, tzinfo=VN_TZ) <= dt <= now + timedelta(days=2)


def parse_date(value: Any) -> datetime | None:
    """A datetime in Vietnam time from ISO 8601, a Vietnamese date line (see ``text_date``) or epoch
    seconds; a naive time is Vietnam time. None when unreadable."""
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
            found = text_date(s)
            if found is None:
                return None
            dt = found[0]
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
# the site's chrome: header/top bar/menu, "today's date" and weather widgets, footer
_CHROME_TAGS = {"header", "nav", "footer", "aside"}
_CHROME_ROLES = {"banner", "navigation", "contentinfo", "complementary", "menubar"}
_CHROME_CLASS = re.compile(
    r"weather|thoi-?tiet|today|hom-?nay|masthead|top-?bar|navbar|site-?header|header-?top|top-?header|"
    r"footer|current-?date|date-?now|cur-?date|lunar|am-?lich|clock|top-?nav|main-?menu|logo", re.I)
_CHROME_TOKEN = re.compile(r"header|menu|nav|banner|logo|toolbar|topnav", re.I)
_CHROME_TEXT = re.compile(r"^\s*hôm nay\b|âm lịch|°\s*c\b|℃", re.I)
# elements that hold more than one line: their text is not one date line
_MULTILINE = {"div", "p", "li", "ul", "ol", "section", "article", "header", "footer", "nav", "aside", "h1", "h2",
              "h3", "h4", "h5", "h6", "table", "tr", "td", "dl", "dt", "dd", "figure", "main", "form",
              "blockquote", "br"}
_PROSE_CHARS = 150  # an element with this much text of its own is a paragraph of prose


def _headline(tree: Any) -> Any:
    """The first h1 with a headline's length that is not the site's logo/header h1."""
    first = None
    for h in tree.iter("h1"):
        if len(" ".join((h.text_content() or "").split())) >= 8:
            if not _in_chrome(h, set(), set()):
                return h
            first = first if first is not None else h
    return first


def _in_teaser(el: Any, stop: Any) -> bool:
    """Inside a link, or inside a block that also holds a linked headline (a teaser)."""
    for a in el.iterancestors():
        if a.tag == "a":
            return True
        if a is stop or a.tag in ("body", "html", "article", "main"):
            return False
        if a.find(".//h1") is not None or len(a.text_content() or "") > 700:
            return False  # the headline's block, or one holding more text than a teaser has
        if _TEASERISH.search(a.get("class") or "") or a.xpath("./descendant::*[self::h2 or self::h3 or self::h4]//a"):
            return True
    return False


def _in_chrome(el: Any, h1_line: set[Any], article: set[Any]) -> bool:
    """In the site's chrome: an ancestor (below the one it shares with the headline) named like a
    top bar, today's-date/weather widget or footer, or, outside the ``article`` elements, a
    header/nav/footer/aside, an element with a chrome role or one named header/menu/nav/banner/logo."""
    for a in (el, *el.iterancestors()):
        if a in h1_line:
            return False
        names = f"{a.get('class') or ''} {a.get('id') or ''}"
        if _CHROME_CLASS.search(names):
            return True
        if a in article:
            continue
        if a.tag in _CHROME_TAGS or (a.get("role") or "").lower() in _CHROME_ROLES:
            return True
        if any(_CHROME_TOKEN.fullmatch(t) for t in names.replace("_", "-").split()):
            return True
    return False


def _container(h1: Any) -> Any:
    """The element that holds the headline and the article's body (its <article>, or the first
    ancestor with three or more paragraphs)."""
    for a in h1.iterancestors():
        if a.tag in ("article", "main", "body", "html") or len(a.findall(".//p")) >= 3:
            return a
    return h1.getparent()


def header_date(tree: Any, now: datetime | None = None) -> datetime | None:
    """The article's own date line, read from the page's text; None when there is none.

    A date line is one element's text (no block element inside it) of at most 120 characters with a
    day in it, or a ``time[datetime]``, within 80 elements of the headline (first h1). Never one in
    a link or a teaser box, nor in the site's chrome (header, menu, top bar, today's-date/weather
    widget, footer: tags, roles, class names, "Hôm nay"/"Âm lịch"/°C). Of the rest, first the lines
    under the headline in the article's container before its prose starts, then lines above the
    headline in that container, then lines further down; lines outside the container above the
    headline only with a time. Within a rank a line with a time beats one without, a publication
    line an update line ("Cập nhật …"), then the nearest wins. A line without a time gives midnight:
    a time is only ever read from the same line."""
    now = now or datetime.now(VN_TZ)
    h1 = _headline(tree)
    if h1 is None:
        return None
    order: dict[Any, int] = {}
    prose: list[int] = []  # prose[i]: paragraphs of prose up to element i
    n = 0
    for i, el in enumerate(tree.iter()):
        order[el] = i
        if isinstance(el.tag, str) and len((el.text or "").strip()) >= _PROSE_CHARS:
            n += 1
        prose.append(n)
    pos = order.get(h1, 0)
    h1_line = {h1, *h1.iterancestors()}
    cont = _container(h1)
    in_cont = set(cont.iter()) if cont is not None else set()
    article = in_cont if cont is not None and cont.tag not in ("body", "html", "main") else set()
    best: tuple[tuple[int, int, int, int], datetime] | None = None
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "a", "title", "head", "meta"):
            continue
        i = order.get(el, 0)
        d = abs(i - pos)
        if d > _MAX_DISTANCE or el is h1:
            continue
        raw = el.get("datetime") if el.tag == "time" else None
        if raw:
            has_time = bool(re.search(r"\d[:hT]\d", raw))
        else:
            if not (el.text or "").strip() and not len(el):
                continue
            full = " ".join("".join(el.itertext()).split())
            if len(full) > 120 or not _DATE_LINE.search(full):
                continue
            if any(isinstance(c.tag, str) and c.tag in _MULTILINE for c in el.iterdescendants()):
                continue  # several lines: each is looked at on its own
            if _CHROME_TEXT.search(full):
                continue
            raw = full
            found = text_date(full)
            has_time = bool(found and found[1])
        if _in_teaser(el, h1) or _in_chrome(el, h1_line, article):
            continue
        dt = parse_date(raw)
        if dt is None or not _valid(dt, now):
            continue
        after, inside = i > pos, el in in_cont
        if after and inside and prose[i] - prose[pos] <= 1:
            rank = 0  # the byline/date line under the title (at most the sapo in between)
        elif inside and not after:
            rank = 1
        elif after:
            rank = 2
        elif has_time:
            rank = 3
        else:
            continue  # above the headline, outside the article, no time: the site's "today" line
        updated = bool(_UPDATED.match(el.text or "") or _UPDATED.match(raw))
        key = (rank, not has_time, updated, d)
        if best is None or key < best[0]:
            best = (key, dt)
    return best[1] if best else None


def _article_part(tree: Any) -> Any:
    """A copy of the article's own part of the page (its <head>, and the headline's <article> or the
    block around the headline that also holds the body), for htmldate; None without a headline."""
    h1 = _headline(tree)
    if h1 is None:
        return None
    part = _container(h1)
    if part is None or part.tag in ("body", "html"):
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
