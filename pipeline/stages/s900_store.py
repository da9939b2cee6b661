"""Stage 900: store the article, its raw page and FTS row in one transaction; the database says if it is new."""

from __future__ import annotations

from typing import Any

from db.store import store_article
from pipeline.stages import Stage


class StoreStage(Stage):
    def process_item(self, item: Any) -> Any:
        spider = self.spider
        new_id = store_article(
            spider.db,
            item.article,
            item.body,
            http_status=item.status,
            content_type=item.headers.get("Content-Type"),
            encoding=item.encoding,
        )
        spider.stats_by_site[item.site]["new" if new_id else "skipped"] += 1
        item.article.extra["id"] = new_id
        return item
