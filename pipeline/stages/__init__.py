"""Scrapy item-pipeline stages, one per module, ordered with gaps (sNNN_ prefix = the order in
spiders/settings.py). Each is a thin adapter over a pure function in pipeline/."""

from __future__ import annotations

from typing import Any


class Stage:
    """Base: keeps the crawler so a stage can reach the spider's specs, stats and database."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> Any:
        return cls(crawler)

    @property
    def spider(self) -> Any:
        return self.crawler.spider
