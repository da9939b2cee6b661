"""Downloader middleware for polite, incremental polling.

- Conditional GET: a feed / sitemap / section request gets ``If-None-Match`` / ``If-Modified-Since``
  from the ``sources`` table, when the last body of that URL was fully parsed (the spider then
  treats a 304 as "unchanged"). Sitemap indexes are always fetched in full: their shards change
  while the index often does not.
- Stopping: once the crawl is told to stop, queued requests are dropped (``BackedOff``) instead of
  downloaded, so a graceful stop takes seconds; the next pass fetches them.
- Back-off: a 429 or 503 answer puts the whole site in back-off. ``Retry-After`` (seconds or an
  HTTP date) is honoured, and the delay doubles with each consecutive throttled pass
  (``backoff_delay``). The rest of the site's requests in this pass are dropped (``BackedOff``),
  and the spider stores ``backoff_until`` so that the scheduler skips the site until then.

Sits at 555: its ``process_response`` runs before RetryMiddleware's (550), which is told not to retry.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from db.runs import get_site_state, get_source

log = logging.getLogger(__name__)

BACKOFF_STATUSES = (429, 503)
MAX_BACKOFF = 24 * 3600.0  # exponential back-off is capped here (a longer Retry-After is honoured)
MAX_RETRY_AFTER = 7 * 86400.0
CONDITIONAL_SOURCES = ("feed", "sitemap", "section")


class BackedOff(IgnoreRequest):
    """A request dropped because its site is in back-off (it said 429/503 earlier in this pass), or
    because the crawl is stopping (SIGTERM): it is left for the next pass."""


def parse_retry_after(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None when absent/invalid."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(delta, 0.0), MAX_RETRY_AFTER)


def backoff_delay(count: int, every: float, retry_after: float | None) -> float:
    """Back-off after the ``count``-th consecutive throttled pass (1 = first): the site's interval
    doubled each time (capped at MAX_BACKOFF), never shorter than what Retry-After asked for."""
    exp = min(MAX_BACKOFF, every * 2 ** max(count - 1, 0))
    return max(exp, retry_after or 0.0)


class PoliteSourcesMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.backed_off: dict[str, str] = {}  # site -> backoff_until (ISO UTC)

    @classmethod
    def from_crawler(cls, crawler: Any) -> PoliteSourcesMiddleware:
        return cls(crawler)

    @property
    def spider(self) -> Any:
        return self.crawler.spider

    def process_request(self, request: Request) -> None:
        site = request.meta.get("site")
        if not site:
            return None
        if site in self.backed_off:
            raise BackedOff(f"{site} in back-off until {self.backed_off[site]}")
        if not getattr(self.crawler, "crawling", True):
            # stopping (SIGTERM/SIGINT): Scrapy would still download every queued request first
            raise BackedOff("crawl stopping: left for the next pass")
        db = getattr(self.spider, "db", None)
        if db is None or request.meta.get("source") not in CONDITIONAL_SOURCES:
            return None
        row = get_source(db, request.url)
        if row and row["body_hash"] and row["kind"] != "sitemapindex":
            if row["etag"]:
                request.headers.setdefault("If-None-Match", row["etag"])
            if row["last_modified"]:
                request.headers.setdefault("If-Modified-Since", row["last_modified"])
            request.meta["conditional"] = True
        return None

    def _drain_if_stopping(self) -> None:
        """Once the crawl is stopping, fail the requests already waiting in the downloader's slot
        queues (they passed process_request before the stop) instead of downloading them. Uses
        Scrapy's downloader internals (slots, Slot.queue); does nothing if they change."""
        if getattr(self.crawler, "crawling", True):
            return
        try:
            slots = list(self.crawler.engine.downloader.slots.values())
        except AttributeError:
            return
        dropped = 0
        for slot in slots:
            queue = getattr(slot, "queue", None)
            while queue:
                _req, dfd = queue.popleft()
                dfd.errback(Failure(BackedOff("crawl stopping: left for the next pass")))
                dropped += 1
        if dropped:
            log.info("stopping: %d queued request(s) left for the next pass", dropped)

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._drain_if_stopping()
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        self._drain_if_stopping()
        site = request.meta.get("site")
        if not site or response.status not in BACKOFF_STATUSES:
            return response
        request.meta["dont_retry"] = True  # RetryMiddleware would ask again at once
        if site not in self.backed_off:
            spider = self.spider
            spec = spider.specs.get(site)
            every = spec.every if spec is not None else 900.0
            count = int(get_site_state(spider.db, site)["backoff_count"] or 0) + 1
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            delay = backoff_delay(count, every, retry_after)
            until = (datetime.now(UTC) + timedelta(seconds=delay)).isoformat(timespec="seconds")
            self.backed_off[site] = until
            reason = f"HTTP {response.status} at {request.url}" + (
                f" (Retry-After {retry_after:.0f}s)" if retry_after is not None else "")
            log.warning("%s: %s: back-off %.0fs, until %s", site, reason, delay, until)
            note = getattr(spider, "note_backoff", None)
            if note is not None:
                note(site, until, reason, response.status)
        return response
