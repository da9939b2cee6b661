"""Benchmark of story clustering (pipeline/dedup): real reports crawled from a loopback site, scored
against hand-made groups; then the time of one article's dedup analysis at a large stored index.

    python bench/stories.py                 # both parts (the timing builds 100,000 stored articles)
    python bench/stories.py --n 0           # clustering figures only
    python bench/stories.py --data DIR      # default ../shared/relevance
    python bench/stories.py --baseline HEAD # timing of this tree and of a git revision, same run, ratio

Clustering: every article of ``more.jsonl`` becomes a page of a loopback site (one site key per
outlet of the data, each with its own RSS feed; ``article:published_time`` from the data's
``published``, at 08:00 Vietnam time; an undated member of a ``stories.tsv`` group takes the date
of a dated member). ``presswatch crawl`` (a child process, the real crawl) stores them. Pairs are
scored from ``articles.story_id``:

- same-event pairs grouped: pairs inside a group of ``stories.tsv`` (target >= 90%);
- look-alikes merged: pairs of ``distinct.tsv`` that share a story (target <= 2%);
- other pairs merged: all remaining pairs of stored articles that share a story (target <= 0.1%).

Misses and false merges are listed with the stored explanation (``story_links``) when there is one.
Timing: bench/dedup.py's generator of synthetic stored articles (``--n``), then ``analyse`` per new
article (signature, copies, story evidence): median and p95 in ms (target <= 5 ms median). With
``--baseline REV`` the same timing runs for that git revision too (exported with ``git archive`` to a
temporary directory, each timing in its own child process, the baseline first, then this tree, then
the baseline again: a loaded machine shows as the two baseline runs disagreeing), and the ratio of
medians is printed.
Exits 0 with a note when the data is absent.
"""

from __future__ import annotations

import argparse
import html
import itertools
import json
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.loopback import LoopServer, rss  # noqa: E402

DEFAULT = REPO.parent / "shared" / "relevance"


