"""Extraction quirk of Tuổi Trẻ (tuoitre.vn).

Site key "tuoitre"; registered with the others in pipeline.extract.quirks (OUTLETS)."""

from __future__ import annotations

from pipeline.extract.quirks.base import Quirk


class TuoiTre(Quirk):
    # [3p "ok"] h1.detail-title, h2.detail-sapo, div.detail-cmain; "Trở thành người đầu tiên tặng sao".
    key = "tuoitre"
    hosts = ("tuoitre.vn",)
    body = ("//div[contains(@class,'detail-cmain')]",)
    title = ("//h1[contains(@class,'detail-title')]",)
    sapo = ("//h2[contains(@class,'detail-sapo')]",)
    author = ("//*[contains(@class,'author-info')]//a", "//*[contains(@class,'detail-author')]")
    site_names = ("Tuổi Trẻ", "Báo Tuổi Trẻ", "TTO", "tuoitre.vn")
