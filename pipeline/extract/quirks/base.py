"""The Quirk base class and the registry (site key -> quirk, host -> quirk).

Kept apart from the package's ``__init__`` so that the outlet modules (dantri.py, vnexpress.py, ...)
can import ``Quirk`` without importing the package that imports them. ``register(key)`` adds a
Quirk subclass under a site key and its hosts; pipeline.extract.quirks registers every outlet from
its explicit list, so the registry never depends on which modules happen to have been imported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

__all__ = ["Quirk", "register", "REGISTRY"]


def _cls(name: str) -> str:
    """XPath predicate: the class attribute contains ``name`` (a substring test: cheap, and the names
    used here are distinctive enough)."""
    return f"contains(@class, '{name}')"


class Quirk:
    key: ClassVar[str] = ""
    hosts: ClassVar[tuple[str, ...]] = ()
    body: ClassVar[tuple[str, ...]] = ()  # XPaths of the article body container (first match wins)
    title: ClassVar[tuple[str, ...]] = ()  # XPaths of the headline element
    sapo: ClassVar[tuple[str, ...]] = ()  # XPaths of the lead
    author: ClassVar[tuple[str, ...]] = ()  # XPaths of byline elements (the last non-empty match wins)
    prune: ClassVar[tuple[str, ...]] = ()  # XPaths removed before extraction
    junk_lines: ClassVar[tuple[str, ...]] = ()  # regexes; a matching output line is dropped
    site_names: ClassVar[tuple[str, ...]] = ()  # never an author
    # XPaths that recognise the site's pages when neither the site spec nor the URL host says which
    # site it is (a saved file, a mirror, a loopback copy): any match selects the quirk.
    markers: ClassVar[tuple[str, ...]] = ()
    # og:title is the site's own headline (not truncated, no suffix): take it first.
    prefer_og_title: ClassVar[bool] = False
    # Order of date sources; the URL timestamp first where it is the site's canonical publish time.
    date_order: ClassVar[tuple[str, ...]] = ("jsonld", "meta", "url")

    def lines(self, lines: list[str], meta: dict[str, Any]) -> list[str]:
        """First hook on the body lines (before the generic filters); may set meta['author']."""
        return lines


REGISTRY: dict[str, Quirk] = {}
_BY_HOST: dict[str, Quirk] = {}

Q = TypeVar("Q", bound=type[Quirk])


def register(key: str) -> Callable[[Q], Q]:
    """Class decorator: register a Quirk subclass under a site key (and its hosts)."""

    def deco(cls: Q) -> Q:
        inst = cls()
        cls.key = key
        REGISTRY[key] = inst
        for h in cls.hosts:
            _BY_HOST[h.lower()] = inst
        return cls

    return deco
