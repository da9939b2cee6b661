"""What a discovery costs: requests and seconds per site, on the loopback sites of tests/test_discover.py
(one per CMS family: feeds in the head, an RSS index page, a sitemap in robots.txt, section pages only
with four article URL shapes). Each site is discovered REPEAT times; medians are printed, with the
default pause between requests (pipeline/run/discover.py DELAY) and without it (the work itself).

    python bench/discovery.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

# the repository, not bench/ (whose incremental.py would shadow the package Twisted imports)
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from pipeline.run.discover import DELAY, discover_site  # noqa: E402
from tests.loopback import LoopServer  # noqa: E402
from tests.test_discover import CASES, build  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print(f"{'family':<10} {'shape':<7} {'requests':>8} {'s (delay 0)':>12} {f's (delay {DELAY})':>15}  ok")
    for family, shape in CASES:
        reqs: list[int] = []
        fast: list[float] = []
        polite: list[float] = []
        ok = True
        for _ in range(args.repeat):
            for delay, out in ((0.0, fast), (DELAY, polite)):
                with LoopServer() as srv:
                    build(srv, family, shape)
                    found = discover_site(srv.url("/"), delay=delay)
                reqs.append(found.requests)
                out.append(found.seconds)
                ok = ok and found.ok and bool(found.article_pattern)
        print(f"{family:<10} {shape:<7} {statistics.median(reqs):>8.0f} {statistics.median(fast):>12.2f} "
              f"{statistics.median(polite):>15.2f}  {ok}")


if __name__ == "__main__":
    main()
