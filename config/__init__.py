"""Site specs: config/sites.toml (or a user's file of the same format) read and validated.

A spec is data: feeds, sitemaps, section pages, the regex an article URL must match, the
regexes never fetched, the polling interval. Validation names the site and the field at
fault and never lets a half-configured crawl start.

A block may be just ``name`` and ``home``: ``domains`` is then derived from the home page's host
(without ``www.``) and the rest is discovered before the site's first pass (pipeline/discover,
pipeline/run/discover.py). The keys a block gave are kept in ``spec.extra["given"]`` (a tuple):
explicit fields always win over discovered ones.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CONFIG_DIR = Path(__file__).resolve().parent
# Vietnam time (UTC+7, no daylight saving): the one time-zone constant of presswatch. A naive time
# read from a Vietnamese page is in it, and every time shown to a user is converted to it.
VN_TZ = timezone(timedelta(hours=7), "ICT")


def vn_datetime(iso: str | None, *, naive: tzinfo = VN_TZ) -> datetime | None:
    """An ISO 8601 time as an aware datetime in Vietnam time; ``naive``: the zone of a time written
    without an offset (Vietnam time for a page's date, UTC for presswatch's own ``utcnow()`` stamps).
    None for None, '' or text that is not ISO 8601 (never raises)."""
    if not iso:
        return None
    try:
        dt = datetime.fromisoformat(iso.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=naive)).astimezone(VN_TZ)
DEFAULT_SITES = CONFIG_DIR / "sites.toml"

__all__ = ["SiteSpec", "ConfigError", "load_sites", "home_domain", "parse_duration", "config_place", "CONFIG_DIR",
           "DEFAULT_SITES"]


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the file, site and field."""


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(value: str | int | float) -> float:
    """'15m' -> 900.0 seconds, '1w' -> 604800.0 (s, m, h, d, w); a bare number is seconds."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        if value <= 0:
            raise ValueError(f"duration must be positive: {value!r}")
        return float(value)
    m = _DURATION.match(str(value))
    if not m:
        raise ValueError(f"not a duration (use s, m, h, d or w, e.g. '15m', '1w'): {value!r}")
    seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if seconds <= 0:
        raise ValueError(f"duration must be positive: {value!r}")
    return seconds


@dataclass(frozen=True)
class SiteSpec:
    key: str
    name: str
    domains: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    article_pattern: str = r"."
    exclude: tuple[str, ...] = ()
    every: float = 900.0  # seconds
    min_every: float = 300.0
    max_every: float = 6 * 3600.0
    enabled: bool = True
    obey_robots: bool = True
    timeout: float = 600.0  # a crawl of this site is killed after this many seconds
    max_articles: int = 500  # article pages fetched per pass at most
    strip_params: tuple[str, ...] = ()  # query parameters dropped from article URLs
    quirk: str | None = None  # name of a registered extraction quirk (pipeline/extract/quirks/__init__.py)
    host_aliases: tuple[str, ...] = ()  # hosts of the same articles (m.example.vn) -> canonical_host
    canonical_host: str | None = None  # default: the first of domains that is no alias
    variant_patterns: tuple[str, ...] = ()  # regexes cut from article URL paths (print/AMP forms)
    home: str | None = None  # the outlet's home page: what discovery starts from
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def article_re(self) -> re.Pattern[str]:
        return re.compile(self.article_pattern)

    @property
    def exclude_res(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(x) for x in self.exclude)

    def allows_host(self, host: str | None) -> bool:
        host = (host or "").lower().split(":")[0]
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def is_article_url(self, url: str) -> bool:
        """On one of the site's hosts, matches article_pattern, matches no exclude."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not self.allows_host(parts.hostname):
            return False
        if any(r.search(url) for r in self.exclude_res):
            return False
        return bool(self.article_re.search(url))

    def is_excluded(self, url: str) -> bool:
        return any(r.search(url) for r in self.exclude_res)

    @property
    def given(self) -> frozenset[str]:
        """The keys the site's block gave explicitly (all fields for a spec built in code)."""
        return frozenset(self.extra.get("given", _ALL_GIVEN))

    def needs_discovery(self) -> bool:
        """True when the block has a ``home`` but leaves sources or ``article_pattern`` to discovery."""
        given = self.given
        has_source = bool({"feeds", "sitemaps", "sections"} & given and (self.feeds or self.sitemaps
                                                                           or self.sections))
        return bool(self.home) and not (has_source and "article_pattern" in given)


def home_domain(home: str) -> str:
    """The domain a home page stands for: its host, lower case, without a leading ``www.``."""
    host = (urlsplit(home).hostname or "").lower()
    return host[4:] if host.startswith("www.") and host.count(".") >= 2 else host


