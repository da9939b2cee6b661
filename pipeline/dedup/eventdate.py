"""Event dates read from a Vietnamese news text, relative to its publication day.

News reports date their event in the lead: "Sáng 12/11", "Ngày 30-3", "chiều 5-2", "ngày 3-4/6",
"từ ngày 11/6 đến 15/6/2024", "sáng nay", "hôm qua". ``event_dates`` turns those into calendar days:
a day/month without a year takes the publication year (the year before when that would put the event
more than ``ahead`` days after publication: a January report of 30/12); dates further than
``behind`` days before or ``ahead`` days after publication are history or plans, not the event
(anniversaries "22/12/1992", programmes "giai đoạn 2021-2025"). Pure functions.

``read_event_dates`` says which of those days is *the* event day: one named in a sentence of the
lead (title and first ``LEAD_SENTENCES`` sentences) that holds an activity trigger is *bound* (strong
evidence), preferably one of what happened (not a plan - "sẽ", "dự kiến" - and not after
publication) over the announced day of a coming event. Without one, the first day named is the
event day, unbound (weak): a registration deadline, a press conference told in the fourth paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

# a time-of-day or date word, then day(-day)/month(/year); the separator is "/", "-" or "."
_DM = re.compile(
    r"(?<!\w)(?:(?:sáng|chiều|trưa|tối|đêm|ngày|hôm|từ|đến|tới|vào)\s+(?:ngày\s+)?|(?<=[(,;]\s))"
    r"(\d{1,2})(?:\s*(?:[-–]|đến|tới)\s*(\d{1,2}))?\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?(?![\d/])",
    re.IGNORECASE,
)
_RELATIVE = re.compile(r"(?<!\w)(sáng|chiều|trưa|tối|đêm|hôm)\s+(nay|qua)(?!\w)", re.IGNORECASE)
_MAX_SPAN = 7  # a range "11-15/6" gives each of its days, up to this many
LEAD_SENTENCES = 3  # sentences of the text (after the title) that make the lead
# a sentence that plans or announces: its date is not the day of the reported event
_PLAN = re.compile(r"(?<!\w)(?:sẽ|dự kiến|kế hoạch|dự định|hạn chót|hạn cuối|hạn đăng ký|chuẩn bị cho)(?!\w)",
                   re.IGNORECASE)
# a sentence ends at a line break, or at . ! ? followed by space and a capital letter (or a quote)
_END = re.compile(r"\n+|[.!?…]+[\"”']?\s+")


def _day(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def event_dates(text: str, published: date, *, behind: int = 45, ahead: int = 45, limit: int = 6) -> list[date]:
    """The event days a text names, in order of first mention, at most ``limit``.

    ``text``: title and text (the lead matters most: only the first 1,500 characters are read);
    ``published``: the day the article appeared (Vietnam time). Returns distinct ``date`` values
    within [published - behind, published + ahead]; [] when the text names none."""
    return [d for _, d in _unique(_mentions(text[:1500], published, behind, ahead))][:limit]


def _unique(found: list[tuple[int, date]]) -> list[tuple[int, date]]:
    out: list[tuple[int, date]] = []
    seen: set[date] = set()
    for pos, d in sorted(found, key=lambda x: x[0]):
        if d not in seen:
            seen.add(d)
            out.append((pos, d))
    return out


def _mentions(head: str, published: date, behind: int, ahead: int) -> list[tuple[int, date]]:
    """(character offset, day) of every date expression of ``head`` within the window."""
    found: list[tuple[int, date]] = []
    for m in _RELATIVE.finditer(head):
        found.append((m.start(), published - timedelta(days=1) if m.group(2).lower() == "qua" else published))
    lo, hi = published - timedelta(days=behind), published + timedelta(days=ahead)
    for m in _DM.finditer(head):
        d1, d2, mo, yr = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
        if not 1 <= mo <= 12 or not 1 <= d1 <= 31:
            continue
        years = [int(yr)] if yr else [published.year, published.year - 1, published.year + 1]
        first = None
        for y in years:
            cand = _day(y, mo, d1)
            if cand is not None and lo <= cand <= hi:
                first = cand
                break
        if first is None:
            continue
        days = [first]
        if d2 is not None and d1 < int(d2) <= 31 and int(d2) - d1 < _MAX_SPAN:
            days += [first + timedelta(days=k) for k in range(1, int(d2) - d1 + 1)]
        found += [(m.start(), d) for d in days]
    return [(p, d) for p, d in found if lo <= d <= hi]


@dataclass(frozen=True)
class EventDates:
    """The event day of a report and the other days it names (``event`` None: it names none)."""

    event: date | None = None
    bound: bool = False  # read from a lead sentence with an activity trigger (strong evidence)
    others: list[date] = field(default_factory=list)

    def all(self) -> list[date]:
        return ([self.event] if self.event else []) + self.others


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text`` (line breaks and . ! ? before a capital)."""
    out, last = [], 0
    for m in _END.finditer(text):
        nxt = text[m.end():m.end() + 2].lstrip("\"“(")
        if m.group()[0] != "\n" and not nxt[:1].isupper():
            continue
        if m.start() > last:
            out.append((last, m.start()))
        last = m.end()
    if last < len(text):
        out.append((last, len(text)))
    return out


def read_event_dates(title: str, text: str, published: date, is_trigger: Callable[[str], bool], *,
                     behind: int = 45, ahead: int = 45, limit: int = 6) -> EventDates:
    """The event day of a report: the first day named in a lead sentence (the title, then the first
    ``LEAD_SENTENCES`` sentences of ``text``, a repeated title not counted) for which
    ``is_trigger(sentence)`` holds (``bound=True``): preferably one that is not a plan (``_PLAN``)
    and not after ``published`` + 1 day, else the first such day of a plan or a coming event; with
    no lead sentence of that kind, the first day the text names (``bound=False``). ``others``: the remaining
    days named, in order of first mention (at most ``limit`` in all). Reads the first 1,500 characters
    of title + text, like ``event_dates``."""
    head = f"{title}\n{text}"[:1500]
    found = _unique(_mentions(head, published, behind, ahead))
    if not found:
        return EventDates()
    title_end = len(title)
    bound: date | None = None  # the first bound day of a report of what happened
    planned: date | None = None  # else the first bound day of a plan or coming event
    n_text = 0
    for a, b in sentences(head):
        sent = head[a:b]
        if a > title_end:
            if sent.strip() == title.strip():
                continue
            n_text += 1
            if n_text > LEAD_SENTENCES:
                break
        days = [d for _, d in _mentions(sent, published, behind, ahead)]
        if not days or not is_trigger(sent):
            continue
        plan = bool(_PLAN.search(sent))
        done = [d for d in days if d <= published + timedelta(days=1)]
        if done and not plan:
            bound = done[0]
            break
        planned = planned or days[0]
    bound = bound or planned
    days = [d for _, d in found]
    event = bound if bound is not None else days[0]
    return EventDates(event, bound is not None, [d for d in days if d != event][: limit - 1])


def date_label(d: date) -> str:
    """'1/12' (day/month, the way Vietnamese news writes it)."""
    return f"{d.day}/{d.month}"
