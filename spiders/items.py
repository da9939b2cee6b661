"""What a crawl pass says about its downloads: the items it yields, per-site counters, a short human reason
for a failed download, and the response headers as plain strings. Used by spiders/news.py."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from scrapy.http import Response

from pipeline.article import Article


@dataclass
class PageItem:
    """One downloaded article page on its way down the item pipeline (spiders/stages/)."""

    url: str  # canonical URL
    fetched_url: str  # what was downloaded (after redirects)
    site: str
    body: bytes
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None  # Scrapy's guess (kept for the record; the page path decodes on its own)
    article: Article | None = None  # set by the extract stage


class SiteStats(Counter[str]):
    """requests, new, skipped, errors, blocked, not_article, unchanged (sources answered 304 or with
    the same body), retired (sitemap shards not fetched), deferred, backed_off per site for one pass."""


def describe_failure(exc: BaseException) -> str:
    """A short human reason for a download failure."""
    from twisted.internet import error as terr

    name = type(exc).__name__
    text = str(exc)
    if "larger than download max size" in text or name == "DownloadCancelledError":
        # DOWNLOAD_MAXSIZE: announced too large, or cut off while streaming (the only cancel we do)
        return "larger than the download size limit (DOWNLOAD_MAXSIZE), skipped"
    if "exceeded DOWNLOAD_MAXSIZE" in text:
        return "compressed body inflates beyond the download size limit (gzip bomb?), skipped"
    if "max redirections reached" in text:
        return "redirect loop (too many redirects)"
    if name in ("Refused", "IgnoreRequest") and text:  # spiders/guards.py says why
        return text[:300]
    if "DNS" in name or "Resolve" in name:
        return "cannot resolve host (no internet or DNS)"
    if isinstance(exc, terr.ConnectionRefusedError) or "ConnectionRefused" in name:
        return "connection refused"
    if isinstance(exc, terr.TimeoutError) or "Timeout" in name:
        return "timed out"
    text = str(exc).strip()
    return f"{name}: {text[:100]}" if text else name


def host_of(url: str) -> str | None:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname


def headers_of(response: Response) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in response.headers.items():
        key = k.decode("latin-1") if isinstance(k, bytes) else str(k)
        val = v[-1] if isinstance(v, list) and v else v
        out[key] = val.decode("latin-1") if isinstance(val, bytes) else str(val)
    return out
