"""Reading the sources a site spec declares: feeds, sitemaps, section pages.

Pure functions over response bytes (no Scrapy engine), so they can be fuzzed and tested alone.
Feeds go through feedparser (tolerant of broken XML and of entity-escaped titles and links),
sitemaps through Scrapy's own ``Sitemap`` reader (recovering parser), section pages through
Scrapy's ``LinkExtractor``.
"""

from __future__ import annotations

import gzip
import html
import io
import logging
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


def _clean_link(link: str, base: str) -> str:
    link = html.unescape(html.unescape(link or "")).strip()
    return urljoin(base, link) if link else ""


def feed_links(body: bytes, base_url: str) -> list[str]:
    """Article links of an RSS 2.0 / Atom / RDF feed, in feed order. Raises SourceError when the body
    holds no feed at all (an HTML page, a challenge page, garbage)."""
    if not body or not body.strip():
        raise SourceError("empty body")
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
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


def sitemap_links(body: bytes, base_url: str) -> SitemapLinks:
    """Entries of a sitemap index or urlset (plain, Google News, gzip). Newest lastmod first."""
    body = maybe_gunzip(body)
    if not body.strip():
        raise SourceError("empty body")
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
