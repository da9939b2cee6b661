"""Extraction quirk of VietnamPlus (vietnamplus.vn).

Site key "vietnamplus"; registered with the others in pipeline.extract.quirks (OUTLETS)."""

from __future__ import annotations

from pipeline.extract.quirks.base import CmsArticle


class VietnamPlus(CmsArticle):  # the shared CMS: body, sapo, prune from CmsArticle
    # [Zotero] JSON-LD NewsArticle; fallback .article__author; "Vietnam+" is not an author.
    key = "vietnamplus"
    markers = ()  # found by host; the family's markers belong to CmsArticle
    hosts = ("vietnamplus.vn",)
    author = ("//*[contains(@class,'article__author')]//a", *CmsArticle.author)
    site_names = ("Vietnam+", "VietnamPlus", "TTXVN", "Vietnam+ (TTXVN)")
