"""Robustness figures: bad input, faults and fuzz over loopback, with real crawls.

    python bench/faults.py            # everything (~2-3 minutes)
    python bench/faults.py --quick    # fewer kill rounds and fuzz crawls
    python bench/faults.py --json out.json

Prints, per scenario, how many cases ran, how many crawls crashed, how many articles were lost
and how many duplicate rows exist, plus the database consistency checks. The scenarios are
tests/faultlib.py, the same ones tests/test_robustness.py asserts on. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import faultlib  # noqa: E402
from tests.loopback import article_html  # noqa: E402


def _dups(c: dict[str, Any]) -> int:
    return int(c.get("duplicate_urls", 0)) + int(c.get("duplicate_texts", 0))


def _inconsistent(c: dict[str, Any]) -> int:
    c = dict(c)
    c.pop("duplicate_urls", None)
    c.pop("duplicate_texts", None)
    return len(faultlib.bad(c))


def bad_input(tmp: Path) -> dict[str, Any]:
    r = faultlib.bad_input(tmp)
    proc = r["proc"]
    crashed = int(proc.returncode != 0 or "Traceback" in proc.stdout + proc.stderr)
    # cases: 3 plain articles + 5 charset pages + 4 non-articles (error page, empty, English, 50 MB)
    # + 5 redirects (loop, localhost, 10.0.0.1, file://, meta refresh to localhost)
    # + 5 refused feed links + 1 CDATA/entities link
    # + 5 broken sources (truncated feed, HTML as feed, gzip bomb file, gzip bomb encoding, billion laughs)
    expected_ok = {f"/g/a/{n}.htm" for n in (1, 2, 3, 101, 102, 103, 104, 105)} | {"/g/a/120.htm?x=1",
                                                                                    "/t/a/201.htm"}
    wrong_title = sum(1 for p in expected_ok if p in r["titles"] and not p.startswith("/t/")
                      and r["titles"][p] != faultlib.expected_title(int(p.split("/")[-1].split(".")[0])))
    reasons = sum(1 for s, why in r["urls"].values() if s in ("not_article", "error") and why)
    return {"cases": 28, "crawls": 1, "crashed": crashed, "lost": len(expected_ok - set(r["titles"])),
            "duplicates": _dups(r["consistency"]), "inconsistent": _inconsistent(r["consistency"]),
            "note": f"{len(r['titles'])} stored, {reasons} rejected with a reason, {wrong_title} wrong titles, "
                    f"hosts requested {sorted(r['hosts'])}, 50 MB page cut at "
                    f"{r['streamed_big'] / 1048576:.1f} MB sent"}


def kill_restart(tmp: Path, rounds: int) -> dict[str, Any]:
    lost = dups = bad = crashed = refetched = 0
    sent = stored = 0
    for i in range(rounds):
        d = tmp / f"k{i}"
        d.mkdir()
        r = faultlib.kill_restart(d, kill_after=3 + 4 * i)
        lost += r["lost"] + r["missing_after_restart"]
        dups += _dups(r["consistency"])
        bad += _inconsistent(r["consistency"]) + _inconsistent(r["consistency_after_kill"])
        crashed += int(r["second_returncode"] != 0)
        refetched += r["refetched_stored"]
        sent += r["fully_sent_before_kill"]
        stored += r["stored_before_kill"]
    return {"cases": rounds, "crawls": 2 * rounds, "crashed": crashed, "lost": lost, "duplicates": dups,
            "inconsistent": bad, "note": f"SIGKILL x{rounds}: {sent} pages fully sent before the kills, "
                                         f"{stored} stored before; {refetched} stored pages fetched again"}


def locked(tmp: Path) -> dict[str, Any]:
    r = faultlib.locked_db(tmp)
    return {"cases": 1, "crawls": 1, "crashed": int(r["returncode"] != 0), "lost": r["lost"],
            "duplicates": _dups(r["consistency"]), "inconsistent": _inconsistent(r["consistency"]),
            "note": f"long read txn + 2 s write lock + Datasette ({r['datasette_queries']} queries, "
                    f"{r['datasette_errors']} errors); {r['after']}/{r['articles']} stored"}


def bad_sites(tmp: Path) -> dict[str, Any]:
    r = faultlib.bad_sites(tmp)
    ok = r["runs"]["okay"]
    return {"cases": 3, "crawls": 1, "crashed": int(r["returncode"] != 0), "lost": 5 - len(r["stored"]),
            "duplicates": _dups(r["consistency"]), "inconsistent": _inconsistent(r["consistency"]),
            "note": f"okay={ok[0]} ({ok[2]} new), slow={r['runs']['slow'][0]} ({r['runs']['slow'][1]}), "
                    f"broken={r['runs']['broken'][0]} ({r['runs']['broken'][1]})"}


def disk_full(tmp: Path) -> dict[str, Any]:
    r = faultlib.disk_full(tmp)
    clean_stop = r["full_rc"] == 1 and r["runs_when_full"]["full"][0] == "disk full"
    return {"cases": 1, "crawls": 3, "crashed": int(not clean_stop or r["after_rc"] != 0), "lost": r["lost"],
            "duplicates": _dups(r["consistency"]),
            "inconsistent": _inconsistent(r["consistency"]) + _inconsistent(r["consistency_when_full"]),
            "note": f"stopped with status 'disk full' after {r['stored_when_full']}/{r['total']} stored, "
                    f"exit {r['full_rc']}; next pass {r['after']}/{r['total']}"}


def fuzz_crawls(tmp: Path, rounds: int) -> dict[str, Any]:
    r = faultlib.fuzz_crawls(tmp, rounds=rounds)
    return {"cases": r["cases"], "crawls": r["crawls"], "crashed": r["crashed_crawls"], "lost": 0,
            "duplicates": 0, "inconsistent": len(r["inconsistent_dbs"]) + r["unfinished_site_runs"],
            "note": f"mutated feeds, sitemaps and pages; {r['requests_served']} requests served"}


def stage_chain(tmp: Path, n: int, seed: int = 7) -> dict[str, Any]:
    """Mutated article pages straight through the item stages (extract, relevance, dedup, store; no crawl)."""
    from scrapy.exceptions import DropItem

    from config import SiteSpec
    from db import open_db
    from db.runs import sync_sites
    from spiders.items import PageItem

    db = open_db(tmp / "chain.db")
    spec = SiteSpec(key="s", name="s", domains=("127.0.0.1",), feeds=("http://127.0.0.1/f",))
    sync_sites(db, [spec])
    spider = SimpleNamespace(specs={"s": spec}, stats_by_site={"s": Counter()}, db=db,
                             stop_for_db_error=lambda e: False, on_new_article=None)
    stages = faultlib.item_stages(spider)  # every stage of spiders/settings.py ITEM_PIPELINES
    rnd = random.Random(seed)
    out: Counter[str] = Counter()
    for i in range(n):
        body = faultlib.mutate(article_html(i).encode(), rnd)
        item: Any = PageItem(url=f"http://127.0.0.1/a/{i}.htm", fetched_url=f"http://127.0.0.1/a/{i}.htm",
                             site="s", body=body, status=200)
        try:
            for st in stages:
                item = st.process_item(item)
            out["stored"] += 1
        except DropItem:
            out["dropped"] += 1
        except Exception as e:  # noqa: BLE001 - this is what we count
            out["crashed"] += 1
            print(f"  stage chain crash on case {i}: {type(e).__name__}: {e}", file=sys.stderr)
    db.close()
    c = faultlib.consistency(tmp / "chain.db")
    c.pop("duplicate_texts")  # mutated copies of one page may share text
    return {"cases": n, "crawls": 0, "crashed": out["crashed"], "lost": 0, "duplicates": c["duplicate_urls"],
            "inconsistent": _inconsistent(c), "note": f"{out['stored']} stored, {out['dropped']} dropped with a reason"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="pw-faults-") as t:
        tmp = Path(t)
        plan = [
            ("bad input (one crawl)", lambda d: bad_input(d)),
            ("SIGKILL mid-crawl + restart", lambda d: kill_restart(d, 2 if args.quick else 4)),
            ("locked DB while writing", lambda d: locked(d)),
            ("timeout / 5xx site", lambda d: bad_sites(d)),
            ("disk full", lambda d: disk_full(d)),
            ("fuzz: mutated sources in crawls", lambda d: fuzz_crawls(d, 1 if args.quick else 3)),
            ("fuzz: stage chain", lambda d: stage_chain(d, 200 if args.quick else 1000)),
        ]
        for name, fn in plan:
            d = tmp / name.split()[0].strip(":")
            d.mkdir(exist_ok=True)
            started = time.monotonic()
            r = fn(d)
            r["seconds"] = round(time.monotonic() - started, 1)
            results[name] = r
            print(f"{name:<34} cases {r['cases']:>5}  crawls {r['crawls']:>3}  crashed {r['crashed']:>2}  "
                  f"lost {r['lost']:>2}  duplicates {r['duplicates']:>2}  inconsistent {r['inconsistent']:>2}  "
                  f"{r['seconds']:>6.1f}s", flush=True)
            print(f"    {r['note']}", flush=True)
    total = {k: sum(int(r[k]) for r in results.values())
             for k in ("cases", "crawls", "crashed", "lost", "duplicates", "inconsistent")}
    print(f"{'TOTAL':<34} cases {total['cases']:>5}  crawls {total['crawls']:>3}  crashed {total['crashed']:>2}  "
          f"lost {total['lost']:>2}  duplicates {total['duplicates']:>2}  inconsistent {total['inconsistent']:>2}")
    if args.json:
        Path(args.json).write_text(json.dumps({"scenarios": results, "total": total}, ensure_ascii=False, indent=2))
    sys.exit(1 if total["crashed"] or total["lost"] or total["duplicates"] or total["inconsistent"] else 0)


if __name__ == "__main__":
    main()
