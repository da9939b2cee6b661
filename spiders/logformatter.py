"""Dropped items (non-articles) are logged at INFO with their reason, without the page body."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult


class QuietDrops(LogFormatter):
    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> LogFormatterResult:
        return {
            "level": logging.INFO,
            "msg": "skipped %(url)s: %(reason)s",
            "args": {"url": getattr(item, "fetched_url", "?"), "reason": exception},
        }
