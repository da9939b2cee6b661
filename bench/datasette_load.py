"""Load test of the published Datasette: search, facet and canned-query pages under concurrent clients.

    python bench/datasette_load.py                 # 200,000 articles, 50 clients, 30 s a scenario
    python bench/datasette_load.py --n 20000 --duration 10
    python bench/datasette_load.py --db /tmp/pw.db --reuse --scenarios misses

Builds a database of synthetic Vietnamese articles with the real schema (db.open_db: every migration,
the indexes of `datasette_browse_indexes` included) by bulk insert (sqlite3 executemany; the search
index follows by trigger, as for every writer), starts `datasette serve` exactly as `presswatch serve`
does (pipeline.publish.datasette_command) on 127.0.0.1, and runs N concurrent clients (httpx,
closed loop: each client sends its next request as soon as the last one is answered, or after a
random pause of mean --think seconds, like a person reading) for a while, in scenarios:

- ``browse``: the pages analysts open (a few dozen URLs: the table, searches, facet filters, canned
  queries, the feed) while a crawler commits a new article every --write-every seconds (each commit
  empties the server's response cache: pages are recomputed, never stale). The issue's target.
- ``misses``: the same pages, each request made unique (an ignored ``_pw_n`` parameter), so that
  nothing is ever answered from the cache: what the server itself does per page.
- ``single``: one client, every request unique: the baseline latency of a page on an idle server.

Prints, per scenario and kind of page: requests, median and p95 latency, errors (non-200 or
failures), pages where Datasette gave up on a facet (facet_time_limit_ms), and the share answered
from the response cache; then each scenario's median against the single-client baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db import open_db  # noqa: E402
from pipeline import publish  # noqa: E402

SITES = ["vnexpress", "tuoitre", "thanhnien", "dantri", "vietnamnet", "baoquocte", "nhandan", "qdnd",
         "baodanang", "hanoimoi", "sggp", "baotintuc"]
PROVINCES = ["Hà Nội", "Thành phố Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Quảng Ninh",
             "Thừa Thiên Huế", "Khánh Hòa", "Lào Cai", "Lạng Sơn", "Nghệ An", "Thanh Hóa", "Bình Dương",
             "Đồng Nai", "Bà Rịa - Vũng Tàu", "Quảng Nam", "Lâm Đồng", "Kiên Giang", "An Giang", "Bắc Ninh",
             "Hải Dương", "Thái Nguyên", "Điện Biên", "Sơn La", "Đắk Lắk", "Gia Lai", "Kon Tum", "Tây Ninh"]
COUNTRIES = ["Nhật Bản", "Hàn Quốc", "Trung Quốc", "Hoa Kỳ", "Lào", "Campuchia", "Thái Lan", "Pháp",
             "Đức", "Australia", "Ấn Độ", "Singapore", "ASEAN", "Liên minh châu Âu", "Nga", "Cuba"]
# Topic phrases (what analysts search for) are rare in the filler text, as in real news.
TOPICS = ["hợp tác quốc tế", "đối ngoại", "đại sứ", "ký kết thỏa thuận", "kết nghĩa", "xúc tiến đầu tư",
          "đường bay thẳng", "cửa khẩu", "hội nghị", "đoàn công tác", "giao lưu nhân dân", "biên bản ghi nhớ",
          "Nhật Bản", "Hàn Quốc", "Đà Nẵng", "Hà Nội", "Quảng Ninh", "ngoại vụ", "viện trợ", "hữu nghị"]
_ONSETS = [""] + "b c ch d đ g gi h k kh l m n ng nh ph qu r s t th tr v x".split()
_RIMES = ("a ai am an ang anh ao ăn ăng âm ân âu e em en eo ê ên ênh i im in inh iêu o oa oai oan oang oi om "
          "on ong ô ôi ông ơ ơi ơn u ui um un ung uy ư ưa ưng ương ươi").split()
_TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]


def _vocabulary(rnd: random.Random, size: int = 6000) -> list[str]:
    import unicodedata

    words = {unicodedata.normalize("NFC", rnd.choice(_ONSETS) + rnd.choice(_RIMES) + rnd.choice(_TONES))
             for _ in range(size * 3)}
    return sorted(words)[:size]


_VN = timezone(timedelta(hours=7))
SEARCHES = ["hop tac quoc te", "doi ngoai", "da nang", "dai su", "ky ket thoa thuan", "ket nghia",
            "nhat ban", "han quoc", "xuc tien dau tu", "duong bay thang", "cua khau", "hoi nghi",
            # with marks (accent-sensitive, issue 14), a quoted phrase, a prefix
            "Đà Nẵng", "đối ngoại", '"hợp tác quốc tế"', "ket ngh*"]


def build(path: Path, n: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    db = open_db(path)  # schema and every migration
    db.conn.execute("PRAGMA synchronous = OFF")
    now = datetime.now(UTC)
    db.conn.executemany(
        "INSERT OR REPLACE INTO sites (key, name, domains, every_seconds, enabled) VALUES (?, ?, ?, 900, 1)",
        [(s, s.capitalize(), json.dumps([f"{s}.vn"])) for s in SITES],
    )
    vocab = _vocabulary(rnd)
    batch = 5000
    started = time.monotonic()
    for lo in range(0, n, batch):
        arts = []
        for i in range(lo, min(n, lo + batch)):
            rid = i + 1
            site = SITES[i % len(SITES)]
            relevant = rnd.random() < 0.35
            words = rnd.choices(vocab, k=rnd.randint(150, 300))
            for _ in range(rnd.choice((0, 0, 1, 2, 3)) + 2 * relevant):
                words.insert(rnd.randrange(len(words)), rnd.choice(TOPICS))
            text = "\n\n".join(" ".join(words[j:j + 40]).capitalize() + "." for j in range(0, len(words), 40))
            title = " ".join(rnd.choices(vocab, k=rnd.randint(6, 11)) + rnd.sample(TOPICS, relevant))
            title = title.capitalize()
            # more recent days carry more articles (a growing archive over two years)
            age = timedelta(days=730 * rnd.random() ** 2, seconds=rnd.randint(0, 86399))
            published = (now - age).astimezone(_VN).isoformat(timespec="seconds")
            fetched = (now - age + timedelta(minutes=rnd.randint(1, 90))).isoformat(timespec="seconds")
            some = relevant or rnd.random() < 0.4
            provs = rnd.sample(PROVINCES, rnd.choice((0, 1, 1, 1, 2, 3))) if some else []
            ctrs = rnd.sample(COUNTRIES, rnd.choice((1, 1, 2))) if relevant else []
            # one article in eight is a copy of an earlier text (content_hash shared): stories
            chash = f"h{rid // 2 if i % 8 == 0 else rid}"
            arts.append((rid, f"https://{site}.vn/bai-{rid}.html", site, title, published, "meta", None,
                         " ".join(words[:30]), text, "vi", chash, fetched,
                         0.8 if relevant else 0.1, int(relevant),
                         json.dumps(provs, ensure_ascii=False), json.dumps(ctrs, ensure_ascii=False)))
        with db.conn:
            db.conn.executemany(
                "INSERT INTO articles (id, url, site, title, published, published_source, author, "
                "description, text, language, content_hash, fetched_at, relevance, relevant, provinces, "
                "countries) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", arts)
        done = min(n, lo + batch)
        print(f"\r  {done:,}/{n:,} articles ({time.monotonic() - started:.0f}s)", end="", flush=True)
    runs = [(s, (now - timedelta(hours=h)).isoformat(timespec="seconds"), rnd.randint(0, 9),
             rnd.choice(("ok", "ok", "ok", "failed"))) for s in SITES for h in range(0, 24 * 14, 6)]
    db.conn.executemany(
        "INSERT INTO crawl_runs (site, started, finished, new, status) VALUES (?, ?, ?, ?, ?)",
        [(s, t, t, k, st) for s, t, k, st in runs])
    db.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    db.conn.execute("INSERT INTO articles_fts_marks (articles_fts_marks) VALUES ('optimize')")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    print()



def pages(db: str) -> dict[str, list[str]]:
    """Kinds of page and the URLs each client picks from."""
    t = f"/{db}/articles"
    return {
        "table (all facets)": [t],
        "search": [f"{t}?_search={quote(q)}" for q in SEARCHES[:12]],  # the same pages as before issue 14
        "search with marks": [f"{t}?_search={quote(q)}" for q in SEARCHES[12:]],
        "facet filter": [f"{t}?site={s}" for s in SITES[:6]]
        + [f"{t}?provinces__arraycontains={quote(p)}" for p in PROVINCES[:6]]
        + [f"{t}?relevant=1&countries__arraycontains={quote(c)}" for c in COUNTRIES[:4]],
        "canned query": [f"/{db}/latest_relevant", f"/{db}/by_province?province=da+nang",
                         f"/{db}/by_province?province={quote('Hà Nội')}", f"/{db}/stories",
                         f"/{db}/new_today", f"/{db}/site_health"],
        "atom feed": [f"/{db}/latest_relevant_atom.atom"],
        "json search": [f"{t}.json?_search={quote(q)}&_shape=objects" for q in SEARCHES[:4]],
        "ranked search": [f"/{db}/search?q={quote(q)}" for q in SEARCHES[::2]],
    }


def workspace_pages(db: str) -> dict[str, list[str]]:
    """The analysts' workspace (pipeline/publish/workspace.py): home, story lists, press summary."""
    return {
        "ws home": ["/"],
        "ws story list": ["/-/tin", "/-/tin?ky=30", "/-/tin?ky=hom-nay", "/-/tin?lienquan=0"],
        "ws story filter": [f"/-/tin?tinh={quote(p)}" for p in PROVINCES[:4]]
        + [f"/-/tin?ky=30&nuoc={quote(c)}" for c in COUNTRIES[:3]] + [f"/-/tin?bao={s}" for s in SITES[:3]],
        "ws story search": [f"/-/tin?q={quote(q)}" for q in SEARCHES[:4]],
        "ws press summary": ["/-/diem-bao?ky=hom-nay", f"/-/diem-bao?tinh={quote(PROVINCES[0])}"],
    }


