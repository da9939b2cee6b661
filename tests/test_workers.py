"""Long-lived local crawl workers and the process hygiene of the commands: jobs carry the spec, commands
that read never create a database, Vietnam time in `status`, `every` means what it says, robots.txt
refusals are skips, a Datasette port in use is exit 1, SIGTERM stops Datasette with its parent, and
`presswatch run` runs many passes in the same worker process."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config import ConfigError, SiteSpec, parse_sites
from pipeline.run.jobs import job_message, parse_job, spec_from_dict, spec_to_dict
from tests.loopnews import NewsSite

REPO = Path(__file__).resolve().parent.parent
SPEC = SiteSpec(key="x", name="X", domains=("x.vn",), feeds=("https://x.vn/rss",), strip_params=("utm",),
                every=120.0)


def test_a_job_carries_the_whole_spec_and_bad_jobs_are_refused() -> None:
    assert spec_from_dict(spec_to_dict(SPEC)) == SPEC
    job, spec = parse_job(job_message("j1", SPEC))
    assert job == "j1" and spec == SPEC and spec.strip_params == ("utm",)
    for bad, why in [(b"{", "not JSON"), (b"[1]", "not a JSON object"), (b'{"type": "x"}', "not a pass job"),
                     (b'{"type": "pass", "job": "j", "site": {"key": "x"}}', "has no 'name'"),
                     (b'{"type": "pass", "job": "j", "site": {"key": "x", "name": "x", "domains": "x.vn"}}',
                      "list of strings"),
                     (b'{"type": "pass", "job": "j", "site": {"key": "x", "name": "x", "domains": [], "bad": 1}}',
                      "unknown field"),
                     (b" " * (17 * 1024 * 1024), "larger than the limit")]:
        with pytest.raises(ValueError, match=why):
            parse_job(bad)


def test_every_below_the_default_min_every_is_honoured_or_refused_naming_the_field() -> None:
    block = '[sites.a]\nname = "a"\ndomains = ["a.vn"]\nfeeds = ["https://a.vn/rss"]\nevery = "1m"\n'
    spec = parse_sites(block)["a"]
    assert (spec.every, spec.min_every) == (60.0, 60.0)
    from pipeline.run.intervals import next_interval

    assert next_interval([], spec) == 60.0  # polled every minute, as written
    with pytest.raises(ConfigError, match="field 'every'.*below min_every"):
        parse_sites(block + 'min_every = "5m"\n')
    with pytest.raises(ConfigError, match="field 'every'.*above max_every"):
        parse_sites(block.replace('"1m"', '"12h"') + 'max_every = "6h"\n')
    assert parse_sites(block.replace('"1m"', '"12h"'))["a"].max_every == 12 * 3600.0


@pytest.mark.parametrize("command", [("status",), ("serve",), ("alerts", "list")])
def test_commands_that_read_never_create_a_database(cli, tmp_path: Path, command: tuple[str, ...]) -> None:
    missing = tmp_path / "sub" / "none.db"
    res = cli(*command, "--db", str(missing))
    assert res.exit_code == 1, res.output
    assert f"no database at {missing}" in res.output
    assert not missing.exists() and not missing.parent.exists()
    res = cli(*command, "--db", str(tmp_path))
    assert res.exit_code == 1 and "is a folder, not a database file" in res.output
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    res = cli(*command, "--db", str(text))
    assert res.exit_code == 1 and "is not a SQLite database" in res.output
    assert "Traceback" not in res.output


def test_status_prints_vietnam_time(cli, tmp_db) -> None:
    from db.runs import sync_sites

    sync_sites(tmp_db, [SPEC])
    tmp_db.execute("INSERT INTO crawl_runs (site, started, finished, status) VALUES "
                   "('x', '2026-11-22T20:30:00+00:00', '2026-11-22T20:31:00+00:00', 'ok')")
    res = cli("status", "--db", str(tmp_db.path))
    assert res.exit_code == 0, res.output
    assert "2026-11-23 03:30" in res.output and "20:30" not in res.output
    assert "Vietnam time" in res.output


def test_snapshot_is_a_consistent_standalone_copy(cli, tmp_db, tmp_path: Path) -> None:
    tmp_db.execute("INSERT INTO crawl_runs (site, started, status) VALUES ('x', '2026-11-22T20:30:00+00:00', 'ok')")
    out = tmp_path / "replica" / "copy.db"
    out.parent.mkdir()
    res = cli("snapshot", str(out), "--db", str(tmp_db.path))
    assert res.exit_code == 0, res.output
    conn = sqlite3.connect(f"file:{out}?immutable=1", uri=True)
    assert conn.execute("SELECT count(*) FROM crawl_runs").fetchone() == (1,)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal"
    conn.close()
    assert sorted(p.name for p in out.parent.iterdir()) == ["copy.db"]  # no temporary file left
    assert cli("snapshot", str(out), "--db", str(tmp_path / "none.db")).exit_code == 1


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.slow
def test_serve_on_a_port_in_use_is_an_error_without_a_success_line(tmp_db) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = subprocess.run([sys.executable, "-m", "pipeline.cli", "serve", "--db", str(tmp_db.path),
                              "--port", str(port)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert res.returncode == 1
    assert "already in use" in res.stderr and "Datasette on" not in res.stdout


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_stopped_by_a_signal_stops_datasette(tmp_db, sig: int) -> None:
    port = _port()
    # started with SIGINT ignored, as a background job of a script or a CI runner starts it: still stops
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", "--db", str(tmp_db.path), "--port",
                             str(port)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))  # noqa: PLW1509
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "Datasette on" in line and _listening(port)
        proc.send_signal(sig)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    deadline = time.monotonic() + 10
    while _listening(port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _listening(port), "Datasette outlived `presswatch serve`"


@pytest.mark.slow
def test_run_does_many_passes_in_the_same_worker_and_robots_refusals_are_skips(tmp_path: Path) -> None:
    with NewsSite(3) as site:
        site.server.add("/robots.txt", "User-agent: *\nDisallow: /tin/bai-3.html\n",
                        headers={"Content-Type": "text/plain"})
        text = site.sites_toml(every="1s", max_every="1s").replace("obey_robots = false", "obey_robots = true")
        sites = tmp_path / "sites.toml"
        sites.write_text(text, encoding="utf-8")
        db = tmp_path / "pw.db"
        env = {**os.environ, "PRESSWATCH_START_STAGGER": "0", "PRESSWATCH_KILL_GRACE": "5"}
        proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", "--no-serve", "--sites", str(sites),
                                 "--db", str(db), "--log-dir", ""], cwd=REPO, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def ok_runs() -> int:
            try:
                conn = sqlite3.connect(db)
                return int(conn.execute("SELECT count(*) FROM crawl_runs WHERE status = 'ok'").fetchone()[0])
            except sqlite3.Error:
                return 0

        try:
            deadline = time.monotonic() + 90
            while ok_runs() < 4 and time.monotonic() < deadline:
                time.sleep(0.3)
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(60)
    assert code == 0
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT pid, status, errors, skipped, error FROM crawl_runs ORDER BY id").fetchall()
    assert len([r for r in rows if r[1] == "ok"]) >= 4, rows
    assert len({r[0] for r in rows}) == 1, rows  # one worker process ran every pass
    first = rows[0]
    assert first[2] == 0 and first[3] >= 1 and "refused by robots.txt" in first[4], first
    assert conn.execute("SELECT count(*) FROM articles").fetchone() == (2,)
    assert site.hits["/tin/bai-3.html"] == 0


@pytest.mark.slow
@pytest.mark.parametrize("bound", ["passes", "memory"])
def test_a_worker_past_its_bound_is_replaced_after_its_running_pass_never_mid_item(tmp_path: Path,
                                                                                  bound: str) -> None:
    """Two passes on one worker: the quick one ends first and puts the worker past its bound (1 pass, or
    1 MiB of memory); the slow one (articles answered after 1.5 s) still completes every article on that
    worker, which then exits by itself (code 0) and a fresh worker takes the next pass."""
    import threading

    from pipeline.run.pool import LocalPool, PassOutcome

    db = str(tmp_path / "pw.db")
    limits = {"max_passes": 1} if bound == "passes" else {"max_rss_mb": 1.0}
    with NewsSite(0) as quick, NewsSite(4) as slow:
        slow.article_delay = 1.5
        specs = parse_sites(quick.sites_toml(key="quick") + slow.sites_toml(key="slow"))
        pool = LocalPool(db, workers=1, concurrency=2, **limits)  # type: ignore[arg-type]
        try:
            outcomes: dict[str, PassOutcome] = {}
            t = threading.Thread(target=lambda: outcomes.setdefault("slow", pool.run_pass(specs["slow"], 60, 5)))
            t.start()
            deadline = time.monotonic() + 60
            while not slow.hits and time.monotonic() < deadline:  # the slow pass is under way
                time.sleep(0.05)
            first = pool.workers[0]
            outcomes["quick"] = pool.run_pass(specs["quick"], 60, 5)
            assert first.draining and first.proc.poll() is None  # past its bound, but its slow pass runs on
            t.join(90)
            first.proc.wait(30)
            assert first.proc.returncode == 0  # told to exit once idle, not killed
            assert pool.retired == 1
            again = pool.run_pass(specs["quick"], 60, 5)
        finally:
            pool.stop(10)
    assert [outcomes[k].status for k in ("quick", "slow")] == ["done", "done"]
    assert again.status == "done" and again.pid != first.pid
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT site, status, new, pid FROM crawl_runs ORDER BY id").fetchall()
    n_pages = conn.execute("SELECT count(*) FROM pages").fetchone()[0]
    conn.close()
    by_site = [(r[0], r[1], r[2]) for r in rows]
    assert ("slow", "ok", 4) in by_site, rows  # every article of the running pass stored, none cut off
    assert n_pages == 4
    assert {r[3] for r in rows if r[0] == "slow"} == {first.pid}
    assert rows[-1][0] == "quick" and rows[-1][3] == again.pid != first.pid
