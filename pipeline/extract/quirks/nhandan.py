"""Extraction quirk of Nhân Dân (nhandan.vn).

Site key "nhandan"; registered with the others in pipeline.extract.quirks (OUTLETS)."""

from __future__ import annotations

from pipeline.extract.quirks.base import Quirk


class NhanDan(Quirk):
    key = "nhandan"
    hosts = ("nhandan.vn", "nhandan.com.vn")
    author = ("//*[contains(@class,'article__author')]",)
    site_names = ("Báo Nhân Dân điện tử", "Nhân Dân", "Báo Nhân Dân", "nhandan.vn")
