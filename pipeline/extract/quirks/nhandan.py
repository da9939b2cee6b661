"""Extraction quirk of Nhân Dân (nhandan.vn).

Site key "nhandan"; registered with the others in pipeline.extract.quirks (OUTLETS)."""

from __future__ import annotations

from pipeline.extract.quirks.base import CmsArticle


class NhanDan(CmsArticle):  # the shared CMS: body, sapo, prune from CmsArticle
    key = "nhandan"
    markers = ()  # found by host; the family's markers belong to CmsArticle
    hosts = ("nhandan.vn", "nhandan.com.vn")
    site_names = ("Báo Nhân Dân điện tử", "Nhân Dân", "Báo Nhân Dân", "nhandan.vn")
