"""The records that travel down the page path: an ``Article`` from extraction and the typed results
each later stage sets on it (``Relevance`` from scoring, ``DedupResult`` from deduplication).

Every field is a plain value (str, int, list, bytes), so an Article can be written to SQLite,
printed as JSON (``to_dict``) or sent between processes without Scrapy or a database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Relevance:
    """Scoring result (pipeline.relevance.score): a score in [0, 1], the verdict, and why."""

    score: float
    relevant: bool
    provinces: list[str] = field(default_factory=list)  # gazetteer spelling, as the article names them
    countries: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)  # {"kind", "term", "where", ...}
    units_2025: list[str] = field(default_factory=list)  # not stored: derived from provinces

    def to_dict(self) -> dict[str, Any]:
        """Exactly score, relevant, provinces, countries, evidence (what is stored and printed)."""
        return {
            "score": self.score,
            "relevant": self.relevant,
            "provinces": list(self.provinces),
            "countries": list(self.countries),
            "evidence": [dict(e) if isinstance(e, dict) else e for e in self.evidence],
        }


@dataclass
class DedupResult:
    """Deduplication result (pipeline.dedup.analyse), written with the article in one transaction.

    ``duplicate_of``: id of the earliest stored copy (then the article is not news for alerts);
    ``supersedes``: id of a stored shorter version this one replaces as its story's root;
    ``story_id``: the story (event) the article joins, None for a new story;
    ``minhash``/``bands``: the MinHash signature (bytes) and its LSH band hashes;
    ``story_keys``/``story_day``: the accent-folded name keys and the day (YYYY-MM-DD) stories match on;
    ``story_link``: why it joined its story (story_id, the stored report it matched, score, explanation).
    """

    minhash: bytes | None = None
    bands: list[int] = field(default_factory=list)
    duplicate_of: int | None = None
    duplicate_jaccard: float | None = None
    supersedes: int | None = None
    story_id: int | None = None
    story_keys: list[str] = field(default_factory=list)
    story_link: tuple[int, int, float, str] | None = None  # (story_id, linked_to, score, explanation)
    story_day: str | None = None
    story_merges: list[int] = field(default_factory=list)  # other stories of the same event, joined into story_id


@dataclass
class Article:
    url: str  # canonical URL (the unique key in the database)
    title: str
    text: str  # cleaned body, paragraphs separated by a blank line, normalised
    site: str | None = None  # site key from config/sites.toml
    published: str | None = None  # ISO 8601 with offset, e.g. 2025-10-22T19:25:52+07:00
    published_source: str | None = None  # jsonld | meta | url | htmldate
    author: str | None = None  # a person, never the outlet's name
    description: str | None = None  # the lead / sapo
    image: str | None = None
    language: str | None = None
    fetched_url: str | None = None  # the URL that was downloaded, when it differs
    canonical_link: str | None = None  # the page's own rel=canonical / og:url, as written
    jsonld_published: str | None = None  # JSON-LD datePublished when another source was preferred
    encoding: str | None = None  # the character encoding the page was decoded with
    # set by later stages
    relevance: Relevance | None = None
    dedup: DedupResult | None = None
    activities: list[dict[str, Any]] | None = None  # pipeline.activities.activity_records; None: not yet read
    id: int | None = None  # the row id once stored

    @property
    def duplicate_of(self) -> int | None:
        return self.dedup.duplicate_of if self.dedup else None

    @property
    def story_id(self) -> int | None:
        return self.dedup.story_id if self.dedup else None

    def to_dict(self) -> dict[str, Any]:
        """The extracted fields as JSON-ready values (bytes of the MinHash left out)."""
        d = asdict(self)
        for k in ("relevance", "dedup", "id"):  # stage results: only once a stage has set them
            if d[k] is None:
                del d[k]
        if d.get("dedup"):
            d["dedup"].pop("minhash", None)
        if not d["activities"]:  # only once some were found
            del d["activities"]
        return d
