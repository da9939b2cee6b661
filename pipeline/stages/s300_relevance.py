"""Stage 300: score the article for local foreign affairs (pipeline.relevance)."""

from __future__ import annotations

from typing import Any

from pipeline.stages import Stage


class RelevanceStage(Stage):
    def process_item(self, item: Any) -> Any:
        from pipeline.relevance import score

        item.article.extra["relevance"] = score(item.article).to_dict()
        return item
