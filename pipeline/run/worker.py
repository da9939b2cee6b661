"""A long-lived crawl worker: many site passes in one process, several at once, on one Twisted reactor
(Scrapy ``CrawlerRunner``), so the ~1.3 s of CPU a fresh Scrapy process costs is paid once per worker,
not once per pass.

Two ways of getting jobs, one way of running them (``PassRunner``):

- **local** (``presswatch run``): ``python -m pipeline.run.worker --db PATH`` reads pass jobs as JSON
  lines on stdin and answers each with a ``done`` line on stdout (pipeline/run/pool.py drives it).
  The pass writes into the SQLite file itself, as ``presswatch crawl`` does. End of stdin (the parent
  is gone) or SIGTERM/SIGINT stops it: running passes close gracefully (their crawl_runs rows say
  ``shutdown``), then the process exits. The pool retires a worker past its pass or memory bound only
  when it has no pass running (never mid-item) and starts a fresh one.
- **queue** (``presswatch worker --queue redis://…``): jobs come from a Redis stream
  (pipeline/run/queue.py); the pass has no access to the database: known URLs are asked of the
  writer's Redis set before a request, extracted and scored items go to the writer's stream, and
  feed validators are kept in a private scratch database that is deleted at exit.

Messages (JSON lines), parent → worker: ``{"type": "pass", "job", "site": {spec}}`` (pipeline/run/jobs.py),
``{"type": "cancel", "job", "reason"}``, ``{"type": "exit"}``. Worker → parent: ``{"type": "ready", "pid"}``,
``{"type": "done", "job", "site", "run_ids", "error", "passes", "rss_mb"}``.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from config import SiteSpec
from pipeline.run.jobs import dumps, loads, parse_job

if TYPE_CHECKING:
    from twisted.internet.defer import Deferred

log = logging.getLogger("presswatch.worker")

REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


def rss_mb() -> float:
    """Resident memory of this process in MiB (/proc/self/statm; 0.0 where there is no /proc)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1048576


def install_reactor() -> Any:
    """Install the asyncio reactor Scrapy expects (before anything imports twisted.internet.reactor)."""
    from scrapy.utils.reactor import install_reactor as _install

    if "twisted.internet.reactor" not in sys.modules:
        _install(REACTOR)
    from twisted.internet import reactor

    return reactor


