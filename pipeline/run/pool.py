"""The local crawl workers of ``presswatch run``: a few long-lived ``python -m pipeline.run.worker``
processes (pipeline/run/worker.py), each running several site passes at once, fed over a pipe.

- ``LocalPool.run_pass(spec, timeout, grace)`` blocks the calling scheduler thread until the pass is
  over and says how it ended (``PassOutcome``). The pass goes to the worker with the fewest passes
  running; a worker is started when needed (at most ``workers``).
- Past its site's ``timeout`` a pass is cancelled (the spider closes gracefully, its row says
  ``killed``); if it has not closed ``grace`` seconds later, its worker is killed (SIGKILL) and every
  pass it ran ends as ``died`` (their rows are closed by the scheduler); a new worker replaces it.
- A worker past ``max_passes`` passes or ``max_rss_mb`` MiB of memory gets no new pass; once its last
  pass is over it is told to exit and a fresh one takes its place: never in the middle of an item.
- ``stop(grace)``: SIGTERM to every worker (running passes close with status ``shutdown``), SIGKILL after
  ``grace`` seconds. A worker also exits when its stdin closes, so none outlives this process.
"""

from __future__ import annotations

import itertools
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from config import SiteSpec
from pipeline.run.jobs import dumps, job_message, loads

log = logging.getLogger("presswatch.run")

_ids = itertools.count(1)
READY_WAIT = 120.0  # seconds a new worker may take to import the crawl stack


@dataclass
class PassOutcome:
    """How a pass ended: ``done`` (the spider closed; ``error`` set if the pass itself failed to run),
    ``killed`` (past its timeout; its worker was killed when it did not close in time), ``died`` (its
    worker died), ``stopped`` (presswatch run is stopping)."""

    status: str
    error: str | None = None
    run_ids: list[int] = field(default_factory=list)
    pid: int | None = None


class _Waiter:
    def __init__(self) -> None:
        self.event = threading.Event()
        self.msg: dict[str, Any] | None = None


