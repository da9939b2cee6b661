"""Stage 500: canonical URL from the page, exact/near copy and story (pipeline.dedup); the results go
on ``item.article.extra`` (duplicate_of, supersedes, story_id, bands, minhash, story_keys, story_day)
and the store stage writes them in the article's transaction.

The page's canonical link is ``article.extra["canonical_link"]`` when the extract stage set it,
else it is read from the page head here. At spider start, articles stored without an index entry
(before deduplication existed, or by another path) are indexed once (``pipeline.dedup.reindex``)."""

from __future__ import annotations

import logging
from typing import Any

from pipeline.dedup import analyse, canonical_from_page, find_canonical_link, load_config, reindex
from pipeline.stages import Stage

log = logging.getLogger(__name__)


class DedupStage(Stage):
    def open_spider(self) -> None:
        db = self.spider.db
        if db.execute("SELECT 1 FROM articles a LEFT JOIN article_minhash m ON m.article_id = a.id "
                      "WHERE m.article_id IS NULL LIMIT 1").fetchone():
            n = reindex(db)
            log.info("dedup: indexed %d article(s) stored without an index entry", n)

    def process_item(self, item: Any) -> Any:
        spider = self.spider
        a = item.article
        spec = spider.specs.get(item.site)
        link = a.extra.get("canonical_link") or find_canonical_link(item.body)
        canon = canonical_from_page(a.url, link, spec)
        if canon != a.url:
            a.fetched_url = a.fetched_url or item.fetched_url or a.url
            a.url = item.url = canon
        if spider.db.execute("SELECT 1 FROM articles WHERE url = ?", [a.url]).fetchone():
            return item  # stored under its canonical link: the store records this URL as a variant
        a.extra.update(analyse(spider.db, a, load_config()))
        if a.extra.get("duplicate_of") is not None:
            spider.stats_by_site[item.site]["duplicates"] += 1
        return item
