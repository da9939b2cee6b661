"""Stage 900 in queue mode (``presswatch worker``): the extracted, scored article goes to the writer
instead of the local store: ``hand_off("item", payload)`` (pipeline/run/queue.py puts it on the Redis
stream; the writer deduplicates and stores it, pipeline/run/writer.py). The payload is plain JSON:
the article's fields, its relevance, and the page compressed (zlib) in base64."""

from __future__ import annotations

import base64
import logging
import zlib
from typing import Any

from scrapy.exceptions import DropItem

from spiders.stages import Stage

log = logging.getLogger(__name__)


def item_payload(item: Any) -> dict[str, Any]:
    """The JSON record of one extracted article (PageItem with ``article`` set)."""
    return {"article": item.article.to_dict(), "status": item.status,
            "content_type": item.headers.get("Content-Type"),
            "page": base64.b64encode(zlib.compress(item.body, 6)).decode("ascii")}


class HandOffStage(Stage):
    def process_item(self, item: Any) -> Any:
        ctx = self.ctx
        if ctx.hand_off is None:
            raise DropItem("queue mode without a hand-off")
        try:
            ctx.hand_off("item", item_payload(item))
        except ValueError as e:  # larger than a message may be: logged by the spider's item_error
            raise DropItem(f"not handed to the writer: {e}") from None
        ctx.stats_by_site[item.site]["new"] += 1
        log.info("%s %s: handed to the writer", item.status, item.fetched_url)
        return item