class WorkerProc:
    """One worker child and the threads reading its stdout (messages) and stderr (log lines)."""

    def __init__(self, db_path: str, verbose: bool = False) -> None:
        cmd = [sys.executable, "-m", "pipeline.run.worker", "--db", db_path] + (["-v"] if verbose else [])
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, bufsize=1, process_group=0)  # Ctrl-C reaches only run
        self.pid = self.proc.pid
        self.pending: dict[str, _Waiter] = {}
        self.passes = 0
        self.rss_mb = 0.0
        self.draining = False
        self.dead = False
        self.ready = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._read_out, name=f"worker-{self.pid}-out", daemon=True),
                        threading.Thread(target=self._read_err, name=f"worker-{self.pid}-err", daemon=True)]
        for t in self.threads:
            t.start()

    def send(self, msg: dict[str, Any]) -> bool:
        try:
            with self.lock:
                assert self.proc.stdin is not None
                self.proc.stdin.write(dumps(msg) + "\n")
                self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError, ValueError):
            return False

    def _read_out(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                msg = loads(line)
            except ValueError:
                log.info("[worker %d] %s", self.pid, line.rstrip())
                continue
            if msg.get("type") == "ready":
                self.ready.set()
            elif msg.get("type") == "done":
                with self.lock:
                    self.passes = int(msg.get("passes") or self.passes)
                    self.rss_mb = float(msg.get("rss_mb") or self.rss_mb)
                    waiter = self.pending.pop(str(msg.get("job")), None)
                if waiter is not None:
                    waiter.msg = msg
                    waiter.event.set()
        code = self.proc.wait()
        self.ready.set()
        with self.lock:
            self.dead = True
            waiters = list(self.pending.values())
            self.pending.clear()
            _close(self.proc.stdin)
        _close(self.proc.stdout)
        for w in waiters:
            w.msg = {"type": "died", "error": f"worker pid {self.pid} died (exit code {code})"}
            w.event.set()

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            if line.strip():
                log.info("[worker %d] %s", self.pid, line.rstrip())
        _close(self.proc.stderr)

    def join(self, timeout: float) -> None:
        """Wait (up to ``timeout`` s) for the reader threads, which close the pipes once the child is gone."""
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass


def _close(pipe: Any) -> None:
    try:
        if pipe is not None:
            pipe.close()
    except (OSError, ValueError):
        pass


class LocalPool:
    """``workers`` worker processes writing into ``db_path``, ``concurrency`` passes each at most."""

    def __init__(self, db_path: str, *, workers: int, concurrency: int, max_passes: int = 1000,
                 max_rss_mb: float = 600.0, verbose: bool = False) -> None:
        self.db_path = db_path
        self.n_workers = max(1, workers)
        self.concurrency = max(1, concurrency)
        self.max_passes = max_passes
        self.max_rss_mb = max_rss_mb
        self.verbose = verbose
        self.workers: list[WorkerProc] = []
        self.retired = 0
        self.lock = threading.Lock()
        self.stopping = False

    def _pick(self) -> WorkerProc | None:
        with self.lock:
            if self.stopping:
                return None
            self.workers = [w for w in self.workers if not w.dead]
            live = [w for w in self.workers if not w.draining]
            free = [w for w in live if len(w.pending) < self.concurrency]
            if free:
                return min(free, key=lambda w: len(w.pending))
            if len(live) < self.n_workers:
                w = WorkerProc(self.db_path, self.verbose)
                self.workers.append(w)
                log.info("crawl worker pid %d started", w.pid)
                return w
            return min(live, key=lambda w: len(w.pending)) if live else None

    def run_pass(self, spec: SiteSpec, timeout: float, grace: float) -> PassOutcome:
        """One pass of ``spec`` on a worker; blocks until it is over (at most timeout + grace + a few s)."""
        worker = self._pick()
        if worker is None:
            return PassOutcome("stopped")
        if not worker.ready.wait(READY_WAIT) or worker.dead:
            return PassOutcome("died", f"worker pid {worker.pid} did not start", pid=worker.pid)
        job = f"{os.getpid()}-{next(_ids)}"
        waiter = _Waiter()
        with worker.lock:
            worker.pending[job] = waiter
        if not worker.send(job_message(job, spec)):
            with worker.lock:
                worker.pending.pop(job, None)
            return PassOutcome("died", f"worker pid {worker.pid} not accepting jobs", pid=worker.pid)
        killed = False
        if not waiter.event.wait(timeout):
            killed = True
            log.error("[%s] crawl still running after its %.0fs timeout: stopping it", spec.key, timeout)
            worker.send({"type": "cancel", "job": job, "reason": f"killed after {timeout:.0f}s timeout"})
            if not waiter.event.wait(grace):
                log.warning("[%s] pass still running %.0fs after it was cancelled: killing worker pid %d "
                            "(its other passes end too)", spec.key, grace, worker.pid)
                worker.kill()
                waiter.event.wait(10)
        msg = waiter.msg or {"type": "died", "error": f"worker pid {worker.pid} did not answer"}
        self._maybe_retire(worker)
        if self.stopping:
            return PassOutcome("stopped", run_ids=list(msg.get("run_ids") or []), pid=worker.pid)
        if killed:
            return PassOutcome("killed", f"killed after {timeout:.0f}s timeout",
                               list(msg.get("run_ids") or []), worker.pid)
        if msg.get("type") == "died":
            return PassOutcome("died", str(msg.get("error")), pid=worker.pid)
        return PassOutcome("done", msg.get("error"), list(msg.get("run_ids") or []), worker.pid)

    def _maybe_retire(self, worker: WorkerProc) -> None:
        with self.lock, worker.lock:
            if not worker.draining and (worker.passes >= self.max_passes or worker.rss_mb >= self.max_rss_mb):
                worker.draining = True
                log.info("crawl worker pid %d retiring after %d passes (%.0f MiB): replaced when idle",
                         worker.pid, worker.passes, worker.rss_mb)
            retire = worker.draining and not worker.pending and not worker.dead
        if retire:
            worker.send({"type": "exit"})
            self.retired += 1

    def pids(self) -> list[int]:
        with self.lock:
            return [w.pid for w in self.workers if not w.dead]

    def stop(self, grace: float) -> None:
        """SIGTERM every worker (passes close as ``shutdown``), SIGKILL after ``grace`` seconds."""
        with self.lock:
            self.stopping = True
            workers = list(self.workers)
        for w in workers:
            if w.proc.poll() is None:
                log.info("stopping crawl worker pid %d (SIGTERM)", w.pid)
                try:
                    w.proc.terminate()
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + grace
        for w in workers:
            try:
                w.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("crawl worker pid %d still running %.0fs after SIGTERM: SIGKILL", w.pid, grace)
                w.kill()
                w.proc.wait()
            with w.lock:
                _close(w.proc.stdin)
            w.join(5)

    def kill_now(self) -> None:
        with self.lock:
            workers = list(self.workers)
        for w in workers:
            w.kill()
