"""Queue mode on a real Redis (Debian's redis-server on a free loopback port; skipped with the reason when
it is not installed): the writer is idempotent by canonical URL (a redelivered item or a writer killed
after its commit stores nothing twice and enqueues no second alert), malformed and oversized records
are logged and dropped, a Redis restart is survived with one log line each way, and end to end
`presswatch run --queue` + two `presswatch worker`s, one of them SIGKILLed in the middle of a pass."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.loopnews import NewsSite, article_html

REPO = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("redis-server") is None,
                                 reason="redis-server is not installed (Debian: apt-get install redis-server)")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    srv = RedisServer()
    srv.start()
    yield srv
    srv.stop()


def item_record(job: str, i: int, base: str = "http://127.0.0.1:1") -> dict[str, Any]:
    """What a worker hands over for article i of the loopback site (tests/loopnews.py)."""
    from types import SimpleNamespace

    from config import SiteSpec
    from pipeline.process import process_page, score_article
    from pipeline.run.jobs import spec_to_dict
    from spiders.stages.s900_handoff import item_payload

    spec = SiteSpec(key="loop", name="loop", domains=("127.0.0.1",), feeds=(f"{base}/rss.xml",))
    url = f"{base}/tin/bai-{i}.html"
    body = article_html(i)
    art, why = process_page(body, {"Content-Type": "text/html; charset=utf-8"}, url, spec)
    assert art is not None, why
    score_article(art)
    item = SimpleNamespace(article=art, status=200, headers={"Content-Type": "text/html"}, body=body)
    return {"type": "item", "job": job, **item_payload(item), "spec": spec_to_dict(spec)}


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(x) for x in text.split()]


def count(db_path: Path, sql: str) -> Any:
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def test_writer_is_idempotent_after_a_crash_between_commit_and_ack(redis_server: RedisServer,
                                                                   tmp_path: Path) -> None:
    from pipeline.alerts import parse_alerts
    from pipeline.run.queue import ITEMS, WRITER, RedisQueue
    from pipeline.run.writer import Writer

    db = tmp_path / "w.db"
    alerts = parse_alerts('[alerts.all]\nchannels = []\n')
    q = RedisQueue(redis_server.url, "writer")
    for i in (1, 2, 3):
        q.add(ITEMS, item_record("j1", i))
    q.add(ITEMS, {"type": "pass", "job": "j1", "site": "loop", "requests": 4, "status": "ok"})
    w = Writer(q, str(db), alerts=alerts)
    # the writer applies (commits) every record but is "killed" before acknowledging any
    for entry, msg, why in q.read(ITEMS, WRITER, "writer", 10, 100):
        w.apply(entry, msg, why)
    w.close()
    assert count(db, "SELECT count(*) FROM articles") == 3
    assert count(db, "SELECT count(*) FROM alert_outbox") == 3
    # restarted: its unacknowledged records come back first and change nothing
    import threading

    w2 = Writer(RedisQueue(redis_server.url, "writer"), str(db), alerts=alerts)
    stop = threading.Event()
    t = threading.Thread(target=w2.run, args=(stop,), daemon=True)
    t.start()
    deadline = time.monotonic() + 10
    while q.r.xpending(ITEMS, WRITER)["pending"] and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    t.join(10)
    w2.close()
    assert q.r.xpending(ITEMS, WRITER)["pending"] == 0
    assert count(db, "SELECT count(*) FROM articles") == 3
    assert count(db, "SELECT count(DISTINCT url) FROM articles") == 3
    assert count(db, "SELECT count(*) FROM alert_outbox") == 3  # no alert twice
    assert count(db, "SELECT count(*) FROM crawl_runs") == 1  # the pass record once
    assert q.known([f"http://127.0.0.1:1/tin/bai-{i}.html" for i in (1, 2, 3, 4)]) == {
        f"http://127.0.0.1:1/tin/bai-{i}.html" for i in (1, 2, 3)}


def test_malformed_and_oversized_records_are_logged_and_dropped(redis_server: RedisServer, tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    import threading

    from pipeline.run.jobs import MAX_MESSAGE_BYTES
    from pipeline.run.queue import ITEMS, WRITER, RedisQueue
    from pipeline.run.writer import Writer

    q = RedisQueue(redis_server.url, "writer")
    q.r.xadd(ITEMS, {"data": b"{not json"})
    q.r.xadd(ITEMS, {"other": b"x"})
    q.r.xadd(ITEMS, {"data": b'{"type": "item", "job": "j", "article": {"url": 5}}'})
    q.r.xadd(ITEMS, {"data": b'{"type": "item", "job": "j", "article": ' + b'"' + b"a" * MAX_MESSAGE_BYTES + b'"}'})
    q.r.xadd(ITEMS, {"data": b'{"type": "launch"}'})
    with pytest.raises(ValueError, match="larger than the limit"):
        q.add(ITEMS, {"type": "item", "page": "x" * MAX_MESSAGE_BYTES})
    q.add(ITEMS, item_record("j", 7))
    caplog.set_level(logging.ERROR, logger="presswatch.writer")
    w = Writer(q, str(tmp_path / "w.db"))
    stop = threading.Event()
    t = threading.Thread(target=w.run, args=(stop,), daemon=True)
    t.start()
    deadline = time.monotonic() + 20
    while count(tmp_path / "w.db", "SELECT count(*) FROM articles") < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    t.join(10)
    w.close()
    assert count(tmp_path / "w.db", "SELECT count(*) FROM articles") == 1
    dropped = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert len(dropped) == 5, dropped
    assert any("not JSON" in m for m in dropped) and any("larger than the limit" in m for m in dropped)
    assert any("no 'data' field" in m for m in dropped) and any("unknown record type" in m for m in dropped)
    assert q.r.xpending(ITEMS, WRITER)["pending"] == 0 and q.r.xlen(ITEMS) == 0


def test_redis_restart_is_survived_with_back_off_and_logged_once(redis_server: RedisServer,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    import threading

    from pipeline.run.queue import JOBS, RedisQueue

    caplog.set_level(logging.INFO, logger="presswatch.queue")
    q = RedisQueue(redis_server.url, "worker w1")
    reconnected: list[bool] = []
    q.on_reconnect.append(lambda: reconnected.append(True))
    redis_server.stop()
    threading.Timer(3.0, redis_server.start).start()
    started = time.monotonic()
    entry = q.add(JOBS, {"type": "pass", "job": "x"})  # blocks, retrying, until Redis is back
    took = time.monotonic() - started
    assert entry and 2.5 < took < 15
    assert reconnected == [True]
    q.ensure_groups()
    lost = [r for r in caplog.records if "lost Redis" in r.getMessage()]
    back = [r for r in caplog.records if "is back after" in r.getMessage()]
    assert len(lost) == 1 and len(back) == 1, [r.getMessage() for r in caplog.records]


def _cli(*args: str, out: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    with out.open("w") as f:  # the child keeps its own descriptor
        return subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], cwd=REPO, env=env, text=True,
                                stdout=f, stderr=subprocess.STDOUT, process_group=0)


def test_run_queue_with_two_workers_one_killed_mid_pass(redis_server: RedisServer, tmp_path: Path) -> None:
    env = {**os.environ, "PRESSWATCH_START_STAGGER": "0", "PRESSWATCH_KILL_GRACE": "5"}
    db = tmp_path / "pw.db"
    with NewsSite(10) as site:
        site.article_delay = 2.0
        sites = site.write_sites(tmp_path / "sites.toml", every="4s", max_every="4s")
        w1 = _cli("worker", "--queue", redis_server.url, "--concurrency", "1", out=tmp_path / "w1.out", env=env)
        time.sleep(8)  # w1 is ready first and takes the first job
        run = _cli("run", "--queue", redis_server.url, "--no-serve", "--sites", str(sites), "--db", str(db),
                   "--log-dir", "", out=tmp_path / "run.out", env=env)
        w2 = None
        try:
            deadline = time.monotonic() + 60
            while site.article_hits() < 3 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert site.article_hits() >= 3, (tmp_path / "w1.out").read_text()
            w2 = _cli("worker", "--queue", redis_server.url, "--concurrency", "1", out=tmp_path / "w2.out", env=env)
            # SIGKILL the worker in the middle of its pass (then its supervisor, so nothing restarts it)
            for child in children(w1.pid):
                os.kill(child, signal.SIGKILL)
            os.kill(w1.pid, signal.SIGKILL)
            w1.wait(10)
            killed_at = time.monotonic()
            site.article_delay = 0
            deadline = time.monotonic() + 90
            while count(db, "SELECT count(*) FROM articles") < 10 and time.monotonic() < deadline:
                time.sleep(0.2)
            took = time.monotonic() - killed_at
            site.add(2)
            deadline = time.monotonic() + 40
            while count(db, "SELECT count(*) FROM articles") < 12 and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            for p in (run, w2):
                if p is not None:
                    p.send_signal(signal.SIGTERM)
            codes = [p.wait(60) for p in (run, w2) if p is not None]
    log = (tmp_path / "run.out").read_text() + (tmp_path / "w2.out").read_text()
    assert codes == [0, 0], log
    assert count(db, "SELECT count(*) FROM articles") == 12, log
    assert count(db, "SELECT count(DISTINCT url) FROM articles") == 12
    assert took < 40, f"the dead worker's job was taken over after {took:.0f}s"
    assert "taken over" in (tmp_path / "w2.out").read_text()
    # every article downloaded at most twice (the killed pass may have fetched one it never handed over)
    assert all(site.hits[f"/tin/bai-{i}.html"] <= 2 for i in range(1, 13)), site.hits
    assert sum(site.hits[f"/tin/bai-{i}.html"] for i in range(11, 13)) == 2  # new ones: exactly once
    assert count(db, "SELECT count(*) FROM crawl_runs WHERE status = 'running'") == 0
