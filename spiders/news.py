"""The one generic spider: every site is a spec in config/sites.toml, none is code.

For each enabled site it reads the declared feeds, sitemaps and section pages, keeps links that
are on the site's domains, match ``article_pattern`` and match no ``exclude``, canonicalises
them, asks the database which are already known (before any request is made) and downloads the
rest. Article pages leave the spider as ``PageItem``s; extraction, scoring and storage are the
item-pipeline stages in spiders/stages/.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, TypeVar

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.linkextractors import LinkExtractor
from twisted.python.failure import Failure

from config import SiteSpec
from db import open_db
from db.articles import known_urls, record_url
from db.runs import (
    finish_run,
    mark_interrupted,
    note_source,
    set_backoff,
    start_run,
    sync_sites,
)
from pipeline.extract.pagetype import challenge_reason
from pipeline.process import NewArticleHook
from pipeline.urls import canonical_url
from spiders.guards import refusal
from spiders.incremental import IncrementalSources
from spiders.items import PageItem, SiteStats, describe_failure, headers_of, host_of
from spiders.middlewares import BackedOff
from spiders.sources import SourceError, feed_links, sitemap_links

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_SITEMAP_DEPTH = 3
# a sitemap shard whose body has not changed for this long is retired: not fetched every pass, only
# when its lastmod in the index changes or once per RETIRED_RECHECK
# (PRESSWATCH_RETIRE_AFTER, PRESSWATCH_RETIRED_RECHECK: config/settings.py, read when used)


class NewsSpider(IncrementalSources, scrapy.Spider):
    name = "news"

    def __init__(self, specs: dict[str, SiteSpec], db_path: str, on_new_article: NewArticleHook | None = None,
                 known: Callable[[list[str]], set[str]] | None = None,
                 hand_off: Callable[[str, dict[str, Any]], None] | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.specs = specs
        # queue mode (pipeline/run/queue.py): ``known`` asks the writer's side which URLs are stored,
        # ``hand_off(kind, payload)`` sends "item", "url" and "pass" records to the writer
        self.known = known
        self.hand_off = hand_off
        # runs inside the transaction that stores each new article (the alert outbox; see pipeline.process)
        self.on_new_article = on_new_article
        self.db_path = db_path
        self.allowed_domains = sorted({d for s in specs.values() for d in s.domains})
        self.stats_by_site: dict[str, SiteStats] = {k: SiteStats() for k in specs}
        self.errors_by_site: dict[str, list[str]] = {k: [] for k in specs}
        self.run_ids: dict[str, int] = {}
        self.queued: Counter[str] = Counter()
        self.stopped: str | None = None  # why the pass was stopped early (e.g. "disk full")
        # site -> {error message -> the HTTP status of the answer it is about}: the run row keeps the
        # status of the error it shows, never another request's
        self.error_status: dict[str, dict[str, int]] = {k: {} for k in specs}
        self.backoffs: dict[str, tuple[str, str]] = {}  # site -> (backoff_until, reason)
        # source bookkeeping (validators, body hash) is written only when the pass finishes: a pass
        # killed or stopped half-way leaves the sources to be read again in full, so no link is lost
        self.pending_sources: dict[str, dict[str, Any]] = {}
        self.db = open_db(db_path, migrate=False)  # migrated by whoever started the pass (crawl_once, run, worker)
        self._links = {
            # hosts are checked by follow_articles (SiteSpec.allows_host): LinkExtractor's allow_domains
            # compares the netloc with its port, so it never matches a site on a non-default port
            k: LinkExtractor(allow=(s.article_pattern,), deny=s.exclude, unique=True)
            for k, s in specs.items()
        }

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._on_response, signal=signals.response_received)
        crawler.signals.connect(spider._on_closed, signal=signals.spider_closed)
        # robustness: a database write failing anywhere (a stage, a callback) stops the pass cleanly
        crawler.signals.connect(spider._on_failure, signal=signals.item_error)
        crawler.signals.connect(spider._on_failure, signal=signals.spider_error)
        return spider

    # -- bookkeeping -----------------------------------------------------------------------
    def _on_response(self, response: Response, request: Request, spider: Any) -> None:
        site = request.meta.get("site")
        if site in self.stats_by_site:
            self.stats_by_site[site]["requests"] += 1

    def known_urls(self, urls: list[str]) -> set[str]:
        """Which of ``urls`` need no download: known to this database or (queue mode) to the writer."""
        found = known_urls(self.db, urls)
        return found | self.known(urls) if self.known is not None else found

    def note_url(self, url: str, site: str, status: str, reason: str | None, http_status: int | None) -> None:
        """Record what became of a URL (not_article, blocked, error); in queue mode the writer records it too."""
        record_url(self.db, url, site, status, reason, http_status)
        if self.hand_off is not None:
            self.hand_off("url", dict(url=url, site=site, status=status, reason=reason, http_status=http_status))

    def error(self, site: str, msg: str, http_status: int | None = None) -> None:
        """Count an error of ``site``; ``http_status``: the status of the answer the message is about."""
        self.stats_by_site[site]["errors"] += 1
        if len(self.errors_by_site[site]) < 20:
            self.errors_by_site[site].append(msg)
            if http_status is not None:
                self.error_status[site].setdefault(msg, http_status)
        log.warning("%s: %s", site, msg)

    def stop_for_db_error(self, exc: BaseException) -> bool:
        """Stop the pass when the database cannot take writes (disk full); True if exc was that.

        Every write is its own transaction (db/store.py), so what failed left nothing behind and
        what was stored before stays; the next pass downloads the rest."""
        msg = str(exc).lower()
        if not isinstance(exc, sqlite3.OperationalError) or not ("full" in msg or "disk i/o" in msg):
            return False
        if self.stopped is None:
            self.stopped = "disk full"
            log.error("stopping the crawl: %s (nothing half-written; free space and run again)", exc)
            for key in self.specs:
                self.error(key, f"stopped: {exc}")
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(self.crawler.engine.close_spider_async(reason="disk full"))
        return True

    def _on_failure(self, failure: Failure, **kw: Any) -> None:
        self.stop_for_db_error(failure.value)

    def note_backoff(self, site: str, until: str, reason: str, http_status: int) -> None:
        """Called by PoliteSourcesMiddleware on a 429/503: the site is left alone until ``until``."""
        if site in self.stats_by_site:
            self.backoffs.setdefault(site, (until, reason))
            self.error_status[site].setdefault(reason, http_status)

    def _on_closed(self, spider: Any, reason: str) -> None:
        if self.stopped:
            reason = self.stopped
        for key, run_id in self.run_ids.items():
            st = self.stats_by_site[key]
            errs = self.errors_by_site[key]
            backoff = self.backoffs.get(key)
            if backoff:
                status = "throttled"
            elif st["blocked"] and not (st["new"] or st["sources_ok"]):
                status = "blocked"
            elif st["errors"] and not (st["new"] or st["skipped"] or st["not_article"] or st["sources_ok"]):
                status = "failed"
            else:
                status = "ok" if reason == "finished" else reason
            if self.stopped:
                status, errs = self.stopped, [e for e in errs if e.startswith("stopped:")] or errs
            elif backoff:
                errs = [backoff[1]]  # the 429/503 that put the site in back-off, with its status
            error = errs[0] if errs else None
            http_status = self.error_status[key].get(error) if error else None
            # an article left for later (cap, back-off, download error) keeps the sources "unread"
            complete = (reason == "finished" and not backoff and not st["deferred"] and not st["backed_off"]
                        and not st["article_errors"])
            try:
                with self.db.atomic():
                    self._flush_sources(key, complete)
                    if backoff:
                        set_backoff(self.db, key, backoff[0], backoff[1])
                    elif status == "ok" and st["sources_ok"]:
                        set_backoff(self.db, key, None)
                    finish_run(self.db, run_id, requests=st["requests"], new=st["new"], skipped=st["skipped"],
                               errors=st["errors"], status=status, error=error,
                               http_status=http_status, unchanged=st["unchanged"],
                               backoff_until=backoff[0] if backoff else None)
                if self.hand_off is not None:
                    self.hand_off("pass", dict(
                        site=key, requests=st["requests"], new=st["new"], skipped=st["skipped"],
                        errors=st["errors"], status=status, error=error,
                        http_status=http_status, unchanged=st["unchanged"],
                        backoff_until=backoff[0] if backoff else None, backoff_reason=backoff[1] if backoff else None))
            except sqlite3.Error as e:  # a full disk may refuse even this: say so, lose nothing else
                log.error("%s: could not record the end of the run: %s", key, e)
        self.db.close()

    # -- sources ---------------------------------------------------------------------------
    def _meta(self, spec: SiteSpec, **extra: Any) -> dict[str, Any]:
        meta = {"site": spec.key, **extra}
        if extra.get("source") in ("feed", "sitemap", "section"):
            meta["handle_httpstatus_list"] = [304]
        if not spec.obey_robots:
            meta["dont_obey_robotstxt"] = True
        return meta

    async def start(self) -> AsyncIterator[Request]:
        sync_sites(self.db, self.specs.values())
        for spec in self.specs.values():
            mark_interrupted(self.db, spec.key)  # robustness: a killed pass leaves a 'running' row
            self.run_ids[spec.key] = start_run(self.db, spec.key)
        for spec in self.specs.values():
            for url in spec.feeds:
                yield Request(url, self.parse_feed, errback=self.on_error, dont_filter=True,
                              meta=self._meta(spec, source="feed"), priority=10)
            for url in spec.sitemaps:
                yield Request(url, self.parse_sitemap, errback=self.on_error, dont_filter=True,
                              meta=self._meta(spec, source="sitemap", depth_sm=0), priority=5)
            for url in spec.sections:
                yield Request(url, self.parse_section, errback=self.on_error, dont_filter=True,
                              meta=self._meta(spec, source="section"), priority=5)

    def _source_ok(self, response: Response, spec: SiteSpec) -> bool:
        """False when the source is a challenge page (or already known unchanged: then nothing to do)."""
        if response.status != 304:
            reason = challenge_reason(response.body, headers_of(response), response.status)
            if reason:
                self.stats_by_site[spec.key]["blocked"] += 1
                self._unreadable(response, spec)
                self.error(spec.key, f"blocked at {response.url}: {reason}", response.status)
                return False
        return not self._unchanged(response, spec)

    def _read_source(self, response: Response, what: str, reader: Callable[[bytes, str], T]) -> T | None:
        """A feed or sitemap body read by ``reader`` (spiders/sources.py); None (and the error logged for
        the site) when it is unchanged, blocked or unreadable."""
        spec = self.specs[response.meta["site"]]
        if not self._source_ok(response, spec):
            return None
        try:
            parsed = reader(response.body, response.url)
        except SourceError as e:
            self._unreadable(response, spec)
            self.error(spec.key, f"{what} {response.url}: {e}")
            return None
        self.stats_by_site[spec.key]["sources_ok"] += 1
        return parsed

    def parse_feed(self, response: Response) -> Iterable[Request]:
        links = self._read_source(response, "feed", feed_links)
        if links is None:
            return
        spec = self.specs[response.meta["site"]]
        self._parsed(response, spec, "feed")
        yield from self.follow_articles(spec, links, response.url)

    def parse_sitemap(self, response: Response) -> Iterable[Request]:
        sm = self._read_source(response, "sitemap", sitemap_links)
        if sm is None:
            return
        spec = self.specs[response.meta["site"]]
        self._parsed(response, spec, "sitemapindex" if sm.kind == "sitemapindex" else "sitemap")
        if sm.kind == "sitemapindex":
            depth = response.meta.get("depth_sm", 0) + 1
            if depth > MAX_SITEMAP_DEPTH:
                self.error(spec.key, f"sitemap {response.url}: nested deeper than {MAX_SITEMAP_DEPTH}")
                return
            for loc, lastmod in sm.urls:
                if spec.allows_host(host_of(loc)):
                    if self._retired(spec, loc, lastmod):
                        self.stats_by_site[spec.key]["retired"] += 1
                        continue
                    yield Request(loc, self.parse_sitemap, errback=self.on_error,
                                  meta=self._meta(spec, source="sitemap", depth_sm=depth, lastmod=lastmod),
                                  priority=5)
            return
        yield from self.follow_articles(spec, [u for u, _ in sm.urls], response.url)

    def parse_section(self, response: Response) -> Iterable[Request]:
        spec = self.specs[response.meta["site"]]
        if not self._source_ok(response, spec):
            return
        if not isinstance(response, scrapy.http.TextResponse):
            self.error(spec.key, f"section {response.url}: not an HTML page")
            return
        links = [link.url for link in self._links[spec.key].extract_links(response)]
        self.stats_by_site[spec.key]["sources_ok"] += 1
        self._parsed(response, spec, "section")
        yield from self.follow_articles(spec, links, response.url)

    def follow_articles(self, spec: SiteSpec, links: Iterable[str], source: str) -> Iterable[Request]:
        """Canonicalise, keep the site's article URLs, drop those the database knows, request the rest.

        Only a found URL or its canonical form (pipeline.urls.canonical_url, which keeps the found URL
        when its canonical form would no longer match ``article_pattern``) is ever requested. When the
        source listed article URLs but every one was lost on the way, the site gets an error saying so
        (not "ok, 0 errors")."""
        wanted: dict[str, str] = {}
        matched = 0
        for link in links:
            if not spec.is_article_url(link):
                why = refusal(link, spec.domains)
                if why:  # file://, private-range IP, other host: never requested
                    log.info("%s: ignored link %s from %s: %s", spec.key, link[:200], source, why)
                continue
            matched += 1
            canon = canonical_url(link, spec)
            if not spec.is_article_url(canon):
                canon = link  # the found URL is the article's URL
            wanted.setdefault(canon, link)
        if matched and len(wanted) < matched and len(wanted) <= 1 < matched:
            self.error(spec.key, f"{source}: {matched} article links became {len(wanted)} after canonicalisation "
                                 f"(check strip_params / variant_patterns)")
        if not wanted:
            log.info("%s: %s: no article link", spec.key, source)
            return
        known = self.known_urls(list(wanted) + list(wanted.values()))
        st = self.stats_by_site[spec.key]
        n_known = n_deferred = 0
        requests = []
        for canon, link in wanted.items():
            if canon in known or link in known:
                st["skipped"] += 1
                n_known += 1
                continue
            if self.queued[spec.key] >= spec.max_articles:
                st["deferred"] += 1
                n_deferred += 1
                continue
            self.queued[spec.key] += 1
            requests.append(Request(canon, self.parse_article, errback=self.on_error,
                                    meta=self._meta(spec, source="article", found_on=source)))
        log.info("%s: %s: %d article link(s): %d to fetch, %d known (skipped)%s", spec.key, source, len(wanted),
                 len(requests), n_known, f", {n_deferred} left for the next pass (max_articles)" if n_deferred else "")
        yield from requests

    # -- articles --------------------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterable[PageItem]:
        spec = self.specs[response.meta["site"]]
        canon = canonical_url(response.request.url if response.request else response.url, spec)
        headers = headers_of(response)
        reason = challenge_reason(response.body, headers, response.status)
        if reason:
            self.stats_by_site[spec.key]["blocked"] += 1
            self.note_url(canon, spec.key, "blocked", reason, response.status)
            self.error(spec.key, f"blocked at {response.url}: {reason}", response.status)
            return
        yield PageItem(
            url=canon,
            fetched_url=response.url,
            site=spec.key,
            body=response.body,
            status=response.status,
            headers=headers,
            encoding=getattr(response, "encoding", None),
        )

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        site = request.meta.get("site", "?")
        if failure.check(BackedOff):
            if site in self.stats_by_site:
                self.stats_by_site[site]["backed_off"] += 1
            log.info("%s: left for the next pass: %s (%s)", site, request.url, failure.value)
            return
        if failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):  # skipped, not an error
            if site in self.stats_by_site:
                self.stats_by_site[site]["skipped"] += 1
                if not self.errors_by_site[site]:
                    self.errors_by_site[site].append(f"skipped (refused by robots.txt): {request.url}")
                log.info("%s: skipped %s: refused by robots.txt", site, request.url)
            return
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        if status is not None:
            if response is not None and challenge_reason(response.body, headers_of(response), status):
                self.stats_by_site[site]["blocked"] += 1
            msg = f"HTTP {status} at {request.url}"
        else:
            msg = f"{describe_failure(failure.value)} at {request.url}"
        if request.meta.get("source") == "article" and site in self.specs:
            self.stats_by_site[site]["article_errors"] += 1
            self.note_url(request.url, site, "error", msg, status)
        elif site in self.specs:
            note_source(self.db, request.url, site, request.meta.get("source", "feed"),
                        status=status or 0, keep_validators=False)
        if site in self.stats_by_site:
            self.error(site, msg, status)