_ALL_GIVEN = frozenset({"name", "domains", "feeds", "sitemaps", "sections", "article_pattern", "home"})
_LIST_FIELDS = ("domains", "feeds", "sitemaps", "sections", "exclude", "strip_params", "host_aliases",
                "variant_patterns")
_DURATION_FIELDS = ("every", "min_every", "max_every", "timeout")
_KNOWN = set(_LIST_FIELDS) | set(_DURATION_FIELDS) | {
    "name", "article_pattern", "enabled", "obey_robots", "max_articles", "quirk", "notes", "canonical_host",
    "home",
}


def config_place(origin: str, kind: str, name: str | None, fld: str | None) -> str:
    """Where a config error is: "FILE: site 'dantri', field 'every'" (kind: site, subscription…)."""
    where = origin
    if name:
        where += f": {kind} '{name}'"
    if fld:
        where += f", field '{fld}'"
    return where


def _fail(origin: str, key: str | None, fld: str | None, msg: str) -> ConfigError:
    return ConfigError(f"{config_place(origin, 'site', key, fld)}: {msg}")


_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def check_block(origin: str, kind: str, table: str, name: str, block: Any, known: set[str],
                error: type[ConfigError] = ConfigError) -> dict[str, Any]:
    """The checks every ``[table.NAME]`` block of a config file gets (``kind``: "site",
    "subscription"; ``table``: "sites", "alerts"): a name of lower-case letters, digits, '-' and '_',
    a table, no unknown key. Returns the block; raises ``error`` (a ConfigError) naming the file,
    the block and the field."""
    def fail(fld: str | None, msg: str) -> ConfigError:
        return error(f"{config_place(origin, kind, name, fld)}: {msg}")

    if not _NAME.match(name):
        raise fail(None, f"{kind} names are lower-case letters, digits, '-' and '_'")
    if not isinstance(block, dict):
        raise fail(None, f"must be a table ([{table}.NAME])")
    unknown = sorted(set(block) - known)
    if unknown:
        raise fail(unknown[0], f"unknown key (known: {', '.join(sorted(known))})")
    return block


