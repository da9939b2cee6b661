"""Scrapy item-pipeline stages, one per module, ordered with gaps (sNNN_ prefix = the order in
spiders/settings.py). Each is a thin adapter over one step of ``pipeline.process`` (the page path):
100 extract (process_page), 300 relevance (score_article), 500 dedup (dedup_article), 900 store
(store_article). The stages reach the crawl pass only through ``PassContext``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, Protocol

import sqlite_utils

from config import SiteSpec
from pipeline.process import NewArticleHook


class PassContext(Protocol):
    """What a stage may use of the crawl pass (spiders.news.NewsSpider provides it)."""

    db: sqlite_utils.Database
    specs: dict[str, SiteSpec]
    stats_by_site: dict[str, Counter[str]]
    on_new_article: NewArticleHook | None

    def stop_for_db_error(self, exc: BaseException) -> bool: ...

    def note_url(self, url: str, site: str, status: str, reason: str | None, http_status: int | None) -> None: ...

    hand_off: Callable[[str, dict[str, Any]], None] | None


class Stage:
    """Base: keeps the crawler so a stage can reach its pass (``self.ctx``)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> Any:
        return cls(crawler)

    @property
    def ctx(self) -> PassContext:
        spider: PassContext = self.crawler.spider
        return spider
