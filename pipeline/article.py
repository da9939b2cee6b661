"""The article record that extraction produces and every later stage reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
