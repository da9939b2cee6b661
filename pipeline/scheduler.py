"""`presswatch run`: APScheduler 3 polls every site on its own interval, each pass in a child
process (the Twisted reactor cannot restart), killed after the site's timeout; Datasette beside it."""

from __future__ import annotations

import logging
import logging.handlers
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler

from config import SiteSpec

log = logging.getLogger("presswatch.run")

_children: set[subprocess.Popen[Any]] = set()
_lock = threading.Lock()


def setup_logging(log_dir: str | Path = "logs") -> None:
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    out = logging.StreamHandler(sys.stdout)
    out.setFormatter(fmt)
    root.addHandler(out)
    try:
        Path(log_dir).mkdir(parents=True, exist_ok=True)
        fh = logging.handlers.RotatingFileHandler(Path(log_dir) / "presswatch.log", maxBytes=5_000_000,
                                                  backupCount=5, encoding="utf-8")
        fh.setFormatter(fmt)
        root.addHandler(fh)
    except OSError as e:
        log.warning("no log file in %s: %s", log_dir, e)


def crawl_command(key: str, db_path: str, sites_file: str | None) -> list[str]:
    cmd = [sys.executable, "-m", "pipeline.cli", "crawl", "--site", key, "--db", db_path]
    if sites_file:
        cmd += ["--sites", sites_file]
    return cmd


def run_site(spec: SiteSpec, db_path: str, sites_file: str | None) -> int | None:
    """One pass of one site in a child process; killed after spec.timeout. Returns the exit code."""
    proc = subprocess.Popen(crawl_command(spec.key, db_path, sites_file), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    with _lock:
        _children.add(proc)
    try:
        out, _ = proc.communicate(timeout=spec.timeout)
        for line in (out or "").splitlines():
            log.info("[%s] %s", spec.key, line)
        return proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        log.error("[%s] crawl killed after %.0fs timeout", spec.key, spec.timeout)
        _mark_killed(db_path, spec.key)
        return None
    finally:
        with _lock:
            _children.discard(proc)


def _mark_killed(db_path: str, site: str) -> None:
    from db import open_db, utcnow

    db = open_db(db_path)
    db.execute("UPDATE crawl_runs SET status = 'killed', finished = ?, error = 'killed after timeout' "
               "WHERE site = ? AND status = 'running'", [utcnow(), site])
    db.close()


def run_forever(specs: dict[str, SiteSpec], db_path: str, *, sites_file: str | None = None,
                serve: bool = True, port: int = 8001, log_dir: str | Path = "logs") -> None:
    from db import open_db
    from pipeline.publish import datasette_command, write_metadata

    setup_logging(log_dir)
    db_path = str(db_path)
    open_db(db_path).close()
    scheduler = BlockingScheduler(job_defaults={"coalesce": True, "max_instances": 1,
                                                "misfire_grace_time": 300})
    for spec in specs.values():
        if not spec.enabled:
            continue
        scheduler.add_job(run_site, "interval", seconds=spec.every, jitter=min(60, spec.every / 10),
                          args=[spec, db_path, sites_file], id=spec.key, name=spec.name,
                          next_run_time=_now())
    tmp = tempfile.TemporaryDirectory()
    server = None
    if serve:
        meta = write_metadata(db_path, Path(tmp.name) / "metadata.json")
        server = subprocess.Popen(datasette_command(db_path, meta, "127.0.0.1", port))
        log.info("Datasette on http://127.0.0.1:%d/", port)

    def stop(signum: int, frame: Any) -> None:
        log.info("signal %d: stopping", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("polling %d site(s) into %s", len(scheduler.get_jobs()), db_path)
    try:
        scheduler.start()
    finally:
        with _lock:
            for child in list(_children):
                child.terminate()
        for child in list(_children):
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        tmp.cleanup()
        log.info("stopped (pid %d)", os.getpid())


def _now() -> Any:
    from datetime import datetime

    return datetime.now().astimezone()
