"""The spine end to end: a real crawl of the sample sites over 127.0.0.1 into a temp SQLite file,
then assertions on the rows (config/samples/expected.toml says what each article must give)."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config.samples.site import SampleSite
from pipeline.normalize import normalize_inline

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow  # every test here runs `presswatch crawl` as a child process


def crawl(sites_file: Path, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pipeline.cli", "crawl", "--sites", str(sites_file), "--db", str(db), *extra]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawl")
    with SampleSite() as site:
        sites_file = tmp / "sites.toml"
        sites_file.write_text(site.sites_toml(), encoding="utf-8")
        db = tmp / "pw.db"
        first = crawl(sites_file, db)
        hits_first = dict(site.hits)
        site.reset_hits()
        second = crawl(sites_file, db)
        hits_second = dict(site.hits)
        expected = site.expected()
        base = site.base
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rows = {r["url"]: dict(r) for r in con.execute("SELECT * FROM articles")}
    yield {
        "first": first, "second": second, "hits_first": hits_first, "hits_second": hits_second,
        "expected": expected, "rows": rows, "db": db, "con": con, "base": base,
    }
    con.close()


def articles(crawled):
    return list(crawled["expected"]["articles"].items())


def test_crawl_exits_cleanly_with_a_summary_per_site(crawled):
    out = crawled["first"]
    assert out.returncode == 0, out.stderr[-2000:]
    sites = {a["site"] for a in crawled["expected"]["articles"].values()}
    for key in sites:
        assert any(line.startswith(key) for line in out.stdout.splitlines()), (key, out.stdout)
    assert "Traceback" not in out.stderr


def test_every_expected_article_stored(crawled):
    rows = crawled["rows"]
    missing = [path for path, exp in articles(crawled) if exp["url"] not in rows]
    assert missing == []


def test_titles_dates_authors(crawled):
    rows = crawled["rows"]
    for path, exp in articles(crawled):
        row = rows[exp["url"]]
        assert row["title"] == normalize_inline(exp["title"]), path
        assert row["published"] and row["published"][:16] == exp["published"][:16], (path, row["published"])
        assert row["published"].endswith("+07:00"), (path, row["published"])
        assert row["published_source"] in ("jsonld", "meta", "url", "htmldate"), path
        assert (row["author"] or "") == exp["author"], (path, row["author"])


def test_body_present_and_boilerplate_absent(crawled):
    rows = crawled["rows"]
    for path, exp in articles(crawled):
        text = rows[exp["url"]]["text"]
        for phrase in exp["must_contain"]:
            assert phrase in text, (path, phrase)
        for junk in exp["must_not_contain"]:
            assert junk not in text, (path, junk)


def test_traps_not_stored_and_excluded_never_fetched(crawled):
    base, rows = crawled["base"], crawled["rows"]
    traps = crawled["expected"]["traps"]
    for path in traps["paths"]:
        assert base + path not in rows, path
    for path in traps["never_fetched"]:
        assert crawled["hits_first"].get(path, 0) == 0, path
    con = crawled["con"]
    statuses = dict(con.execute("SELECT url, status FROM urls WHERE status != 'article'").fetchall())
    assert statuses.get(base + "/dantri/the-gioi/tong-hop-tin-20261120000000001.htm") == "not_article"
    challenge = "/thanhnien/doan-cong-tac-tinh-bien-gioi-tham-va-lam-viec-tai-lao-185261121093012345.htm"
    assert statuses.get(base + challenge) == "blocked"


def test_second_crawl_downloads_no_article_again(crawled):
    assert crawled["second"].returncode == 0, crawled["second"].stderr[-2000:]
    article_paths = [p for p, _ in articles(crawled)]
    refetched = {p: crawled["hits_second"].get(p, 0) for p in article_paths if crawled["hits_second"].get(p, 0)}
    assert refetched == {}
    listing = "/dantri/the-gioi/tong-hop-tin-20261120000000001.htm"
    assert crawled["hits_second"].get(listing, 0) == 0
    # the feeds were read again, nothing new stored
    assert crawled["hits_second"].get("/tienphong/rss/the-gioi-5.rss", 0) >= 1
    n_runs = crawled["con"].execute("SELECT count(*), sum(new) FROM crawl_runs").fetchone()
    assert n_runs[1] == len(article_paths)


def test_crawl_runs_and_pages(crawled):
    con = crawled["con"]
    runs = con.execute("SELECT site, status, requests, new, finished FROM crawl_runs ORDER BY id").fetchall()
    assert all(r["finished"] for r in runs)
    assert {r["status"] for r in runs} <= {"ok", "failed", "blocked"}
    n_pages = con.execute("SELECT count(*) FROM pages").fetchone()[0]
    assert n_pages == len(crawled["rows"])


def test_article_rows_are_plain_json(crawled):
    # readers of the table (exports, Datasette, scripts doing `select *`) get text and numbers only
    for row in crawled["rows"].values():
        json.dumps(row, ensure_ascii=False)


def test_relevance_columns_filled(crawled):
    for row in crawled["rows"].values():
        assert row["relevance"] is not None and 0.0 <= row["relevance"] <= 1.0
        assert isinstance(json.loads(row["provinces"]), list)


def test_accent_free_search_on_crawled_db(crawled):
    con = crawled["con"]
    hits = con.execute(
        "SELECT a.title FROM articles a WHERE a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)",
        ["ket nghia"],
    ).fetchall()
    assert any("kết nghĩa" in h[0] for h in hits)


def test_reextract_keeps_rows(crawled, tmp_path):
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "reextract", "--db", str(crawled["db"])],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert f"{len(crawled['rows'])} page(s) re-extracted" in r.stdout
    n = crawled["con"].execute("SELECT count(*) FROM articles").fetchone()[0]
    assert n == len(crawled["rows"])


def test_recheck_records_an_edited_article(tmp_path):
    path = "/vnexpress/dong-dat-7-1-do-o-indonesia-nhieu-toa-nha-do-sap-4982401.html"
    with SampleSite() as site:
        sites_file = tmp_path / "sites.toml"
        sites_file.write_text(site.sites_toml(), encoding="utf-8")
        db = tmp_path / "pw.db"
        assert crawl(sites_file, db, "--site", "vnexpress").returncode == 0
        page = (ROOT / "config" / "samples" / "www").joinpath(path.lstrip("/")).read_text(encoding="utf-8")
        edited = site.substitute(page).replace("thành phố Palu", "thành phố Poso")
        assert edited != site.substitute(page)
        site.set(path, edited)
        r = subprocess.run([sys.executable, "-m", "pipeline.cli", "recheck", "--since", "1d", "--delay", "0",
                            "--sites", str(sites_file), "--db", str(db)],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "1 changed" in r.stdout
    con = sqlite3.connect(db)
    url = site.base + path
    (art_id, text), = con.execute("SELECT id, text FROM articles WHERE url = ?", [url]).fetchall()
    assert "thành phố Poso" in text and "thành phố Palu" not in text
    revs = con.execute("SELECT text FROM article_revisions WHERE article_id = ? ORDER BY id", [art_id]).fetchall()
    assert len(revs) == 2 and "thành phố Palu" in revs[0][0] and "thành phố Poso" in revs[1][0]
    assert con.execute("SELECT count(*) FROM articles WHERE url = ?", [url]).fetchone()[0] == 1


@pytest.mark.parametrize(("signals", "code", "status"), [
    ((signal.SIGINT, signal.SIGINT), 130, "killed"),  # Ctrl-C twice: Scrapy's forced stop
    ((signal.SIGTERM,), 143, "shutdown"),
    ((signal.SIGINT,), 130, "shutdown"),
])
def test_an_interrupted_crawl_closes_its_run_tells_the_truth_and_exits_non_zero(
        tmp_path: Path, signals: tuple[int, ...], code: int, status: str) -> None:
    from tests.loopnews import NewsSite

    db = tmp_path / "pw.db"
    with NewsSite(12) as site:
        site.article_delay = 1.5  # slow article pages: signals arrive while requests are in flight
        sites = site.write_sites(tmp_path / "sites.toml")
        proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "crawl", "--sites", str(sites), "--db",
                                 str(db)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while _count(db, "SELECT count(*) FROM articles") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        for sig in signals:
            proc.send_signal(sig)
            time.sleep(1.0)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == code, (out, err[-2000:])
    stored = _count(db, "SELECT count(*) FROM articles")
    assert 2 <= stored < 12
    con = sqlite3.connect(db)
    run = con.execute("SELECT status, finished, new, requests, error FROM crawl_runs").fetchall()
    con.close()
    assert len(run) == 1 and run[0][0] == status and run[0][1] is not None, run
    assert run[0][2] == stored and run[0][3] >= stored, run
    assert f"loop           {status:<8}" in out and f"new {stored:>4}" in out, out
    assert f"{stored} new article(s)" in out and "running" not in out
    assert "interrupted (SIG" in err
    if len(signals) == 2:
        assert run[0][4] == "interrupted (SIGINT then SIGINT)"


def _count(db: Path, sql: str) -> int:
    try:
        con = sqlite3.connect(db, timeout=10)
        try:
            return int(con.execute(sql).fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def test_verbose_crawl_logs_one_line_per_request_and_the_run_keeps_each_status_with_its_error(tmp_path: Path) -> None:
    from tests.loopback import LoopServer, article_html, crawl_env, rss, site_toml

    db = tmp_path / "pw.db"
    with LoopServer() as srv:
        srv.add("/rss/hong.rss", "<html><body>no feed here</body></html>", headers={"Content-Type": "text/html"})
        srv.add("/rss.xml", rss([srv.url(f"/a/{i}.htm") for i in (1, 2, 3)]),
                headers={"Content-Type": "application/rss+xml"})
        srv.add("/a/1.htm", article_html(1), headers={"Content-Type": "text/html; charset=utf-8"})
        srv.add("/a/2.htm", b"Forbidden", status=403, headers={"Content-Type": "text/plain"})
        srv.add("/a/3.htm", "<html><body><p>short</p></body></html>", headers={"Content-Type": "text/html"})
        sites = tmp_path / "sites.toml"
        sites.write_text(site_toml("hong", feeds=[srv.url("/rss/hong.rss"), srv.url("/rss.xml")]), encoding="utf-8")
        res = subprocess.run([sys.executable, "-m", "pipeline.cli", "crawl", "--sites", str(sites), "--db", str(db),
                              "-v"], cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=120)
        base = srv.base
    assert res.returncode == 0, res.stderr[-3000:]
    log = res.stderr
    assert f"200 feed {base}/rss.xml" in log and f"200 feed {base}/rss/hong.rss" in log
    assert f"{base}/rss.xml: 3 article link(s): 3 to fetch, 0 known (skipped)" in log
    assert f"200 {base}/a/1.htm: stored (article 1)" in log
    assert f"200 {base}/a/3.htm: not an article: too short" in log
    assert f"HTTP 403 at {base}/a/2.htm" in log
    assert "Versions:" not in log and "Dumping Scrapy stats" not in log
    con = sqlite3.connect(db)
    error, http_status, errors = con.execute("SELECT error, http_status, errors FROM crawl_runs").fetchone()
    con.close()
    assert errors == 2
    # the row's HTTP status is the one of the error it keeps (the feed's: none), never the article's 403
    assert (error.startswith("feed ") and http_status is None) or (error.startswith("HTTP 403") and http_status == 403)
    again = subprocess.run([sys.executable, "-m", "pipeline.cli", "crawl", "--sites", str(sites), "--db", str(db),
                            "-v"], cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=120)
    # the server is gone: every request fails, and says so with its URL
    assert f"{base}/rss.xml" in again.stderr and "Connection" in again.stderr, again.stderr[-2000:]
