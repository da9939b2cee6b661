"""The Redis side of queue mode (docs/scale-out.md): Redis Streams with consumer groups, redis-py.

Keys (all under ``pw:``):

- ``pw:jobs`` (group ``workers``): one entry per due pass, ``{"type": "pass", "job", "site": {spec}}``,
  added by the scheduler (pipeline/run/writer.py ``QueueDispatch``), read by ``presswatch worker``s.
  A worker acknowledges a job after its pass has handed every record to ``pw:items``. While a pass
  runs its worker refreshes the entry every ``HEARTBEAT`` s (XCLAIM to itself), so an entry idle for
  ``CLAIM_IDLE`` s belongs to a dead worker: any other worker takes it over with XAUTOCLAIM (checked
  every ``HEARTBEAT`` s). A killed worker's pass is therefore restarted within CLAIM_IDLE + HEARTBEAT
  seconds (18 s) by another worker.
- ``pw:items`` (group ``writer``): the records of a pass, in order: ``item`` (an extracted, scored
  article with its compressed page), ``url`` (a page that is no article, blocked, or failed) and last
  ``pass`` (the run's counters). The writer acknowledges (and deletes) each one after its SQLite
  transaction committed; after a crash it reads its own unacknowledged entries first.
- ``pw:known``: a set of the canonical URLs (and their fetched variants) the database has, kept by the
  writer (seeded from SQLite at start and after Redis comes back). Workers ask it (SMISMEMBER)
  before requesting an article.
- ``pw:passes``: job ids whose pass record the writer has stored (a redelivered one is not stored twice).

``RedisQueue`` wraps every command: a lost connection is retried with back-off (0.5 s doubling to 10 s)
and logged once when lost and once when back; ``on_reconnect`` callbacks (re-create the groups, re-seed
the known set) run after a reconnection. A message larger than ``MAX_MESSAGE_BYTES``, not JSON, or
not of a known type is logged with its id and dropped (acknowledged), never retried forever.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from pipeline.run.jobs import MAX_MESSAGE_BYTES, dumps, loads

log = logging.getLogger("presswatch.queue")

JOBS, WORKERS = "pw:jobs", "workers"
ITEMS, WRITER = "pw:items", "writer"
KNOWN = "pw:known"
PASSES = "pw:passes"
CLAIM_IDLE = 15.0  # seconds without a heartbeat after which a job is taken over
HEARTBEAT = 3.0
RETIRED = 75  # exit code of a worker that stopped at its pass/memory bound (replaced at once)


class RedisQueue:
    """A redis-py client for ``url`` whose calls survive a Redis restart (see the module docstring).
    ``name`` says who is logging (worker, writer). Raises OSError at construction when Redis cannot be
    reached at all (wrong URL, nothing listening): a misconfiguration is reported at start."""

    def __init__(self, url: str, name: str, *, connect: bool = True) -> None:
        import redis

        self.url = url
        self.name = name
        self.r = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=30, health_check_interval=10)
        self.errors: tuple[type[BaseException], ...] = (redis.ConnectionError, redis.TimeoutError)
        self.response_error = redis.ResponseError
        self.on_reconnect: list[Callable[[], None]] = []
        self.stopping = threading.Event()
        if connect:
            try:
                self.r.ping()
            except self.errors as e:
                raise OSError(f"cannot reach Redis at {url}: {e}") from None
            self.ensure_groups()

    def call(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        """``fn(*args, **kw)`` (a redis-py method), retried with back-off while Redis is unreachable.
        Raises InterruptedError when ``stopping`` is set during the wait."""
        delay, lost_at = 0.5, None
        while True:
            try:
                out = fn(*args, **kw)
            except self.errors as e:
                if lost_at is None:
                    lost_at = time.monotonic()
                    log.warning("%s: lost Redis at %s (%s): retrying with back-off", self.name, self.url, e)
                if self.stopping.wait(delay):
                    raise InterruptedError("stopping") from None
                delay = min(delay * 2, 10.0)
                continue
            if lost_at is not None:
                log.warning("%s: Redis at %s is back after %.1fs", self.name, self.url, time.monotonic() - lost_at)
                for hook in self.on_reconnect:
                    hook()
            return out

    def ensure_groups(self) -> None:
        """Create the two streams and their consumer groups (no error when they exist)."""
        for stream, group in ((JOBS, WORKERS), (ITEMS, WRITER)):
            try:
                self.r.xgroup_create(stream, group, id="0", mkstream=True)
            except self.response_error as e:
                if "BUSYGROUP" not in str(e):
                    raise

    # -- streams ----------------------------------------------------------------------------------
    def add(self, stream: str, msg: dict[str, Any]) -> str:
        """Append ``msg`` (JSON) to ``stream``; returns the entry id. Raises ValueError when it is larger
        than MAX_MESSAGE_BYTES (the sender logs and drops it)."""
        data = dumps(msg).encode()
        if len(data) > MAX_MESSAGE_BYTES:
            raise ValueError(f"message of {len(data)} bytes is larger than the limit ({MAX_MESSAGE_BYTES})")
        entry = self.call(self.r.xadd, stream, {"data": data})
        return entry.decode() if isinstance(entry, bytes) else str(entry)

    def read(self, stream: str, group: str, consumer: str, count: int, block_ms: int,
             own_first: bool = False) -> list[tuple[str, dict[str, Any] | None, str | None]]:
        """Up to ``count`` entries for ``consumer``: with ``own_first`` its unacknowledged ones first (after
        a restart), else new ones (waiting up to ``block_ms``). Each is ``(id, message, None)`` or, for a
        malformed entry, ``(id, None, why)``."""
        resp = self.call(self.r.xreadgroup, group, consumer, {stream: "0" if own_first else ">"},
                         count=count, block=None if own_first else block_ms)
        return [decode_entry(eid, fields) for _, entries in resp or [] for eid, fields in entries]

    def ack(self, stream: str, group: str, ids: Iterable[str]) -> None:
        ids = list(ids)

        def both() -> Any:
            pipe = self.r.pipeline()  # a fresh pipeline per attempt (a failed one is emptied)
            pipe.xack(stream, group, *ids)
            pipe.xdel(stream, *ids)
            return pipe.execute()

        if ids:
            self.call(both)

    def claim_dead(self, consumer: str, count: int) -> list[tuple[str, dict[str, Any] | None, str | None]]:
        """Jobs idle for over CLAIM_IDLE s (their worker is dead), now ``consumer``'s."""
        resp = self.call(self.r.xautoclaim, JOBS, WORKERS, consumer, int(CLAIM_IDLE * 1000), "0-0", count=count)
        return [decode_entry(eid, fields) for eid, fields in resp[1] if fields]

    def heartbeat(self, consumer: str, ids: Iterable[str]) -> None:
        """Reset the idle time of this consumer's running jobs (XCLAIM to itself, JUSTID)."""
        ids = list(ids)
        if ids:
            self.call(self.r.xclaim, JOBS, WORKERS, consumer, 0, ids, justid=True)

    # -- the known-URL set ------------------------------------------------------------------------
    def known(self, urls: list[str]) -> set[str]:
        """Which of ``urls`` the writer has (SMISMEMBER on ``pw:known``)."""
        if not urls:
            return set()
        flags = self.call(self.r.smismember, KNOWN, urls)
        return {u for u, f in zip(urls, flags, strict=True) if f}

    def add_known(self, urls: Iterable[str]) -> None:
        batch = [u for u in urls if u]
        for i in range(0, len(batch), 5000):
            self.call(self.r.sadd, KNOWN, *batch[i:i + 5000])


