"""`presswatch run`: APScheduler 3 polls every site on its own interval and hands each due pass to a
long-lived crawl worker (pipeline/run/pool.py: local worker processes, many passes each on one
reactor) or, with ``--queue redis://…``, to the Redis queue that workers on any machine read
(pipeline/run/writer.py: this process is then also the one writer). Datasette runs beside it.

- One job per site (``max_instances=1``, ``coalesce=True``, a misfire grace time, jitter). After each
  pass the job is rescheduled: ``next_interval`` adapts the interval to the site's recent ``new``
  counts within [min_every, max_every], and a site in back-off (429/503, stored ``backoff_until``)
  is not polled before its back-off ends.
- Each pass runs with the site's spec as the sites file says now (an edit takes effect at the next
  pass; a broken file makes the pass fail with the reason) passed through
  ``pipeline.run.effective.effective_spec`` (the hook for discovery before a first pass).
- Stopping (SIGTERM/SIGINT): no new pass starts, the workers get SIGTERM (their passes close
  gracefully and write their crawl_runs rows as ``shutdown``), then SIGKILL after a grace period;
  rows a killed worker left ``running`` are marked ``killed``. Each article is stored in one
  transaction, so the database is consistent whatever the moment. Exit code 0.
- A pass that outlives its site's ``timeout`` is cancelled; if it does not close within the grace
  period its worker is killed and replaced.
- Alerts owed by the outbox are delivered after each pass, from this process.

The interval rule is in pipeline/run/intervals.py, the child processes' helpers (stopping, closing
their crawl_runs rows, Datasette, logging) in pipeline/run/children.py.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from config import ConfigError, SiteSpec, load_sites, settings
from pipeline.run.children import (
    crawl_command,
    end_process,
    mark_running,
    setup_logging,
)
from pipeline.run.intervals import HISTORY, jitter_for, next_interval
from pipeline.run.pool import PassOutcome

if TYPE_CHECKING:
    from pipeline.alerts import AlertsConfig

log = logging.getLogger("presswatch.run")

# PRESSWATCH_KILL_GRACE, PRESSWATCH_START_STAGGER, PRESSWATCH_MAX_PARALLEL: read when used
# (config/settings.py: kill_grace, start_stagger, max_parallel)

# re-exported: the pieces that moved to pipeline.run.children and pipeline.run.intervals
__all__ = ["Runner", "next_interval", "jitter_for", "HISTORY", "crawl_command", "end_process",
           "mark_running", "setup_logging"]


def _utc(iso: str | None) -> datetime | None:
    if not iso:
        return None
    try:
        d = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Dispatch(Protocol):
    """Where a due pass goes: the local workers (pipeline/run/pool.py ``LocalPool``) or the Redis queue
    (pipeline/run/writer.py ``QueueDispatch``)."""

    def run_pass(self, spec: SiteSpec, timeout: float, grace: float) -> PassOutcome: ...

    def stop(self, grace: float) -> None: ...

    def kill_now(self) -> None: ...


class Runner:
    """The scheduler, its child crawls and their shutdown."""

    def __init__(self, specs: dict[str, SiteSpec], db_path: str, *, sites_file: str | None = None,
                 kill_grace: float | None = None, dispatch: Dispatch | None = None,
                 alerts: AlertsConfig | None = None) -> None:
        self.specs = {k: s for k, s in specs.items() if s.enabled}
        self.db_path = db_path
        self.sites_file = sites_file
        self._sites_mtime: int | None = None
        self._loaded: dict[str, SiteSpec] = {}
        self.kill_grace = settings.kill_grace() if kill_grace is None else kill_grace
        self.stopping = threading.Event()
        self.dispatch = dispatch
        self.alerts = alerts
        self.deliver_lock = threading.Lock()
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.active = 0
        self.passes = 0
        self.scheduler: BackgroundScheduler | None = None

    # -- one pass -------------------------------------------------------------------------------
    def run_site(self, key: str) -> int | None:
        """One pass of one site in a child process; killed after its timeout. Returns the exit code
        (None when the pass was skipped, killed or interrupted)."""
        spec = self.specs[key]
        with self.lock:
            if self.stopping.is_set():
                return None
            self.active += 1
        try:
            return self._run_site(spec)
        except Exception:
            log.exception("[%s] pass failed", key)
            return None
        finally:
            with self.lock:
                self.active -= 1
                self.idle.notify_all()

    def _run_site(self, spec: SiteSpec) -> int | None:
        until = self.backoff_until(spec.key)
        if until is not None:
            log.info("[%s] in back-off until %s: pass skipped", spec.key, until.isoformat(timespec="seconds"))
            self.reschedule(spec.key, until)
            return None
        # no scheduled fire while this pass runs (after_pass sets the real next run)
        self.reschedule(spec.key, datetime.now(UTC) + timedelta(seconds=spec.timeout + self.kill_grace + 60))
        last_id = self.last_run_id(spec.key)
        started = _now_iso()
        try:
            spec = self.current_spec(spec.key)
        except ConfigError as e:
            error = f"cannot read the sites file: {e}"[:500]
            log.error("[%s] %s", spec.key, error)
            self.record_failure(spec.key, last_id, started, "failed", error)
            self.after_pass(spec)
            return 1
        spec = self.effective(spec)
        if self.stopping.is_set() or self.dispatch is None:
            return None
        outcome = self.dispatch.run_pass(spec, spec.timeout, self.kill_grace)
        with self.lock:
            self.passes += 1
        if outcome.status == "stopped" or self.stopping.is_set():
            mark_running(self.db_path, spec.key, "killed", "stopped with presswatch run")
            return None
        if outcome.status in ("killed", "died") or outcome.error:
            status = "failed" if outcome.status == "done" else outcome.status
            error = outcome.error or status
            if outcome.status == "done":
                log.error("[%s] %s", spec.key, error)
            if not mark_running(self.db_path, spec.key, "killed" if status == "killed" else "failed", error):
                if outcome.status != "killed" or not outcome.run_ids:
                    self.record_failure(spec.key, last_id, started, status, error, outcome.pid)
        self.deliver_alerts()
        self.after_pass(spec)
        return 0 if outcome.status == "done" and not outcome.error else 1

    def current_spec(self, key: str) -> SiteSpec:
        """The site's spec as the sites file says now (an edit takes effect at the next pass; the file is
        read again only when its modification time changed). Raises ConfigError when the file is
        unusable or no longer has the site."""
        if self.sites_file is None:
            return self.specs[key]
        try:
            mtime = os.stat(self.sites_file).st_mtime_ns
        except OSError as e:
            raise ConfigError(f"{self.sites_file}: {e.strerror}") from None
        if mtime != self._sites_mtime:
            self._loaded = load_sites(self.sites_file)
            self._sites_mtime = mtime
        if key not in self._loaded:
            raise ConfigError(f"{self.sites_file}: no site {key!r} any more")
        return self._loaded[key]

    def effective(self, spec: SiteSpec) -> SiteSpec:
        """The spec a pass runs with: ``pipeline.run.effective.effective_spec`` (the hook for discovery
        before a site's first pass)."""
        from db import open_db
        from pipeline.run.effective import effective_spec

        db = open_db(self.db_path, migrate=False)
        try:
            return effective_spec(db, spec)
        finally:
            db.close()

    def deliver_alerts(self) -> None:
        """Send what the alert outbox owes after a pass (when an alerts file with channels is in use)."""
        if self.alerts is None or not any(s.channels for s in self.alerts.subscriptions.values()):
            return
        from pipeline.run.crawl import deliver_alerts

        with self.deliver_lock:
            report = deliver_alerts(self.db_path, self.alerts)
        if report.errors:
            log.warning("alerts: %s", report.line())

    def last_run_id(self, key: str) -> int:
        from db import open_db
        from db.runs import last_run_id

        db = open_db(self.db_path, migrate=False)
        try:
            return last_run_id(db, key)
        finally:
            db.close()

    def record_failure(self, key: str, since_id: int, started: str, status: str, error: str,
                       pid: int | None = None) -> None:
        """A pass that died or was killed before writing its crawl_runs row still leaves one (so health
        shows it), naming ``pid``: the worker that ran it (None: no process ran it)."""
        from db import open_db
        from db.runs import record_missing_run

        db = open_db(self.db_path, migrate=False)
        try:
            record_missing_run(db, key, since_id, started, status, error, pid)
        finally:
            db.close()

    def backoff_until(self, key: str) -> datetime | None:
        from db import open_db
        from db.runs import get_site_state

        db = open_db(self.db_path, migrate=False)
        try:
            until = _utc(get_site_state(db, key)["backoff_until"])
        finally:
            db.close()
        return until if until is not None and until > datetime.now(UTC) else None

    def after_pass(self, spec: SiteSpec) -> float:
        """Adapt the site's interval to its recent passes; honour its back-off. Returns the interval."""
        from db import open_db
        from db.runs import recent_new_counts, set_interval

        db = open_db(self.db_path, migrate=False)
        try:
            interval = next_interval(recent_new_counts(db, spec.key, HISTORY), spec)
            set_interval(db, spec.key, interval)
        finally:
            db.close()
        until = self.backoff_until(spec.key)
        if until is not None and until > datetime.now(UTC) + timedelta(seconds=interval):
            log.warning("[%s] back-off: next pass at %s", spec.key, until.isoformat(timespec="seconds"))
            self.reschedule(spec.key, until, interval)
        else:
            self.reschedule(spec.key, None, interval)  # now + interval + jitter (the trigger's)
        return interval

    def reschedule(self, key: str, when: datetime | None, interval: float | None = None) -> None:
        """New interval (the trigger, with jitter) and/or next run time of a site's job."""
        sched = self.scheduler
        if sched is None or self.stopping.is_set():
            return
        try:
            if interval is not None:
                trigger = IntervalTrigger(seconds=interval, jitter=jitter_for(interval))
                sched.reschedule_job(key, trigger=trigger)
                if when is None:
                    log.info("[%s] next pass in %.0fs", key, interval)
            if when is not None:
                sched.modify_job(key, next_run_time=max(when, datetime.now(UTC)))
        except Exception as e:  # the scheduler is shutting down, or the job is gone
            log.debug("[%s] not rescheduled: %s", key, e)

    # -- start and stop -------------------------------------------------------------------------
    def first_runs(self) -> dict[str, datetime]:
        """When each site is first polled: staggered from now, but not before its last pass plus its
        interval (a restart does not poll everything at once again), nor during its back-off."""
        from db import open_db
        from db.runs import get_site_state, last_finished_start

        now = datetime.now(UTC)
        stagger = settings.start_stagger()
        out: dict[str, datetime] = {}
        db = open_db(self.db_path, migrate=False)
        try:
            for i, (key, spec) in enumerate(self.specs.items()):
                when = now + timedelta(seconds=i * stagger)
                state = get_site_state(db, key)
                last = _utc(last_finished_start(db, key))
                interval = state["interval_seconds"] or spec.every
                if last is not None:
                    when = max(when, last + timedelta(seconds=interval))
                until = _utc(state["backoff_until"])
                if until is not None:
                    when = max(when, until)
                out[key] = when
        finally:
            db.close()
        return out

    def close_stale_runs(self) -> None:
        """Rows left 'running' by an earlier process that died (SIGKILL, power cut) are closed."""
        for key, spec in self.specs.items():
            n = mark_running(self.db_path, key, "killed", "interrupted (found running at start-up)",
                             only_dead=True, older_than=spec.timeout + self.kill_grace + 60)
            if n:
                log.warning("[%s] %d crawl run(s) left running by an earlier process marked killed", key, n)

    def start(self) -> None:
        self.close_stale_runs()
        workers = max(1, min(settings.max_parallel(), len(self.specs)))
        sched = BackgroundScheduler(
            executors={"default": {"type": "threadpool", "max_workers": workers}},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
            timezone=UTC,
        )
        firsts = self.first_runs()
        from db import open_db
        from db.runs import get_site_state

        db = open_db(self.db_path, migrate=False)
        try:
            intervals = {k: get_site_state(db, k)["interval_seconds"] or s.every
                         for k, s in self.specs.items()}
        finally:
            db.close()
        for key, spec in self.specs.items():
            iv = min(max(intervals[key], spec.min_every), spec.max_every)
            sched.add_job(self.run_site, IntervalTrigger(seconds=iv, jitter=jitter_for(iv)), args=[key],
                          id=key, name=spec.name, next_run_time=firsts[key],
                          misfire_grace_time=max(300, int(iv)))
        self.scheduler = sched
        sched.start()
        log.info("polling %d site(s) into %s", len(self.specs), self.db_path)

    def run_once(self) -> None:
        """Each site once (in parallel, $PRESSWATCH_MAX_PARALLEL at a time), then return."""
        self.close_stale_runs()
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=max(1, min(settings.max_parallel(), len(self.specs)))) as pool:
            list(pool.map(self.run_site, list(self.specs)))

    def stop(self) -> None:
        """Stop polling, end the running passes (SIGTERM to the workers, grace, SIGKILL), wait for them."""
        self.stopping.set()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.dispatch is not None:
            self.dispatch.stop(self.kill_grace)
        with self.idle:
            self.idle.wait_for(lambda: self.active == 0, timeout=self.kill_grace + 10)

    def kill_now(self) -> None:
        if self.dispatch is not None:
            self.dispatch.kill_now()
