"""Cheap page-type checks that run before extraction: is this response an anti-bot/challenge page?

``redirect_stub_reason(tree, url)`` names the original of a page that has no article body but points
to one (an aggregator's redirect stub such as Báo Mới's ``/content/redirect``); pipeline.extract asks it
only when the body came out empty or too short, and rejects the page with that reason (the original
is on another outlet: it is not followed).

``challenge_reason`` looks only at the first few KB of the body, the headers and the status, so the
spider can call it on every response (feeds and sitemaps included) and mark a site "blocked" instead
of storing an interstitial as an article. ``pipeline.extract`` calls it too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["challenge_reason", "redirect_stub_reason", "SNIFF_BYTES"]

SNIFF_BYTES = 16_384  # how much of the body is looked at
_SMALL = 12_000  # a challenge interstitial is a tiny page; real articles are 50-300 KB

# Cloudrity WAF (laodong.vn, npt.com.vn): document.cookie="D1N=<32 hex>"; ... location.reload(true)
_D1N = re.compile(rb"""document\.cookie\s*=\s*["']?\s*D1N=""", re.I)
_JS_COOKIE = re.compile(rb"document\.cookie\s*=", re.I)
_JS_RELOAD = re.compile(
    rb"location\.reload\s*\(|location(?:\.href)?\s*=[^=]|location\.replace\s*\(|location\.assign\s*\(",
    re.I,
)
_CLOUDFLARE = re.compile(
    rb"<title>\s*(?:just a moment|attention required|one more step)|cf-chl|cf_chl_|challenge-platform"
    rb"|cf-browser-verification|__cf_chl",
    re.I,
)
_CAPTCHA = re.compile(rb"g-recaptcha|h-captcha|hcaptcha\.com|captcha-delivery|geo\.captcha|turnstile", re.I)
_CAPTCHA_TITLE = re.compile(rb"<title>[^<]{0,80}(?:captcha|robot|verify you are human|x\xc3\xa1c minh)", re.I)
_WAF_TEXT = re.compile(
    rb"<title>\s*(?:access denied|403 forbidden|forbidden|request rejected|too many requests|"
    rb"pardon our interruption|blocked)"
    rb"|request unsuccessful\. incapsula|_incapsula_resource|the requested url was rejected",
    re.I,
)
_XML_FEED = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|urlset|sitemapindex|rdf:RDF)\b", re.I | re.S
)
_TEXT_TAGS = re.compile(rb"<(?:p|article|h1|h2)\b", re.I)


def _header(headers: Mapping[str, str] | None, name: str) -> str:
    if not headers:
        return ""
    for k, v in headers.items():
        if str(k).lower() == name:
            return str(v)
    return ""


def challenge_reason(
    body: bytes | str | None, headers: Mapping[str, str] | None = None, status: int | None = None
) -> str | None:
    """Why this response is an anti-bot/challenge/blocked page, or None when it looks like content.

    Recognised: the Cloudrity "D1N" cookie interstitial, other tiny pages that set a cookie from
    JavaScript and reload, Cloudflare challenges ("Just a moment...", cf-chl), captcha pages, WAF
    "access denied" pages and 403/429 responses.
    """
    if body is None:
        body = b""
    if isinstance(body, str):
        body = body.encode("utf-8", "replace")
    head = body[:SNIFF_BYTES]
    size = len(body)
    server = _header(headers, "server").lower()
    small = size < _SMALL

    if _XML_FEED.match(head[:2048]) and status in (None, 200, 203, 304):
        return None  # a feed or sitemap: never a challenge page by itself
    low = head.lower()  # cheap substring tests first: real pages are 100+ KB
    if b"d1n=" in low and _D1N.search(head):
        return "challenge page (Cloudrity D1N cookie)"
    if "cloudrity" in server and (small or status in (403, 429, 503)):
        return "challenge page (Cloudrity)"
    if (
        small
        and b"document.cookie" in low
        and _JS_COOKIE.search(head)
        and _JS_RELOAD.search(head)
        and len(_TEXT_TAGS.findall(head)) < 3
    ):
        return "challenge page (JavaScript cookie and reload)"
    if (small or status in (403, 429, 503) or "cloudflare" in server) and _CLOUDFLARE.search(head):
        return "challenge page (Cloudflare)"
    if (b"captcha" in low or b"robot" in low or b"human" in low or b"x\xc3\xa1c minh" in low) and (
        _CAPTCHA_TITLE.search(head) or (small and _CAPTCHA.search(head))
    ):
        return "captcha page"
    if status == 429:
        return "HTTP 429 (too many requests)"
    if status == 403:
        return "HTTP 403 (forbidden)"
    if small and _WAF_TEXT.search(head):
        return "blocked page (access denied)"
    if status == 503 and small and _JS_COOKIE.search(head):
        return "challenge page (HTTP 503 with JavaScript cookie)"
    return None


_ORIGINAL_JSON = re.compile(r'"(?:originalUrl|original_url|sourceUrl|redirectUrl)"\s*:\s*"(https?:[^"\s]{8,500})"')
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\"\s>]+)", re.I)
_JS_LOCATION = re.compile(r"location(?:\.href)?\s*=\s*['\"](https?://[^'\"\s]{8,500})['\"]|"
                          r"location\.(?:replace|assign)\(\s*['\"](https?://[^'\"\s]{8,500})['\"]")


def redirect_stub_reason(tree: Any, url: str) -> str | None:
    """"redirect stub (no article body): the article is at URL" for a page without a body that names
    another page as the article (an ``originalUrl`` in its JSON data, a meta refresh or a script
    location to another URL); None otherwise. ``tree``: the parsed page (lxml)."""
    from urllib.parse import urljoin

    def other(u: str) -> str | None:
        u = urljoin(url, u.replace("\\/", "/").strip())
        return u if u.split("#")[0].rstrip("/") != url.split("#")[0].rstrip("/") else None

    found = None
    for script in tree.iter("script"):
        t = script.text or ""
        m = _ORIGINAL_JSON.search(t) if "rl\"" in t else None
        if m:
            found = other(m.group(1))
            if found:
                break
    if not found:
        for meta in tree.iter("meta"):
            if (meta.get("http-equiv") or "").lower() == "refresh":
                m = _REFRESH_URL.search(meta.get("content") or "")
                if m and (found := other(m.group(1))):
                    break
    if not found:
        for script in tree.iter("script"):
            m = _JS_LOCATION.search(script.text or "")
            if m and (found := other(m.group(1) or m.group(2))):
                break
    return f"redirect stub (no article body): the article is at {found}" if found else None
