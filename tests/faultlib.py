"""Fault and bad-input scenarios over loopback, shared by tests/test_robustness.py and bench/faults.py.

Each scenario starts a fixture server (tests/loopback.py), runs real crawls
(``python -m pipeline.cli crawl --sites FILE --db DB``) and returns plain figures; the tests
assert on them, the bench prints them.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tests.loopback import (
    ROOT,
    FixtureServer,
    article_html,
    crawl_cmd,
    crawl_env,
    encode_cp1258,
    english_html,
    prose,
    rows,
    rss,
    run_crawl,
    site_toml,
    urlset,
)

# --- the item stages as the crawl runs them ----------------------------------------------------------


def item_stages(spider: Any) -> list[Any]:
    """Instances of spiders/settings.py ITEM_PIPELINES, in order, on a stand-in crawler for ``spider``
    (which needs specs, stats_by_site, db and stop_for_db_error), each opened like Scrapy does."""
    import warnings
    from types import SimpleNamespace

    from scrapy.settings import Settings
    from scrapy.utils.misc import load_object

    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    crawler = SimpleNamespace(spider=spider, settings=settings)
    stages = []
    with warnings.catch_warnings():  # trafilatura's first import: urllib3 warns that PySocks is absent
        warnings.simplefilter("ignore")
        for path, _ in sorted(settings.getdict("ITEM_PIPELINES").items(), key=lambda kv: kv[1]):
            stage = load_object(path)(crawler)
            if hasattr(stage, "open_spider"):
                stage.open_spider()
            stages.append(stage)
    return stages


# --- checks -----------------------------------------------------------------------------------


def consistency(db: str | Path) -> dict[str, Any]:
    """Counts that must all be zero (and integrity 'ok') in a database nothing half-wrote."""
    q = {
        "articles_without_page": "SELECT count(*) FROM articles a LEFT JOIN pages p ON p.article_id = a.id "
                                 "WHERE p.article_id IS NULL",
        "pages_orphans": "SELECT count(*) FROM pages WHERE article_id NOT IN (SELECT id FROM articles)",
        "articles_without_url_row": "SELECT count(*) FROM articles WHERE url NOT IN "
                                    "(SELECT url FROM urls WHERE status = 'article')",
        "duplicate_urls": "SELECT count(*) - count(DISTINCT url) FROM articles",
        "duplicate_texts": "SELECT count(*) - count(DISTINCT content_hash) FROM articles",
    }
    out: dict[str, Any] = {k: rows(db, v)[0][0] for k, v in q.items()}
    out["integrity"] = rows(db, "PRAGMA integrity_check")[0][0]
    out["search_index_mismatch"] = search_index_mismatch(db)
    return out


def search_index_mismatch(db: str | Path) -> int:
    """1 when FTS5's own check finds the search index out of step with ``articles`` (db.search.check_index)."""
    import sqlite_utils

    from db.search import check_index

    conn = sqlite3.connect(db)
    try:
        check_index(sqlite_utils.Database(conn))
        return 0
    except sqlite3.DatabaseError:
        return 1
    finally:
        conn.close()


def bad(consist: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in consist.items() if (k == "integrity" and v != "ok") or (k != "integrity" and v)}


def article_count(db: str | Path) -> int:
    return int(rows(db, "SELECT count(*) FROM articles")[0][0])


def stored_paths(db: str | Path) -> set[str]:
    from urllib.parse import urlsplit

    return {urlsplit(u).path for (u,) in rows(db, "SELECT url FROM articles")}


def runs(db: str | Path) -> dict[str, tuple[str, str | None, int]]:
    """Last crawl_runs row per site: (status, error, new)."""
    out: dict[str, tuple[str, str | None, int]] = {}
    for site, status, error, new in rows(db, "SELECT site, status, error, new FROM crawl_runs ORDER BY id"):
        out[site] = (status, error, new)
    return out


