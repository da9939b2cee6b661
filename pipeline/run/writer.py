"""The one writer of queue mode (``presswatch run --queue redis://…``), and the scheduler's dispatch to
the queue.

``QueueDispatch.run_pass(spec, timeout, grace)`` puts a pass job (the effective spec travels with it)
on ``pw:jobs`` and waits until the writer has stored the pass's ``pass`` record (or ``timeout`` plus
the take-over time of a dead worker has gone by). The writer thread reads ``pw:items``
(pipeline/run/queue.py) and applies each record in its own SQLite transaction, then acknowledges it:

- ``item``: deduplicate and store the article, its page, FTS row, dedup index and alert-outbox rows in
  one transaction (``pipeline.process.dedup_article`` + ``store_article``, as a local pass does). Keyed
  by the canonical URL: a redelivered item (the writer was killed after the commit, before the
  acknowledgement) finds its URL stored and writes nothing, so no second row and no second alert.
  Then the URL (and the fetched URL) join the known set workers check before requesting.
- ``url``: the ``urls`` row of a page that is no article, blocked or failed (a non-article joins the
  known set).
- ``pass``: the site's crawl_runs row (``new`` = articles this writer stored for that job), its back-off,
  and the scheduler's waiting thread is woken. A job id already recorded (``pw:passes``) is skipped.

A malformed record is logged and dropped. At start (and whenever Redis comes back) the groups are
re-created and the known set is seeded from the database.
"""

from __future__ import annotations

import base64
import logging
import sqlite3
import threading
import time
import uuid
import zlib
from collections import Counter
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from config import SiteSpec
from db import open_db, utcnow
from pipeline.run.jobs import job_message, spec_from_dict
from pipeline.run.pool import PassOutcome
from pipeline.run.queue import CLAIM_IDLE, HEARTBEAT, ITEMS, JOBS, PASSES, WRITER, RedisQueue

if TYPE_CHECKING:
    from pipeline.alerts import AlertsConfig
    from pipeline.article import Article

log = logging.getLogger("presswatch.writer")


def article_from(d: Any) -> Article:
    """An Article (with its Relevance) from ``Article.to_dict()``; raises ValueError when it is not one."""
    from pipeline.article import Article, Relevance

    if not isinstance(d, dict) or not isinstance(d.get("url"), str) or not isinstance(d.get("text"), str):
        raise ValueError("item without an article (url, text)")
    names = {f.name for f in fields(Article)} - {"relevance", "dedup", "id"}
    try:
        art = Article(**{k: v for k, v in d.items() if k in names})
        if d.get("relevance"):
            art.relevance = Relevance(**d["relevance"])
    except TypeError as e:
        raise ValueError(f"bad article: {e}") from None
    return art


