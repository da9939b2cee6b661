"""Extraction quirk of Quân đội nhân dân (qdnd.vn).

Site key "qdnd"; registered with the others in pipeline.extract.quirks (OUTLETS)."""

from __future__ import annotations

from pipeline.extract.quirks.base import Quirk, _cls


class Qdnd(Quirk):
    # [Zotero] og:title truncated (h1 preferred, generic); author .author-top/.author, JSON-LD author
    # may append " - <office address>" (cut in the generic author cleaner).
    key = "qdnd"
    hosts = ("qdnd.vn",)
    author = ("//*[contains(@class,'author-top')]", f"//*[{_cls('author')}]")
    site_names = ("Báo Quân đội nhân dân", "QĐND", "qdnd.vn")
