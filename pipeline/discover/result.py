"""What a discovery found (``Discovery``), how it merges under a site block (``effective``), and the
ready TOML block ``presswatch sites discover`` prints (``toml_block``)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from config import SiteSpec

__all__ = ["Discovery", "FetchError", "Page", "Fetcher", "effective", "toml_block", "DISCOVERED_FIELDS"]

# the SiteSpec fields discovery may fill (never one the block gave)
DISCOVERED_FIELDS = ("domains", "feeds", "sitemaps", "sections", "article_pattern")


class FetchError(OSError):
    """A discovery request that was not made or failed; str() says why (refused, robots.txt, budget…)."""


class BudgetExhausted(FetchError):
    """The discovery's request budget is spent."""


@dataclass
class Page:
    url: str  # the final URL (after on-site redirects)
    status: int
    headers: dict[str, str]
    body: bytes


class Fetcher(Protocol):
    """What discovery needs from the network (pipeline/run/discover.py ``PoliteFetcher``)."""

    requests: int

    def get(self, url: str) -> Page:
        """One GET; raises FetchError (refused by the guards or robots.txt, budget spent, network)."""
        ...

    def robots(self) -> str | None:
        """The site's robots.txt text (fetched once), None when it has none."""
        ...


@dataclass
class Discovery:
    home: str
    domains: tuple[str, ...]
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    article_pattern: str | None = None
    samples_tried: int = 0
    samples_ok: int = 0
    sample_urls: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was found where, and why it was kept or not
    error: str | None = None  # set when nothing usable was found
    requests: int = 0
    seconds: float = 0.0
    trigger: str = "manual"

    @property
    def ok(self) -> bool:
        return self.error is None

    def note(self, text: str) -> None:
        self.notes.append(text)

    def fields(self) -> dict[str, Any]:
        """The discovered SiteSpec fields that have a value."""
        out: dict[str, Any] = {"domains": tuple(self.domains)}
        for name in ("feeds", "sitemaps", "sections"):
            if getattr(self, name):
                out[name] = tuple(getattr(self, name))
        if self.article_pattern:
            out["article_pattern"] = self.article_pattern
        return out

    def to_row(self) -> dict[str, Any]:
        """The ``discoveries`` columns (db/discovery.py)."""
        return {"home": self.home, "status": "ok" if self.ok else "failed", "trigger": self.trigger,
                "requests": self.requests, "seconds": round(self.seconds, 3),
                "domains": json.dumps(list(self.domains)), "feeds": json.dumps(self.feeds),
                "sitemaps": json.dumps(self.sitemaps), "sections": json.dumps(self.sections),
                "article_pattern": self.article_pattern, "samples_tried": self.samples_tried,
                "samples_ok": self.samples_ok, "notes": json.dumps(self.notes, ensure_ascii=False),
                "error": self.error}

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Discovery:
        def js(name: str) -> list[Any]:
            return list(json.loads(row.get(name) or "[]"))

        return cls(home=row["home"], domains=tuple(js("domains")), feeds=js("feeds"), sitemaps=js("sitemaps"),
                   sections=js("sections"), article_pattern=row.get("article_pattern"),
                   samples_tried=row.get("samples_tried") or 0, samples_ok=row.get("samples_ok") or 0,
                   notes=js("notes"), error=row.get("error"), requests=row.get("requests") or 0,
                   seconds=row.get("seconds") or 0.0, trigger=row.get("trigger") or "")


def effective(spec: SiteSpec, found: Discovery | None) -> SiteSpec:
    """The spec a pass uses: discovered fields merged under the ones the block gave (those always win).
    Without a (successful) discovery the spec is returned as it is."""
    if found is None or not found.ok:
        return spec
    given = spec.given
    changes = {k: v for k, v in found.fields().items() if k not in given}
    if not changes:
        return spec
    return dataclasses.replace(spec, **changes)


def _toml_str(s: str) -> str:
    if "'" not in s and "\n" not in s:
        return f"'{s}'"
    return json.dumps(s, ensure_ascii=False)


def _toml_list(xs: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(_toml_str(x) for x in xs) + "]"


def toml_block(key: str, name: str, found: Discovery) -> str:
    """A ``[sites.KEY]`` block with the discovered fields, commented with what was found where."""
    lines = [f"# discovered from {found.home} in {found.requests} request(s), {found.seconds:.1f} s"]
    lines += [f"#   {n}" for n in found.notes]
    if found.samples_tried:
        lines.append(f"#   {found.samples_ok} of {found.samples_tried} sample article(s) extracted right")
    lines.append(f"[sites.{key}]")
    lines.append(f"name = {json.dumps(name, ensure_ascii=False)}")
    lines.append(f"home = {_toml_str(found.home)}")
    lines.append(f"domains = {_toml_list(found.domains)}")
    for fld in ("feeds", "sitemaps", "sections"):
        if getattr(found, fld):
            lines.append(f"{fld} = {_toml_list(getattr(found, fld))}")
    if found.article_pattern:
        lines.append(f"article_pattern = {_toml_str(found.article_pattern)}")
    return "\n".join(lines) + "\n"
