"""Discovery on the network: a small polite fetcher, one site's discovery, and the effective specs
of a crawl pass.

``PoliteFetcher`` (stdlib urllib, outside Scrapy): robots.txt obeyed (read once, per the site's
``obey_robots``), the crawl's guards (``spiders.guards.refusal``: http(s) only, only the site's
domains, no private-range address the site does not list) on every URL and every redirect hop, no
redirect off the site, the crawl's User-Agent and size limit (``DOWNLOAD_MAXSIZE``), a request
budget per discovery (``BUDGET``) and a pause between requests (``DELAY`` seconds, or the site's
robots.txt ``Crawl-delay``, at most ``MAX_DELAY``).

``prepare_pass(specs, db_path)`` is what ``crawl_once`` calls before the Scrapy pass: a site with a
``home`` that leaves sources or ``article_pattern`` to discovery is discovered on its first pass and
again when its health turns stale or blocked or its passes find no article link (at most once per
``REDISCOVER_AFTER``; a failed discovery is retried after ``RETRY_FAILED_AFTER``); the pass then
uses the effective spec (discovered fields merged under the explicit ones). A site for which no
discovery ever worked is left out of the pass with a failed run saying why.
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
import urllib.robotparser
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import sqlite_utils

from config import SiteSpec
from config import settings as env_settings
from db import open_db, utcnow
from db.discovery import NO_ARTICLE_PASSES, discovery_state, latest_discovery, record_discovery
from db.runs import finish_run, site_health, start_run, sync_sites
from pipeline.discover import BudgetExhausted, Discovery, FetchError, Page, discover, effective
from spiders.guards import refusal
from spiders.settings import DOWNLOAD_MAXSIZE, USER_AGENT

log = logging.getLogger(__name__)

__all__ = ["PoliteFetcher", "discover_site", "discovered_spec", "effective_spec", "prepare_pass", "why_rediscover",
           "BUDGET"]

BUDGET = 40  # requests per discovery (robots.txt, redirects and sample pages included)
DELAY = 0.25  # seconds between two requests of one discovery
MAX_DELAY = 5.0  # a robots.txt Crawl-delay above this is cut to it (discovery stays under a minute)
REDISCOVER_AFTER = 24 * 3600.0  # seconds: an unhealthy site is discovered again at most this often
RETRY_FAILED_AFTER = 6 * 3600.0  # seconds: a failed discovery is tried again after this long


class _Guarded(urllib.request.HTTPRedirectHandler):
    def __init__(self, fetcher: PoliteFetcher) -> None:
        self.fetcher = fetcher

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        why = refusal(newurl, self.fetcher.domains)
        if why:
            raise FetchError(f"redirect to {newurl} refused ({why})")
        self.fetcher.spend(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class PoliteFetcher:
    """GETs for one discovery (see the module docstring). ``requests``: requests sent so far."""

    def __init__(self, home: str, domains: tuple[str, ...], *, budget: int = BUDGET, delay: float = DELAY,
                 obey_robots: bool = True, timeout: float | None = None) -> None:
        self.home = home
        self.domains = domains
        self.budget = budget
        self.delay = delay
        self.obey_robots = obey_robots
        self.timeout = timeout or env_settings.download_timeout() or 30.0
        self.requests = 0
        self._last = 0.0
        self._robots_text: str | None = None
        self._robots: urllib.robotparser.RobotFileParser | None = None
        self._opener = urllib.request.build_opener(_Guarded(self))

    def spend(self, url: str) -> None:
        if self.requests >= self.budget:
            raise BudgetExhausted(f"request budget of {self.budget} spent before {url}")
        self.requests += 1

    def robots(self) -> str | None:
        if self._robots is None:
            self._robots = urllib.robotparser.RobotFileParser()
            url = urljoin(self.home, "/robots.txt")
            try:
                page = self._get(url)
            except FetchError as e:
                log.info("robots.txt %s: %s (taken as none)", url, e)
                page = None
            if page is not None and page.status == 200:
                self._robots_text = page.body.decode("utf-8", "replace")
                self._robots.parse(self._robots_text.splitlines())
                delay = self._robots.crawl_delay(USER_AGENT)
                if delay:
                    self.delay = min(MAX_DELAY, max(self.delay, float(delay)))
            else:
                self._robots.parse([])
        return self._robots_text

    def get(self, url: str) -> Page:
        """One GET (see ``pipeline.discover.Fetcher``); a non-200 answer is returned, not raised."""
        self.robots()
        if self.obey_robots and self._robots is not None and not self._robots.can_fetch(USER_AGENT, url):
            raise FetchError("robots.txt disallows it")
        return self._get(url)

    def _get(self, url: str) -> Page:
        why = refusal(url, self.domains)
        if why:
            raise FetchError(f"refused ({why})")
        self.spend(url)
        wait = self._last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
        try:
            try:
                with self._opener.open(req, timeout=self.timeout) as resp:
                    body = resp.read(DOWNLOAD_MAXSIZE + 1)
                    status, final, headers = resp.status, resp.geturl(), dict(resp.headers.items())
            except urllib.error.HTTPError as e:
                body = e.read(DOWNLOAD_MAXSIZE + 1) if e.fp is not None else b""
                status, final, headers = e.code, e.geturl() or url, dict(e.headers.items()) if e.headers else {}
        except FetchError:
            raise
        except (OSError, ValueError) as e:
            raise FetchError(f"{type(e).__name__}: {getattr(e, 'reason', None) or e}") from None
        finally:
            self._last = time.monotonic()
        if len(body) > DOWNLOAD_MAXSIZE:
            raise FetchError(f"larger than the download limit ({DOWNLOAD_MAXSIZE} bytes)")
        return Page(final, status, headers, body)


def discover_site(home: str, *, domains: tuple[str, ...] | None = None, obey_robots: bool = True,
                  budget: int = BUDGET, delay: float = DELAY, trigger: str = "manual") -> Discovery:
    """Discover one site from its home page over the network (a ``PoliteFetcher``); never raises for
    the site's content or the network: failures are in ``Discovery.error`` and ``notes``."""
    from config import home_domain

    doms = tuple(domains or (home_domain(home),))
    fetcher = PoliteFetcher(home, doms, budget=budget, delay=delay, obey_robots=obey_robots)
    found = discover(home, fetcher, domains=doms)
    found.trigger = trigger
    log.info("discovered %s in %d request(s), %.1f s: %s", home, found.requests, found.seconds,
             found.error or f"{len(found.feeds)} feed(s), {len(found.sitemaps)} sitemap(s), "
                            f"{len(found.sections)} section(s), pattern {found.article_pattern!r}")
    return found


