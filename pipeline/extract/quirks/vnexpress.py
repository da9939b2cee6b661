"""Extraction quirk of VnExpress (vnexpress.net).

Site key "vnexpress"; registered with the others in pipeline.extract.quirks (OUTLETS)."""

from __future__ import annotations

from typing import Any

from pipeline.extract.quirks.base import Quirk


class VnExpress(Quirk):
    # [real] h1.title-detail, p.description, article.fck_detail p.Normal; the byline is the last
    # right-aligned p.Normal > strong (or p.author_mail strong); meta pubdate/itemprop datePublished.
    key = "vnexpress"
    hosts = ("vnexpress.net",)
    body = ("//article[contains(@class,'fck_detail')]",)
    title = ("//h1[contains(@class,'title-detail')]",)
    sapo = ("//p[contains(@class,'description')]",)
    author = (
        "//article[contains(@class,'fck_detail')]/p[contains(@style,'right')]//strong",
        "//p[contains(@class,'author_mail')]//strong",
        "//article[contains(@class,'fck_detail')]/p[contains(@class,'author')]//strong",
    )
    prune = (
        "//article[contains(@class,'fck_detail')]//*[contains(@class,'box-tinlienquan')"
        " or contains(@class,'list-news') or contains(@class,'box_brief_info')]",
    )
    site_names = ("VnExpress", "Báo VnExpress", "vnexpress.net")
    markers = ("//meta[@property='og:site_name'][@content='vnexpress.net']",)

    def lines(self, lines: list[str], meta: dict[str, Any]) -> list[str]:
        # The byline closes the body ("Lê Phương"): it is the author, not text.
        author = meta.get("author")
        if author and lines and lines[-1].strip() == author:
            return lines[:-1]
        return lines
