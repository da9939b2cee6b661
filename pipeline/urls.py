"""Canonical article URLs: the unique key in the database and the key of the "already stored" check.

courlan does the generic work (scheme/host case, default ports, fragments, tracking parameters);
a site spec adds its own parameters to drop (``strip_params``). Session ids in the path
(``;jsessionid=…``) are dropped, as are print/AMP variants' markers where a site declares them.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

_SESSION = re.compile(r";(jsessionid|sessionid|phpsessid|sid)=[^/?#]*", re.I)
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|zarsrc|gidzl|_ga|mc_cid|mc_eid|ref|rss|from)$", re.I)


def canonical_url(url: str, strip_params: tuple[str, ...] | list[str] = ()) -> str:
    """A stable form of an article URL. Never raises: an unparseable URL is returned stripped."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            return url
        path = _SESSION.sub("", parts.path) or "/"
        drop = {p.lower() for p in strip_params}
        query = urlencode(
            [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in drop and not _TRACKING.match(k)]
        )
        netloc = parts.netloc.lower()
        if netloc.endswith(":80") and parts.scheme.lower() == "http":
            netloc = netloc[:-3]
        elif netloc.endswith(":443") and parts.scheme.lower() == "https":
            netloc = netloc[:-4]
        url = urlunsplit((parts.scheme.lower(), netloc, path, query, ""))
        return normalize_url(url, strict=False, trailing_slash=True)
    except ValueError:
        return url
