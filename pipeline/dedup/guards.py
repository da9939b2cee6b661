"""Guards against false merges: is a near-copy the same article or a re-used template (dates far apart,
other numbers, same outlet with another title)? Also title similarity and the article's day."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pipeline.dedup.minhash import _words
from pipeline.dedup.settings import DedupConfig

_NUMBER = re.compile(r"\d+(?:[.,/:-]\d+)*")


def numbers(text: str) -> set[str]:
    """The numbers, dates and figures of a text ('3.11', '2025', '1,5'), separators unified."""
    return {re.sub(r"[.,/:-]", ".", n) for n in _NUMBER.findall(text or "")}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def title_similarity(a: str, b: str) -> float:
    """Jaccard of the accent-folded title words."""
    return _jaccard(set(_words(a)), set(_words(b)))


def _day(s: str | None) -> date | None:
    if not s or len(s) < 10:
        return None
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        return None


def article_day(published: str | None, fetched_at: str | None) -> str:
    d = _day(published) or _day(fetched_at) or date.today()
    return d.isoformat()


@dataclass
class Doc:
    """What the near-copy guards compare."""

    site: str | None
    title: str
    text: str
    published: str | None


def text_event_match(a: Doc, b: Doc, jaccard: float, cfg: DedupConfig) -> bool:
    """Given two texts whose estimated Jaccard passed the LSH threshold: one article (True) or a
    template re-used for another event (False)?

    - published further apart than ``max_days``: another event, unless a near-verbatim copy
      (``copy_threshold``) on another outlet (a content farm copying an old article);
    - the numbers and dates of the texts disagree (``min_numbers_jaccard``): another event;
    - the same outlet under a clearly different title, below ``copy_threshold``: another event."""
    if jaccard < cfg.threshold:
        return False
    da, db_ = _day(a.published), _day(b.published)
    far = da is not None and db_ is not None and abs((da - db_).days) > cfg.max_days
    same_site = bool(a.site) and a.site == b.site
    if far and (same_site or jaccard < cfg.copy_threshold):
        return False
    na, nb = numbers(a.title + " " + a.text), numbers(b.title + " " + b.text)
    if na and nb and _jaccard(na, nb) < cfg.min_numbers_jaccard:
        return False
    if same_site and jaccard < cfg.copy_threshold:
        return title_similarity(a.title, b.title) >= cfg.min_title_same_site
    return True