def decode_entry(eid: Any, fields: Any) -> tuple[str, dict[str, Any] | None, str | None]:
    entry = eid.decode() if isinstance(eid, bytes) else str(eid)
    data = (fields or {}).get(b"data", (fields or {}).get("data"))
    if data is None:
        return entry, None, "no 'data' field"
    try:
        return entry, loads(data), None
    except ValueError as e:
        return entry, None, str(e)


def supervise_worker(url: str, *, concurrency: int, max_passes: int, max_rss_mb: float,
                     verbose: bool = False) -> int:
    """``presswatch worker``: keep one worker process (``python -m pipeline.run.worker --queue URL``)
    running; one that retired at its bound is replaced at once, one that crashed after a back-off.
    SIGTERM/SIGINT are passed on (the worker finishes or hands back its passes) and end this loop.
    Returns the exit code (0 after a signal; 1 when Redis is unreachable at start)."""
    try:
        RedisQueue(url, "worker")
    except OSError as e:
        log.error("%s", e)
        return 1
    from pipeline.run.children import start_child

    stop = threading.Event()
    child: list[subprocess.Popen[Any]] = []

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()
        for c in child:
            if c.poll() is None:
                c.send_signal(signal.SIGTERM)

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    cmd = [sys.executable, "-m", "pipeline.run.worker", "--queue", url, "--concurrency", str(concurrency),
           "--max-passes", str(max_passes), "--max-rss-mb", str(max_rss_mb)] + (["-v"] if verbose else [])
    delay = 1.0
    try:
        while not stop.is_set():
            proc = start_child(cmd)
            child[:] = [proc]
            log.info("crawl worker pid %d started (queue %s, %d passes at once)", proc.pid, url, concurrency)
            code = proc.wait()
            if stop.is_set():
                break
            if code == RETIRED:
                log.info("crawl worker pid %d retired at its bound: replaced", proc.pid)
                delay = 1.0
                continue
            log.error("crawl worker pid %d exited with code %d: restarting in %.0fs", proc.pid, code, delay)
            stop.wait(delay)
            delay = min(delay * 2, 60.0)
    finally:
        for c in child:
            if c.poll() is None:
                try:
                    c.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    c.kill()
        for s, h in old.items():
            signal.signal(s, h)
    log.info("worker supervisor pid %d stopped", os.getpid())
    return 0