def add_articles(srv: FixtureServer, prefix: str, ids: Iterable[int], **kw: Any) -> list[str]:
    urls = []
    for i in ids:
        urls.append(srv.add(f"{prefix}/a/{i}.htm", article_html(i), **kw))
    return urls


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


# --- bad input ----------------------------------------------------------------------------------------

BIG_MB = 50


def _big_page() -> Iterable[bytes]:
    """50 MB of HTML streamed in 64 KB chunks, no Content-Length (the size limit must cut it off)."""
    yield b"<html><head><meta charset='utf-8'></head><body><h1>Trang rat lon</h1>"
    chunk = b"<p>" + ("Nội dung lặp lại rất dài. ".encode() * 2400)[: 64 * 1024 - 8] + b"</p>\n"
    for _ in range(BIG_MB * 1024 * 1024 // len(chunk)):
        yield chunk
    yield b"</body></html>"


def gzip_bomb(mb: int = 60) -> bytes:
    """~60 KB of gzip that inflates to ``mb`` MB of sitemap whitespace, built 1 MB at a time."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as g:
        g.write(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
        block = b" " * (1024 * 1024)
        for _ in range(mb):
            g.write(block)
    return buf.getvalue()


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                             .encode() for i in range(1, 10))
                  + b']><rss version="2.0"><channel><item><title>&lol9;</title>'
                    b"<link>http://127.0.0.1/a/1.htm</link></item></channel></rss>")

ERROR_PAGE = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Lỗi 404</title></head><body>"
              "<h1>Không tìm thấy trang</h1><p>Trang bạn yêu cầu không tồn tại hoặc đã bị xóa.</p>"
              "<a href='/'>Về trang chủ</a></body></html>")


def bad_input(tmp: Path) -> dict[str, Any]:
    """One crawl over every kind of bad input at once; returns what happened to each."""
    db = tmp / "bad.db"
    with FixtureServer() as srv:
        P = srv.port
        good = add_articles(srv, "/g", range(1, 4))
        # charsets: Windows-1258 declared in <meta>, UTF-8 with BOM and no declaration, NFD text,
        # UTF-8 bytes under a wrong ISO-8859-1 header, UTF-8 with no charset anywhere
        srv.add("/g/a/101.htm", encode_cp1258(article_html(101, charset="windows-1258")),
                headers={"Content-Type": "text/html"})
        srv.add("/g/a/102.htm", b"\xef\xbb\xbf" + article_html(102, charset=None).encode(),
                headers={"Content-Type": "text/html"})
        srv.add("/g/a/103.htm", unicodedata.normalize("NFD", article_html(103)).encode())
        srv.add("/g/a/104.htm", article_html(104).encode(), headers={"Content-Type": "text/html; charset=iso-8859-1"})
        srv.add("/g/a/105.htm", article_html(105, charset=None).encode(), headers={"Content-Type": "text/html"})
        # pages that are not articles
        srv.add("/g/a/110.htm", ERROR_PAGE)  # 200 holding an error page
        srv.add("/g/a/111.htm", b"")  # empty body
        srv.add("/g/a/112.htm", english_html())
        srv.add("/g/a/113.htm", _big_page, headers={"Content-Type": "text/html; charset=utf-8"})
        srv.add("/g/a/114.htm", status=302, headers={"Location": "/g/a/115.htm"})  # loop 114 -> 115 -> 114
        srv.add("/g/a/115.htm", status=302, headers={"Location": srv.url("/g/a/114.htm")})
        srv.add("/g/a/116.htm", status=302, headers={"Location": f"http://localhost:{P}/g/a/1.htm"})
        srv.add("/g/a/117.htm", status=301, headers={"Location": "http://10.0.0.1/g/a/117.htm"})
        srv.add("/g/a/118.htm", status=302, headers={"Location": "file:///etc/passwd"})
        srv.add("/g/a/119.htm", f'<html><head><meta http-equiv="refresh" content="0;url=http://localhost:{P}/g/a/3.htm">'
                                '</head><body>Đang chuyển trang…</body></html>')  # meta refresh off the site
        srv.add("/g/a/120.htm", article_html(120))  # reached through a CDATA link with entities
        feed_items = good + [srv.url(f"/g/a/{i}.htm") for i in (101, 102, 103, 104, 105, 110, 111, 112, 113,
                                                                   114, 116, 117, 118, 119)]
        feed_items += ["file:///etc/passwd", "http://10.0.0.1/g/a/9.htm", "http://192.168.1.1/g/a/9.htm",
                       f"http://localhost:{P}/g/a/2.htm", "http://2130706433/g/a/9.htm"]
        feed = rss(feed_items)
        cdata = (f"<item><title><![CDATA[Đà Nẵng &amp;quot;đón&amp;quot; đoàn &lt;b&gt;]]></title>"
                 f"<link><![CDATA[{srv.url('/g/a/120.htm')}?utm_source=rss&amp;amp;x=1]]></link></item>")
        srv.add("/g/feed.rss", feed.replace(b"</channel>", cdata.encode() + b"</channel>"),
                headers={"Content-Type": "application/rss+xml"})
        # feeds and sitemaps that are broken
        add_articles(srv, "/t", [201])
        whole = rss([srv.url("/t/a/201.htm"), srv.url("/t/a/202.htm")])
        srv.add("/t/feed.rss", whole[: whole.index(b"/t/a/202.htm") - 10])  # truncated mid-item
        srv.add("/n/feed.rss", "<html><body><h1>Bảo trì hệ thống</h1><p>Vui lòng quay lại sau.</p></body></html>")
        srv.add("/z/sitemap.xml.gz", gzip_bomb(), headers={"Content-Type": "application/x-gzip"})
        srv.add("/e/sitemap.xml", gzip_bomb(), headers={"Content-Type": "application/xml",
                                                        "Content-Encoding": "gzip"})
        srv.add("/l/feed.rss", BILLION_LAUGHS)
        sites = tmp / "bad.toml"
        pat = r"/a/\d+\.htm(\?.*)?$"
        sites.write_text(
            site_toml("good", feeds=[srv.url("/g/feed.rss")], pattern="/g" + pat)
            + site_toml("truncated", feeds=[srv.url("/t/feed.rss")], pattern="/t" + pat)
            + site_toml("notxml", feeds=[srv.url("/n/feed.rss")], pattern="/n" + pat)
            + site_toml("gzbomb", sitemaps=[srv.url("/z/sitemap.xml.gz")], pattern="/z" + pat)
            + site_toml("encbomb", sitemaps=[srv.url("/e/sitemap.xml")], pattern="/e" + pat)
            + site_toml("laughs", feeds=[srv.url("/l/feed.rss")], pattern="/l" + pat),
            encoding="utf-8",
        )
        started = time.monotonic()
        proc = run_crawl(sites, db)
        elapsed = time.monotonic() - started
        hits = dict(srv.hits)
        hosts = dict(srv.hosts)
        streamed_big = srv.streamed["/g/a/113.htm"]
    urls = {u.replace(srv.base, ""): (s, r) for u, s, r in rows(db, "SELECT url, status, reason FROM urls")}
    titles = {u.replace(srv.base, ""): t for u, t in rows(db, "SELECT url, title FROM articles")}
    return {"proc": proc, "elapsed": elapsed, "hits": hits, "hosts": hosts, "urls": urls, "titles": titles,
            "runs": runs(db), "consistency": consistency(db), "streamed_big": streamed_big, "port": P,
            "db": db}


def expected_title(n: int) -> str:
    return prose(n)[0]


# --- SIGKILL mid-crawl, then restart -----------------------------------------------------------------


def kill_restart(tmp: Path, n: int = 24, delay: float = 0.4, kill_after: int = 6) -> dict[str, Any]:
    db = tmp / "kill.db"
    with FixtureServer() as srv:
        urls = add_articles(srv, "/k", range(1, n + 1), delay=delay)
        srv.add("/k/feed.rss", rss(urls))
        sites = tmp / "kill.toml"
        sites.write_text(site_toml("kill", feeds=[srv.url("/k/feed.rss")], pattern=r"/k/a/\d+\.htm$"))
        proc = subprocess.Popen(crawl_cmd(sites, db), cwd=ROOT, env=crawl_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            with srv.lock:
                done = sum(v for k, v in srv.completed.items() if "/a/" in k)
            if done >= kill_after:
                break
            time.sleep(0.02)
        killed = proc.poll() is None
        if killed:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        with srv.lock:
            sent_pass1 = {k for k, v in srv.completed.items() if "/a/" in k and v}
            hits_pass1 = dict(srv.hits)
        stored_pass1 = stored_paths(db) if db.exists() else set()
        consist_after_kill = consistency(db) if db.exists() else {}
        running_after_kill = rows(db, "SELECT count(*) FROM crawl_runs WHERE status = 'running'")[0][0]
        for r in srv.routes.values():
            r.delay = 0.0
        second = run_crawl(sites, db)
        hits_pass2 = {k: v - hits_pass1.get(k, 0) for k, v in srv.hits.items()}
    stored = stored_paths(db)
    all_paths = {f"/k/a/{i}.htm" for i in range(1, n + 1)}
    return {
        "articles": n, "killed": killed, "returncode_after_kill": proc.returncode,
        "fully_sent_before_kill": len(sent_pass1), "stored_before_kill": len(stored_pass1),
        "consistency_after_kill": consist_after_kill,
        "lost": len(sent_pass1 - stored), "missing_after_restart": len(all_paths - stored),
        "refetched_stored": sum(hits_pass2.get(p, 0) for p in stored_pass1),
        "second_returncode": second.returncode, "second_stdout": second.stdout,
        "consistency": consistency(db), "running_rows_after_kill": running_after_kill,
        "runs": rows(db, "SELECT site, status, error FROM crawl_runs ORDER BY id"),
    }


# --- a long reader, a short writer and Datasette while the crawler writes ------------------------------


def locked_db(tmp: Path, n: int = 30, with_datasette: bool = True) -> dict[str, Any]:
    db = tmp / "locked.db"
    from db import open_db

    open_db(db).close()
    out: dict[str, Any] = {"articles": n}
    ds: subprocess.Popen[bytes] | None = None
    stop = threading.Event()
    ds_ok = [0]
    ds_err: list[str] = []
    with FixtureServer() as srv:
        urls = add_articles(srv, "/w", range(1, n + 1), delay=0.05)
        srv.add("/w/feed.rss", rss(urls))
        sites = tmp / "locked.toml"
        sites.write_text(site_toml("locked", feeds=[srv.url("/w/feed.rss")], pattern=r"/w/a/\d+\.htm$"))
        reader = sqlite3.connect(str(db), timeout=1, isolation_level=None)
        reader.execute("BEGIN")
        before = reader.execute("SELECT count(*) FROM articles").fetchone()[0]
        if with_datasette:
            port = free_port()
            ds = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(db), "-p", str(port),
                                   "-h", "127.0.0.1"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

            def query() -> None:
                url = f"http://127.0.0.1:{port}/{db.stem}.json?sql=select+count(*)+from+articles+a+join+pages+p"
                url += "+on+p.article_id=a.id&_shape=array"
                while not stop.is_set():
                    try:
                        with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 (loopback)
                            json.loads(r.read())
                            ds_ok[0] += 1
                    except OSError as e:
                        if ds_ok[0]:
                            ds_err.append(str(e))
                    time.sleep(0.05)

            threading.Thread(target=query, daemon=True).start()

        def writer_lock() -> None:  # another writer holds the write lock for 2 s mid-crawl
            time.sleep(1.0)
            w = sqlite3.connect(str(db), timeout=30, isolation_level=None)
            w.execute("BEGIN IMMEDIATE")
            time.sleep(2.0)
            w.execute("COMMIT")
            w.close()

        t = threading.Thread(target=writer_lock, daemon=True)
        t.start()
        proc = run_crawl(sites, db)
        t.join()
        during = reader.execute("SELECT count(*) FROM articles").fetchone()[0]
        reader.execute("COMMIT")
        after = reader.execute("SELECT count(*) FROM articles").fetchone()[0]
        reader.close()
        stop.set()
        if ds is not None:
            ds.terminate()
            ds.wait(timeout=10)
    out.update(returncode=proc.returncode, stdout=proc.stdout, stderr_tail=proc.stderr[-2000:],
               reader_before=before, reader_during=during, after=after, lost=n - after,
               datasette_queries=ds_ok[0], datasette_errors=len(ds_err), consistency=consistency(db),
               runs=runs(db))
    return out


# --- a site that times out / answers 5xx for the whole pass ---------------------------------------------


def bad_sites(tmp: Path) -> dict[str, Any]:
    db = tmp / "sites.db"
    with FixtureServer() as srv:
        urls = add_articles(srv, "/ok", range(1, 6))
        srv.add("/ok/feed.rss", rss(urls))
        srv.add("/slow/feed.rss", rss([srv.url("/slow/a/1.htm")]), delay=8)
        srv.add("/err/feed.rss", b"<h1>Internal Server Error</h1>", status=500)
        srv.add("/err/sitemap.xml", b"<h1>Service Unavailable</h1>", status=503)
        sites = tmp / "sites.toml"
        sites.write_text(
            site_toml("okay", feeds=[srv.url("/ok/feed.rss")], pattern=r"/ok/a/\d+\.htm$")
            + site_toml("slow", feeds=[srv.url("/slow/feed.rss")], pattern=r"/slow/a/\d+\.htm$")
            + site_toml("broken", feeds=[srv.url("/err/feed.rss")], sitemaps=[srv.url("/err/sitemap.xml")],
                        pattern=r"/err/a/\d+\.htm$")
        )
        proc = run_crawl(sites, db, PRESSWATCH_DOWNLOAD_TIMEOUT="2")
    return {"returncode": proc.returncode, "stdout": proc.stdout, "runs": runs(db), "stored": stored_paths(db),
            "consistency": consistency(db)}


# --- disk full ---------------------------------------------------------------------------------------


def disk_full(tmp: Path, n: int = 40, spare_pages: int = 12) -> dict[str, Any]:
    db = tmp / "full.db"
    with FixtureServer() as srv:
        first = add_articles(srv, "/f", range(1, 4))
        srv.add("/f/feed.rss", rss(first))
        sites = tmp / "full.toml"
        sites.write_text(site_toml("full", feeds=[srv.url("/f/feed.rss")], pattern=r"/f/a/\d+\.htm$"))
        p1 = run_crawl(sites, db)
        before = article_count(db)
        pages = int(rows(db, "PRAGMA page_count")[0][0])
        more = add_articles(srv, "/f", range(4, n + 4))
        srv.add("/f/feed.rss", rss(first + more))
        p2 = run_crawl(sites, db, PRESSWATCH_MAX_PAGE_COUNT=str(pages + spare_pages))
        during = article_count(db)
        consist_full = consistency(db)
        runs_full = runs(db)
        p3 = run_crawl(sites, db)
        after = article_count(db)
    return {"first_rc": p1.returncode, "before": before, "full_rc": p2.returncode, "full_stdout": p2.stdout,
            "full_stderr": p2.stderr[-3000:], "stored_when_full": during, "consistency_when_full": consist_full,
            "runs_when_full": runs_full, "after_rc": p3.returncode, "after": after, "total": n + 3,
            "lost": n + 3 - after, "consistency": consistency(db)}


# --- mutational fuzz through real crawls ---------------------------------------------------------------

_INSERTS = [b"&amp;", b"&lt;", b"&#x110;", b"&bogus;", b"<![CDATA[", b"]]>", b"\x00", b"\xff\xfe", b"<", b">",
            b"</item>", b"<item>", b'<?xml version="1.0" encoding="x-unknown"?>', b"\xc3", b"\xe2\x80",
            "Đối ngoại".encode(), b"<link>file:///etc/passwd</link>", b"<link>http://10.0.0.1/a/1.htm</link>",
            b"<loc>http://169.254.169.254/a/1.htm</loc>", b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
            b"&e;"]


def mutate(body: bytes, rnd: random.Random) -> bytes:
    b = bytearray(body)
    for _ in range(rnd.randint(1, 6)):
        op = rnd.randrange(6)
        if not b:
            b += rnd.choice(_INSERTS)
            continue
        i = rnd.randrange(len(b))
        if op == 0:
            del b[i:]  # truncate
        elif op == 1:
            b[i] = rnd.randrange(256)  # flip a byte
        elif op == 2:
            b[i:i] = rnd.choice(_INSERTS)
        elif op == 3:
            j = min(len(b), i + rnd.randint(1, 200))
            b[i:i] = b[i:j] * rnd.randint(1, 5)  # repeat a span
        elif op == 4:
            j = min(len(b), i + rnd.randint(1, 200))
            del b[i:j]
        else:
            b = bytearray(gzip.compress(bytes(b))) if rnd.random() < 0.5 else b
    return bytes(b)


def fuzz_crawls(tmp: Path, seed: int = 20261122, rounds: int = 2, sites_per_round: int = 30) -> dict[str, Any]:
    """Each round: one crawl over ``sites_per_round`` sites whose feed, sitemap and article pages are
    mutated (truncated, byte-flipped, entity/CDATA/NUL/external-entity inserts, gzipped…)."""
    rnd = random.Random(seed)
    cases = crashed = unfinished = 0
    served = 0
    bad_db: list[dict[str, Any]] = []
    for r in range(rounds):
        db = tmp / f"fuzz{r}.db"
        with FixtureServer() as srv:
            toml = ""
            for s in range(sites_per_round):
                pre = f"/z{r}x{s}"
                arts = [srv.url(f"{pre}/a/{i}.htm") for i in range(3)]
                for i, u in enumerate(arts):
                    html = article_html(r * 1000 + s * 10 + i).encode()
                    srv.add(u.replace(srv.base, ""), mutate(html, rnd) if rnd.random() < 0.7 else html)
                srv.add(f"{pre}/feed.rss", mutate(rss(arts), rnd))
                srv.add(f"{pre}/sitemap.xml", mutate(urlset(arts), rnd))
                cases += 5
                toml += site_toml(f"z{r}x{s}", feeds=[srv.url(f"{pre}/feed.rss")],
                                  sitemaps=[srv.url(f"{pre}/sitemap.xml")], pattern=pre + r"/a/\d+\.htm$")
            sites = tmp / f"fuzz{r}.toml"
            sites.write_text(toml, encoding="utf-8")
            proc = run_crawl(sites, db, timeout=300)
            served += sum(srv.hits.values())
        if proc.returncode != 0 or "Traceback" in proc.stdout:
            crashed += 1
        unfinished += rows(db, "SELECT count(*) FROM crawl_runs WHERE status = 'running' OR finished IS NULL")[0][0]
        c = consistency(db)
        c.pop("duplicate_texts")  # mutated copies of one page may legitimately share text
        if bad(c):
            bad_db.append(c)
    return {"crawls": rounds, "cases": cases, "requests_served": served, "crashed_crawls": crashed,
            "unfinished_site_runs": unfinished, "inconsistent_dbs": bad_db}