def _url_list(origin: str, key: str, fld: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise _fail(origin, key, fld, "must be a list of strings")
    if fld in ("feeds", "sitemaps", "sections"):
        for u in value:
            p = urlsplit(u)
            if p.scheme not in ("http", "https") or not p.netloc:
                raise _fail(origin, key, fld, f"not an http(s) URL: {u!r}")
    return tuple(value)


def _spec(origin: str, key: str, block: Any) -> SiteSpec:
    check_block(origin, "site", "sites", key, block, _KNOWN)
    kw: dict[str, Any] = {"key": key}
    name = block.get("name", key)
    if not isinstance(name, str) or not name.strip():
        raise _fail(origin, key, "name", "must be a non-empty string")
    kw["name"] = name
    for fld in _LIST_FIELDS:
        if fld in block:
            kw[fld] = _url_list(origin, key, fld, block[fld])
    home = block.get("home")
    if home is not None:
        p = urlsplit(home) if isinstance(home, str) else None
        if p is None or p.scheme not in ("http", "https") or not p.hostname:
            raise _fail(origin, key, "home", f"not an http(s) URL: {home!r}")
        kw["home"] = home
    domains = [d.lower().strip() for d in kw.get("domains", ())]
    if not domains and home is not None and "domains" not in block:
        domains = [home_domain(home)]
    if not domains or not all(domains):
        raise _fail(origin, key, "domains", "at least one host name is required (or give home)")
    kw["domains"] = tuple(domains)
    if not (kw.get("feeds") or kw.get("sitemaps") or kw.get("sections") or home):
        raise _fail(origin, key, None, "no source: give at least one of feeds, sitemaps, sections, "
                                       "or a home page to discover them from")
    on_site = {fld: kw.get(fld, ()) for fld in ("feeds", "sitemaps", "sections")}
    on_site["home"] = (home,) if home is not None else ()
    for fld, urls in on_site.items():
        for u in urls:
            host = urlsplit(u).hostname or ""
            if not any(host == d or host.endswith("." + d) for d in domains):
                raise _fail(origin, key, fld, f"{u!r} is not on the site's domains {domains}")
    for fld in ("article_pattern",):
        if fld in block:
            if not isinstance(block[fld], str):
                raise _fail(origin, key, fld, "must be a string (a regular expression)")
            kw[fld] = block[fld]
    if "host_aliases" in kw:
        kw["host_aliases"] = tuple(h.lower().strip() for h in kw["host_aliases"])
        for h in kw["host_aliases"]:
            if not h or not any(h == d or h.endswith("." + d) for d in domains):
                raise _fail(origin, key, "host_aliases", f"{h!r} is not on the site's domains {domains}")
    if "canonical_host" in block:
        ch = block["canonical_host"]
        if not isinstance(ch, str) or not any(ch.lower() == d or ch.lower().endswith("." + d)
                                              for d in domains):
            raise _fail(origin, key, "canonical_host", f"must be a host on the site's domains {domains}")
        kw["canonical_host"] = ch.lower()
    for pat_fld, pats in (("article_pattern", [kw.get("article_pattern", ".")]),
                          ("exclude", list(kw.get("exclude", ()))),
                          ("variant_patterns", list(kw.get("variant_patterns", ())))):
        for p in pats:
            try:
                re.compile(p)
            except re.error as e:
                raise _fail(origin, key, pat_fld, f"bad regular expression {p!r}: {e}") from None
    for fld in _DURATION_FIELDS:
        if fld in block:
            try:
                kw[fld] = parse_duration(block[fld])
            except ValueError as e:
                raise _fail(origin, key, fld, str(e)) from None
    if "every" in block:  # what the user wrote is what happens: an explicit every moves a default bound
        every = kw["every"]
        if "min_every" not in block:
            kw["min_every"] = min(SiteSpec.min_every, every)
        elif every < kw["min_every"]:
            raise _fail(origin, key, "every", f"{block['every']!r} is below min_every {block['min_every']!r}")
        if "max_every" not in block:
            kw["max_every"] = max(SiteSpec.max_every, every)
        elif every > kw["max_every"]:
            raise _fail(origin, key, "every", f"{block['every']!r} is above max_every {block['max_every']!r}")
    for fld in ("enabled", "obey_robots"):
        if fld in block:
            if not isinstance(block[fld], bool):
                raise _fail(origin, key, fld, "must be true or false")
            kw[fld] = block[fld]
    if "max_articles" in block:
        v = block["max_articles"]
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise _fail(origin, key, "max_articles", "must be a positive integer")
        kw["max_articles"] = v
    if "quirk" in block:
        if not isinstance(block["quirk"], str):
            raise _fail(origin, key, "quirk", "must be a string")
        kw["quirk"] = block["quirk"]
    # a sorted tuple, not a set: the spec travels as JSON to crawl workers (pipeline/run/jobs.py)
    kw["extra"] = {"given": tuple(sorted(set(block) - {"notes"}))}
    spec = SiteSpec(**kw)
    if spec.min_every > spec.max_every:
        raise _fail(origin, key, "min_every", "is larger than max_every")
    return spec


def read_tables(text: str, origin: str, *, kind: str, table: str, top_level: tuple[str, ...], duplicate: str,
                expected: str, error: type[ConfigError] = ConfigError) -> dict[str, Any]:
    """The parsed TOML of a config file of ``[table.NAME]`` blocks (sites, alerts), after the checks both
    kinds of file get: no block defined twice (TOML itself would only say "cannot declare"), valid TOML,
    no top-level key but ``top_level``. Raises ``error`` naming the file (and the block: ``kind``)."""
    header = re.compile(rf"^\s*\[\s*{re.escape(table)}\.([^\]\s]+)\s*\]\s*(?:#.*)?$", re.M)
    seen: set[str] = set()
    for m in header.finditer(text):
        k = m.group(1).strip("\"'")
        if k in seen:
            raise error(f"{config_place(origin, kind, k, None)}: {duplicate}")
        seen.add(k)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise error(f"{origin}: not valid TOML: {e}") from None
    unknown_top = sorted(set(data) - set(top_level))
    if unknown_top:
        raise error(f"{origin}: unknown top-level key '{unknown_top[0]}' ({expected})")
    return data


def parse_sites(text: str, origin: str = "<sites>") -> dict[str, SiteSpec]:
    """Validate the TOML text of a sites file (``origin`` names it in errors); raises ``ConfigError``."""
    data = read_tables(text, origin, kind="site", table="sites", top_level=("sites",),
                       duplicate="duplicate site key (defined twice)", expected="expected [sites.KEY] tables")
    sites = data.get("sites")
    if not isinstance(sites, dict) or not sites:
        raise ConfigError(f"{origin}: no sites defined (expected [sites.KEY] tables)")
    return {key: _spec(origin, key, block) for key, block in sites.items()}


def load_sites(path: str | Path | None = None) -> dict[str, SiteSpec]:
    """Read and validate a sites file (the bundled config/sites.toml when path is None)."""
    p = Path(path) if path else DEFAULT_SITES
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{p}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{p}: not UTF-8 text: {e}") from None
    return parse_sites(text, str(p))
