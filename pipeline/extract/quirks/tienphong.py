"""Extraction quirk of Tiền Phong (tienphong.vn).

Site key "tienphong"; registered with the others in pipeline.extract.quirks (OUTLETS)."""

from __future__ import annotations

from pipeline.extract.quirks.base import Quirk


class TienPhong(Quirk):
    # [3p "ok"] h1.article__title, div.article__sapo, div.article__body; sapo prefix "TPO - ".
    key = "tienphong"
    hosts = ("tienphong.vn",)
    body = ("//div[contains(@class,'article__body')]",)
    title = ("//h1[contains(@class,'article__title')]",)
    sapo = ("//div[contains(@class,'article__sapo')]",)
    site_names = ("Tiền Phong", "Báo Tiền Phong", "TPO", "tienphong.vn")
