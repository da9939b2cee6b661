"""Stage 300: score the article for local foreign affairs (pipeline.process.score_article)."""

from __future__ import annotations

from typing import Any

from pipeline.process import score_article
from spiders.stages import Stage


class RelevanceStage(Stage):
    def process_item(self, item: Any) -> Any:
        score_article(item.article)
        return item
