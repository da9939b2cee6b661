"""`presswatch run`: APScheduler 3 polls every site on its own interval, each pass in a child
process (the Twisted reactor cannot restart), killed after the site's timeout; Datasette beside it.

- One job per site (``max_instances=1``, ``coalesce=True``, a misfire grace time, jitter). After each
  pass the job is rescheduled: ``next_interval`` adapts the interval to the site's recent ``new``
  counts within [min_every, max_every], and a site in back-off (429/503, stored ``backoff_until``)
  is not polled before its back-off ends.
- Stopping (SIGTERM/SIGINT): no new pass starts, every child crawl gets SIGTERM (Scrapy then closes
  the spider gracefully and writes its crawl_runs row as ``shutdown``), then SIGKILL after a grace
  period; rows a killed child left ``running`` are marked ``killed``. Each article is stored in one
  transaction, so the database is consistent whatever the moment. Exit code 0.
- A child that outlives its site's ``timeout`` gets the same SIGTERM, grace, SIGKILL treatment.

The interval rule is in pipeline/run/intervals.py, the child processes' helpers (command, stopping,
closing their crawl_runs rows, logging) in pipeline/run/children.py.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from config import SiteSpec, settings
from pipeline.run.children import crawl_command, end_process, mark_running, setup_logging
from pipeline.run.intervals import HISTORY, jitter_for, next_interval

log = logging.getLogger("presswatch.run")

# PRESSWATCH_KILL_GRACE, PRESSWATCH_START_STAGGER, PRESSWATCH_MAX_PARALLEL: read when used
# (config/settings.py: kill_grace, start_stagger, max_parallel)

# re-exported: the pieces that moved to pipeline.run.children and pipeline.run.intervals
__all__ = ["Runner", "run_forever", "next_interval", "jitter_for", "HISTORY", "crawl_command", "end_process",
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


class Runner:
    """The scheduler, its child crawls and their shutdown."""

    def __init__(self, specs: dict[str, SiteSpec], db_path: str, *, sites_file: str | None = None,
                 kill_grace: float | None = None) -> None:
        self.specs = {k: s for k, s in specs.items() if s.enabled}
        self.db_path = db_path
        self.sites_file = sites_file
        self.kill_grace = settings.kill_grace() if kill_grace is None else kill_grace
        self.stopping = threading.Event()
        self.children: dict[str, subprocess.Popen[Any]] = {}
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
        with self.lock:
            if self.stopping.is_set():
                return None
            proc = subprocess.Popen(crawl_command(spec.key, self.db_path, self.sites_file),
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                    process_group=0)  # a terminal's Ctrl-C reaches only this process
            self.children[spec.key] = proc
        killed = False
        try:
            try:
                out, _ = proc.communicate(timeout=spec.timeout)
            except subprocess.TimeoutExpired:
                killed = True
                log.error("[%s] crawl still running after its %.0fs timeout: stopping it", spec.key,
                          spec.timeout)
                end_process(proc, self.kill_grace)
                out, _ = proc.communicate()
        finally:
            with self.lock:
                self.children.pop(spec.key, None)
        for line in (out or "").splitlines():
            log.info("[%s] %s", spec.key, line)
        with self.lock:
            self.passes += 1
        if killed:
            error = f"killed after {spec.timeout:.0f}s timeout"
            if not mark_running(self.db_path, spec.key, "killed", error):
                self.record_failure(spec.key, last_id, started, "killed", error)
        elif self.stopping.is_set():
            mark_running(self.db_path, spec.key, "killed", "stopped with presswatch run")
            return proc.returncode
        elif proc.returncode != 0:
            tail = (out or "").strip().splitlines()[-1:] or [""]
            error = f"crawl exited with code {proc.returncode}: {tail[0][:300]}".rstrip(": ")
            log.error("[%s] %s", spec.key, error)
            if not mark_running(self.db_path, spec.key, "failed", error):
                self.record_failure(spec.key, last_id, started, "failed", error)
        self.after_pass(spec)
        return proc.returncode

    def last_run_id(self, key: str) -> int:
        from db import open_db
        from db.runs import last_run_id

        db = open_db(self.db_path)
        try:
            return last_run_id(db, key)
        finally:
            db.close()

    def record_failure(self, key: str, since_id: int, started: str, status: str, error: str) -> None:
        """A child that died before writing its crawl_runs row still leaves one (so health shows it)."""
        from db import open_db
        from db.runs import record_missing_run

        db = open_db(self.db_path)
        try:
            record_missing_run(db, key, since_id, started, status, error)
        finally:
            db.close()

    def backoff_until(self, key: str) -> datetime | None:
        from db import open_db
        from db.runs import get_site_state

        db = open_db(self.db_path)
        try:
            until = _utc(get_site_state(db, key)["backoff_until"])
        finally:
            db.close()
        return until if until is not None and until > datetime.now(UTC) else None

    def after_pass(self, spec: SiteSpec) -> float:
        """Adapt the site's interval to its recent passes; honour its back-off. Returns the interval."""
        from db import open_db
        from db.runs import recent_new_counts, set_interval

        db = open_db(self.db_path)
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
        db = open_db(self.db_path)
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

        db = open_db(self.db_path)
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
        """Stop polling, end child crawls (SIGTERM, grace, SIGKILL), wait for the passes to finish."""
        self.stopping.set()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        with self.lock:
            children = list(self.children.values())
        for child in children:
            if child.poll() is None:
                log.info("stopping crawl pid %d (SIGTERM)", child.pid)
                try:
                    child.terminate()
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + self.kill_grace
        for child in children:
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("crawl pid %d still running %.0fs after SIGTERM: SIGKILL", child.pid,
                            self.kill_grace)
                child.kill()
        with self.idle:
            self.idle.wait_for(lambda: self.active == 0, timeout=self.kill_grace + 10)

    def kill_now(self) -> None:
        with self.lock:
            children = list(self.children.values())
        for child in children:
            if child.poll() is None:
                child.kill()


