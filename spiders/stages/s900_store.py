"""Stage 900: store the article, its raw page and FTS row in one transaction (pipeline.process.store_article);
the database says if it is new."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from scrapy.exceptions import DropItem

from pipeline.process import store_article
from spiders.stages import Stage

log = logging.getLogger(__name__)


class StoreStage(Stage):
    def process_item(self, item: Any) -> Any:
        ctx = self.ctx
        try:
            new_id = store_article(ctx.db, item.article, item.body, http_status=item.status,
                                   content_type=item.headers.get("Content-Type"),
                                   on_new=ctx.on_new_article)
        except sqlite3.OperationalError as e:
            # robustness: "database or disk is full" (SQLITE_FULL). The transaction has rolled back,
            # so nothing of this article is half-written; stop the whole pass cleanly instead of
            # failing item after item (spiders/news.py: stop_for_db_error).
            if ctx.stop_for_db_error(e):
                raise DropItem(f"not stored: {e}") from None
            raise
        ctx.stats_by_site[item.site]["new" if new_id else "skipped"] += 1
        a = item.article
        if new_id:
            copy = f", a copy of article {a.duplicate_of}" if a.duplicate_of is not None else ""
            log.info("%s %s: stored (article %d%s)", item.status, item.fetched_url, new_id, copy)
        else:
            log.info("%s %s: skipped: already stored as %s", item.status, item.fetched_url, a.url)
        return item
