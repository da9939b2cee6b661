"""Canonical article URLs: the unique key in the database and the key of the "already stored" check.

courlan does the generic work (scheme/host case, default ports, fragments, tracking parameters);
a site spec adds its own rules:

- ``strip_params``: query parameters to drop;
- ``host_aliases``: hosts rewritten to ``canonical_host`` (``m.example.vn`` -> ``example.vn``);
- ``variant_patterns``: regexes whose matches are cut from the path (a site's print or AMP form).

Everywhere: session ids in the path (``;jsessionid=…``), known tracking parameters *by exact name*
(utm_*, fbclid, gclid, zarsrc, gidzl, _ga, mc_cid, mc_eid: nothing that merely looks like one, such
as ``ref`` or ``from``, which can be an article's identity on ASP.NET and government CMSes), AMP/print
query flags (``?amp``, ``?print=1``, ``?view=print``, ``?outputType=amp``) and an ``/amp/`` first or
last path segment are dropped. A query key without a value (``/tin.php?501``) is kept as written.
With a SiteSpec, a URL that matches the site's ``article_pattern`` never loses it: when the canonical
form would not match, the URL is kept as found (only scheme and host lower-cased, fragment cut).

``canonical_url`` takes a SiteSpec (all of its rules) or a bare ``strip_params`` sequence (no host
aliases, no variant patterns): pass the spec wherever a site is known. Nothing here keeps state
between calls.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol
from urllib.parse import quote_plus, unquote_plus, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

_SESSION = re.compile(r";(jsessionid|sessionid|phpsessid|sid)=[^/?#]*", re.I)
_TRACKING = re.compile(r"^(utm_(?:source|medium|campaign|term|content|id|name)|fbclid|gclid|zarsrc|gidzl|_ga|"
                       r"mc_cid|mc_eid)$", re.I)
# query flags that only select a rendering of the same article
_VARIANT_FLAGS = re.compile(r"^(amp|print|printpreview|printable|print_preview)$", re.I)
_VARIANT_VALUES = {("view", "print"), ("outputtype", "amp"), ("output", "amp"), ("layout", "print"),
                   ("format", "amp"), ("format", "print")}
# an /amp/ first segment (/amp/slug.html) or last segment (/slug.html/amp, /slug/amp/)
_AMP_PATH = (re.compile(r"^/amp(?=/.)", re.I), re.compile(r"(?<=.)/amp/?$", re.I))

class UrlRules(Protocol):
    """What canonicalisation reads of a site (config.SiteSpec has it)."""

    @property
    def domains(self) -> tuple[str, ...]: ...
    @property
    def strip_params(self) -> tuple[str, ...]: ...
    @property
    def host_aliases(self) -> tuple[str, ...]: ...
    @property
    def canonical_host(self) -> str | None: ...
    @property
    def variant_patterns(self) -> tuple[str, ...]: ...
    def is_article_url(self, url: str) -> bool: ...


def site_canonical_host(spec: UrlRules) -> str:
    """The host a site's aliases map to: ``canonical_host`` or the first domain that is no alias."""
    if getattr(spec, "canonical_host", None):
        return str(spec.canonical_host).lower()
    aliases = {h.lower() for h in getattr(spec, "host_aliases", ()) or ()}
    for d in spec.domains:
        if d.lower() not in aliases:
            return str(d).lower()
    return str(spec.domains[0]).lower()


def canonical_url(url: str, rules: UrlRules | Sequence[str] = ()) -> str:
    """A stable form of an article URL. ``rules`` is a SiteSpec or a sequence of query parameters
    to strip. Never raises: an unparseable URL is returned stripped. With a SiteSpec, a found URL
    that is an article URL of the site stays one (see the module docstring)."""
    url = (url or "").strip()
    canon = _canonical(url, rules)
    is_article = getattr(rules, "is_article_url", None)
    if callable(is_article) and canon != url:
        try:
            if is_article(url) and not is_article(canon):
                parts = urlsplit(url)
                return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))
        except ValueError:
            return canon
    return canon


def _canonical(url: str, rules: UrlRules | Sequence[str]) -> str:
    spec: UrlRules | None
    if isinstance(rules, str | Sequence):
        strip_params: Sequence[str] = rules if not isinstance(rules, str) else (rules,)
        spec = None
    else:
        spec = rules
        strip_params = spec.strip_params or ()
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            return url
        netloc = parts.netloc.lower()
        if netloc.endswith(":80") and parts.scheme.lower() == "http":
            netloc = netloc[:-3]
        elif netloc.endswith(":443") and parts.scheme.lower() == "https":
            netloc = netloc[:-4]
        host, sep, port = netloc.partition(":")
        if spec is not None:
            if host in {h.lower() for h in getattr(spec, "host_aliases", ()) or ()}:
                host = site_canonical_host(spec)
            patterns: tuple[re.Pattern[str], ...] = tuple(
                re.compile(p) for p in getattr(spec, "variant_patterns", ()) or ())
        else:
            patterns = ()
        netloc = host + sep + port
        path = _SESSION.sub("", parts.path)
        for rx in (*_AMP_PATH, *patterns):
            path = rx.sub("", path)
        path = path or "/"
        drop = {p.lower() for p in strip_params}
        kept = []
        for item in parts.query.split("&") if parts.query else []:
            if not item:
                continue
            k, eq, v = item.partition("=")
            kd, vd = unquote_plus(k), unquote_plus(v)
            if kd.lower() in drop or _TRACKING.match(kd) or _VARIANT_FLAGS.match(kd) \
                    or (kd.lower(), vd.lower()) in _VARIANT_VALUES:
                continue
            kept.append((kd, vd, bool(eq)))
        kept.sort(key=lambda t: (t[0], t[1]))
        query = "&".join(
            urlencode([(k, v)]) if has_eq else quote_plus(k, safe="/:,;@!$'()*") for k, v, has_eq in kept)
        url = urlunsplit((parts.scheme.lower(), netloc, path, "", ""))
        url = normalize_url(url, strict=False, trailing_slash=True)
        return f"{url}?{query}" if query else url
    except ValueError:
        return url
