"""Extraction quirk of Thanh Niên (thanhnien.vn).

Site key "thanhnien"; registered with the others in pipeline.extract.quirks (OUTLETS)."""

from __future__ import annotations

from pipeline.extract.quirks.base import Quirk
from pipeline.extract.quirks.tuoitre import TuoiTre


class ThanhNien(Quirk):
    # [3p "ok"] same family as Tuổi Trẻ; 18-digit URL IDs (185…) are not timestamps.
    key = "thanhnien"
    hosts = ("thanhnien.vn",)
    body = TuoiTre.body
    title = TuoiTre.title
    sapo = TuoiTre.sapo
    author = TuoiTre.author
    site_names = ("Thanh Niên", "Báo Thanh Niên", "thanhnien.vn")