def run_forever(specs: dict[str, SiteSpec], db_path: str, *, sites_file: str | None = None,
                serve: bool = True, port: int = 8001, log_dir: str | Path | None = "logs",
                once: bool = False) -> int:
    """``presswatch run``. Returns the exit code (0 after a clean stop)."""
    from db import open_db
    from pipeline.publish import datasette_command, write_metadata

    setup_logging(log_dir)
    db_path = str(db_path)
    open_db(db_path).close()
    runner = Runner(specs, db_path, sites_file=sites_file)
    stop = threading.Event()
    signals_seen = 0

    def on_signal(signum: int, frame: Any) -> None:
        nonlocal signals_seen
        signals_seen += 1
        if signals_seen == 1:
            log.info("signal %d: stopping (again to kill the crawls at once)", signum)
            stop.set()
            runner.stopping.set()
        else:
            log.warning("signal %d again: killing the crawls", signum)
            runner.kill_now()

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    tmp = tempfile.TemporaryDirectory()
    server = None
    try:
        if serve:
            meta = write_metadata(db_path, Path(tmp.name) / "metadata.json")
            server = subprocess.Popen(datasette_command(db_path, meta, "127.0.0.1", port), process_group=0)
            log.info("Datasette on http://127.0.0.1:%d/", port)
        if once:
            worker = threading.Thread(target=runner.run_once, name="once", daemon=True)
            worker.start()
            while worker.is_alive() and not stop.wait(0.5):
                pass
        else:
            runner.start()
            while not stop.wait(1.0):
                pass
    finally:
        runner.stop()
        if server is not None:
            end_process(server, 10)
        tmp.cleanup()
        for s, h in old.items():
            signal.signal(s, h)
        log.info("stopped after %d pass(es) (pid %d)", runner.passes, os.getpid())
    return 0

