"""Downloader guards: the crawler only ever requests http(s) URLs on the domains of the site that
asked for them, never a private-range IP literal a site does not list, never follows a redirect
off the site or round a loop.

Two middlewares, because a request and a redirect must be stopped at different places:

- ``RequestGuard`` (process_request, before robots.txt and everything else, so nothing is sent):
  scheme must be http or https; the host must be on the requesting site's ``domains`` (any site's
  for requests without a site, e.g. robots.txt); an IP literal in a private, loopback,
  link-local, reserved or multicast range is refused unless that exact address is listed in the
  site's ``domains`` (the loopback fixture sites list 127.0.0.1). Numeric host forms that the
  resolver would read as an IP (``2130706433``, ``0x7f.1``, ``10.1``) are treated as IPs.
  Scrapy's own OffsiteMiddleware lets ``dont_filter`` requests (the start requests) and their
  redirects through: this one does not.
- ``RedirectGuard`` (process_response, registered above RedirectMiddleware so it sees the 3xx
  first): a redirect whose target the RequestGuard would refuse, or that points back to a URL of
  the same chain (a loop), fails the request with that reason instead of being followed. Without
  it a loop on an article page is silently swallowed by the duplicate filter.

Refusals raise ``IgnoreRequest`` with a human reason; the spider's errback records it per site.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.response import get_meta_refresh

log = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("http", "https")
_NUMERIC_HOST = re.compile(r"^[0-9a-fx.]+$", re.I)


class Refused(IgnoreRequest):
    """A request the guards will not send; str() is the reason."""


def ip_of(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address a host literal stands for (including inet_aton's short and hex forms), else None."""
    h = host.strip("[]").lower()
    try:
        return ipaddress.ip_address(h)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(h) and any(c.isdigit() for c in h):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(h))
        except (OSError, ValueError):
            return None
    return None


def is_private_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def refusal(url: str, domains: tuple[str, ...] | list[str]) -> str | None:
    """Why ``url`` must not be requested for a site with these ``domains``; None when it may be."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError as e:
        return f"unparseable URL ({e})"
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return f"scheme {parts.scheme or '(none)'!r} is not http(s)"
    if not host:
        return "no host name"
    ip = ip_of(host)
    if ip is not None and is_private_ip(ip):
        # only the exact spelling the site lists: 2130706433 or 0x7f.1 do not ride on a listed 127.0.0.1
        if host.strip("[]") not in {d.strip("[]").lower() for d in domains}:
            return f"private-range address {host} ({ip}) is not listed in the site's domains"
        return None
    if not any(host == d or host.endswith("." + d) for d in domains):
        return f"host {host} is not on the site's domains ({', '.join(domains)})"
    return None


def _domains_for(request: Request, spider: Any) -> list[str]:
    specs = getattr(spider, "specs", None) or {}
    site = request.meta.get("site")
    if site in specs:
        return list(specs[site].domains)
    return sorted({d for s in specs.values() for d in s.domains}) or list(getattr(spider, "allowed_domains", []))


class _Base:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> Any:
        return cls(crawler)

    def _refuse(self, request: Request, url: str, what: str) -> None:
        reason = refusal(url, _domains_for(request, self.crawler.spider))
        if reason:
            self.crawler.stats.inc_value("guards/refused")
            log.info("refused %s %s: %s", what, url, reason)
            raise Refused(f"refused {what} {url}: {reason}")


class RequestGuard(_Base):
    def process_request(self, request: Request) -> None:
        self._refuse(request, request.url, "request to")


class RedirectGuard(_Base):
    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("dont_redirect"):
            return response
        if response.status in (301, 302, 303, 307, 308) and "Location" in response.headers:
            raw = response.headers.get("Location") or b""
            location = raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)
            target = urljoin(request.url, location.strip())
        elif isinstance(response, HtmlResponse) and response.status == 200:
            # <meta http-equiv="refresh">: MetaRefreshMiddleware (580) would follow it, and Scrapy's
            # OffsiteMiddleware would then drop an off-site target silently; refuse it here, with a reason
            interval, refresh = get_meta_refresh(response)
            if not refresh or interval is None or interval >= self.crawler.settings.getfloat("METAREFRESH_MAXDELAY"):
                return response
            target = refresh
        else:
            return response
        self._refuse(request, target, "redirect to")
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target.split("#")[0] in {u.split("#")[0] for u in chain}:
            self.crawler.stats.inc_value("guards/redirect_loop")
            raise Refused(f"redirect loop at {request.url} (back to {target} after {len(chain)} hop(s))")
        return response
