"""Extraction quirk of VOV (vov.vn).

Site key "vov"; registered with the others in pipeline.extract.quirks (OUTLETS)."""

from __future__ import annotations

from pipeline.extract.quirks.base import Quirk


class Vov(Quirk):
    key = "vov"
    hosts = ("vov.vn",)
    junk_lines = (r"^Mời quý độc giả theo dõi VOV\.VN",)
    site_names = ("VOV", "VOV.VN", "Đài Tiếng nói Việt Nam")
