"""One crawl pass, in this process (``presswatch crawl``; the Twisted reactor runs once per process:
``presswatch run`` runs its passes in long-lived workers, see pipeline/run/worker.py).

Signals (``crawl_once``): a first SIGINT/SIGTERM closes the pass gracefully (in-flight requests end,
queued ones are left for the next pass; its crawl_runs rows say ``shutdown``); a second one stops the
reactor at once (Scrapy's forced shutdown), and the rows the spider could not close are closed here,
as ``killed``, with what the database holds (``db.runs.close_unfinished_run``). Either way the
result's ``interrupted`` is the first signal's number, so the command can exit 128 + signal."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from config import SiteSpec
from config import settings as env_settings
from db import open_db
from pipeline.process import NewArticleHook

if TYPE_CHECKING:
    from pipeline.alerts import AlertsConfig
    from pipeline.alerts.outbox import Report

log = logging.getLogger(__name__)


@dataclass
class SiteSummary:
    site: str
    status: str
    requests: int
    new: int
    skipped: int
    errors: int
    error: str | None

    def line(self) -> str:
        out = (f"{self.site:<14} {self.status:<8} requests {self.requests:>4}  new {self.new:>4}  "
               f"skipped {self.skipped:>4}  errors {self.errors:>3}")
        if self.error:
            out += f"  ({self.error})"
        return out


def scrapy_settings(specs: dict[str, SiteSpec], overrides: dict[str, Any] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    settings.set("CLOSESPIDER_TIMEOUT", max((s.timeout for s in specs.values()), default=600), priority="project")
    # per-request download timeout in seconds (default 30 in spiders/settings.py): slow links, and
    # tests that need a hanging site to fail in seconds rather than a minute
    download_timeout = env_settings.download_timeout()
    if download_timeout is not None:
        settings.set("DOWNLOAD_TIMEOUT", download_timeout, priority="project")
    for k, v in (overrides or {}).items():
        settings.set(k, v, priority="cmdline")
    return settings


def quiet_scrapy_banners() -> None:
    """At INFO (``crawl -v``), leave out Scrapy's multi-line start and end dumps (versions, settings,
    middleware lists, stats) and its once-a-minute counters: the per-request lines stay readable."""
    for name in ("scrapy.utils.log", "scrapy.addons", "scrapy.middleware", "scrapy.crawler",
                 "scrapy.statscollectors", "scrapy.extensions.logstats", "scrapy.extensions.telnet"):
        logging.getLogger(name).setLevel(logging.WARNING)


class PassResult(list[SiteSummary]):
    """The per-site summaries of a pass, what the alert delivery after it did (or None), and the number
    of the signal that interrupted it (None: it ran to its end)."""

    alerts: Report | None = None
    interrupted: int | None = None


class _SignalledProcess(CrawlerProcess):
    """A CrawlerProcess that remembers the shutdown signals it got (Scrapy's handlers: the first closes
    the crawl gracefully, the second stops the reactor at once). Overrides Scrapy 2.x's private
    ``_signal_shutdown`` / ``_signal_kill`` (signal handlers: they only record the number)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.signals: list[int] = []

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        self.signals.append(signum)
        super()._signal_shutdown(signum, frame)

    def _signal_kill(self, signum: int, frame: Any) -> None:
        self.signals.append(signum)
        super()._signal_kill(signum, frame)


def crawl_once(specs: dict[str, SiteSpec], db_path: str, overrides: dict[str, Any] | None = None,
               alerts: AlertsConfig | None = None) -> PassResult:
    """Run one pass over ``specs`` into ``db_path``; return the per-site summary of this pass.

    With ``alerts``, each new article is enqueued for the matching subscriptions in its own
    transaction, and the outbox is delivered after the pass (pipeline/alerts/outbox.py)."""
    from spiders.news import NewsSpider

    specs = {k: s for k, s in specs.items() if s.enabled}
    if not specs:
        return _after_pass(PassResult(), db_path, alerts)
    open_db(db_path).close()  # migrate before the crawl starts
    from pipeline.run.discover import prepare_pass  # one-line (home only) blocks: discovered fields

    specs, discovery_failed = prepare_pass(specs, db_path)
    if not specs:
        return _after_pass(PassResult(summaries_of(db_path, discovery_failed)), db_path, alerts)
    process = _SignalledProcess(scrapy_settings(specs, overrides))  # (re)configures logging
    if (overrides or {}).get("LOG_LEVEL") != "INFO":
        # their tracebacks repeat what the per-site summary says in one line
        for name in ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry",
                     "scrapy.core.scraper"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    else:
        quiet_scrapy_banners()
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler, specs=specs, db_path=str(db_path), on_new_article=_enqueuer(alerts))
    process.start()
    spider = getattr(crawler, "spider", None)
    # this pass's own runs (other passes may be writing crawl_runs rows at the same time)
    run_ids = discovery_failed + list(getattr(spider, "run_ids", {}).values())
    if process.signals:
        _close_interrupted(db_path, spider, process.signals)
        result = PassResult(summaries_of(db_path, run_ids))
        result.interrupted = process.signals[0]
        return result  # no alert delivery on the way out: the outbox keeps them for the next pass
    return _after_pass(PassResult(summaries_of(db_path, run_ids)), db_path, alerts)


def _close_interrupted(db_path: str, spider: Any, signals: list[int]) -> None:
    """After a forced stop (a second signal) the spider may not have closed its crawl_runs rows: close
    them as ``killed`` (``shutdown`` after a single signal), counting what the database holds."""
    import signal as _signal

    from db.runs import close_unfinished_run

    if spider is None or not getattr(spider, "run_ids", None):
        return
    names = " then ".join(_signal.Signals(s).name for s in signals)
    status = "killed" if len(signals) > 1 else "shutdown"
    db = open_db(db_path, migrate=False)
    try:
        for key, run_id in spider.run_ids.items():
            st = spider.stats_by_site.get(key, {})
            if close_unfinished_run(db, run_id, status=status, error=f"interrupted ({names})",
                                    requests=int(st.get("requests", 0)), skipped=int(st.get("skipped", 0)),
                                    errors=int(st.get("errors", 0))):
                log.warning("%s: pass interrupted (%s): run %d closed as %s", key, names, run_id, status)
    finally:
        db.close()


def _enqueuer(alerts: AlertsConfig | None) -> NewArticleHook | None:
    """The hook that enqueues each new article in the alert outbox, inside its own transaction."""
    if alerts is None or not alerts.subscriptions:
        return None
    from pipeline.alerts.outbox import enqueuer

    return enqueuer(alerts.subscriptions)


def _after_pass(result: PassResult, db_path: str, alerts: AlertsConfig | None) -> PassResult:
    if alerts is not None and any(s.channels for s in alerts.subscriptions.values()):
        result.alerts = deliver_alerts(db_path, alerts)
    return result


def deliver_alerts(db_path: str, alerts: AlertsConfig) -> Report:
    """Send what the outbox owes (failures are kept in it with their error, never raised)."""
    from pipeline.alerts.outbox import Report, deliver

    db = open_db(db_path)
    try:
        return deliver(db, alerts)
    except Exception as e:  # delivery must never lose the pass's summary; rows stay in the outbox
        log.exception("alert delivery failed")
        return Report(errors=[f"{type(e).__name__}: {e}"])
    finally:
        db.close()


def summaries_of(db_path: str, run_ids: list[int]) -> list[SiteSummary]:
    from db.runs import run_summaries

    db = open_db(db_path)
    try:
        rows = run_summaries(db, run_ids)
    finally:
        db.close()
    return [SiteSummary(*r) for r in rows]