def _slug(site: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", site.lower()).strip("_")


def _page(title: str, text: str, published: str | None) -> bytes:
    meta = (f'<meta property="article:published_time" content="{html.escape(published)}">' if published else "")
    paras = "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in re.split(r"\n\s*\n|\n", text) if p.strip())
    return (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{html.escape(title)}</title>{meta}'
            f'</head><body><nav><a href="/">Trang chủ</a></nav><article><h1>{html.escape(title)}</h1>{paras}'
            f"</article><footer>Bản quyền</footer></body></html>").encode()


def load(data: Path) -> tuple[list[dict], list[list[str]], list[tuple[str, str]]]:
    items = [json.loads(x) for x in (data / "more.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    groups = [r.split("\t")[1].split(",") for r in (data / "stories.tsv").read_text(encoding="utf-8").splitlines()[1:]
              if r.strip()]
    distinct = [tuple(r.split("\t")[:2]) for r in (data / "distinct.tsv").read_text(encoding="utf-8").splitlines()[1:]
                if r.strip()]
    return items, groups, distinct  # type: ignore[return-value]


def _published(items: list[dict], groups: list[list[str]]) -> dict[str, str | None]:
    by_id = {it["id"]: it for it in items}
    out: dict[str, str | None] = {}
    for it in items:
        p = it.get("published")
        out[it["id"]] = f"{p}T08:00:00+07:00" if p and len(p) == 10 else p
    for g in groups:
        dated = [out[i] for i in g if i in by_id and out[i] and len(out[i] or "") > 10]
        for i in g:
            if not out.get(i) and dated:
                out[i] = dated[0]
    return out


def crawl(items: list[dict], groups: list[list[str]], tmp: Path) -> Path:
    """Serve the articles on a loopback site, crawl them with ``presswatch crawl``; the database path."""
    pub = _published(items, groups)
    server = LoopServer(protocol="HTTP/1.1")
    by_site: dict[str, list[str]] = {}
    for n, it in enumerate(items):
        s = _slug(it["site"])
        path = f"/{s}/a/{n}.htm"
        server.add(path, _page(it["title"], it["text"], pub[it["id"]]),
                   headers={"Content-Type": "text/html; charset=utf-8"})
        by_site.setdefault(s, []).append(path)
        it["_path"] = path
    toml = []
    for s, paths in by_site.items():
        server.add(f"/{s}/rss.xml", rss(server.url(p) for p in paths),
                   headers={"Content-Type": "application/rss+xml; charset=utf-8"})
        toml.append(f'[sites.{s}]\nname = "{s}"\ndomains = ["127.0.0.1"]\nfeeds = ["{server.url(f"/{s}/rss.xml")}"]\n'
                    f"article_pattern = '^https?://127\\.0\\.0\\.1:\\d+/{s}/a/\\d+\\.htm$'\nobey_robots = false\n")
    sites = tmp / "sites.toml"
    sites.write_text("\n".join(toml), encoding="utf-8")
    db = tmp / "stories.db"
    with server:
        res = subprocess.run([sys.executable, "-m", "pipeline.cli", "crawl", "--sites", str(sites), "--db", str(db)],
                             cwd=REPO, capture_output=True, text=True, timeout=900)
    if res.returncode != 0:
        sys.exit(f"crawl failed:\n{res.stdout}\n{res.stderr[-3000:]}")
    print(res.stdout.strip().splitlines()[-1] if res.stdout.strip() else "(crawl said nothing)")
    for it in items:
        it["_url"] = server.url(it["_path"])
    return db


def score(items: list[dict], groups: list[list[str]], distinct: list[tuple[str, str]], db: Path) -> bool:
    conn = sqlite3.connect(str(db))
    rows = {u: (i, s, d) for i, u, s, d in conn.execute(
        "SELECT id, url, coalesce(story_id, id), duplicate_of FROM articles")}
    links: dict[int, tuple[int | None, float, str]] = {}
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'story_links'").fetchone():
        links = {a: (t, s, e) for a, t, s, e in conn.execute(
            "SELECT article_id, linked_to, score, explanation FROM story_links")}
    conn.close()
    story: dict[str, int] = {}
    aid: dict[str, int] = {}
    for it in items:
        r = rows.get(it["_url"])
        if r is not None:
            aid[it["id"]], story[it["id"]] = r[0], r[1]
    missing = [it["id"] for it in items if it["id"] not in story]
    print(f"stored {len(story)}/{len(items)} articles" + (f" (not stored: {', '.join(missing)})" if missing else ""))

    def why(a: str, b: str) -> str:
        out = []
        for x in (a, b):
            link = links.get(aid.get(x, -1))
            if link:
                out.append(f"{x}->{link[0]} {link[1]:.2f} [{link[2]}]")
        return "; ".join(out)

    same = {frozenset(p) for g in groups for p in itertools.combinations(g, 2)}
    diff = {frozenset(p) for p in distinct}
    grouped = [p for p in same if all(x in story for x in p) and len({story[x] for x in p}) == 1]
    merged_la = [p for p in diff if all(x in story for x in p) and len({story[x] for x in p}) == 1]
    others = [frozenset(p) for p in itertools.combinations(sorted(story), 2)
              if frozenset(p) not in same and frozenset(p) not in diff]
    merged_o = [p for p in others if story[min(p)] == story[max(p)]]
    r1, r2, r3 = len(grouped) / len(same), len(merged_la) / max(1, len(diff)), len(merged_o) / max(1, len(others))
    print(f"same-event pairs grouped:        {len(grouped)}/{len(same)} = {r1:.1%} (target >= 90%)")
    print(f"look-alike different events merged: {len(merged_la)}/{len(diff)} = {r2:.1%} (target <= 2%)")
    print(f"all other pairs merged:          {len(merged_o)}/{len(others):,} = {r3:.2%} (target <= 0.1%)")
    for p in sorted(same - set(grouped), key=sorted):
        a, b = sorted(p)
        print(f"  missed  {a} {b}  {why(a, b)}")
    for p in sorted(merged_la + merged_o, key=sorted):
        a, b = sorted(p)
        print(f"  merged  {a} {b}  {why(a, b)}")
    return r1 >= 0.9 and r2 <= 0.02 and r3 <= 0.001


def timing(n: int, checks: int) -> float:
    """Median seconds of ``analyse`` per new article at ``n`` stored (prints median and p95)."""
    sys.path.insert(0, str(REPO / "bench"))
    import dedup as gen  # bench/dedup.py: the synthetic corpus generator

    from db import open_db
    from pipeline.article import Article
    from pipeline.dedup import analyse, load_config

    rng = random.Random(42)
    cfg = load_config()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.db"
        stored = gen.build(path, n, min(2000, n), rng)
        db = open_db(path)
        times = []
        for i in range(checks):
            if i % 2 == 0:  # another outlet's report of a stored article's event: other words, same names
                _, title, text, pub = rng.choice(stored)
                a = Article(url=f"https://s2.vn/c-{i}.html", title=title, text=gen.edit(rng, text, 0.4),
                            site="s2", published=pub)
            else:
                title, text = gen.article(rng)
                a = Article(url=f"https://s2.vn/n-{i}.html", title=title, text=text, site="s2",
                            published="2025-06-01T08:00:00+07:00")
            t0 = time.perf_counter()
            analyse(db, a, cfg, fetched_at="2025-06-01T08:00:00+00:00")
            times.append(time.perf_counter() - t0)
        db.close()
    times.sort()
    print(f"analyse per new article at {n:,} stored ({checks} articles): median "
          f"{statistics.median(times) * 1000:.2f} ms, p95 {times[int(len(times) * 0.95)] * 1000:.2f} ms "
          "(target <= 5 ms)")
    return statistics.median(times)


def _timing_child(root: Path, label: str, n: int, checks: int) -> float:
    """Run ``timing`` in a child process on the tree at ``root``; its median in seconds."""
    code = ("import sys, runpy; root = sys.argv[1]; sys.path[:0] = [root]; "
            "g = runpy.run_path(root + '/bench/stories.py', run_name='bench_stories'); "
            "print('MEDIAN', g['timing'](int(sys.argv[2]), int(sys.argv[3])))")
    res = subprocess.run([sys.executable, "-c", code, str(root), str(n), str(checks)], cwd=root,
                         capture_output=True, text=True, timeout=3600)
    if res.returncode != 0:
        sys.exit(f"timing of {label} failed:\n{res.stderr[-3000:]}")
    lines = res.stdout.strip().splitlines()
    for x in lines[:-1]:
        print(f"  [{label}] {x}")
    return float(lines[-1].split()[1])


def compare(rev: str, n: int, checks: int) -> None:
    """Timing of ``rev`` (baseline) and of this tree, each in a child process; prints the ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "baseline"
        base.mkdir()
        arch = subprocess.run(["git", "-C", str(REPO), "archive", rev], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(base)], input=arch.stdout, check=True)
        (base / "bench" / "stories.py").write_bytes(Path(__file__).read_bytes())  # the same timing code
        b1 = _timing_child(base, rev, n, checks)
        new = _timing_child(REPO, "this tree", n, checks)
        b2 = _timing_child(base, rev, n, checks)
    old = statistics.mean([b1, b2])
    print(f"median per article: {rev} {b1 * 1000:.2f} / {b2 * 1000:.2f} ms, this tree {new * 1000:.2f} ms: "
          f"ratio {new / old:.2f} x {rev}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT)
    ap.add_argument("--n", type=int, default=100_000, help="stored articles for the timing (0: no timing)")
    ap.add_argument("--checks", type=int, default=500)
    ap.add_argument("--keep", type=Path, default=None, help="copy the crawled database here")
    ap.add_argument("--baseline", default=None, help="git revision to time against (e.g. HEAD)")
    ap.add_argument("--timing-only", action="store_true", help="no clustering figures")
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined,union-attr]
    if args.timing_only:
        if args.baseline:
            compare(args.baseline, args.n, args.checks)
        else:
            timing(args.n, args.checks)
        return 0
    if not (args.data / "more.jsonl").is_file():
        print(f"skipped: no labelled set at {args.data}")
        return 0
    items, groups, distinct = load(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        db = crawl(items, groups, Path(tmp))
        ok = score(items, groups, distinct, db)
        if args.keep:
            args.keep.write_bytes(db.read_bytes())
    if args.n and args.baseline:
        compare(args.baseline, args.n, args.checks)
    elif args.n:
        timing(args.n, args.checks)
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
