"""Reading the sources a site spec declares: feeds, sitemaps, section pages.

Pure functions over response bytes (no Scrapy engine), so they can be fuzzed and tested alone.
Feeds go through feedparser (tolerant of broken XML and of entity-escaped titles and links),
sitemaps through Scrapy's own ``Sitemap`` reader (recovering parser) after ``_repair_xml`` gave them
the same tolerance as feeds (a bare ``&`` as in ``?id=400002&cat=5``, HTML entities XML does not
know, junk before ``<?xml``), section pages through Scrapy's ``LinkExtractor``.
"""

from __future__ import annotations

import gzip
import html
import io
import logging
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import feedparser
from scrapy.utils.sitemap import Sitemap

log = logging.getLogger(__name__)

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # decompressed; a larger (gzip bomb) shard is refused


class SourceError(ValueError):
    """A source whose body could not be read (the message says why)."""


@dataclass
class SitemapLinks:
    kind: str  # "urlset" | "sitemapindex"
    urls: list[tuple[str, str | None]]  # (loc, lastmod)


_REF = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


_LEGACY_AMP = re.compile(r"&amp(?!;)")


def _unescape_refs(s: str) -> str:
    """Character references written with their ';' only: '?id=1&copy=2&not=3' keeps its parameters
    (html.unescape alone would read the legacy '&copy'/'&not' as © and ¬). The one exception is a
    bare '&amp' (what feedparser leaves of a doubly escaped '&amp;amp;'): always an '&'."""
    return _REF.sub(lambda m: html.unescape(m.group(0)), _LEGACY_AMP.sub("&", s))


def _clean_link(link: str, base: str) -> str:
    link = _unescape_refs(_unescape_refs(link or "")).strip()
    return urljoin(base, link) if link else ""


def feed_links(body: bytes, base_url: str) -> list[str]:
    """Article links of an RSS 2.0 / Atom / RDF feed, in feed order. Raises SourceError when the body
    holds no feed at all (an HTML page, a challenge page, garbage)."""
    if not body or not body.strip():
        raise SourceError("empty body")
    try:
        parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    except Exception as err:  # noqa: BLE001 - its loose parser can fail inside on broken markup
        raise SourceError(f"not a feed the parser can read ({type(err).__name__}: {str(err)[:80]})") from err
    links: list[str] = []
    for e in parsed.entries:
        link = e.get("link") or ""
        if not link:
            for alt in e.get("links", []):
                if alt.get("href"):
                    link = alt["href"]
                    break
        if not link and str(e.get("id", "")).startswith("http"):
            link = e["id"]
        link = _clean_link(link, base_url)
        if link:
            links.append(link)
    if not links:
        if parsed.get("bozo") and not parsed.get("version"):
            exc = parsed.get("bozo_exception")
            raise SourceError(f"not a feed ({type(exc).__name__}: {str(exc)[:80]})" if exc else "not a feed")
        if not parsed.get("version"):
            raise SourceError("not a feed (no RSS/Atom root element)")
    return list(dict.fromkeys(links))


def maybe_gunzip(body: bytes) -> bytes:
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as f:
            out = f.read(MAX_SITEMAP_BYTES + 1)
    except (OSError, EOFError) as e:
        raise SourceError(f"broken gzip: {e}") from None
    if len(out) > MAX_SITEMAP_BYTES:
        raise SourceError(f"gzip body larger than {MAX_SITEMAP_BYTES // 1024 // 1024} MB decompressed")
    return out


_XML_START = re.compile(rb"<\?xml|<(?:urlset|sitemapindex|rss|feed)\b", re.I)
_AMP = re.compile(rb"&(?!(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});)")
_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}


def _entity(m: re.Match[bytes]) -> bytes:
    name = m.group(1)
    if name in _XML_ENTITIES:
        return m.group(0)
    text = html.unescape("&" + name.decode("ascii") + ";")
    if text.startswith("&"):  # unknown to HTML too: keep it as text
        return b"&amp;" + name + b";"
    return html.escape(text, quote=False).encode("utf-8")


def _repair_xml(body: bytes) -> bytes:
    """What feedparser forgives, made well-formed for the sitemap reader: bytes before the XML
    declaration (or the root element) dropped, a bare ``&`` escaped, HTML named entities written as
    characters (an unknown one kept as text)."""
    m = _XML_START.search(body[:4096])
    if m and m.start() > 0:
        body = body[m.start():]
    if b"&" in body:
        body = _AMP.sub(b"&amp;", body)
        body = _ENTITY.sub(_entity, body)
    return body


def sitemap_links(body: bytes, base_url: str) -> SitemapLinks:
    """Entries of a sitemap index or urlset (plain, Google News, gzip). Newest lastmod first.

    Tolerant like the feed reader: junk before ``<?xml``, a bare ``&`` in a ``<loc>`` and HTML
    entities are repaired (``_repair_xml``) before parsing. Raises SourceError for a body that holds
    no sitemap (nor a feed)."""
    body = maybe_gunzip(body)
    if not body.strip():
        raise SourceError("empty body")
    body = _repair_xml(body)
    try:
        sm = Sitemap(body)
    except Exception as e:  # lxml raises many kinds on garbage
        raise SourceError(f"not a sitemap ({type(e).__name__})") from None
    if sm.type not in ("urlset", "sitemapindex"):
        # a feed served as a sitemap (tuoitre's sitemaps/index.rss) is read as a feed
        try:
            return SitemapLinks("urlset", [(u, None) for u in feed_links(body, base_url)])
        except SourceError:
            raise SourceError(f"not a sitemap (root element <{sm.type}>)") from None
    urls: list[tuple[str, str | None]] = []
    try:
        for entry in sm:
            loc = _clean_link(entry.get("loc", ""), base_url)
            if loc:
                urls.append((loc, entry.get("lastmod")))
    except Exception as e:  # a truncated document: keep what was read
        log.info("sitemap %s: stopped reading after %d entries (%s)", base_url, len(urls), type(e).__name__)
    urls.sort(key=lambda u: u[1] or "", reverse=True)
    return SitemapLinks(sm.type, urls)