def worker_logging(verbose: bool = False) -> None:
    """Log lines to stderr (stdout carries the messages in local mode). Scrapy's per-request chatter is
    off; the spider's warnings (one line per failed request) stay."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    if not verbose:
        for name in ("scrapy", "scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry",
                     "scrapy.core.scraper", "py.warnings"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    logging.getLogger("presswatch.worker").setLevel(logging.INFO)


def warm_up() -> None:
    """Import the crawl stack once, before the first job (seconds of CPU), so that no pass pays for it
    and its timeout starts with the crawl itself."""
    import spiders.news  # noqa: F401
    import spiders.stages.s100_extract  # noqa: F401
    import spiders.stages.s300_relevance  # noqa: F401
    import spiders.stages.s500_dedup  # noqa: F401
    import spiders.stages.s900_store  # noqa: F401
    from pipeline.extract import explain_extraction  # noqa: F401
    from pipeline.relevance import score  # noqa: F401


class PassRunner:
    """Runs site passes on the reactor, each its own Scrapy ``Crawler`` (own settings, own spider),
    all sharing one ``CrawlerRunner``.

    ``db_path``: the SQLite file the spider writes (the real one in local mode, a scratch file in queue
    mode). ``spider_extra(job_id, spec)``: more keyword arguments for NewsSpider (queue mode: ``known``,
    ``hand_off``). ``item_pipelines``: replaces the stages of spiders/settings.py (queue mode: no dedup,
    no store). ``on_new_article``: the store hook (the alert outbox) in local mode."""

    def __init__(self, db_path: str, *, overrides: dict[str, Any] | None = None,
                 spider_extra: Callable[[str, SiteSpec], dict[str, Any]] | None = None,
                 item_pipelines: dict[str, int] | None = None, on_new_article: Any = None) -> None:
        from scrapy.crawler import CrawlerRunner

        self.db_path = db_path
        self.overrides = dict(overrides or {})
        self.spider_extra = spider_extra
        self.item_pipelines = item_pipelines
        self.on_new_article = on_new_article
        self.runner = CrawlerRunner()
        self.crawlers: dict[str, Any] = {}
        self.passes = 0

    @property
    def active(self) -> int:
        return len(self.crawlers)

    def start_pass(self, job_id: str, spec: SiteSpec) -> Deferred[dict[str, Any]]:
        """Start one pass of ``spec``; the Deferred fires (never errs) with ``{"job", "site", "run_ids",
        "error"}`` when the spider has closed and written its crawl_runs row."""
        from scrapy.crawler import Crawler
        from twisted.python.failure import Failure

        from pipeline.run.crawl import scrapy_settings
        from spiders.news import NewsSpider

        settings = scrapy_settings({spec.key: spec}, self.overrides)
        if self.item_pipelines is not None:
            settings.set("ITEM_PIPELINES", self.item_pipelines, priority="cmdline")
        crawler = Crawler(NewsSpider, settings)
        self.crawlers[job_id] = crawler
        kwargs: dict[str, Any] = {"specs": {spec.key: spec}, "db_path": self.db_path,
                                  "on_new_article": self.on_new_article}
        if self.spider_extra is not None:
            kwargs.update(self.spider_extra(job_id, spec))
        d = self.runner.crawl(crawler, **kwargs)

        def finished(res: Any) -> dict[str, Any]:
            self.crawlers.pop(job_id, None)
            self.passes += 1
            spider = getattr(crawler, "spider", None)
            out: dict[str, Any] = {"job": job_id, "site": spec.key,
                                   "run_ids": list(getattr(spider, "run_ids", {}).values()), "error": None}
            if isinstance(res, Failure):
                out["error"] = f"{res.type.__name__}: {res.getErrorMessage()}"[:300]
                log.error("[%s] pass failed: %s", spec.key, out["error"])
            return out

        d.addBoth(finished)
        return d  # type: ignore[return-value]

    def cancel(self, job_id: str, reason: str) -> None:
        """Close a running pass early (its site's timeout): the spider closes gracefully and its run row
        says ``killed`` with ``reason``. Unknown or finished jobs are ignored."""
        crawler = self.crawlers.get(job_id)
        spider = getattr(crawler, "spider", None) if crawler is not None else None
        if crawler is None or spider is None:
            return
        for key in spider.specs:  # the first error is the one the run row keeps
            spider.stats_by_site[key]["errors"] += 1
            spider.errors_by_site[key].insert(0, reason)
        spider.stopped = "killed"
        _stop(crawler)

    def stop_all(self) -> Deferred[Any]:
        """Close every running pass gracefully (status ``shutdown``); fires when all have closed."""
        from twisted.internet.defer import DeferredList

        return DeferredList([_stop(c) for c in list(self.crawlers.values())])


def _stop(crawler: Any) -> Deferred[Any]:
    from scrapy.utils.defer import deferred_from_coro

    d: Deferred[Any] = deferred_from_coro(crawler.stop_async())
    return d


def serve_pipe(db_path: str, *, verbose: bool = False) -> int:
    """The local worker: jobs on stdin, answers on stdout, until stdin ends, an ``exit`` message or
    SIGTERM/SIGINT. Returns the exit code (0)."""
    reactor = install_reactor()
    worker_logging(verbose)
    from scrapy.utils.ossignal import install_shutdown_handlers

    from pipeline.alerts import load_alerts
    from pipeline.alerts.outbox import enqueuer

    try:
        alerts = load_alerts(None)  # PRESSWATCH_ALERTS, set by presswatch run
        hook = enqueuer(alerts.subscriptions) if alerts.subscriptions else None
    except Exception as e:  # presswatch run checked the file at start; an edit since is logged
        log.error("alerts file unusable, no alert is enqueued by this worker: %s", e)
        hook = None
    overrides = {"LOG_LEVEL": "INFO" if verbose else "ERROR"}
    runner = PassRunner(db_path, overrides=overrides, on_new_article=hook)
    out_lock = threading.Lock()
    stopping = [False]

    def send(msg: dict[str, Any]) -> None:
        with out_lock:
            try:
                sys.stdout.write(dumps(msg) + "\n")
                sys.stdout.flush()
            except (BrokenPipeError, ValueError):  # the parent is gone: shutting down anyway
                pass

    def shutdown() -> None:
        if stopping[0]:
            return
        stopping[0] = True
        d = runner.stop_all()
        d.addBoth(lambda _: reactor.stop() if reactor.running else None)

    def on_line(line: str) -> None:
        try:
            msg = loads(line)
            kind = msg.get("type")
            if kind == "pass":
                job_id, spec = parse_job(msg)
                if stopping[0]:
                    send({"type": "done", "job": job_id, "site": spec.key, "run_ids": [],
                          "error": "worker stopping"})
                    return
                d = runner.start_pass(job_id, spec)
                d.addCallback(lambda r: send({"type": "done", **r, "passes": runner.passes, "rss_mb": rss_mb()}))
            elif kind == "cancel":
                runner.cancel(str(msg.get("job")), str(msg.get("reason") or "cancelled"))
            elif kind == "exit":
                shutdown()
            else:
                raise ValueError(f"unknown message type {kind!r}")
        except ValueError as e:
            log.error("message dropped (%s): %.200s", e, line)

    def read_stdin() -> None:
        for line in sys.stdin:
            if line.strip():
                reactor.callFromThread(on_line, line)
        reactor.callFromThread(shutdown)  # the parent closed the pipe, or died

    warm_up()
    from db import open_db

    open_db(db_path).close()  # migrated once here: the passes open it without migrating
    install_shutdown_handlers(lambda signum, frame: reactor.callFromThread(shutdown))
    threading.Thread(target=read_stdin, name="jobs", daemon=True).start()
    reactor.callWhenRunning(send, {"type": "ready", "pid": os.getpid()})
    reactor.run(installSignalHandlers=False)
    return 0


QUEUE_STAGES = {"spiders.stages.s100_extract.ExtractStage": 100,
                "spiders.stages.s300_relevance.RelevanceStage": 300,
                "spiders.stages.s900_handoff.HandOffStage": 900}


def serve_queue(url: str, *, concurrency: int, max_passes: int, max_rss_mb: float, verbose: bool = False) -> int:
    """The queue worker (pipeline/run/queue.py): up to ``concurrency`` passes at once from ``pw:jobs``,
    records to ``pw:items``, each job acknowledged once its pass handed everything over. Past
    ``max_passes`` passes or ``max_rss_mb`` MiB it takes no new job and exits with code 75 once its
    passes are over (the supervisor starts a fresh one). SIGTERM/SIGINT: running passes close (status
    ``shutdown``), their jobs are acknowledged, exit 0. Feed validators live in a scratch database in a
    temporary folder, removed at exit."""
    import shutil
    import socket
    import tempfile
    import uuid

    reactor = install_reactor()
    worker_logging(verbose)
    from scrapy.utils.ossignal import install_shutdown_handlers

    from pipeline.run.queue import HEARTBEAT, ITEMS, JOBS, RETIRED, WORKERS, RedisQueue

    scratch = tempfile.mkdtemp(prefix="presswatch-worker-")
    consumer = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    try:
        q = RedisQueue(url, f"worker {consumer}")
    except OSError as e:
        log.error("%s", e)
        shutil.rmtree(scratch, ignore_errors=True)
        return 1
    warm_up()
    import spiders.stages.s900_handoff  # noqa: F401
    from db import open_db

    open_db(os.path.join(scratch, "scratch.db")).close()  # the passes open it without migrating

    running: dict[str, str] = {}  # job id -> stream entry id
    state = {"stopping": False, "retiring": False}

    def hand_off_for(job_id: str, spec: SiteSpec) -> Callable[[str, dict[str, Any]], None]:
        from db import utcnow
        from pipeline.run.jobs import spec_to_dict

        started = utcnow()

        def hand_off(kind: str, payload: dict[str, Any]) -> None:
            extra: dict[str, Any] = {"spec": spec_to_dict(spec)} if kind == "item" else {}
            if kind == "pass":
                extra["started"] = started
            try:
                q.add(ITEMS, {"type": kind, "job": job_id, **payload, **extra})
            except ValueError as e:
                log.error("record of job %s dropped: %s", job_id, e)
                if kind == "item":
                    raise
            except InterruptedError:
                pass
        return hand_off

    runner = PassRunner(os.path.join(scratch, "scratch.db"), overrides={"LOG_LEVEL": "INFO" if verbose else "ERROR"},
                        spider_extra=lambda job, spec: {"known": q.known, "hand_off": hand_off_for(job, spec)},
                        item_pipelines=QUEUE_STAGES)

    def start(entry: str, msg: dict[str, Any] | None, why: str | None) -> None:
        try:
            if msg is None:
                raise ValueError(why or "malformed")
            job_id, spec = parse_job(msg)
        except ValueError as e:
            log.error("job %s dropped: %s", entry, e)
            threading.Thread(target=q.ack, args=(JOBS, WORKERS, [entry]), daemon=True).start()
            return
        if job_id in running:
            return
        running[job_id] = entry
        d = runner.start_pass(job_id, spec)

        def done(res: dict[str, Any]) -> None:
            running.pop(job_id, None)
            threading.Thread(target=q.ack, args=(JOBS, WORKERS, [entry]), daemon=True).start()
            if runner.passes >= max_passes or rss_mb() >= max_rss_mb:
                state["retiring"] = True
            if (state["retiring"] or state["stopping"]) and not running and reactor.running:
                reactor.stop()

        d.addCallback(done)

    def take_jobs() -> None:
        last_beat = 0.0
        while not state["stopping"] and not state["retiring"]:
            free = concurrency - len(running)
            try:
                if time.monotonic() - last_beat >= HEARTBEAT:
                    last_beat = time.monotonic()
                    q.heartbeat(consumer, list(running.values()))
                    got = q.claim_dead(consumer, max(free, 0)) if free > 0 else []
                    for entry, msg, why in got:
                        log.warning("job %s of a dead worker taken over", entry)
                        reactor.callFromThread(start, entry, msg, why)
                        free -= 1
                if free <= 0:
                    time.sleep(0.2)
                    continue
                for entry, msg, why in q.read(JOBS, WORKERS, consumer, free, 1000):
                    reactor.callFromThread(start, entry, msg, why)
                time.sleep(0.05)  # let the reactor register what was read
            except InterruptedError:
                return
            except Exception:
                log.exception("reading jobs failed")
                time.sleep(1.0)
        # retiring: keep the heartbeat for the passes still running
        while running and not state["stopping"]:
            try:
                q.heartbeat(consumer, list(running.values()))
            except InterruptedError:
                return
            time.sleep(HEARTBEAT)

    def shutdown() -> None:
        if state["stopping"]:
            return
        state["stopping"] = True
        d = runner.stop_all()
        d.addBoth(lambda _: reactor.stop() if reactor.running and not running else None)

    install_shutdown_handlers(lambda signum, frame: reactor.callFromThread(shutdown))
    threading.Thread(target=take_jobs, name="jobs", daemon=True).start()
    try:
        reactor.run(installSignalHandlers=False)
    finally:
        q.stopping.set()
        shutil.rmtree(scratch, ignore_errors=True)
    if state["retiring"] and not state["stopping"]:
        log.info("retiring after %d passes (%.0f MiB)", runner.passes, rss_mb())
        return RETIRED
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m pipeline.run.worker", description=__doc__.split("\n\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--db", help="local mode: the SQLite file the passes write into (jobs on stdin)")
    src.add_argument("--queue", help="queue mode: the Redis URL to take jobs from")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--max-passes", type=int, default=1000)
    ap.add_argument("--max-rss-mb", type=float, default=600.0)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    if args.queue:
        return serve_queue(args.queue, concurrency=args.concurrency, max_passes=args.max_passes,
                           max_rss_mb=args.max_rss_mb, verbose=args.verbose)
    return serve_pipe(args.db, verbose=args.verbose)


if __name__ == "__main__":
    sys.exit(main())
