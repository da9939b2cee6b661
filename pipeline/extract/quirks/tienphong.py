"""Extraction quirk of Tiền Phong (tienphong.vn).

Site key "tienphong"; registered with the others in pipeline.extract.quirks (OUTLETS)."""

from __future__ import annotations

from pipeline.extract.quirks.base import CmsArticle


class TienPhong(CmsArticle):  # the shared CMS: body, sapo, prune from CmsArticle
    # [3p "ok"] h1.article__title, div.article__sapo, div.article__body; sapo prefix "TPO - ".
    key = "tienphong"
    markers = ()  # found by host; the family's markers belong to CmsArticle
    hosts = ("tienphong.vn",)
    site_names = ("Tiền Phong", "Báo Tiền Phong", "TPO", "tienphong.vn")