class Writer:
    """Applies ``pw:items`` records to the database at ``db_path`` (see the module docstring).
    ``on_pass(job_id, outcome)`` is called after a pass record is stored."""

    def __init__(self, q: RedisQueue, db_path: str, *, alerts: AlertsConfig | None = None,
                 on_pass: Any = None) -> None:
        self.q = q
        self.db_path = db_path
        self.on_pass = on_pass
        self.new_by_job: Counter[str] = Counter()
        self.stored = 0
        self.synced: set[str] = set()
        self.hook = None
        if alerts is not None and alerts.subscriptions:
            from pipeline.alerts.outbox import enqueuer

            self.hook = enqueuer(alerts.subscriptions)
        self.db = open_db(db_path)
        q.on_reconnect.append(self.resync)
        self.resync()

    def resync(self) -> None:
        """Groups re-created, the known-URL set seeded from the database (Redis may have lost both)."""
        from db.writer import known_url_batches

        self.q.ensure_groups()
        n = 0
        db = open_db(self.db_path, migrate=False)
        try:
            for batch in known_url_batches(db):
                self.q.add_known(batch)
                n += len(batch)
        finally:
            db.close()
        log.info("known-URL set seeded with %d URL(s)", n)

    def apply(self, entry: str, msg: dict[str, Any] | None, why: str | None) -> None:
        """One record; never raises for a bad record (logged and dropped). sqlite3 errors propagate (the
        record stays unacknowledged and is tried again)."""
        if msg is None:
            log.error("record %s dropped: %s", entry, why)
            return
        kind, job = msg.get("type"), str(msg.get("job") or "")
        try:
            if kind == "item":
                self._item(job, msg)
            elif kind == "url":
                self._url(msg)
            elif kind == "pass":
                self._pass(job, msg)
            else:
                raise ValueError(f"unknown record type {kind!r}")
        except (ValueError, TypeError, KeyError, zlib.error, sqlite3.IntegrityError) as e:
            log.error("record %s (%s) dropped: %s", entry, kind, e)

    def _item(self, job: str, msg: dict[str, Any]) -> None:
        from pipeline.process import dedup_article, store_article

        art = article_from(msg.get("article"))
        page = zlib.decompress(base64.b64decode(str(msg.get("page") or ""), validate=True))
        spec = spec_from_dict(msg["spec"]) if isinstance(msg.get("spec"), dict) else None
        if spec is not None and spec.key not in self.synced:
            from db.runs import sync_sites

            sync_sites(self.db, [spec])  # the articles' site row (the worker's spec is the scheduler's)
            self.synced.add(spec.key)
        dedup_article(self.db, art, spec)
        new_id = store_article(self.db, art, page, http_status=msg.get("status"),
                               content_type=msg.get("content_type"), on_new=self.hook)
        if new_id:
            self.new_by_job[job] += 1
            self.stored += 1
        self.q.add_known([art.url, art.fetched_url or ""])

    def _url(self, msg: dict[str, Any]) -> None:
        from db.articles import record_url

        url, site, status = msg["url"], msg.get("site"), msg["status"]
        if not isinstance(url, str) or status not in ("not_article", "blocked", "error"):
            raise ValueError(f"bad url record ({status!r})")
        record_url(self.db, url, site, status, msg.get("reason"), msg.get("http_status"))
        if status == "not_article":
            self.q.add_known([url])

    def _pass(self, job: str, msg: dict[str, Any]) -> None:
        from db.runs import set_backoff, sync_sites
        from db.writer import record_remote_run

        site = msg["site"]
        if not isinstance(site, str):
            raise ValueError("pass record without a site")
        if job and self.q.call(self.q.r.sismember, PASSES, job):
            return  # stored before the writer was restarted
        new = self.new_by_job.pop(job, 0)
        with self.db.atomic():
            if not self.db.execute("SELECT 1 FROM sites WHERE key = ?", [site]).fetchone():
                sync_sites(self.db, [_SiteRow(site)])
            record_remote_run(self.db, site, started=str(msg.get("started") or utcnow()),
                              requests=int(msg.get("requests") or 0), new=new,
                              skipped=int(msg.get("skipped") or 0), errors=int(msg.get("errors") or 0),
                              status=str(msg.get("status") or "ok"), error=msg.get("error"),
                              http_status=msg.get("http_status"), unchanged=int(msg.get("unchanged") or 0),
                              backoff_until=msg.get("backoff_until"))
            if msg.get("backoff_until"):
                set_backoff(self.db, site, msg["backoff_until"], msg.get("backoff_reason"))
            elif msg.get("status") == "ok":
                set_backoff(self.db, site, None)
        if job:
            self.q.call(self.q.r.sadd, PASSES, job)
        if self.on_pass is not None:
            self.on_pass(job, PassOutcome("done"))  # the row above is the pass's record, whatever its status

    def run(self, stopping: threading.Event, batch: int = 50) -> None:
        """Apply records until ``stopping`` is set: this writer's unacknowledged ones first."""
        own_first = True
        while not stopping.is_set():
            try:
                got = self.q.read(ITEMS, WRITER, "writer", batch, 1000, own_first=own_first)
                if own_first and not got:
                    own_first = False
                    continue
                for entry, msg, why in got:
                    self.apply(entry, msg, why)
                    self.q.ack(ITEMS, WRITER, [entry])
            except InterruptedError:
                return
            except Exception:
                log.exception("writer: a record failed; trying again in 1s")
                own_first = True
                stopping.wait(1.0)

    def close(self) -> None:
        self.db.close()


class _SiteRow:
    """The ``sites`` row of a site first seen in a pass record (no spec at hand on this side)."""

    def __init__(self, key: str) -> None:
        self.key, self.name, self.domains, self.every, self.enabled = key, key, (), 0.0, True


class QueueDispatch:
    """The scheduler's dispatch in queue mode, with the writer thread. Raises OSError when Redis cannot
    be reached at start."""

    def __init__(self, url: str, db_path: str, *, alerts: AlertsConfig | None = None) -> None:
        self.q = RedisQueue(url, "writer")
        self.waiting: dict[str, tuple[threading.Event, list[PassOutcome]]] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.writer = Writer(self.q, db_path, alerts=alerts, on_pass=self._done)
        self.thread = threading.Thread(target=self.writer.run, args=(self.stopping,), name="writer", daemon=True)
        self.thread.start()

    def _done(self, job: str, outcome: PassOutcome) -> None:
        with self.lock:
            w = self.waiting.get(job)
        if w is not None:
            w[1].append(outcome)
            w[0].set()

    def run_pass(self, spec: SiteSpec, timeout: float, grace: float) -> PassOutcome:
        job = uuid.uuid4().hex
        ev: tuple[threading.Event, list[PassOutcome]] = (threading.Event(), [])
        with self.lock:
            self.waiting[job] = ev
        try:
            msg = job_message(job, spec)
            msg["started"] = utcnow()
            entry = self.q.add(JOBS, msg)
            wait = timeout + grace + CLAIM_IDLE + 2 * HEARTBEAT + 30
            deadline = time.monotonic() + wait
            while not ev[0].wait(1.0):
                if self.stopping.is_set():
                    return PassOutcome("stopped")
                if time.monotonic() > deadline:
                    self.q.call(self.q.r.xdel, JOBS, entry)
                    return PassOutcome("died", f"no worker finished the pass within {wait:.0f}s "
                                               "(is a `presswatch worker` running on this queue?)")
            return ev[1][0]
        except InterruptedError:
            return PassOutcome("stopped")
        finally:
            with self.lock:
                self.waiting.pop(job, None)

    def stop(self, grace: float) -> None:
        self.stopping.set()
        self.q.stopping.set()
        self.thread.join(timeout=grace + 5)
        self.writer.close()

    def kill_now(self) -> None:
        self.stopping.set()
