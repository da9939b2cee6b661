"""Many sites with nothing new on one machine: `presswatch run` (long-lived local workers) over N loopback
sites due every EVERY seconds, for DURATION seconds.

    python bench/passes.py [--sites 200] [--every 10] [--duration 60] [--parallel 32]

Prints: site passes done vs due (target >= 80 %), CPU of the whole process tree per site pass (target
<= 50 ms; the child-process-per-pass design measured 1,317 ms), peak RSS of the whole tree (scheduler +
workers), and the worker pids (a pid that stays = no process per pass). Medians of --repeat runs.
Each site is a feed on one loopback server answering 304 to a conditional request; the sites'
one article each is stored by one `presswatch crawl` before the measured run.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.loopback import LoopServer  # noqa: E402
from tests.loopnews import article_html  # noqa: E402


def tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):  # children of every thread
            try:
                todo += [int(x) for x in (task / "children").read_text().split()]
            except OSError:
                pass
    return out


def cpu_and_rss(pids: list[int]) -> tuple[dict[int, float], float]:
    tick = os.sysconf("SC_CLK_TCK")
    page = os.sysconf("SC_PAGE_SIZE")
    cpu, rss = {}, 0.0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            cpu[p] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
            rss += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * page / 1048576
        except (OSError, IndexError, ValueError):
            pass
    return cpu, rss


def one_run(n: int, every: float, duration: float, parallel: int) -> dict[str, float]:
    with LoopServer(protocol="HTTP/1.1") as srv, tempfile.TemporaryDirectory() as tmp:
        blocks = []
        for i in range(n):
            art = srv.add(f"/s{i}/tin/bai-1.html", article_html(i + 1), headers={"Content-Type": "text/html"})
            feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>s{i}</title>'
                    f"<item><link>{art}</link></item></channel></rss>")
            url = srv.add(f"/s{i}/rss.xml", feed, conditional=True, headers={"Content-Type": "application/rss+xml"})
            blocks.append(f'[sites.s{i}]\nname = "Site {i}"\ndomains = ["127.0.0.1"]\nfeeds = ["{url}"]\n'
                          f"article_pattern = '/s{i}/tin/'\nevery = \"{every}s\"\nmin_every = \"{every}s\"\n"
                          f'max_every = "{every}s"\nobey_robots = false\n')
        sites = Path(tmp) / "sites.toml"
        sites.write_text("\n".join(blocks), encoding="utf-8")
        db = Path(tmp) / "bench.db"
        env = {**os.environ, "PRESSWATCH_MAX_PARALLEL": str(parallel),
               "PRESSWATCH_START_STAGGER": str(every / n)}
        # the sites' one article is stored first: the measured passes have nothing new
        subprocess.run([sys.executable, "-m", "pipeline.cli", "crawl", "--sites", str(sites), "--db", str(db)],
                       cwd=REPO, env=env, stdout=subprocess.DEVNULL, check=True)
        proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", "--no-serve", "--sites", str(sites),
                                 "--db", str(db), "--log-dir", ""], cwd=REPO, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.monotonic()
        peak, cpu, pids_seen = 0.0, {}, set()
        while time.monotonic() - started < duration:
            pids = tree(proc.pid)
            c, rss = cpu_and_rss(pids)
            cpu.update(c)
            pids_seen.update(pids)
            peak = max(peak, rss)
            time.sleep(0.5)
        c, _ = cpu_and_rss(tree(proc.pid))
        cpu.update(c)
        proc.terminate()
        proc.wait(60)
        conn = sqlite3.connect(db)
        first_pid = conn.execute("SELECT pid FROM crawl_runs ORDER BY id LIMIT 1").fetchone()[0]
        passes = conn.execute("SELECT count(*) FROM crawl_runs WHERE status = 'ok' AND pid != ?",
                              [first_pid]).fetchone()[0]
        workers = conn.execute("SELECT count(DISTINCT pid) FROM crawl_runs WHERE pid != ?", [first_pid]).fetchone()[0]
        conn.close()
    due = n * duration / every
    print("CPU s by pid:", {p: round(c, 1) for p, c in cpu.items()}, file=sys.stderr)
    return {"passes": passes, "due": due, "share": passes / due, "cpu_ms": 1000 * sum(cpu.values()) / max(passes, 1),
            "peak_mb": peak, "worker_pids": workers, "processes": len(pids_seen)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sites", type=int, default=200)
    ap.add_argument("--every", type=float, default=10.0)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--parallel", type=int, default=32, help="PRESSWATCH_MAX_PARALLEL (passes at once in all)")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    runs = [one_run(args.sites, args.every, args.duration, args.parallel) for _ in range(args.repeat)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"{args.sites} sites every {args.every:.0f}s for {args.duration:.0f}s, {args.parallel} passes at once, "
          f"{os.cpu_count()} cores; medians of {len(runs)} run(s)")
    print(f"site passes done: {med['passes']:.0f} of {med['due']:.0f} due ({100 * med['share']:.0f} %; target >= 80 %)")
    print(f"CPU per site pass, whole tree: {med['cpu_ms']:.0f} ms (target <= 50 ms; one process per pass: 1,317 ms)")
    print(f"peak RSS of the whole tree: {med['peak_mb']:.0f} MiB; worker pids that ran passes: "
          f"{med['worker_pids']:.0f}; processes seen: {med['processes']:.0f}")
    return 0 if med["share"] >= 0.8 and med["cpu_ms"] <= 50 else 2


if __name__ == "__main__":
    sys.exit(main())
