"""Stage 500: canonical URL from the page, exact/near copy and story (pipeline.process.dedup_article);
the result is ``item.article.dedup`` and the store stage writes it in the article's transaction.

At spider start, articles stored without an index entry (before deduplication existed, or by another
path) are indexed once (``pipeline.dedup.reindex``)."""

from __future__ import annotations

import logging
from typing import Any

from db.articles import unindexed_ids
from pipeline.dedup import reindex
from pipeline.process import dedup_article
from spiders.stages import Stage

log = logging.getLogger(__name__)


class DedupStage(Stage):
    def open_spider(self) -> None:
        db = self.ctx.db
        if unindexed_ids(db):
            n = reindex(db)
            log.info("dedup: indexed %d article(s) stored without an index entry", n)

    def process_item(self, item: Any) -> Any:
        ctx = self.ctx
        a = item.article
        if not dedup_article(ctx.db, a, ctx.specs.get(item.site)):
            item.url = a.url
            return item  # stored under its canonical link: the store records this URL as a variant
        item.url = a.url
        if a.duplicate_of is not None:
            ctx.stats_by_site[item.site]["duplicates"] += 1
        return item
