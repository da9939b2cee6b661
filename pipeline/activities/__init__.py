"""Local foreign-affairs activities read from an article: đoàn vào, đoàn ra, agreements signed,
international events, promotion abroad, aid, overseas Vietnamese — who, where, when.

Rule-based and deterministic: sentences are matched against the gazetteer and the country lexicon
(``pipeline.relevance.load_lexicon()``, read-only) and the Vietnamese trigger phrases of
``pipeline.activities.rules``; dates are read by ``pipeline.activities.dates`` (relative ones
against the publication day in Vietnam time), sentences by ``pipeline.activities.sentences``,
leaders and venues (in any letter case) by ``pipeline.activities.spans``; ``extract`` cuts them
into activities and sets their direction (đoàn ra when the Vietnamese side goes abroad).

``extract_activities(article, published=None, lexicon=None) -> list[Activity]``: the activities an
article (an Article, or a mapping with title, description, text, published) reports; [] when it
reports none (no Vietnamese local actor, no foreign partner or no trigger phrase in one place).
``acting_localities(activities)``: the localities that act, in order. ``Activity.to_dict()`` gives
exactly kind, date, locality, partner_countries, partners, leaders, venue, evidence — the keys of
``presswatch classify``'s "activities" and of the ``activities`` table (db/activities.py).
"""

from __future__ import annotations

import logging
from typing import Any

from pipeline.activities.extract import Activity, acting_localities, extract_activities
from pipeline.activities.rules import KINDS

__all__ = ["Activity", "KINDS", "extract_activities", "acting_localities", "activity_records", "classify_activities"]

log = logging.getLogger(__name__)


def activity_records(article: Any) -> list[dict[str, Any]]:
    """The activities of a scored Article as dicts for storage (``Activity.to_dict()`` plus
    ``locality_unit`` and ``completeness``); [] when the article is not relevant (or not scored).
    Never raises: an article the extractor fails on is logged (with its URL) and gets []."""
    rel = getattr(article, "relevance", None)
    if rel is None or not rel.relevant:
        return []
    try:
        acts = extract_activities(article, relevant=True)
    except Exception as e:  # one odd article must not stop a crawl: logged, no activities
        log.warning("activities: skipped %s: %s: %s", getattr(article, "url", "?"), type(e).__name__, e)
        return []
    return [a.to_dict() | {"locality_unit": a.locality_unit, "completeness": a.completeness()} for a in acts]


def classify_activities(obj: dict[str, Any], relevant: bool) -> list[dict[str, Any]]:
    """The "activities" of one ``presswatch classify`` line: ``obj`` the input object (title, text,
    description, optional "published" ISO date), ``relevant`` the relevance verdict (False gives []).
    Raises ``TypeError`` for a field that is not a string."""
    return [a.to_dict() for a in extract_activities(obj, relevant=relevant)]
