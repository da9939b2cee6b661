"""What ``presswatch crawl -v`` (and a verbose worker) logs per request, at INFO, one line each:

- a feed, sitemap or section answer: ``200 feed http://…/rss.xml`` (this formatter's ``crawled``), then the
  spider's line on its links (``N article link(s): K to fetch, S known``, spiders/news.py);
- an article page: one line from the stage that decided it (``200 http://…: stored (article 12)``,
  ``… skipped: already stored``, ``… handed to the writer``, spiders/stages/) or, for a page dropped on
  the way, this formatter's ``dropped`` line (``200 http://…: not an article: too short``), without the
  page body;
- a refused or failed request: the spider's own line (``HTTP 403 at …``, ``blocked at …``,
  ``skipped … refused by robots.txt``, ``left for the next pass …``).

Article answers are not logged on arrival (their outcome line says the status), nor scraped items
(the stages say what became of them)."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult


class QuietDrops(LogFormatter):
    def crawled(self, request: Any, response: Any, spider: Any) -> LogFormatterResult:
        source = request.meta.get("source")
        level = logging.DEBUG if source == "article" else logging.INFO
        return {"level": level, "msg": "%(status)s %(source)s %(url)s%(note)s",
                "args": {"status": response.status, "source": source or "request", "url": request.url,
                         "note": " (unchanged)" if response.status == 304 else ""}}

    def scraped(self, item: Any, response: Any, spider: Any) -> LogFormatterResult:
        return {"level": logging.DEBUG, "msg": "scraped %(url)s", "args": {"url": getattr(item, "url", "?")}}

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> LogFormatterResult:
        return {
            "level": logging.INFO,
            "msg": "%(status)s %(url)s: %(reason)s",
            "args": {"status": getattr(item, "status", "?"), "url": getattr(item, "fetched_url", "?"),
                     "reason": exception},
        }