def _age(iso: str | None) -> float:
    if not iso:
        return float("inf")
    try:
        return (datetime.now(UTC) - datetime.fromisoformat(iso)).total_seconds()
    except ValueError:
        return float("inf")


def why_rediscover(spec: SiteSpec, last: dict[str, Any] | None, health: dict[str, Any] | None,
                   state: dict[str, Any] | None) -> str | None:
    """Why ``spec`` must be discovered before this pass ("first pass", "stale", "blocked",
    "no articles", "home changed", "retry"), or None. ``last``: its newest discoveries row;
    ``health``: its site_health row; ``state``: its site_discovery row."""
    if not spec.needs_discovery():
        return None
    if last is None:
        return "first pass"
    if last["home"] != spec.home:
        return "home changed"
    age = _age(last["finished"])
    if last["status"] != "ok":
        return "retry" if age > RETRY_FAILED_AFTER else None
    if age < REDISCOVER_AFTER:
        return None
    if health and health.get("blocked"):
        return "blocked"
    if health and health.get("stale"):
        return "stale"
    if state and (state.get("passes_without_articles") or 0) >= NO_ARTICLE_PASSES:
        return "no articles"
    return None


def discovered_spec(db: sqlite_utils.Database, spec: SiteSpec) -> tuple[SiteSpec, str | None]:
    """``(effective spec, None)``, or ``(spec, error)`` when the site needs discovery and none ever
    worked. Discovers first when ``why_rediscover`` says so (the discovery is recorded in ``db``).
    A spec that needs no discovery comes back unchanged."""
    if not spec.needs_discovery():
        return spec, None
    health = next((r for r in site_health(db) if r["site"] == spec.key), None)
    trigger = why_rediscover(spec, latest_discovery(db, spec.key), health,
                             discovery_state(db).get(spec.key))
    if trigger:
        started = utcnow()
        found = discover_site(str(spec.home), domains=spec.domains, obey_robots=spec.obey_robots,
                              trigger=trigger)
        with db.atomic():
            record_discovery(db, spec.key, found.to_row(), started)
    good = latest_discovery(db, spec.key, ok_only=True)
    if good is not None:
        return effective(spec, Discovery.from_row(good)), None
    last = latest_discovery(db, spec.key) or {}
    return spec, last.get("error") or f"discovery found nothing on {spec.home}"


def effective_spec(db: sqlite_utils.Database, spec: SiteSpec) -> SiteSpec:
    """``discovered_spec`` for the scheduler's hook (pipeline/run/effective.py): never raises; a
    site without a working discovery is returned unchanged and the reason logged."""
    try:
        out, error = discovered_spec(db, spec)
    except Exception:  # the hook must not fail a pass for a site it cannot improve
        log.exception("%s: discovery failed", spec.key)
        return spec
    if error:
        log.warning("%s: %s", spec.key, error)
    return out


def prepare_pass(specs: dict[str, SiteSpec], db_path: str) -> tuple[dict[str, SiteSpec], list[int]]:
    """For ``crawl_once``: the effective specs of a pass (discovering the sites that need it first),
    and the ids of the failed ``crawl_runs`` rows written for the sites left out because no
    discovery ever worked for them (the row's error says why)."""
    if not any(s.needs_discovery() for s in specs.values()):
        return specs, []
    db = open_db(db_path)
    try:
        out: dict[str, SiteSpec] = {}
        failed: list[int] = []
        for key, spec in specs.items():
            eff, error = discovered_spec(db, spec)
            if error is None:
                out[key] = eff
                continue
            with db.atomic():
                sync_sites(db, [spec])
                run_id = start_run(db, key)
                finish_run(db, run_id, requests=0, new=0, skipped=0, errors=1, status="failed", error=error)
            failed.append(run_id)
        return out, failed
    finally:
        db.close()
