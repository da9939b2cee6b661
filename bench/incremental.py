"""How incremental is a crawl pass? A loopback news site (tests/loopnews.py) with N articles; a first
pass, then K passes with a few new articles each, then a pass with nothing new. Each pass is one
`python -m pipeline.cli crawl` child; with ``--queue``, one `presswatch run --queue … --once` (the
scheduler and the one writer) while one `presswatch worker` (no database: it asks the writer's Redis
known-URL set before requesting an article) runs throughout, on a redis-server this script starts on a
free loopback port.

    python bench/incremental.py [--articles 200] [--passes 5] [--new 3] [--source feed|sitemap] [--queue]

Prints, per pass, the requests the site saw, then the figures the targets are about:
article-page requests per new article (target <= 1.05), article requests in a pass with nothing new
(target 0), feed/sitemap requests and how many were answered 304.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.loopnews import NewsSite  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=200, help="articles on the site at the start")
    ap.add_argument("--passes", type=int, default=5, help="passes with new articles after the first")
    ap.add_argument("--new", type=int, default=3, help="articles published before each of those passes")
    ap.add_argument("--source", choices=("feed", "sitemap"), default="feed")
    ap.add_argument("--queue", action="store_true", help="queue mode: a Redis queue, a worker, one writer")
    args = ap.parse_args()

    with ExitStack() as stack:
        site = stack.enter_context(NewsSite(args.articles, feed_size=max(50, args.articles + args.passes * args.new)))
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        sites = site.write_sites(Path(tmp) / "sites.toml", source=args.source)
        db = Path(tmp) / "bench.db"
        crawl = ["crawl", "--sites", str(sites), "--db", str(db)]
        if args.queue:
            from bench.scale import cli, consumers, redis_server, stop

            url = stack.enter_context(redis_server())
            worker = cli("worker", "--queue", url, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            stack.callback(stop, worker)
            deadline = time.monotonic() + 120
            while consumers(url) < 1 and time.monotonic() < deadline:
                time.sleep(0.2)
            crawl = ["run", "--queue", url, "--once", "--no-serve", "--sites", str(sites), "--db", str(db),
                     "--log-dir", ""]
        plan = [("first", 0)] + [(f"+{args.new}", args.new)] * args.passes + [("nothing new", 0)]
        rows = []
        for label, add in plan:
            if add:
                site.add(add)
            before_hits = Counter(site.hits)
            before_status = Counter(site.statuses)
            t0 = time.monotonic()
            stored_before = stored(db)
            res = subprocess.run([sys.executable, "-m", "pipeline.cli", *crawl], cwd=REPO, capture_output=True,
                                 text=True)
            took = time.monotonic() - t0
            if res.returncode != 0:
                print(res.stdout, res.stderr, file=sys.stderr)
                return 1
            hits = site.hits - before_hits
            statuses = site.statuses - before_status
            art = sum(v for k, v in hits.items() if k.startswith("/tin/"))
            src = sum(v for k, v in hits.items() if not k.startswith("/tin/"))
            not_mod = sum(v for (path, st), v in statuses.items() if st == 304)
            new = stored(db) - stored_before
            rows.append((label, add, new, art, src, not_mod, took))

    print(f"mode: {'queue (run --queue --once + one presswatch worker)' if args.queue else 'presswatch crawl'}")
    print(f"site: {args.articles} articles, source {args.source}; "
          f"{args.passes} passes with {args.new} new each")
    print(f"{'pass':<12} {'published':>9} {'stored':>6} {'article req':>11} {'source req':>10} {'304':>4} "
          f"{'time':>6}")
    for label, add, new, art, src, not_mod, took in rows:
        print(f"{label:<12} {add:>9} {new:>6} {art:>11} {src:>10} {not_mod:>4} {took:>5.1f}s")
    inc = rows[1:-1]
    inc_new = sum(r[2] for r in inc)
    inc_art = sum(r[3] for r in inc)
    all_new = sum(r[2] for r in rows)
    all_art = sum(r[3] for r in rows)
    print()
    print(f"article requests per new article, incremental passes: {inc_art / max(inc_new, 1):.3f} "
          f"({inc_art}/{inc_new}; target <= 1.05)")
    print(f"article requests per new article, all passes:         {all_art / max(all_new, 1):.3f} "
          f"({all_art}/{all_new})")
    print(f"article requests in the pass with nothing new:        {rows[-1][3]} (target 0)")
    print(f"feed/sitemap requests: {sum(r[4] for r in rows)} in {len(rows)} passes, "
          f"{sum(r[5] for r in rows)} answered 304")
    ok = inc_art <= 1.05 * max(inc_new, 1) and rows[-1][3] == 0
    return 0 if ok else 2


def stored(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # not migrated yet
        return 0
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
