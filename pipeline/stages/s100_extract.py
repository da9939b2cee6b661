"""Stage 100: page bytes -> Article (pipeline.extract); a non-article is recorded with its reason and dropped."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from db.store import record_url
from pipeline.decode import looks_vietnamese, page_text
from pipeline.extract import explain_extraction
from pipeline.stages import Stage


class ExtractStage(Stage):
    def process_item(self, item: Any) -> Any:
        spider = self.spider
        spec = spider.specs.get(item.site)
        # robustness: an empty body is rejected before extraction; the extractor gets text decoded
        # by pipeline.decode (BOM, HTTP/meta charset, wrong declarations, Windows-1258), never raw
        # bytes it would have to guess about.
        article: Any = None
        reason: str | None
        if not item.body.strip():
            reason = "empty body"
        else:
            try:
                html = page_text(item.body, item.headers.get("Content-Type"))
                article, reason = explain_extraction(html, item.url, spec, headers=item.headers)
            except Exception as e:  # extraction must never stop the crawl
                article, reason = None, f"extraction failed: {type(e).__name__}: {e}"
        # the monitor reads Vietnamese press only. Judged on the text, not on <html lang>: CMS
        # templates often say lang="en" on Vietnamese pages.
        if article is not None and not looks_vietnamese(f"{article.title}\n{article.text}"):
            article, reason = None, f"not Vietnamese text (page says language {article.language or 'nothing'})"
        if article is None:
            spider.stats_by_site[item.site]["not_article"] += 1
            record_url(spider.db, item.url, item.site, "not_article", reason, item.status)
            raise DropItem(reason or "not an article")
        article.url = item.url
        article.site = item.site
        if item.fetched_url != item.url:
            article.fetched_url = item.fetched_url
        item.article = article
        return item
