"""Article URL shapes: links clustered by the form of their path, and a regex for a shape.

The last path segment decides (``<slug>-post123456.html``, ``<slug>-20261118071502331.htm``,
``<slug>-123456.html``, ``<slug>-d0f7a12/``, ``<long-slug>.html``), or a numeric query parameter
(``chi-tiet.aspx?ItemID=123``). Ids are bucketed by length (short ids of 1-3 digits are category
or page numbers, not articles). A shape scores high when it has many links, ids, long slugs and
links that came from feeds or sitemaps (which list articles by definition).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median
from urllib.parse import parse_qsl, urlsplit

__all__ = ["Shape", "ShapeGroup", "shape_of", "group_shapes", "pattern_for"]

_ID_SEG = re.compile(r"^(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*?)-(?P<prefix>[a-z]{0,6})(?P<id>\d+)"
                     r"(?P<ext>\.[a-z]{2,5})?$")
_HEX_SEG = re.compile(r"^(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)+)-(?P<id>[0-9a-f]{6,8})$")
_SLUG_SEG = re.compile(r"^(?P<slug>[a-z0-9]+(?:-[a-z0-9]+){4,})(?P<ext>\.[a-z]{2,5})?$")
_BARE_ID = re.compile(r"^(?P<prefix>[a-z]{0,2})(?P<id>\d{5,})(?P<ext>\.[a-z]{2,5})?$")
_YYYYMM = re.compile(r"^(19|20)\d{2}(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Shape:
    kind: str  # "id" | "hex" | "slug" | "query"
    prefix: str = ""  # letters glued to the id ("post", "a", "postid", "d")
    ext: str = ""  # ".html", ".htm", ".tpo", "" (none)
    slash: bool = False  # a trailing slash
    bucket: str = ""  # id length: "id" (4-9 digits) or "ts" (10+); "" for no id
    month_dir: bool = False  # the segment before the last is YYYYMM (CMS family A)
    path: str = ""  # for "query": the fixed path
    param: str = ""  # for "query": the numeric parameter

    def describe(self) -> str:
        if self.kind == "query":
            return f"{self.path}?{self.param}=<id>"
        tail = "/" if self.slash else ""
        month = "<yyyymm>/" if self.month_dir else ""
        if self.kind == "hex":
            return f"/…/{month}<slug>-<hex id>{tail}"
        if self.kind == "slug":
            return f"/…/<long-slug>{self.ext}{tail}"
        what = "timestamp" if self.bucket == "ts" else "id"
        return f"/…/{month}<slug>-{self.prefix}<{what}>{self.ext}{tail}"


@dataclass
class ShapeGroup:
    shape: Shape
    urls: list[str] = field(default_factory=list)
    id_lengths: list[int] = field(default_factory=list)
    slug_words: list[int] = field(default_factory=list)
    listed: int = 0  # links that came from a feed or a sitemap

    @property
    def score(self) -> float:
        n = len(self.urls)
        words = median(self.slug_words) if self.slug_words else 0
        s = float(n + 2 * self.listed)
        if self.shape.kind in ("id", "hex", "query"):
            s *= 2.0
        if words >= 4:
            s *= 1.5
        elif self.shape.kind != "query" and words < 3:
            s *= 0.3
        return s


def shape_of(url: str) -> tuple[Shape, int, int] | None:
    """(shape, id length, slug words) of an article-like URL, or None when it has no article form."""
    parts = urlsplit(url)
    segs = [s for s in parts.path.split("/") if s]
    slash = parts.path.endswith("/") and bool(segs)
    if parts.query:
        for k, v in parse_qsl(parts.query, keep_blank_values=True):
            if v.isdigit() and len(v) >= 2 and k.lower() not in ("page", "p", "trang", "pageindex", "start"):
                return Shape("query", path=parts.path or "/", param=k), len(v), 0
    if not segs:
        return None
    last = segs[-1].lower()
    month = len(segs) >= 2 and bool(_YYYYMM.match(segs[-2]))
    m = _ID_SEG.match(last)
    if m and len(m.group("id")) >= 4:
        n = len(m.group("id"))
        return (Shape("id", m.group("prefix"), m.group("ext") or "", slash, "ts" if n >= 10 else "id", month),
                n, m.group("slug").count("-") + 1)
    m = _HEX_SEG.match(last)
    if m and any(c.isdigit() for c in m.group("id")) and any(c.isalpha() for c in m.group("id")):
        return Shape("hex", slash=slash, month_dir=month), len(m.group("id")), m.group("slug").count("-") + 1
    m = _BARE_ID.match(last)
    if m and len(segs) >= 2:
        n = len(m.group("id"))
        return Shape("id", m.group("prefix"), m.group("ext") or "", slash, "ts" if n >= 10 else "id", month), n, 0
    m = _SLUG_SEG.match(last)
    if m:
        return Shape("slug", ext=m.group("ext") or "", slash=slash, month_dir=month), 0, m.group("slug").count("-") + 1
    return None


def group_shapes(links: dict[str, bool]) -> list[ShapeGroup]:
    """Links (URL -> came from a feed or sitemap) grouped by shape, best score first."""
    groups: dict[Shape, ShapeGroup] = defaultdict(lambda: ShapeGroup(Shape("id")))
    for url, listed in links.items():
        got = shape_of(url)
        if got is None:
            continue
        shape, n, words = got
        g = groups[shape]
        g.shape = shape
        g.urls.append(url)
        if n:
            g.id_lengths.append(n)
        g.slug_words.append(words)
        g.listed += int(listed)
    return sorted(groups.values(), key=lambda g: -g.score)


_META = re.compile(r"([.^$*+?{}\[\]\\|()])")


def _esc(s: str) -> str:
    """re.escape for paths, leaving '-' and '/' readable."""
    return _META.sub(r"\\\1", s)


def pattern_for(group: ShapeGroup) -> str:
    """The ``article_pattern`` regex (``re.search``) of a shape, its id lengths widened by one digit."""
    sh = group.shape
    lo = min(group.id_lengths, default=1)
    hi = max(group.id_lengths, default=1)
    if sh.kind == "query":
        return rf"{_esc(sh.path)}\?(?:[^#]*&)?{_esc(sh.param)}=\d{{{max(1, lo - 1)},{hi + 1}}}(?:&|#|$)"
    tail = "/?$" if sh.slash else "$"
    month = r"/\d{6}" if sh.month_dir else ""
    if sh.kind == "hex":
        return rf"{month}/[a-z0-9-]+-[0-9a-f]{{{lo},{hi}}}{tail}"
    if sh.kind == "slug":
        return rf"{month}/[a-z0-9]+(?:-[a-z0-9]+){{4,}}{_esc(sh.ext)}{tail}"
    digits = rf"\d{{{lo}}}" if sh.bucket == "ts" and lo == hi else rf"\d{{{lo},{hi + (sh.bucket != 'ts')}}}"
    return rf"{month}[/-]{_esc(sh.prefix)}{digits}{_esc(sh.ext)}{tail}"
