"""The child processes of ``presswatch run``, ``serve`` and ``demo``: the crawl command, starting
Datasette (a port already in use is an error, the child dies with its parent), stopping a child
(SIGTERM, grace, SIGKILL), closing the crawl_runs rows a dead child left 'running', the log set-up."""

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


class ChildStartError(RuntimeError):
    """A child server could not start (its port is in use, it exited at once)."""


def port_in_use(host: str, port: int) -> bool:
    """True when something already listens on ``host:port`` (or the port cannot be bound)."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def _die_with_parent() -> None:
    """preexec_fn: the child gets SIGTERM when its parent dies, even by SIGKILL (Linux prctl)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass


def start_child(cmd: list[str], **kw: Any) -> subprocess.Popen[Any]:
    """Popen a child that cannot outlive this process (SIGTERM when the parent dies, Linux) and is
    not in the terminal's process group (a Ctrl-C reaches only the parent, which stops it)."""
    return subprocess.Popen(cmd, preexec_fn=_die_with_parent, process_group=0, **kw)  # noqa: PLW1509


def start_datasette(db_path: str, metadata: str | Path, host: str, port: int,
                    wait: float = 60.0) -> subprocess.Popen[Any]:
    """Datasette on ``host:port`` (pipeline.publish.datasette_command), returned once it accepts
    connections. Raises ChildStartError when the port is in use (nothing is started) or Datasette exits
    or does not answer within ``wait`` seconds (it is stopped)."""
    import socket
    import time

    from pipeline.publish import datasette_command

    if port_in_use(host, port):
        raise ChildStartError(f"port {port} on {host} is already in use: is another presswatch or Datasette "
                              f"running? Stop it or choose another --port.")
    proc = start_child(datasette_command(db_path, metadata, host, port))
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ChildStartError(f"Datasette exited with code {proc.returncode} before serving on port {port}")
        try:
            with socket.create_connection((host if host not in ("0.0.0.0", "::") else "127.0.0.1", port), 0.5):
                return proc
        except OSError:
            time.sleep(0.1)
    end_process(proc, 5)
    raise ChildStartError(f"Datasette did not answer on port {port} within {wait:.0f}s")


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
    db = open_db(db_path, migrate=False)  # presswatch run migrated it at start
    try:
        return mark_interrupted(db, site, status=status, error=error, only_dead=only_dead,
                                older_than=older_than, keep_error=False)
    finally:
        db.close()
