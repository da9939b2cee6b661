"""Security: what the crawler may request, Datasette read-only, no secrets in the published file,
parameterised SQL. Network only to 127.0.0.1 (nothing is ever started on the refused addresses)."""

from __future__ import annotations

import ast
import json
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.http import Request, Response
from scrapy.settings import Settings

from config import SiteSpec
from db import open_db
from db.articles import decompress
from pipeline.article import Article
from pipeline.process import store_article
from spiders.guards import RedirectGuard, Refused, RequestGuard, refusal
from tests import faultlib
from tests.loopback import ROOT, FixtureServer, rows, run_crawl, site_toml

LOOP = ("127.0.0.1",)
SITE = ("baoquocte.vn",)


@pytest.mark.parametrize(("url", "domains", "why"), [
    ("file:///etc/passwd", SITE, "scheme 'file'"),
    ("data:text/html,<h1>x</h1>", SITE, "scheme 'data'"),
    ("ftp://baoquocte.vn/a", SITE, "scheme 'ftp'"),
    ("javascript:alert(1)", SITE, "scheme 'javascript'"),
    ("http://10.0.0.1/a-1.html", SITE, "private-range"),
    ("http://192.168.0.10/", SITE, "private-range"),
    ("http://172.16.5.4/", SITE, "private-range"),
    ("http://169.254.169.254/latest/meta-data/", SITE, "private-range"),  # cloud metadata
    ("http://127.0.0.1:8080/", SITE, "private-range"),
    ("http://[::1]/", SITE, "private-range"),
    ("http://[::ffff:10.0.0.1]/", SITE, "private-range"),
    ("http://[fd00::1]/", SITE, "private-range"),
    ("http://0.0.0.0/", SITE, "private-range"),
    ("http://2130706433/", LOOP, "private-range"),  # 127.0.0.1 as one number: not the listed spelling
    ("http://0x7f.1/", LOOP, "private-range"),
    ("http://127.1/", LOOP, "private-range"),
    ("http://10.0.0.1/", LOOP, "private-range"),
    ("http://localhost/", LOOP, "not on the site's domains"),
    ("http://evil.vn/baoquocte.vn/a.html", SITE, "not on the site's domains"),
    ("http://baoquocte.vn.evil.com/a.html", SITE, "not on the site's domains"),
    ("http://8.8.8.8/", SITE, "not on the site's domains"),
    ("http:///nohost", SITE, "no host"),
])
def test_refused(url, domains, why):
    got = refusal(url, domains)
    assert got and why in got


@pytest.mark.parametrize(("url", "domains"), [
    ("https://baoquocte.vn/a-123456.html", SITE),
    ("https://www.baoquocte.vn/a-123456.html", SITE),  # subdomain of a listed domain
    ("HTTPS://BAOQUOCTE.VN/x", SITE),
    ("http://127.0.0.1:8123/a/1.htm", LOOP),  # the loopback fixture sites list it explicitly
    ("http://10.0.0.1/a", ("10.0.0.1",)),  # a site that lists a private address may use it
])
def test_allowed(url, domains):
    assert refusal(url, domains) is None


def _crawler(specs: dict[str, SiteSpec]) -> Any:
    stats = SimpleNamespace(inc_value=lambda *a, **k: None)
    return SimpleNamespace(spider=SimpleNamespace(specs=specs, allowed_domains=[]), stats=stats)


def test_guards_per_site_and_redirects():
    specs = {"a": SiteSpec(key="a", name="a", domains=("a.vn",), feeds=("https://a.vn/rss",)),
             "b": SiteSpec(key="b", name="b", domains=("b.vn",), feeds=("https://b.vn/rss",))}
    rg, dg = RequestGuard(_crawler(specs)), RedirectGuard(_crawler(specs))
    rg.process_request(Request("https://a.vn/x", meta={"site": "a"}))
    with pytest.raises(Refused, match="b.vn is not on the site's domains"):
        rg.process_request(Request("https://b.vn/x", meta={"site": "a"}))  # another site's host
    rg.process_request(Request("https://b.vn/robots.txt"))  # no site: any listed site's host
    with pytest.raises(Refused):
        rg.process_request(Request("https://c.vn/robots.txt"))
    req = Request("https://a.vn/x", meta={"site": "a"})
    ok = Response("https://a.vn/x", status=302, headers={"Location": "/y"}, request=req)
    assert dg.process_response(req, ok) is ok
    for loc, msg in (("http://b.vn/x", "redirect to"), ("file:///etc/passwd", "scheme"),
                     ("http://10.0.0.1/", "private-range"), ("https://a.vn/x", "redirect loop")):
        with pytest.raises(Refused, match=msg):
            dg.process_response(req, Response("https://a.vn/x", status=301, headers={"Location": loc},
                                              request=req))


