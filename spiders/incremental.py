"""Incremental sources for the spider (spiders/news.py): what a feed, sitemap or section page said last
time (validators, body hash, retired sitemap shards), kept in the ``sources`` table (db/runs.py) and
written only when a pass finishes, so a pass stopped half-way reads its sources in full next time."""

from __future__ import annotations

import hashlib
from typing import Any

import sqlite_utils
from scrapy.http import Response

from config import SiteSpec
from config import settings as env_settings
from db import utcnow
from db.runs import forget_site_hashes, get_source, note_source
from spiders.items import SiteStats, headers_of


class IncrementalSources:
    """Mixin of NewsSpider: needs ``db``, ``stats_by_site`` and ``pending_sources``."""

    db: sqlite_utils.Database
    stats_by_site: dict[str, SiteStats]
    pending_sources: dict[str, dict[str, Any]]

    def _flush_sources(self, site: str, complete: bool) -> None:
        """Store what was learnt about the site's sources. When the pass did not follow every link
        (stopped, throttled, links deferred), keep no validator or hash: read them in full next time."""
        for url, note in self.pending_sources.items():
            if note["site"] != site:
                continue
            if complete:
                note_source(self.db, url, **note)
            else:
                note_source(self.db, url, site, note["kind"], status=note["status"], keep_validators=False)
        if not complete:
            forget_site_hashes(self.db, site)

    def _unchanged(self, response: Response, spec: SiteSpec) -> bool:
        """True when this source has nothing new: a 304, or the same body as the last parsed one."""
        st = self.stats_by_site[spec.key]
        kind = response.meta.get("source", "feed")
        depth = response.meta.get("depth_sm", 0)
        row = get_source(self.db, response.url)
        if response.status == 304:
            same = True
        else:
            body_hash = hashlib.sha1(response.body).hexdigest()
            response.meta["body_hash"] = body_hash
            same = bool(row and row["body_hash"] == body_hash and row["kind"] != "sitemapindex")
        if not same:
            return False
        st["unchanged"] += 1
        st["sources_ok"] += 1
        retire = None
        if kind == "sitemap" and depth > 0 and row and row["last_changed"]:
            retire = _age(row["last_changed"]) > env_settings.retire_after() or None
        self.pending_sources[response.url] = dict(
            site=spec.key, kind=row["kind"] if row else kind, status=response.status, changed=False,
            lastmod=response.meta.get("lastmod"), retired=retire)
        return True

    def _parsed(self, response: Response, spec: SiteSpec, kind: str) -> None:
        """A source body was read: remember its validators and hash (written when the pass finishes)."""
        h = headers_of(response)
        self.pending_sources[response.url] = dict(
            site=spec.key, kind=kind, status=response.status, etag=h.get("Etag") or h.get("ETag"),
            last_modified=h.get("Last-Modified"), changed=True,
            body_hash=response.meta.get("body_hash") or hashlib.sha1(response.body).hexdigest(),
            lastmod=response.meta.get("lastmod"), retired=False)

    def _unreadable(self, response: Response, spec: SiteSpec) -> None:
        note_source(self.db, response.url, spec.key, response.meta.get("source", "feed"),
                    status=response.status, keep_validators=False)

    def _retired(self, spec: SiteSpec, loc: str, lastmod: str | None) -> bool:
        row = get_source(self.db, loc)
        if not row or not row["retired"]:
            return False
        if lastmod and lastmod != row["lastmod"]:
            return False  # the index says the shard changed
        return bool(row["last_fetched"]) and _age(row["last_fetched"]) < env_settings.retired_recheck()


def _age(iso: str) -> float:
    """Seconds since an ISO time written by db.utcnow()."""
    from datetime import datetime

    try:
        return (datetime.fromisoformat(utcnow()) - datetime.fromisoformat(iso)).total_seconds()
    except ValueError:
        return 0.0
