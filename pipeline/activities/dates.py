"""Event dates in Vietnamese press text, resolved against the publication date.

``event_date(sentence, published) -> str | None`` reads the first date expression of a sentence
that names an event ("Sáng 12/11", "ngày 3-4/6", "Trong 2 ngày 28 và 29-11", "từ ngày 30-3 đến
ngày 4-4", "ngày 27/2/2020", "sáng nay", "hôm qua", "tuần qua") and returns it as ISO
``YYYY-MM-DD``, or None when the sentence says no date, or when no year can be known (no year in
the text and no publication date). Multi-day events give their first day. A day-month without a
year takes the publication year; a month more than two months after the publication month is
taken from the year before ("ngày 29/12" in a January article). Anniversary spans in parentheses
("(22/12/1992 – 22/12/2022)") and datelines ("Thứ Năm, 28/09/2023 15:00:00") are skipped.

Relative forms: "hôm nay", "sáng nay", "chiều nay", "tối nay" = the publication day; "hôm qua",
"tối qua", "sáng qua" = the day before; "tuần qua", "tuần trước" = seven days before (the start of
the past week); "tháng trước" is too vague and gives None. The publication day is the day in
Vietnam time (an article stamped 20:00 UTC was published the next day there).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from config import vn_datetime

__all__ = ["event_date", "parse_published", "published_warning"]

_DAY = r"(\d{1,2})"
_SEP = r"\s*[/\-.]\s*"
# "28 và 29-11", "3-4/6", "17-21/2", "14 đến 20-9", "30-3 đến ngày 4-4" (the first day is read)
_RANGE_FIRST = re.compile(
    r"(?<![\d/.\-])" + _DAY + r"\s*(?:-|–|và|đến|tới|,)\s*(?:ngày\s+)?\d{1,2}" + _SEP + r"(\d{1,2})"
    r"(?:" + _SEP + r"(\d{4}))?(?![\d/\-]*\d)")
_SINGLE = re.compile(r"(?<![\d/.\-])" + _DAY + _SEP + r"(\d{1,2})(?:" + _SEP + r"(\d{4}))?(?![\d/])(?!\s*-\s*\d)")
_DAY_MONTH_WORDS = re.compile(r"(?<!\d)" + _DAY + r"\s+tháng\s+(\d{1,2})(?:\s+năm\s+(\d{4}))?", re.I)
_CUE = re.compile(r"(?:^|\b)(?:sáng|chiều|trưa|tối|đêm|ngày|hôm|từ|trong|vào|đến)\b", re.I)
_RELATIVE = [
    (re.compile(r"\b(?:hôm nay|sáng nay|chiều nay|trưa nay|tối nay|ngày hôm nay)\b", re.I), 0),
    (re.compile(r"\b(?:hôm qua|tối qua|sáng qua|chiều qua|ngày hôm qua)\b", re.I), -1),
    (re.compile(r"\b(?:tuần qua|tuần trước)\b", re.I), -7),
]
_MAYBE = re.compile(r"\d|nay|qua|trước")
_PAREN = re.compile(r"\([^()]*\)")
_CLOCK_AFTER = re.compile(r"^\s*(?:\d{4}\s*)?[,|-]?\s*\d{1,2}[:h]\d{2}")
_WEEKDAY_BEFORE = re.compile(r"(?:Thứ\s+\w+|Chủ nhật|Cập nhật|Đăng)\s*,?\s*(?:ngày\s*)?$", re.I)


_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)")


def parse_published(published: str | None) -> tuple[int | None, date | None]:
    """The publication year and day, in Vietnam time (``config.VN_TZ``), from an ISO date or datetime
    ("2025-03-30", "2025-03-30T08:00:00+07:00", "2025-12-02T20:00:00Z" = 3 December in Vietnam; a
    time without an offset is Vietnam time), a Vietnamese day-month-year ("03/12/2025",
    "3-12-2025 15:30", "Thứ Tư, 03/12/2025 - 15:30"), or only "YYYY" / "YYYY-MM" (year, no day).
    (None, None) when absent or unreadable (``published_warning`` says so)."""
    if not published or not isinstance(published, str):
        return None, None
    s = published.strip()
    dt = vn_datetime(s)
    if dt is not None:
        return dt.year, dt.date()
    m = _DMY.search(s)
    if m:
        try:
            d = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            return d.year, d
        except ValueError:
            return None, None
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?", s)
    if m and 1900 <= int(m.group(1)) <= 2100:
        return int(m.group(1)), None
    return None, None


def published_warning(published: Any) -> str | None:
    """None when ``published`` is absent (None or "") or readable by ``parse_published``; else a
    sentence naming the value, for the output line of ``presswatch classify`` (relative dates and
    dates without a year are then left null, never resolved against another day)."""
    if published is None or published == "":
        return None
    if not isinstance(published, str):
        return f"published must be a string, got {type(published).__name__}: dates without a year left null"
    if parse_published(published) == (None, None):
        return (f"published {published[:40]!r} not understood (ISO 8601 or dd/mm/yyyy expected): "
                "relative dates and dates without a year left null")
    return None


def _resolve(d: int, m: int, y: int | None, pub_year: int | None, pub_day: date | None) -> str | None:
    if not (1 <= d <= 31 and 1 <= m <= 12):
        return None
    if y is None:
        if pub_year is None:
            return None
        y = pub_year
        if pub_day is not None and m > pub_day.month + 2:
            y -= 1
    if not 1900 <= y <= 2100:
        return None
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _masked(sentence: str) -> str:
    """The sentence with parenthesised spans blanked (same length: offsets stay valid)."""
    return _PAREN.sub(lambda mt: " " * len(mt.group()), sentence)


def event_date(sentence: str, published: str | None) -> str | None:
    """The event date a sentence states (see the module docstring), ISO ``YYYY-MM-DD`` or None.
    ``published``: the article's publication date (ISO; may be only "YYYY" or "YYYY-MM") or None."""
    if not _MAYBE.search(sentence):
        return None
    pub_year, pub_day = parse_published(published)
    text = _masked(sentence)
    found: list[tuple[int, str | None]] = []
    for rx in (_RANGE_FIRST, _SINGLE, _DAY_MONTH_WORDS):
        for mt in rx.finditer(text):
            before = text[max(0, mt.start() - 30):mt.start()]
            if _CLOCK_AFTER.match(text[mt.end():mt.end() + 12]) or _WEEKDAY_BEFORE.search(before):
                continue  # a dateline, not the event
            y = int(mt.group(3)) if mt.group(3) else None
            if y is not None and pub_year is not None and abs(y - pub_year) > 1:
                continue  # a historical date ("năm 1992"), not this event
            iso = _resolve(int(mt.group(1)), int(mt.group(2)), y, pub_year, pub_day)
            if iso is not None or y is None:
                found.append((mt.start(), iso))
    for rx, delta in _RELATIVE:
        rel = rx.search(text)
        if rel:
            found.append((rel.start(), (pub_day + timedelta(days=delta)).isoformat() if pub_day else None))
    if not found:
        return None
    found.sort(key=lambda f: f[0])
    return found[0][1]
