"""`presswatch run` end to end over loopback (tests/loopnews.py), plus the pure parts of the
scheduler: next_interval, back-off, Retry-After, site health."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from config import SiteSpec
from pipeline.run.scheduler import next_interval
from spiders.middlewares import backoff_delay, parse_retry_after
from tests.faultlib import search_index_mismatch
from tests.loopnews import NewsSite, article_html

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PRESSWATCH_KILL_GRACE": "4", "PRESSWATCH_START_STAGGER": "0", "PYTHONUNBUFFERED": "1"}


# -- helpers ------------------------------------------------------------------------------------

def cli(*args: str, env: dict[str, str] | None = None, **kw: Any) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], cwd=REPO, env=env or ENV,
                            text=True, **kw)


def cli_run(*args: str, timeout: float = 90,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=REPO, env=env or ENV, text=True,
                          capture_output=True, timeout=timeout)


def q(db: Path, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if not db.exists():
        return []
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute(sql, args).fetchall()
    except sqlite3.OperationalError:  # not migrated yet
        return []
    finally:
        conn.close()


def wait_for(cond: Callable[[], Any], timeout: float = 60, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = cond()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def stop(proc: subprocess.Popen[str], sig: int = signal.SIGTERM, timeout: float = 40) -> int:
    proc.send_signal(sig)
    return proc.wait(timeout=timeout)


def runs(db: Path) -> list[dict[str, Any]]:
    cols = ["id", "site", "started", "finished", "new", "status", "error", "http_status", "unchanged",
            "backoff_until", "pid"]
    rows = q(db, f"SELECT {', '.join(cols)} FROM crawl_runs ORDER BY id")
    return [dict(zip(cols, r, strict=True)) for r in rows]


def assert_consistent(db: Path) -> None:
    assert q(db, "PRAGMA integrity_check") == [("ok",)]
    n_art = q(db, "SELECT count(*) FROM articles")[0][0]
    assert q(db, "SELECT count(*) FROM pages")[0][0] == n_art
    assert search_index_mismatch(db) == 0
    assert q(db, "SELECT count(*) FROM crawl_runs WHERE status = 'running'") == [(0,)]


def dead(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite(3) as s:
        yield s


# -- pure functions -----------------------------------------------------------------------------

SPEC = SiteSpec(key="x", name="x", domains=("x.vn",), feeds=("https://x.vn/rss",), every=900.0,
                min_every=300.0, max_every=6 * 3600.0)


def test_next_interval_without_history_is_every() -> None:
    assert next_interval([], SPEC) == 900.0


def test_next_interval_busy_site_is_polled_more_often_within_min() -> None:
    some = next_interval([2, 0, 1, 0, 0, 0], SPEC)
    busy = next_interval([5, 6, 4, 7, 5, 9], SPEC)
    assert 300.0 <= busy < some < 900.0
    assert next_interval([500] * 6, SPEC) == 300.0  # never below min_every


def test_next_interval_quiet_site_slows_down_up_to_max() -> None:
    one = next_interval([0, 3], SPEC)
    three = next_interval([0, 0, 0, 3], SPEC)
    assert 900.0 < one < three
    assert next_interval([0] * 50, SPEC) == 6 * 3600.0  # never above max_every


def test_next_interval_respects_bounds_when_every_is_outside_them() -> None:
    spec = SiteSpec(key="x", name="x", domains=("x.vn",), feeds=("https://x.vn/rss",), every=10.0,
                    min_every=60.0, max_every=120.0)
    assert next_interval([], spec) == 60.0
    assert 60.0 <= next_interval([0, 0, 0, 0], spec) <= 120.0


def test_after_pass_reschedules_the_job_with_the_adapted_interval_and_the_back_off(tmp_path: Path) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    from db import open_db
    from pipeline.run.scheduler import Runner

    path = tmp_path / "s.db"
    db = open_db(path)
    for new in (0, 0, 5, 6):  # oldest first
        db.execute("INSERT INTO crawl_runs (site, started, finished, new, status) "
                   "VALUES ('x', ?, ?, ?, 'ok')", ["2026-11-22T10:00:00+00:00", "2026-11-22T10:01:00+00:00",
                                                   new])
    runner = Runner({"x": SPEC}, str(path))
    sched = BackgroundScheduler(timezone=UTC)
    sched.add_job(print, IntervalTrigger(seconds=900), id="x")
    runner.scheduler = sched
    interval = runner.after_pass(SPEC)
    assert interval == next_interval([6, 5, 0, 0], SPEC) < 900
    job = sched.get_job("x")
    assert job.trigger.interval == timedelta(seconds=interval)
    assert q(path, "SELECT interval_seconds FROM site_state") == [(interval,)]
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    db.execute("UPDATE site_state SET backoff_until = ?", [until.isoformat()])
    runner.after_pass(SPEC)
    assert sched.get_job("x").next_run_time == until
    db.close()


def test_backoff_doubles_and_honours_retry_after() -> None:
    assert backoff_delay(1, 900, None) == 900
    assert backoff_delay(2, 900, None) == 1800
    assert backoff_delay(3, 900, None) == 3600
    assert backoff_delay(40, 900, None) == 24 * 3600  # capped
    assert backoff_delay(1, 900, 7200) == 7200  # Retry-After wins when longer


def test_parse_retry_after() -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after(b"30") == 30
    assert parse_retry_after("Sun, 22 Nov 2026 12:05:00 GMT", now) == 300
    assert parse_retry_after("Sun, 22 Nov 2026 11:00:00 GMT", now) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_article_fixture_is_long_enough() -> None:
    text = article_html(1).decode()
    assert "<h1>" in text and len(text.split()) >= 300


# -- presswatch run, end to end -----------------------------------------------------------------

@pytest.mark.slow
def test_run_polls_repeatedly_incrementally_and_stops_on_sigterm(site: NewsSite, tmp_path: Path) -> None:
    sites = site.write_sites(tmp_path / "sites.toml", every="2s", max_every="2s")
    db = tmp_path / "pw.db"
    out = open(tmp_path / "run.out", "w")  # noqa: SIM115
    proc = cli("run", "--no-serve", "--sites", str(sites), "--db", str(db),
               "--log-dir", str(tmp_path / "logs"), stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: q(db, "SELECT count(*) FROM crawl_runs WHERE status = 'ok'") >= [(2,)], 60,
                 "two passes")
        assert q(db, "SELECT count(*) FROM articles") == [(3,)]
        site.add(1)  # the feed gains an article between passes
        wait_for(lambda: q(db, "SELECT count(*) FROM articles") == [(4,)], 30, "the new article")
        n = len(runs(db))
        wait_for(lambda: len([r for r in runs(db) if r["status"] == "ok"]) >= n + 1, 30, "a pass after it")
    finally:
        code = stop(proc)
        out.close()
    log = (tmp_path / "run.out").read_text()
    assert code == 0, log
    rs = runs(db)
    assert len(rs) >= 4
    assert [r["new"] for r in rs].count(3) == 1 and [r["new"] for r in rs].count(1) == 1
    assert sum(r["new"] for r in rs) == 4
    # articles downloaded once each; the unchanged feed answered 304
    assert all(site.hits[f"/tin/bai-{i}.html"] == 1 for i in range(1, 5)), site.hits
    assert site.statuses[("/rss.xml", 304)] >= 1
    assert sum(r["unchanged"] for r in rs) >= 1
    assert_consistent(db)
    assert (tmp_path / "logs" / "presswatch.log").read_text().count("next pass in") >= 3
    assert "stopped after" in log
    # the health row and the status command
    res = cli_run("status", "--db", str(db))
    assert res.returncode == 0, res.stderr
    assert "loop" in res.stdout and "BLOCKED" not in res.stdout and "STALE" not in res.stdout


@pytest.mark.slow
def test_sigterm_during_a_crawl_ends_the_child_and_leaves_no_running_row(tmp_path: Path) -> None:
    with NewsSite(12) as site:
        site.article_delay = 1.5
        sites = site.write_sites(tmp_path / "sites.toml", every="30s")
        db = tmp_path / "pw.db"
        proc = cli("run", "--no-serve", "--sites", str(sites), "--db", str(db), "--log-dir", "",
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: site.article_hits() >= 2, 30, "the crawl to be fetching articles")
        child = q(db, "SELECT pid FROM crawl_runs WHERE status = 'running'")
        assert child, "a crawl in progress"
        code = stop(proc)
        assert code == 0
        rs = runs(db)
        assert rs[-1]["status"] == "shutdown", rs  # Scrapy closed gracefully within the grace period
        assert dead(child[0][0])
        assert_consistent(db)
        stored = q(db, "SELECT count(*) FROM articles")[0][0]
        assert stored < 12  # the queued requests were dropped, not downloaded during the stop
        site.article_delay = 0
        res = cli_run("run", "--once", "--no-serve", "--sites", str(sites), "--db", str(db), "--log-dir", "")
        assert res.returncode == 0, res.stdout + res.stderr
    # the next pass fetched the rest; nothing was downloaded twice
    assert q(db, "SELECT count(*) FROM articles") == [(12,)]
    assert all(site.hits[f"/tin/bai-{i}.html"] == 1 for i in range(1, 13)), site.hits
    assert runs(db)[-1]["new"] == 12 - stored


@pytest.mark.slow
def test_sigkill_mid_crawl_then_restart_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    with NewsSite(8) as site:
        site.article_delay = 1.0
        sites = site.write_sites(tmp_path / "sites.toml", every="2s")
        db = tmp_path / "pw.db"
        crawl = cli("crawl", "--sites", str(sites), "--db", str(db), stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL, process_group=0)
        wait_for(lambda: q(db, "SELECT count(*) FROM articles") >= [(1,)], 40, "a first stored article")
        os.killpg(crawl.pid, signal.SIGKILL)
        crawl.wait(10)
        stored = q(db, "SELECT count(*) FROM articles")[0][0]
        assert 1 <= stored < 8
        assert q(db, "SELECT status FROM crawl_runs") == [("running",)]
        # the killed pass saved no validator: the feed is read in full again, nothing is skipped
        assert q(db, "SELECT count(*) FROM sources WHERE etag IS NOT NULL OR body_hash IS NOT NULL") == [(0,)]
        site.article_delay = 0
        res = cli_run("run", "--once", "--no-serve", "--sites", str(sites), "--db", str(db), "--log-dir", "")
        assert res.returncode == 0, res.stdout + res.stderr
    assert q(db, "SELECT count(*), count(DISTINCT url) FROM articles") == [(8, 8)]
    assert q(db, "SELECT count(*) FROM urls WHERE status = 'article'") == [(8,)]
    rs = runs(db)
    assert [r["status"] for r in rs] == ["killed", "ok"], rs
    assert rs[0]["error"] == "interrupted (found running at start-up)"
    assert rs[1]["new"] == 8 - stored
    # pages stored before the kill were not downloaded again
    assert sum(site.hits[f"/tin/bai-{i}.html"] for i in range(1, 9)) <= 8 + (8 - stored) + 4
    assert_consistent(db)


@pytest.mark.slow
def test_hanging_crawl_is_killed_after_the_site_timeout(tmp_path: Path) -> None:
    with NewsSite(3) as site:
        site.hang.add("/tin/bai-2.html")
        sites = site.write_sites(tmp_path / "sites.toml", every="2s", timeout="4s")
        db = tmp_path / "pw.db"
        env = {**ENV, "PRESSWATCH_KILL_GRACE": "2"}
        started = time.monotonic()
        res = cli_run("run", "--once", "--no-serve", "--sites", str(sites), "--db", str(db), "--log-dir", "",
                      env=env, timeout=60)
        took = time.monotonic() - started
    assert res.returncode == 0, res.stdout + res.stderr
    assert took < 25
    rs = runs(db)
    assert len(rs) == 1 and rs[0]["status"] == "killed", rs
    assert rs[0]["error"] == "killed after 4s timeout"
    assert dead(rs[0]["pid"])
    assert "timeout" in res.stdout
    assert_consistent(db)


@pytest.mark.slow
def test_429_with_retry_after_backs_off_then_recovers(site: NewsSite, tmp_path: Path) -> None:
    site.throttle("/rss.xml", 429, retry_after="4")
    sites = site.write_sites(tmp_path / "sites.toml", every="1s", max_every="1s")
    db = tmp_path / "pw.db"
    proc = cli("run", "--no-serve", "--sites", str(sites), "--db", str(db), "--log-dir", "",
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: q(db, "SELECT count(*) FROM crawl_runs WHERE status = 'throttled'") == [(1,)], 40,
                 "the throttled pass")
        state = q(db, "SELECT backoff_until, backoff_count FROM site_state WHERE site = 'loop'")
        assert state and state[0][0] and state[0][1] == 1
        health = q(db, "SELECT backoff_until, last_http_status, consecutive_failures FROM site_health")
        assert health[0][1:] == (429, 1)
        wait_for(lambda: q(db, "SELECT count(*) FROM crawl_runs WHERE status = 'ok' AND new = 3") == [(1,)],
                 40, "the recovery")
    finally:
        code = stop(proc)
    assert code == 0
    rs = runs(db)
    assert rs[0]["status"] == "throttled" and rs[0]["http_status"] == 429 and rs[0]["backoff_until"]
    until = datetime.fromisoformat(rs[0]["backoff_until"])
    assert until - datetime.fromisoformat(rs[0]["started"]) >= timedelta(seconds=3)
    assert datetime.fromisoformat(rs[1]["started"]) >= until - timedelta(seconds=1)  # waited for Retry-After
    assert site.statuses[("/rss.xml", 429)] == 1  # not retried at once
    assert q(db, "SELECT backoff_until, backoff_count FROM site_state") == [(None, 0)]
    assert q(db, "SELECT consecutive_failures, backoff_until FROM site_health") == [(0, None)]
    assert q(db, "SELECT count(*) FROM articles") == [(3,)]
    assert_consistent(db)


@pytest.mark.slow
def test_a_crawl_that_cannot_start_is_recorded_as_failed(site: NewsSite, tmp_path: Path) -> None:
    sites = site.write_sites(tmp_path / "sites.toml", every="1s", max_every="1s")
    db = tmp_path / "pw.db"
    proc = cli("run", "--no-serve", "--sites", str(sites), "--db", str(db), "--log-dir", "",
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: q(db, "SELECT count(*) FROM crawl_runs WHERE status = 'ok'") >= [(1,)], 40, "a pass")
        sites.write_text("[sites.loop\nbroken", encoding="utf-8")  # edited under the running scheduler
        wait_for(lambda: q(db, "SELECT count(*) FROM crawl_runs WHERE status = 'failed'") >= [(2,)], 40,
                 "failed passes")
    finally:
        code = stop(proc)
    assert code == 0
    failed = [r for r in runs(db) if r["status"] == "failed"]
    assert failed[0]["error"].startswith("cannot read the sites file") and "TOML" in failed[0]["error"]
    assert q(db, "SELECT consecutive_failures >= 2, last_error LIKE '%TOML%' FROM site_health") == [(1, 1)]
    assert_consistent(db)


@pytest.mark.slow
def test_run_serves_datasette_with_health_query_and_stops_on_sigint(site: NewsSite, tmp_path: Path) -> None:
    import json
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sites = site.write_sites(tmp_path / "sites.toml", every="30s")
    db = tmp_path / "pw.db"
    proc = cli("run", "--port", str(port), "--sites", str(sites), "--db", str(db), "--log-dir", "",
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/pw/health.json?_shape=array"

    def health() -> list[dict[str, Any]] | None:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                rows: list[dict[str, Any]] = json.load(resp)
        except OSError:
            return None
        return rows if rows and rows[0]["last_status"] == "ok" else None

    try:
        rows = wait_for(health, 60, "Datasette and a first pass")
    finally:
        code = stop(proc, signal.SIGINT)
    assert code == 0
    assert rows[0]["site"] == "loop" and rows[0]["blocked"] == 0 and rows[0]["stale"] == 0
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
    assert_consistent(db)


@pytest.mark.slow
def test_backed_off_site_is_skipped_by_run_once(site: NewsSite, tmp_path: Path) -> None:
    sites = site.write_sites(tmp_path / "sites.toml")
    db = tmp_path / "pw.db"
    res = cli_run("crawl", "--sites", str(sites), "--db", str(db))
    assert res.returncode == 0, res.stderr
    until = (datetime.now(UTC) + timedelta(hours=1)).isoformat(timespec="seconds")
    conn = sqlite3.connect(db)
    conn.execute("UPDATE site_state SET backoff_until = ?, backoff_count = 1 WHERE site = 'loop'", [until])
    conn.commit()
    conn.close()
    res = cli_run("run", "--once", "--no-serve", "--sites", str(sites), "--db", str(db), "--log-dir", "")
    assert res.returncode == 0
    assert "back-off" in res.stdout
    assert len(runs(db)) == 1


# -- incremental sources, health ----------------------------------------------------------------

@pytest.mark.slow
def test_old_sitemap_shard_is_retired_until_its_lastmod_changes(site: NewsSite, tmp_path: Path) -> None:
    sites = site.write_sites(tmp_path / "sites.toml", source="sitemap")
    db = tmp_path / "pw.db"
    env = {**ENV, "PRESSWATCH_RETIRE_AFTER": "0"}

    def crawl() -> None:
        res = cli_run("crawl", "--sites", str(sites), "--db", str(db), env=env)
        assert res.returncode == 0, res.stderr

    crawl()
    assert q(db, "SELECT count(*) FROM articles") == [(3,)]
    time.sleep(1.1)
    crawl()  # the shard answers 304: unchanged since longer than RETIRE_AFTER, retired
    assert site.statuses[("/sm-1.xml", 304)] == 1
    assert q(db, "SELECT kind, retired FROM sources ORDER BY url") == [("sitemapindex", 0), ("sitemap", 1)]
    crawl()  # retired: not fetched; the index is always read in full
    assert site.hits["/sm-1.xml"] == 2 and site.hits["/sitemap.xml"] == 3
    site.add(1)
    site.sm_lastmod = "2026-11-22T10:00:00+07:00"
    crawl()  # the index says the shard changed: fetched, un-retired, the new article stored
    assert site.hits["/sm-1.xml"] == 3
    assert q(db, "SELECT count(*) FROM articles") == [(4,)]
    assert q(db, "SELECT retired FROM sources WHERE url LIKE '%sm-1.xml'") == [(0,)]
    assert sum(site.hits[f"/tin/bai-{i}.html"] for i in range(1, 5)) == 4


CHALLENGE = (b'<html><head><script>document.cookie="D1N=0123456789abcdef0123456789abcdef"; '
             b'expires=Fri, 01 Jan 2027 00:00:00 GMT; path=/"; window.location.reload(true);</script>'
             b"</head><body></body></html>")


@pytest.mark.slow
@pytest.mark.parametrize("answer", ["challenge", "403"])
def test_status_shows_blocked_site(site: NewsSite, tmp_path: Path, answer: str) -> None:
    if answer == "challenge":
        site.forced["/rss.xml"] = [(200, {"Server": "Cloudrity"}, CHALLENGE)]
    else:
        site.forced["/rss.xml"] = [(403, {}, b"Forbidden")]
    sites = site.write_sites(tmp_path / "sites.toml")
    db = tmp_path / "pw.db"
    res = cli_run("crawl", "--sites", str(sites), "--db", str(db))
    assert res.returncode == 0, res.stderr
    res = cli_run("status", "--db", str(db))
    assert res.returncode == 0, res.stderr
    assert "BLOCKED" in res.stdout, res.stdout
    assert q(db, "SELECT blocked, consecutive_failures FROM site_health") == [(1, 1)]
    if answer == "403":
        assert q(db, "SELECT last_http_status FROM site_health") == [(403,)]
        assert "HTTP 403" in res.stdout


def test_site_health_stale_flag(tmp_path: Path) -> None:
    from db import open_db
    from pipeline.run.health import site_health

    db = open_db(tmp_path / "h.db")
    db.execute("INSERT INTO sites (key, name, every_seconds) VALUES ('quiet', 'Quiet', 900), "
               "('busy', 'Busy', 900), ('slow', 'Slow', 86400)")
    old = (datetime.now(UTC) - timedelta(days=3)).isoformat(timespec="seconds")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for key in ("quiet", "busy", "slow"):
        db.execute("INSERT INTO crawl_runs (site, started, finished, new, status) VALUES (?, ?, ?, 0, 'ok')",
                   [key, old, old])
        db.execute("INSERT INTO crawl_runs (site, started, finished, new, status) VALUES (?, ?, ?, ?, 'ok')",
                   [key, now, now, 2 if key == "busy" else 0])
    db.execute("INSERT INTO articles (url, site, title, text, fetched_at) VALUES ('https://b.vn/1', 'busy', "
               "'Tin', 'Nội dung', ?)", [now])
    rows = {r["site"]: r for r in site_health(db)}
    assert rows["busy"]["last_new_article"] == now
    assert rows["quiet"]["stale"] == 1  # 3 days > 24 h and > 10 x 15 min
    assert rows["busy"]["stale"] == 0
    assert rows["slow"]["stale"] == 0  # 3 days < 10 x 1 day
    assert rows["quiet"]["consecutive_failures"] == 0 and rows["quiet"]["blocked"] == 0
    db.close()


def test_datasette_canned_query_runs() -> None:
    import yaml

    from db import open_db

    meta = yaml.safe_load((REPO / "config" / "datasette.yml").read_text(encoding="utf-8"))
    sql = meta["databases"]["__DB__"]["queries"]["health"]["sql"]
    db = open_db(":memory:")
    db.execute(sql).fetchall()


def test_status_keeps_the_http_status_with_its_error_and_counts_the_errors(tmp_path: Path) -> None:
    from db import open_db
    from pipeline.run.health import format_status, site_health

    db = open_db(tmp_path / "h.db")
    db.execute("INSERT INTO sites (key, name, every_seconds) VALUES ('hong', 'Hong', 900)")
    now = datetime.now(UTC)
    t1, t2 = ((now - timedelta(minutes=m)).isoformat(timespec="seconds") for m in (20, 5))
    db.execute("INSERT INTO crawl_runs (site, started, finished, status, errors, error, http_status) VALUES "
               "('hong', ?, ?, 'failed', 1, 'HTTP 403 at https://h.vn/a/1.htm', 403)", [t1, t1])
    db.execute("INSERT INTO crawl_runs (site, started, finished, status, errors, error, http_status) VALUES "
               "('hong', ?, ?, 'failed', 5, 'feed https://h.vn/rss/hong.rss: not a feed', NULL)", [t2, t2])
    rows = site_health(db)
    out = format_status(rows)
    db.close()
    assert "last error: feed https://h.vn/rss/hong.rss: not a feed" in out, out
    assert "HTTP 403" not in out
    assert "(1 of 5 errors of that pass shown; see crawl_runs id 2" in out
    assert rows[0]["last_http_status"] is None and rows[0]["last_error_errors"] == 5


def test_the_row_written_for_a_pass_that_left_none_names_its_worker(tmp_path: Path) -> None:
    from db import open_db
    from pipeline.run.scheduler import Runner

    path = str(tmp_path / "r.db")
    open_db(path).close()
    runner = Runner({}, path)
    runner.record_failure("x", 0, "2026-11-22T20:30:00+00:00", "killed", "killed after 4s timeout", 4242)
    runner.record_failure("x", 0, "2026-11-22T20:30:00+00:00", "killed", "a second one", 4343)  # has a row now
    assert q(Path(path), "SELECT status, error, pid FROM crawl_runs") == [("killed", "killed after 4s timeout", 4242)]