async def load(base: str, db: str, clients: int, duration: float, think: float = 0.0,
               unique: bool = False, kinds: dict[str, list[str]] | None = None
               ) -> dict[str, list[tuple[float, int, bool, bool]]]:
    import httpx

    kinds = kinds or pages(db)
    results: dict[str, list[tuple[float, int, bool, bool]]] = defaultdict(list)
    counter = iter(range(10**9))
    stop = time.monotonic() + duration
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(idx: int, http: httpx.AsyncClient) -> None:
        rnd = random.Random(idx)
        # the kinds are weighted alike; pick a kind, then one of its URLs
        while time.monotonic() < stop:
            kind = rnd.choice(list(kinds))
            url = rnd.choice(kinds[kind])
            if unique:  # an argument Datasette ignores: a page no one asked for before
                url += ("&" if "?" in url else "?") + f"_pw_n={idx}x{next(counter)}"
            t0 = time.perf_counter()
            try:
                r = await http.get(url)
                status, body, hit = r.status_code, r.text, r.headers.get("x-presswatch-cache") == "hit"
            except httpx.HTTPError:
                status, body, hit = 0, "", False
            results[kind].append((time.perf_counter() - t0, status, "facets timed out" in body, hit))
            if think:
                await asyncio.sleep(rnd.expovariate(1 / think))

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        await asyncio.gather(*(client(i, http) for i in range(clients)))
    return results


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def report(results: dict[str, list[tuple[float, int, bool, bool]]], duration: float) -> tuple[float, float, int]:
    """Print the table of one scenario; returns (median ms, p95 ms, errors)."""
    print(f"  {'page':<20} {'requests':>8} {'median ms':>10} {'p95 ms':>8} {'errors':>7} {'facet t/o':>9}"
          f" {'cached':>7}")
    every: list[float] = []
    errors = hits = 0
    for kind, rows in sorted(results.items()):
        lat = [r[0] * 1000 for r in rows]
        errs = sum(1 for r in rows if r[1] != 200)
        tos = sum(1 for r in rows if r[2])
        cached = sum(1 for r in rows if r[3])
        every += lat
        errors += errs
        hits += cached
        med = statistics.median(lat)
        print(f"  {kind:<20} {len(rows):>8} {med:>10.0f} {pct(lat, .95):>8.0f} {errs:>7} {tos:>9}"
              f" {cached / len(rows):>7.0%}")
    med, p95 = statistics.median(every), pct(every, .95)
    print(f"  {'all':<20} {len(every):>8} {med:>10.0f} {p95:>8.0f} {errors:>7} {'':>9} {hits / len(every):>7.0%}"
          f"   {len(every) / duration:.1f} req/s")
    return med, p95, errors


