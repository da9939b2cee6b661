"""Stage 100: page bytes -> Article (pipeline.process.process_page); a non-article is recorded with its
reason and dropped."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from db.articles import record_url
from pipeline.process import process_page
from spiders.stages import Stage


class ExtractStage(Stage):
    def process_item(self, item: Any) -> Any:
        ctx = self.ctx
        article, reason = process_page(item.body, item.headers, item.url, ctx.specs.get(item.site))
        if article is None:
            ctx.stats_by_site[item.site]["not_article"] += 1
            record_url(ctx.db, item.url, item.site, "not_article", reason, item.status)
            hand_off = getattr(ctx, "hand_off", None)
            if hand_off is not None:  # queue mode: the writer records it too
                hand_off("url", dict(url=item.url, site=item.site, status="not_article", reason=reason,
                                         http_status=item.status))
            raise DropItem(f"not an article: {reason}" if reason else "not an article")
        article.site = item.site
        if item.fetched_url != item.url:
            article.fetched_url = item.fetched_url
        item.article = article
        return item
