"""Extraction quirk of Đảng Cộng sản Việt Nam (dangcongsan.vn).

Site key "dangcongsan"; registered with the others in pipeline.extract.quirks (OUTLETS)."""

from __future__ import annotations

from pipeline.extract.quirks.base import Quirk, _cls


class DangCongSan(Quirk):
    key = "dangcongsan"
    hosts = ("dangcongsan.vn",)
    author = (f"//*[{_cls('author')}]",)
    site_names = ("ĐCSVN", "Báo Điện tử Đảng Cộng sản Việt Nam", "dangcongsan.vn")
