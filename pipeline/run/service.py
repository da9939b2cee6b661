"""``presswatch run`` as a whole: logging, Datasette (a port in use is exit code 1), the dispatch (local
crawl workers, or the Redis queue and its writer), the scheduler (pipeline/run/scheduler.py) and a
clean stop on SIGTERM/SIGINT (workers, Datasette, the temporary folder)."""

from __future__ import annotations

import logging
import os
import signal
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config import SiteSpec, settings
from pipeline.run.children import ChildStartError, end_process, setup_logging, start_datasette
from pipeline.run.pool import LocalPool
from pipeline.run.scheduler import Dispatch, Runner

if TYPE_CHECKING:
    from pipeline.alerts import AlertsConfig

log = logging.getLogger("presswatch.run")


def local_pool(db_path: str, n_sites: int) -> LocalPool:
    """The local workers of ``presswatch run``: $PRESSWATCH_MAX_PARALLEL passes at once in all, over
    one worker process per core (fewer when there are fewer sites or passes)."""
    total = max(1, min(settings.max_parallel(), n_sites))
    workers = max(1, min(os.cpu_count() or 1, total))
    return LocalPool(db_path, workers=workers, concurrency=-(-total // workers))


def run_forever(specs: dict[str, SiteSpec], db_path: str, *, sites_file: str | None = None,
                serve: bool = True, port: int = 8001, log_dir: str | Path | None = "logs",
                once: bool = False, queue: str | None = None, alerts: AlertsConfig | None = None) -> int:
    """``presswatch run``: the scheduler, its local workers (or, with ``queue``, the Redis writer and
    the queue the remote workers read) and Datasette. Returns the exit code: 0 after a clean stop, 1
    when Datasette cannot start (its port is taken) or the queue cannot be reached at start."""
    from db import open_db
    from pipeline.publish import write_metadata

    setup_logging(log_dir)
    db_path = str(db_path)
    open_db(db_path).close()
    stop = threading.Event()
    signals_seen = 0
    runner: Runner | None = None

    def on_signal(signum: int, frame: Any) -> None:
        nonlocal signals_seen
        signals_seen += 1
        if signals_seen == 1:
            log.info("signal %d: stopping (again to kill the crawls at once)", signum)
            stop.set()
            if runner is not None:
                runner.stopping.set()
        elif runner is not None:
            log.warning("signal %d again: killing the crawls", signum)
            runner.kill_now()

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    tmp = tempfile.TemporaryDirectory(prefix="presswatch-run-")
    server = None
    code = 0
    try:
        if serve:
            meta = write_metadata(db_path, Path(tmp.name) / "metadata.json")
            try:
                server = start_datasette(db_path, meta, "127.0.0.1", port)
            except ChildStartError as e:
                log.error("%s", e)
                return 1
            log.info("Datasette on http://127.0.0.1:%d/", port)
        dispatch: Dispatch
        if queue:
            from pipeline.run.writer import QueueDispatch

            try:
                dispatch = QueueDispatch(queue, db_path, alerts=alerts)
            except OSError as e:
                log.error("%s", e)
                return 1
        else:
            dispatch = local_pool(db_path, len(specs))
        runner = Runner(specs, db_path, sites_file=sites_file, dispatch=dispatch, alerts=alerts)
        if stop.is_set():
            return 0
        if once:
            worker = threading.Thread(target=runner.run_once, name="once", daemon=True)
            worker.start()
            while worker.is_alive() and not stop.wait(0.5):
                pass
        else:
            runner.start()
            while not stop.wait(1.0):
                if server is not None and server.poll() is not None:
                    log.error("Datasette (pid %d) exited with code %s: stopping", server.pid, server.returncode)
                    code = 1
                    break
    finally:
        if runner is not None:
            runner.stop()
        if server is not None:
            end_process(server, 10)
        tmp.cleanup()
        for s, h in old.items():
            signal.signal(s, h)
        log.info("stopped after %d pass(es) (pid %d)", runner.passes if runner else 0, os.getpid())
    return code