class Writer:
    """A crawler's commits during the load: one new article (row + FTS row) every `every` seconds."""

    def __init__(self, path: Path, every: float) -> None:
        import threading

        self.path, self.every, self.commits = path, every, 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        import sqlite3

        conn = sqlite3.connect(self.path, timeout=30)
        try:
            while not self.stop.wait(self.every):
                now = datetime.now(UTC)
                with conn:
                    conn.execute(
                        "INSERT INTO articles (url, site, title, published, text, fetched_at, relevant, relevance, "
                        "provinces, countries) VALUES (?, 'dantri', ?, ?, ?, ?, 1, 0.9, ?, ?)",
                        (f"https://dantri.vn/bench-write-{time.time_ns()}.html", "Đà Nẵng đón đoàn đại sứ",
                         now.astimezone(_VN).isoformat(timespec="seconds"), "Hợp tác quốc tế. " * 50,
                         now.isoformat(timespec="seconds"), '["Đà Nẵng"]', '["Nhật Bản"]'))
                self.commits += 1
        finally:
            conn.close()

    def __enter__(self) -> Writer:
        if self.every > 0:
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()


def _cleanup_writes(path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(path, timeout=30)
    with conn:  # the search index follows by trigger
        conn.execute("DELETE FROM articles WHERE url LIKE 'https://dantri.vn/bench-write-%'")
    conn.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200_000, help="synthetic articles (default 200,000)")
    ap.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    ap.add_argument("--duration", type=float, default=30, help="seconds of load (default 30)")
    ap.add_argument("--think", type=float, default=0.0,
                    help="mean pause of a client between two requests, seconds (default 0: closed loop)")
    ap.add_argument("--cache", type=float, default=None,
                    help="PRESSWATCH_CACHE_SECONDS for the server (default: what `presswatch serve` uses; 0 = off)")
    ap.add_argument("--write-every", type=float, default=10.0,
                    help="seconds between a crawler's commits during `browse` (default 10; 0 = none)")
    ap.add_argument("--scenarios", default="single,browse,misses",
                    help="comma-separated: single, browse, misses (default all three); ws-single, ws-browse: "
                         "the same on the analysts' workspace pages (/, /-/tin, /-/diem-bao)")
    ap.add_argument("--kinds", default="",
                    help="comma-separated kinds of page to request (default all); e.g. the kinds this bench had "
                         "before issue 14: 'table (all facets),search,facet filter,canned query,atom feed,json search'")
    ap.add_argument("--db", help="database file to build (or reuse with --reuse); default a temporary one")
    ap.add_argument("--reuse", action="store_true", help="do not rebuild --db when it exists")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    args = ap.parse_args()
    scenarios = [x.strip() for x in args.scenarios.split(",") if x.strip()]
    unknown = set(scenarios) - {"single", "browse", "misses", "ws-single", "ws-browse"}
    if unknown:
        ap.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")

    wanted = [k.strip() for k in args.kinds.split(",") if k.strip()]
    if set(wanted) - set(pages("x")):
        ap.error(f"unknown kind(s): {', '.join(sorted(set(wanted) - set(pages('x'))))}; "
                 f"known: {', '.join(pages('x'))}")

    tmp = tempfile.TemporaryDirectory()
    path = Path(args.db) if args.db else Path(tmp.name) / "presswatch.db"
    if not (args.reuse and path.exists()):
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            p.unlink(missing_ok=True)
        t0 = time.monotonic()
        print(f"building {args.n:,} articles in {path}")
        build(path, args.n)
        print(f"built in {time.monotonic() - t0:.0f}s, {path.stat().st_size / 1e6:.0f} MB")
    _sizes(path, "before migrating")
    t0 = time.monotonic()
    open_db(path).conn.close()  # migrate, as `presswatch serve` does (0007_search_accents: the index rebuilt)
    print(f"migrations: {time.monotonic() - t0:.1f}s")
    _sizes(path, "served")
    meta = publish.write_metadata(path, Path(tmp.name) / "metadata.json")
    port = args.port or _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    if args.cache is not None:
        env["PRESSWATCH_CACHE_SECONDS"] = str(args.cache)
    else:
        env.pop("PRESSWATCH_CACHE_SECONDS", None)
    proc = subprocess.Popen(publish.datasette_command(path, meta, "127.0.0.1", port),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    medians: dict[str, float] = {}
    ok = True
    try:
        _wait(f"{base}/-/versions.json", proc)
        # warm the page cache once: the first touch of a cold 200,000-row file is not what users see
        for urls in [*pages(path.stem).values(), *workspace_pages(path.stem).values()]:
            for u in urls:
                urllib.request.urlopen(base + u, timeout=120).read()
        cache = "default" if args.cache is None else f"{args.cache:g}s"
        think = f"mean think time {args.think:g}s" if args.think else "no think time"
        print(f"{_count(path):,} articles; server {base}, response cache {cache}; {think}")
        for name in scenarios:
            clients = 1 if name in ("single", "ws-single") else args.clients
            writes = args.write_every if name in ("browse", "ws-browse") else 0
            kinds = workspace_pages(path.stem) if name.startswith("ws-") else pages(path.stem)
            if wanted and not name.startswith("ws-"):
                kinds = {k: v for k, v in kinds.items() if k in wanted}
            what = {"single": "1 client, every page new (baseline)",
                    "browse": f"{clients} clients, the pages analysts open, a commit every {writes:g}s"
                    if writes else f"{clients} clients, the pages analysts open, no commits",
                    "misses": f"{clients} clients, every page new (never from the cache)",
                    "ws-single": "the analysts' workspace: 1 client, every page new",
                    "ws-browse": f"the analysts' workspace: {clients} clients, a commit every {writes:g}s"}[name]
            print(f"\n{name}: {what}, {args.duration:.0f}s")
            with Writer(path, writes) as writer:
                started = time.monotonic()
                results = asyncio.run(load(base, path.stem, clients, args.duration, args.think,
                                           unique=name not in ("browse", "ws-browse"), kinds=kinds))
                elapsed = time.monotonic() - started
            med, p95, errors = report(results, elapsed)
            if writes:
                print(f"  commits during the run: {writer.commits}")
            medians[name] = med
            if name in ("browse", "ws-browse"):
                met = med < 300 and errors == 0
                ok = ok and met
                print(f"  target (median < 300 ms, 0 errors): {'met' if met else 'NOT met'}")
            elif errors:
                ok = False
        if "single" in medians:
            print("\nmedian against the single-client baseline "
                  f"({medians['single']:.0f} ms): "
                  + ", ".join(f"{k} {v / medians['single']:.2f}x" for k, v in medians.items() if k != "single"))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        _cleanup_writes(path)
        tmp.cleanup()
    return 0 if ok else 1


def _sizes(path: Path, when: str) -> None:
    """The file and its full-text index on disk (dbstat; every FTS5 shadow table)."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'articles_fts%' "
                            "GROUP BY name").fetchall()
        fts = sum(r[1] for r in rows)
        pages = conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    print(f"{when}: database {pages / 1e6:.0f} MB, full-text index {fts / 1e6:.0f} MB "
          f"({', '.join(f'{n} {s / 1e6:.0f}' for n, s in rows if n.endswith(('_data', '_content', '_idx')))})")


def _count(path: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    finally:
        conn.close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"datasette exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"datasette did not answer at {url}")


if __name__ == "__main__":
    sys.exit(main())
