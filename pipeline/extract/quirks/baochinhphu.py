"""Extraction quirk of Báo Chính phủ (baochinhphu.vn).

Site key "baochinhphu"; registered with the others in pipeline.extract.quirks (OUTLETS)."""

from __future__ import annotations

from pipeline.extract.quirks.base import Quirk


class BaoChinhPhu(Quirk):
    # [3p "ok"] h1.detail__title, div.detail__summary, div.detail__content; JSON-LD headline is
    # entity-encoded (h1 preferred); author may be "baochinhphu.vn"; sapo "(Chinhphu.vn) - ".
    key = "baochinhphu"
    hosts = ("baochinhphu.vn", "chinhphu.vn")
    body = ("//div[contains(@class,'detail__content')]",)
    title = ("//h1[contains(@class,'detail__title')]",)
    sapo = ("//div[contains(@class,'detail__summary')]",)
    site_names = ("baochinhphu.vn", "Báo Chính phủ", "Chinhphu.vn", "Cổng TTĐT Chính phủ")
    # URL digits are "102" + YYMMDD + ...: not a yyyymmddhhmmss stamp (the generic URL reader skips them).
