"""One crawl pass, in this process (the Twisted reactor runs once per process: the scheduler
starts each pass in a child process, see pipeline/scheduler.py)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from config import SiteSpec
from db import open_db

log = logging.getLogger(__name__)


@dataclass
class SiteSummary:
    site: str
    status: str
    requests: int
    new: int
    skipped: int
    errors: int
    error: str | None

    def line(self) -> str:
        out = (f"{self.site:<14} {self.status:<8} requests {self.requests:>4}  new {self.new:>4}  "
               f"skipped {self.skipped:>4}  errors {self.errors:>3}")
        if self.error:
            out += f"  ({self.error})"
        return out


def scrapy_settings(specs: dict[str, SiteSpec], overrides: dict[str, Any] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    settings.set("CLOSESPIDER_TIMEOUT", max((s.timeout for s in specs.values()), default=600), priority="project")
    # per-request download timeout in seconds (default 30 in spiders/settings.py): slow links, and
    # tests that need a hanging site to fail in seconds rather than a minute
    if os.environ.get("PRESSWATCH_DOWNLOAD_TIMEOUT"):
        settings.set("DOWNLOAD_TIMEOUT", float(os.environ["PRESSWATCH_DOWNLOAD_TIMEOUT"]), priority="project")
    for k, v in (overrides or {}).items():
        settings.set(k, v, priority="cmdline")
    return settings


def crawl_once(specs: dict[str, SiteSpec], db_path: str, overrides: dict[str, Any] | None = None) -> list[SiteSummary]:
    """Run one pass over ``specs`` into ``db_path``; return the per-site summary of this pass."""
    from spiders.news import NewsSpider

    specs = {k: s for k, s in specs.items() if s.enabled}
    if not specs:
        return []
    db = open_db(db_path)  # migrate before the crawl starts
    last_id = db.execute("SELECT coalesce(max(id), 0) FROM crawl_runs").fetchone()[0]
    db.close()
    process = CrawlerProcess(scrapy_settings(specs, overrides))
    if (overrides or {}).get("LOG_LEVEL") != "INFO":
        # their tracebacks repeat what the per-site summary says in one line
        for name in ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry",
                     "scrapy.core.scraper"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    process.crawl(NewsSpider, specs=specs, db_path=str(db_path))
    process.start()
    return summaries_since(db_path, last_id)


def summaries_since(db_path: str, last_id: int) -> list[SiteSummary]:
    db = open_db(db_path)
    rows = db.execute(
        "SELECT site, status, requests, new, skipped, errors, error FROM crawl_runs WHERE id > ? ORDER BY id",
        [last_id],
    ).fetchall()
    db.close()
    return [SiteSummary(*r) for r in rows]