def test_settings_lock_the_crawler_down():
    s = Settings()
    s.setmodule("spiders.settings", priority="project")
    mws = s.getdict("DOWNLOADER_MIDDLEWARES")
    assert mws["spiders.guards.RequestGuard"] < 50  # before OffsiteMiddleware and robots.txt
    assert mws["spiders.guards.RedirectGuard"] > 600  # sees each 3xx before RedirectMiddleware
    handlers = s.getdict("DOWNLOAD_HANDLERS")
    assert handlers["file"] is None and handlers["data"] is None
    assert s.getbool("TELNETCONSOLE_ENABLED") is False
    assert s.getbool("REMOTE_CONTROL_ENABLED") is False  # no code-execution HTTP server in a crawl
    assert s.getint("DOWNLOAD_MAXSIZE") == 10 * 1024 * 1024
    assert s.getint("REDIRECT_MAX_TIMES") <= 5


# --- Datasette serves read-only ---------------------------------------------------------------------


@pytest.fixture
def datasette(tmp_path):
    from pipeline.publish import datasette_command, write_metadata

    db_path = tmp_path / "pw.db"
    db = open_db(db_path)
    store_article(db, Article(url="https://baoquocte.vn/a-1.html", title="Đà Nẵng đối ngoại", text="nội dung"),
                  b"<html>x</html>")
    db.close()
    meta = write_metadata(db_path, tmp_path / "metadata.json")
    port = faultlib.free_port()
    proc = subprocess.Popen(datasette_command(db_path, meta, "127.0.0.1", port), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2).close()  # noqa: S310 (loopback)
            break
        except OSError:
            time.sleep(0.1)
    yield SimpleNamespace(base=base, db=db_path, meta=meta)
    proc.terminate()
    proc.wait(timeout=10)


def _call(base: str, method: str, path: str, data: bytes | None = None,
          ctype: str = "application/json") -> int:
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:  # noqa: S310 (loopback)
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


@pytest.mark.slow
def test_datasette_refuses_every_write(datasette):
    b, name = datasette.base, datasette.db.stem
    before = rows(datasette.db, "SELECT * FROM articles")
    q = urllib.parse.quote
    attempts = {
        "sql delete": ("GET", f"/{name}.json?sql={q('delete from articles')}", None),
        "sql insert": ("GET", f"/{name}.json?sql={q('insert into sites(key, name) values (1, 2)')}", None),
        "sql attach": ("GET", f"/{name}.json?sql={q('attach database ' + repr(str(datasette.db) + '.x') + ' as x')}",
                       None),
        "sql pragma": ("GET", f"/{name}.json?sql={q('pragma journal_mode = delete')}", None),
        "sql load_extension": ("GET", f"/{name}.json?sql={q(chr(115) + 'elect load_extension(1)')}", None),
        "insert API": ("POST", f"/{name}/articles/-/insert", json.dumps({"row": {"url": "u"}}).encode()),
        "create API": ("POST", f"/{name}/-/create", json.dumps({"table": "x", "row": {"a": 1}}).encode()),
        "delete API": ("POST", f"/{name}/articles/1/-/delete", b"{}"),
        "drop API": ("POST", f"/{name}/articles/-/drop", b"{}"),
        "POST sql": ("POST", f"/{name}", b"sql=delete+from+articles"),
        "POST canned latest": ("POST", f"/{name}/latest", b""),
        "POST canned site_health": ("POST", f"/{name}/site_health", b""),
    }
    for what, (method, path, data) in attempts.items():
        status = _call(b, method, path, data, "application/x-www-form-urlencoded" if data == b"" else
                       "application/json")
        assert status >= 400, what
    assert rows(datasette.db, "SELECT * FROM articles") == before
    assert rows(datasette.db, "SELECT count(*) FROM sqlite_master WHERE name = 'x'")[0][0] == 0
    assert not Path(str(datasette.db) + ".x").exists()
    meta = json.loads(datasette.meta.read_text(encoding="utf-8"))
    canned = [q for d in meta.get("databases", {}).values() for q in d.get("queries", {}).values()]
    assert canned and not any(isinstance(c, dict) and c.get("write") for c in canned)
    with urllib.request.urlopen(b + "/-/plugins.json", timeout=10) as r:  # noqa: S310 (loopback)
        plugins = {p["name"] for p in json.loads(r.read())}
    writers = {"datasette-write", "datasette-insert", "datasette-upload-csvs", "datasette-edit-schema",
               "datasette-write-ui", "datasette-upload-dbs", "datasette-import"}
    assert not plugins & writers


