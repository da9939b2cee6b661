"""Extraction quirk of VietnamPlus (vietnamplus.vn).

Site key "vietnamplus"; registered with the others in pipeline.extract.quirks (OUTLETS)."""

from __future__ import annotations

from pipeline.extract.quirks.base import Quirk


class VietnamPlus(Quirk):
    # [Zotero] JSON-LD NewsArticle; fallback .article__author; "Vietnam+" is not an author.
    key = "vietnamplus"
    hosts = ("vietnamplus.vn",)
    author = ("//*[contains(@class,'article__author')]//a", "//*[contains(@class,'article__author')]")
    site_names = ("Vietnam+", "VietnamPlus", "TTXVN", "Vietnam+ (TTXVN)")
