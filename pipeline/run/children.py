"""The child processes of ``presswatch run``: the crawl command, stopping a child (SIGTERM, grace,
SIGKILL), closing the crawl_runs rows a dead child left 'running', and the log set-up."""

from __future__ import annotations

import logging
import logging.handlers
import subprocess
import sys
from pathlib import Path
from typing import Any

from db import open_db
from db.runs import mark_interrupted

log = logging.getLogger("presswatch.run")


def setup_logging(log_dir: str | Path | None = "logs") -> None:
    """INFO and above to stdout and, when ``log_dir`` is given, to ``log_dir/presswatch.log`` (rotated at
    5 MB, 5 kept; created if needed). A log folder that cannot be written is warned about, not raised."""
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    out = logging.StreamHandler(sys.stdout)
    out.setFormatter(fmt)
    root.addHandler(out)
    if not log_dir:
        return
    try:
        Path(log_dir).mkdir(parents=True, exist_ok=True)
        fh = logging.handlers.RotatingFileHandler(Path(log_dir) / "presswatch.log", maxBytes=5_000_000,
                                                  backupCount=5, encoding="utf-8")
        fh.setFormatter(fmt)
        root.addHandler(fh)
    except OSError as e:
        log.warning("no log file in %s: %s", log_dir, e)


def crawl_command(key: str, db_path: str, sites_file: str | None) -> list[str]:
    """argv of one crawl pass of site ``key`` in a child process (``python -m pipeline.cli crawl``)."""
    cmd = [sys.executable, "-m", "pipeline.cli", "crawl", "--site", key, "--db", db_path]
    if sites_file:
        cmd += ["--sites", sites_file]
    return cmd


def end_process(proc: subprocess.Popen[Any], grace: float) -> int | None:
    """SIGTERM, wait up to ``grace`` seconds, then SIGKILL. Returns the exit code (negative: the signal);
    a process that is already gone is not an error."""
    if proc.poll() is None:
        try:
            proc.terminate()
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            log.warning("pid %d still running %.0fs after SIGTERM: SIGKILL", proc.pid, grace)
            proc.kill()
            proc.wait()
        except ProcessLookupError:
            pass
    return proc.returncode


def mark_running(db_path: str, site: str, status: str, error: str, *, only_dead: bool = False,
                 older_than: float | None = None) -> int:
    """Close the crawl_runs rows of ``site`` a dead child left 'running', with the scheduler's verdict
    (``status``, ``error``: replacing what the row had). With ``only_dead``, only rows whose process is
    gone or that are older than ``older_than`` seconds. Returns how many. ``db.runs.mark_interrupted``
    on the database at ``db_path``."""
    db = open_db(db_path)
    try:
        return mark_interrupted(db, site, status=status, error=error, only_dead=only_dead,
                                older_than=older_than, keep_error=False)
    finally:
        db.close()
