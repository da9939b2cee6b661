"""The storage key after download: the page's own canonical link (rel=canonical, og:url) when it is an
article URL of the same site, else the canonical form of the fetched URL."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from pipeline.urls import canonical_url

# -- canonical URLs from the page -------------------------------------------------------------
_LINK_TAG = re.compile(rb"<(link|meta)\b[^>]*>", re.I)
_ATTR = re.compile(rb"""([a-zA-Z:_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def find_canonical_link(html: bytes | str) -> str | None:
    """``<link rel=canonical href>``, else ``<meta property=og:url content>``, from the page head."""
    body = html.encode("utf-8", "replace") if isinstance(html, str) else html
    head = body[:200_000]
    end = head.lower().find(b"</head>")
    if end > 0:
        head = head[:end]
    og = None
    for m in _LINK_TAG.finditer(head):
        attrs = {k.lower(): (v1 or v2 or v3) for k, v1, v2, v3 in _ATTR.findall(m.group(0))}
        if m.group(1).lower() == b"link" and b"canonical" in attrs.get(b"rel", b"").lower().split():
            href = attrs.get(b"href", b"").strip()
            if href:
                return href.decode("utf-8", "replace")
        if m.group(1).lower() == b"meta" and attrs.get(b"property", b"").lower() == b"og:url" and og is None:
            og = attrs.get(b"content", b"").strip().decode("utf-8", "replace") or None
    return og


def canonical_from_page(url: str, canonical_link: str | None, spec: Any = None) -> str:
    """The storage key after download: the page's canonical link (``rel=canonical`` / ``og:url``)
    when it is an article URL of the same site, else the canonical form of ``url``."""
    own = canonical_url(url, spec if spec is not None else ())
    if not canonical_link:
        return own
    link = canonical_url(urljoin(url, canonical_link.strip()), spec if spec is not None else ())
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or parts.path in ("", "/"):
        return own
    if spec is not None:
        return link if spec.is_article_url(link) else own
    host, own_host = (parts.hostname or ""), (urlsplit(own).hostname or "")
    def base(h: str) -> str:
        return ".".join(h.split(".")[-2:])
    return link if host and base(host) == base(own_host) else own