# --- secrets never reach the published file ---------------------------------------------------------


@pytest.mark.slow
def test_env_secrets_never_stored_or_sent(tmp_path):
    secret = "pw-Zq8vK2-never-publish-7731"
    db = tmp_path / "s.db"
    with FixtureServer() as srv:
        urls = faultlib.add_articles(srv, "/s", [1, 2, 3])
        srv.add("/s/feed.rss", faultlib.rss(urls))
        sites = tmp_path / "s.toml"
        sites.write_text(site_toml("sec", feeds=[srv.url("/s/feed.rss")], pattern=r"/s/a/\d+\.htm$"))
        proc = run_crawl(sites, db, PRESSWATCH_SMTP_PASSWORD=secret, APPRISE_URLS=f"mailto://u:{secret}@x",
                         PRESSWATCH_ALERT_TOKEN=secret, HTTP_AUTH=secret)
        headers = "\n".join(srv.request_headers)
    assert proc.returncode == 0 and rows(db, "SELECT count(*) FROM articles")[0][0] == 3
    assert secret not in headers
    for f in tmp_path.glob("s.db*"):
        assert secret.encode() not in f.read_bytes(), f
    for (blob,) in rows(db, "SELECT html FROM pages"):
        assert secret.encode() not in decompress(blob)
    assert secret not in proc.stdout


# --- SQL built by the project is parameterised --------------------------------------------------------

# names allowed inside an f-string SQL statement: identifiers and placeholder lists built by the
# code itself, never a value from a page, a feed or a user
SAFE_SQL_NAMES = {"marks", "cols", "sets", "FTS_TABLE", "row", "int", "max_pages", "COLUMNS",
                  "MMAP_BYTES", "CACHE_KIB"}  # constants: PRAGMA values cannot be bound
# functions that return only "?, ?, …" placeholders (db/dedup_index.py's _in): their arguments are
# the parameter list, passed separately
PLACEHOLDER_FUNCS = {"_in"}


def _names(v: ast.FormattedValue) -> set[str]:
    if isinstance(v.value, ast.Call) and isinstance(v.value.func, ast.Name) and v.value.func.id in PLACEHOLDER_FUNCS:
        return {v.value.func.id}
    return {n.id for n in ast.walk(v.value) if isinstance(n, ast.Name)}


def _sql_fstrings() -> list[tuple[str, int, set[str]]]:
    found = []
    for folder in ("db", "pipeline", "spiders", "config"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in ("execute", "executescript", "executemany") and node.args):
                    continue
                arg = node.args[0]
                if isinstance(arg, ast.JoinedStr):
                    names = {n for v in arg.values if isinstance(v, ast.FormattedValue) for n in _names(v)}
                    found.append((str(path.relative_to(ROOT)), node.lineno, names))
                elif isinstance(arg, ast.BinOp) or (isinstance(arg, ast.Call) and
                                                    getattr(arg.func, "attr", "") == "format"):
                    found.append((str(path.relative_to(ROOT)), node.lineno, {"<concatenation or .format>"}))
    return found


def test_sql_is_parameterised():
    import inspect

    from db import dedup_index

    assert dedup_index._in([1, 2, 3]) == "?,?,?"  # a placeholder builder, nothing else
    assert "?" in inspect.getsource(dedup_index._in)
    found = _sql_fstrings()
    assert found  # the scan does see the project's f-string SQL (identifiers, placeholder lists)
    safe = SAFE_SQL_NAMES | PLACEHOLDER_FUNCS
    unsafe = [(p, line, names - safe) for p, line, names in found if names - safe]
    assert not unsafe, f"SQL built from values instead of ? parameters: {unsafe}"
