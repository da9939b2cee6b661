"""Reading what discovery fetched: links and feeds in HTML pages, feeds, robots.txt, sitemaps.

Pure functions over bytes (lxml, feedparser); no network, no Scrapy. Links come back absolute,
without fragments; the caller decides which hosts count.
"""

from __future__ import annotations

import gzip
import html
import io
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import feedparser
from lxml import etree
from lxml import html as lhtml

from pipeline.normalize import fold

__all__ = ["Anchor", "anchors", "alternate_feeds", "feed_items", "looks_like_feed_url", "robots_sitemaps",
           "section_score", "sitemap_entries", "SitemapEntries"]

MAX_XML_BYTES = 50 * 1024 * 1024  # a decompressed sitemap larger than this is not read

# navigation words of the sections worth crawling for local foreign affairs, folded (pipeline.normalize.fold)
# with their weight; matched in the link text and in the path (hyphens and no separators both)
SECTION_WORDS: dict[str, int] = {
    "doi ngoai": 6, "ngoai vu": 6, "ngoai giao": 5, "quoc te": 5, "the gioi": 5, "hop tac quoc te": 6,
    "chinh tri": 3, "thoi su": 3, "tin tuc": 1, "xa hoi": 1, "tin trong tinh": 2, "dia phuong": 1,
}
_FEED_PATH = re.compile(r"(\.rss|\.atom|/feed/?|/rss/?|rss\.xml|/rss/[^?#]+|\.xml)$", re.I)
# paths that list articles but are no section: tags, authors, search, pagination
_NOT_SECTION = re.compile(r"/(tags?|tu-khoa|tac-gia|author|tim-kiem|search|video|photo|podcast)(/|$)|"
                          r"(trang|page|p)[-/=]?\d+/?$", re.I)
_RSS_WORD = re.compile(r"(^|[/_.-])(rss|feeds?|atom)([/_.-]|$)", re.I)


@dataclass(frozen=True)
class Anchor:
    url: str  # absolute, no fragment
    text: str  # the link text, white space collapsed


def _doc(body: bytes | str) -> lhtml.HtmlElement | None:
    try:
        return lhtml.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return None


def _absolute(base: str, href: str | None) -> str | None:
    href = html.unescape((href or "").strip())
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        parts = urlsplit(urljoin(base, href))
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _base(doc: lhtml.HtmlElement, url: str) -> str:
    base = doc.xpath("//base/@href")
    return urljoin(url, str(base[0])) if base else url


def anchors(body: bytes | str, url: str) -> list[Anchor]:
    """Every ``<a href>`` of an HTML page as (absolute URL, text), in document order, first of each URL."""
    doc = _doc(body)
    if doc is None:
        return []
    base = _base(doc, url)
    seen: dict[str, Anchor] = {}
    for a in doc.iter("a"):
        u = _absolute(base, a.get("href"))
        if u and u not in seen:
            text = " ".join((a.text_content() or a.get("title") or "").split())
            seen[u] = Anchor(u, text)
    return list(seen.values())


def alternate_feeds(body: bytes | str, url: str) -> list[str]:
    """Feed URLs announced in the page head: ``<link rel="alternate" type="application/rss+xml|atom+xml">``."""
    doc = _doc(body)
    if doc is None:
        return []
    base = _base(doc, url)
    out: list[str] = []
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        typ = (link.get("type") or "").lower()
        if "alternate" in rel and ("rss" in typ or "atom" in typ or typ.endswith("/xml")):
            u = _absolute(base, link.get("href"))
            if u and u not in out:
                out.append(u)
    return out


def looks_like_feed_url(url: str) -> bool:
    """A link that is probably a feed itself (``.rss``, ``/feed``, ``/rss/<name>``), not a page about feeds."""
    path = urlsplit(url).path
    return bool(_FEED_PATH.search(path)) and bool(_RSS_WORD.search(path) or path.endswith((".rss", ".atom")))


def feed_items(body: bytes) -> list[str] | None:
    """The item links of an RSS/Atom feed, or None when the body is no feed at all (an HTML page)."""
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return None
    parsed = feedparser.parse(body)
    if not parsed.get("version") and not parsed.entries:
        return None
    out: list[str] = []
    for e in parsed.entries:
        link = html.unescape(html.unescape(str(e.get("link") or ""))).strip()
        if link and link not in out:
            out.append(link)
    return out


def robots_sitemaps(robots: str | None, url: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt, absolute."""
    out: list[str] = []
    for line in (robots or "").splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            u = _absolute(url, value.strip())
            if u and u not in out:
                out.append(u)
    return out


@dataclass
class SitemapEntries:
    kind: str  # "urlset" | "sitemapindex"
    urls: list[tuple[str, str | None]]  # (loc, lastmod)
    news: bool  # a Google News sitemap (news: namespace)


def sitemap_entries(body: bytes) -> SitemapEntries | None:
    """A sitemap (index or urlset, gzip or not) read, or None when the body is no sitemap."""
    if body[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as f:
                body = f.read(MAX_XML_BYTES + 1)
        except (OSError, EOFError):
            return None
        if len(body) > MAX_XML_BYTES:
            return None
    try:
        root = etree.fromstring(body, etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                                                      huge_tree=False))
    except etree.XMLSyntaxError:
        return None
    if root is None:
        return None
    kind = etree.QName(root).localname.lower()
    if kind not in ("urlset", "sitemapindex"):
        return None
    urls: list[tuple[str, str | None]] = []
    for child in root:
        if not isinstance(child.tag, str):
            continue
        loc = lastmod = None
        for el in child:
            if not isinstance(el.tag, str):
                continue
            name = etree.QName(el).localname
            if name == "loc":
                loc = (el.text or "").strip()
            elif name == "lastmod":
                lastmod = (el.text or "").strip() or None
        if loc:
            urls.append((html.unescape(loc), lastmod))
    news = b"sitemap-news" in body[:4096] or b"<news:" in body[:65536]
    return SitemapEntries(kind, urls, news)


def section_score(anchor: Anchor) -> int:
    """How much a navigation link looks like a foreign-affairs / politics / news section (0 = not)."""
    path = urlsplit(anchor.url).path
    if _NOT_SECTION.search(path):
        return 0
    words = fold(anchor.text)
    flat_path = fold(path).replace("-", " ").replace("_", " ")
    squashed = flat_path.replace(" ", "")
    score = 0
    for word, weight in SECTION_WORDS.items():
        if word in words:
            score = max(score, weight + 1)
        elif word in flat_path or word.replace(" ", "") in squashed:
            score = max(score, weight)
    return score
