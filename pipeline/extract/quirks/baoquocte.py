"""Extraction quirk of Báo Thế giới và Việt Nam (baoquocte.vn).

Site key "baoquocte"; registered with the others in pipeline.extract.quirks (OUTLETS)."""

from __future__ import annotations

import re
from typing import Any

from pipeline.extract.quirks.base import Quirk

_FOLLOW = re.compile(r"^Theo dõi (?:Baoquocte\.vn|TGVN|Báo Thế giới)", re.I)


class BaoQuocTe(Quirk):
    # [3p] byline is the first line after the title, then "Theo dõi Baoquocte.vn trên" / "Theo dõi TGVN trên".
    key = "baoquocte"
    hosts = ("baoquocte.vn",)
    junk_lines = (r"^Theo dõi (?:Baoquocte\.vn|TGVN)\b",)
    site_names = ("Báo Thế giới và Việt Nam", "TG&VN", "TGVN", "baoquocte.vn", "Báo Quốc tế")

    def lines(self, lines: list[str], meta: dict[str, Any]) -> list[str]:
        byline, rest = self.byline_before_follow(lines)
        if byline is None:
            return lines
        if not meta.get("author"):
            meta["author"] = byline
        return rest

    @staticmethod
    def byline_before_follow(lines: list[str]) -> tuple[str | None, list[str]]:
        """('Name', rest) when the first lines are a short byline then a 'Theo dõi … trên' line."""
        if (
            len(lines) >= 2
            and _FOLLOW.search(lines[1])
            and len(lines[0]) <= 60
            and not lines[0].endswith(".")
        ):
            return lines[0], lines[2:]
        return None, lines
