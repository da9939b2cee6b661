"""Crawl workers at scale, queue mode on a real Redis (Debian's redis-server, started by this script on a
free loopback port):

1. articles/s with 1, 2 and 4 `presswatch worker` processes against one writer (`presswatch run --queue
   … --once`): SITES loopback sites of ARTICLES articles each, every article page answered after 300 ms;
   each worker runs --concurrency passes at once. Time from the first article request to the end of
   `run --once` (every pass stored); the workers are started (and have imported the crawl stack) first.
2. the writer's own ceiling: articles/s it stores when fed from the queue with pre-extracted items
   (pw:items filled before the clock starts; pipeline/run/writer.py ``Writer``).
3. memory of one local worker (pipeline/run/worker.py, as `presswatch run` drives it) over 1,000 passes
   of a site with nothing new: RSS at start, after 500 and after 1,000 passes.

    python bench/scale.py [--sites 8] [--articles 30] [--concurrency 2] [--repeat 3] [--items 400]
                          [--passes 1000] [--skip-memory]

Medians of --repeat runs for 1 and 2; the machine's load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# not bench/ itself: bench/incremental.py would shadow the `incremental` package Twisted imports
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]

from tests.loopnews import NewsSite, article_html  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def redis_server() -> Iterator[str]:
    """A throw-away redis-server on a free loopback port (no persistence); yields its URL."""
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is not installed (Debian: apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


def cli(*args: str, **kw: Any) -> subprocess.Popen[Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSWATCH_")}
    env.update(PRESSWATCH_START_STAGGER="0", PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], cwd=REPO, env=env, **kw)


def consumers(url: str) -> int:
    """How many clients are blocked reading pw:jobs (a worker that is ready and waiting for a job)."""
    import redis

    r = redis.Redis.from_url(url)
    try:
        return sum(1 for c in r.client_list() if c.get("cmd") == "xreadgroup")
    finally:
        r.close()


def stop(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def workers_run(n_workers: int, n_sites: int, n_articles: int, concurrency: int) -> tuple[float, int]:
    """(articles/s, articles stored) of one `run --queue --once` with ``n_workers`` workers."""
    first_hit: list[float] = []
    with ExitStack() as stack, redis_server() as url:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        toml = []
        for i in range(n_sites):
            site = stack.enter_context(NewsSite(n_articles, feed_size=n_articles))
            site.article_delay = 0.3
            site.on_hit = lambda path: (path.startswith("/tin/") and not first_hit
                                        and first_hit.append(time.monotonic()))
            toml.append(site.sites_toml(key=f"s{i}", timeout="600s"))
        sites = tmp / "sites.toml"
        sites.write_text("".join(toml), encoding="utf-8")
        db = tmp / "bench.db"
        workers = [cli("worker", "--queue", url, "--concurrency", str(concurrency), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL) for _ in range(n_workers)]
        try:
            deadline = time.monotonic() + 120
            while consumers(url) < n_workers:  # each has imported the stack and waits for a job
                if time.monotonic() > deadline:
                    raise RuntimeError("workers did not start")
                time.sleep(0.2)
            run = cli("run", "--queue", url, "--once", "--no-serve", "--sites", str(sites), "--db", str(db),
                      "--log-dir", "", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            run.wait(900)
            end = time.monotonic()
        finally:
            for w in workers:
                stop(w)
        conn = sqlite3.connect(db)
        stored = int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        conn.close()
    took = end - first_hit[0] if first_hit else float("nan")
    return stored / took, stored


def writer_ceiling(n_items: int) -> float:
    """Articles/s the writer stores from pw:items already holding ``n_items`` extracted, scored items."""
    from types import SimpleNamespace

    from config import SiteSpec
    from pipeline.process import process_page, score_article
    from pipeline.run.jobs import spec_to_dict
    from pipeline.run.queue import ITEMS, RedisQueue
    from pipeline.run.writer import Writer
    from spiders.stages.s900_handoff import item_payload

    spec = SiteSpec(key="loop", name="loop", domains=("127.0.0.1",), feeds=("http://127.0.0.1:1/rss.xml",))
    records = []
    for i in range(n_items):
        url = f"http://127.0.0.1:1/tin/bai-{i}.html"
        body = article_html(i)
        art, why = process_page(body, {"Content-Type": "text/html; charset=utf-8"}, url, spec)
        assert art is not None, why
        score_article(art)
        item = SimpleNamespace(article=art, status=200, headers={"Content-Type": "text/html"}, body=body)
        records.append({"type": "item", "job": "bench", **item_payload(item), "spec": spec_to_dict(spec)})
    with redis_server() as url, tempfile.TemporaryDirectory() as tmp:
        q = RedisQueue(url, "bench")
        for rec in records:
            q.add(ITEMS, rec)
        w = Writer(q, str(Path(tmp) / "w.db"))
        stopping = threading.Event()
        t0 = time.monotonic()
        t = threading.Thread(target=w.run, args=(stopping,), daemon=True)
        t.start()
        while w.stored < n_items and time.monotonic() - t0 < 600:
            time.sleep(0.01)
        took = time.monotonic() - t0
        stopping.set()
        q.stopping.set()
        t.join(30)
        w.close()
        q.r.close()
    return w.stored / took


def worker_memory(n_passes: int) -> tuple[float, float, float]:
    """RSS (MiB) of one local worker after it started, after half of ``n_passes`` and after all of them
    (passes of a loopback site with nothing new: a 304 feed)."""
    from config import parse_sites
    from pipeline.run.pool import LocalPool

    with NewsSite(5) as site, tempfile.TemporaryDirectory() as tmp:
        spec = parse_sites(site.sites_toml(key="quiet"))["quiet"]
        pool = LocalPool(str(Path(tmp) / "m.db"), workers=1, concurrency=8, max_passes=10**9, max_rss_mb=10**9)
        marks: dict[str, float] = {}
        done = [0]
        lock = threading.Lock()

        def rss(pid: int) -> float:
            return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1048576

        def one() -> None:
            while True:
                with lock:
                    if done[0] >= n_passes:
                        return
                    done[0] += 1
                pool.run_pass(spec, 60, 5)
                w = pool.workers[0]
                with lock:
                    finished = w.passes
                    if finished >= n_passes // 2 and "half" not in marks:
                        marks["half"] = rss(w.pid)

        try:
            pool.run_pass(spec, 60, 5)  # the first pass stores the 5 articles: nothing new after it
            w = pool.workers[0]
            marks["start"] = rss(w.pid)
            threads = [threading.Thread(target=one) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            marks["end"] = rss(w.pid)
            assert len(pool.pids()) == 1 and pool.workers[0] is w, "the worker was replaced"
        finally:
            pool.stop(10)
    return marks["start"], marks.get("half", float("nan")), marks["end"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sites", type=int, default=8)
    ap.add_argument("--articles", type=int, default=30, help="articles per site")
    ap.add_argument("--concurrency", type=int, default=2, help="passes each worker runs at once")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--items", type=int, default=400, help="items fed to the writer for its ceiling")
    ap.add_argument("--passes", type=int, default=1000, help="passes for the memory figure")
    ap.add_argument("--skip-memory", action="store_true")
    args = ap.parse_args()

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    print(f"\n1. {args.sites} sites x {args.articles} articles, article pages answered after 300 ms, "
          f"{args.concurrency} passes per worker, one writer; median of {args.repeat}")
    base = None
    for n in (1, 2, 4):
        rates, stored = [], []
        for _ in range(args.repeat):
            rate, got = workers_run(n, args.sites, args.articles, args.concurrency)
            rates.append(rate)
            stored.append(got)
        med = statistics.median(rates)
        base = base or med
        print(f"   {n} worker(s): {med:6.1f} articles/s  (x{med / base:.2f} of 1 worker; runs "
              f"{', '.join(f'{r:.1f}' for r in rates)}; stored {sorted(set(stored))} of "
              f"{args.sites * args.articles})", flush=True)
    ceil = [writer_ceiling(args.items) for _ in range(args.repeat)]
    print(f"\n2. writer ceiling, {args.items} pre-extracted items on the queue: "
          f"{statistics.median(ceil):.1f} articles/s stored (runs {', '.join(f'{r:.1f}' for r in ceil)})",
          flush=True)
    if not args.skip_memory:
        start, half, end = worker_memory(args.passes)
        print(f"\n3. one local worker, {args.passes} passes with nothing new: RSS {start:.0f} MiB at start, "
              f"{half:.0f} MiB after {args.passes // 2}, {end:.0f} MiB after {args.passes} "
              f"({end - start:+.0f} MiB)")
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
