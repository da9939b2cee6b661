"""Robustness: bad input, faults and load, over a loopback fixture server with real crawls.

Every crawl here is ``python -m pipeline.cli crawl --sites FILE --db TMP`` in a child process
against tests/loopback.py's server on 127.0.0.1; the scenarios live in tests/faultlib.py so that
bench/faults.py can print the same figures. Those tests are marked slow; the in-process ones (source
readers, the item-stage chain, page decoding) are in the fast subset.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scrapy.exceptions import DropItem

from config import SiteSpec
from db import open_db
from db.runs import sync_sites
from pipeline.decode import page_text
from pipeline.normalize import looks_vietnamese
from spiders.sources import SourceError, feed_links, sitemap_links
from tests import faultlib
from tests.loopback import FixtureServer, article_html, prose, rows, run_crawl, site_toml

# --- bad input: one crawl over all of it ------------------------------------------------------------


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return faultlib.bad_input(tmp_path_factory.mktemp("bad"))


@pytest.mark.slow
def test_bad_input_crawl_completes(bad):
    proc = bad["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert set(bad["runs"]) == {"good", "truncated", "notxml", "gzbomb", "encbomb", "laughs"}
    assert all(status != "running" for status, _, _ in bad["runs"].values())


@pytest.mark.slow
def test_nothing_half_written(bad):
    assert not faultlib.bad(bad["consistency"]), bad["consistency"]


@pytest.mark.slow
@pytest.mark.parametrize("n", [1, 2, 3, 101, 102, 103, 104, 105])
def test_charsets_give_clean_vietnamese(bad, n):
    """Windows-1258 declared in meta (101), UTF-8 with BOM (102), NFD text (103), UTF-8 under a wrong
    ISO-8859-1 header (104), no charset anywhere (105): all stored with the right NFC headline."""
    title = bad["titles"].get(f"/g/a/{n}.htm")
    assert title == faultlib.expected_title(n)
    assert unicodedata.is_normalized("NFC", title)
    text = rows(bad["db"], "SELECT text FROM articles WHERE url LIKE ?", [f"%/g/a/{n}.htm"])[0][0]
    assert unicodedata.is_normalized("NFC", text) and "\ufffd" not in text and f"Đây là nội dung số {n}." in text


@pytest.mark.slow
@pytest.mark.parametrize(("n", "reason"), [
    (110, ""),  # a 200 holding an error page: whatever the extractor says, but a reason
    (111, "empty body"),
    (112, "not Vietnamese"),
])
def test_non_articles_recorded_with_reason(bad, n, reason):
    status, why = bad["urls"][f"/g/a/{n}.htm"]
    assert status == "not_article" and why and reason in why
    assert f"/g/a/{n}.htm" not in bad["titles"]


@pytest.mark.slow
def test_50mb_page_cut_off_while_streaming(bad):
    status, why = bad["urls"]["/g/a/113.htm"]
    assert status == "error" and "download size limit" in why
    assert bad["streamed_big"] < 20 * 1024 * 1024  # the server was cut off near 10 MB, not read to 50


@pytest.mark.slow
@pytest.mark.parametrize(("n", "reason"), [
    (114, "redirect loop"),
    (116, "host localhost is not on the site's domains"),
    (117, "private-range address 10.0.0.1 (10.0.0.1)"),
    (118, "scheme 'file' is not http(s)"),
    (119, "refused redirect to http://localhost:"),  # a <meta refresh> off the site, too
])
def test_redirects_loop_and_offsite_fail_with_reason(bad, n, reason):
    got = [why for path, (status, why) in bad["urls"].items()
           if path in (f"/g/a/{n}.htm", f"/g/a/{n + 1}.htm") and status == "error"]
    assert any(reason in why for why in got), got


@pytest.mark.slow
def test_only_the_fixture_host_was_ever_requested(bad):
    assert set(bad["hosts"]) == {f"127.0.0.1:{bad['port']}"}  # never localhost:PORT
    assert "/g/a/9.htm" not in bad["hits"] and "/etc/passwd" not in bad["hits"]
    for path in bad["urls"]:
        assert not path.startswith(("file:", "http://10.", "http://192.168.", "http://localhost",
                                    "http://2130706433"))
    assert bad["hits"]["/g/a/1.htm"] == 1  # the redirect to localhost:PORT/g/a/1.htm was not followed


@pytest.mark.slow
def test_refusals_are_logged(bad):
    err = bad["proc"].stderr
    for what in ("ignored link file:", "ignored link http://10.0.0.1/", "ignored link http://192.168.1.1/",
                 "ignored link http://2130706433/", "refused redirect to http://localhost:"):
        assert what in err


@pytest.mark.slow
def test_entities_inside_cdata_link(bad):
    assert bad["titles"]["/g/a/120.htm?x=1"] == faultlib.expected_title(120)


@pytest.mark.slow
@pytest.mark.parametrize(("site", "status", "reason"), [
    ("truncated", "ok", None),
    ("notxml", "failed", "not a feed"),
    ("gzbomb", "failed", "larger than 50 MB decompressed"),
    ("encbomb", "failed", "inflates beyond the download size limit"),
    ("laughs", "ok", None),  # billion laughs: read without expanding into memory, no crash
])
def test_broken_sources(bad, site, status, reason):
    got_status, error, new = bad["runs"][site]
    assert got_status == status
    if reason:
        assert reason in (error or "")
    if site == "truncated":
        assert new == 1  # the item before the cut is kept


@pytest.mark.slow
def test_malformed_sites_toml_changes_nothing(tmp_path):
    db = tmp_path / "keep.db"
    with FixtureServer() as srv:
        urls = faultlib.add_articles(srv, "/m", [1, 2])
        srv.add("/m/feed.rss", faultlib.rss(urls))
        good = tmp_path / "good.toml"
        good.write_text(site_toml("m", feeds=[srv.url("/m/feed.rss")], pattern=r"/m/a/\d+\.htm$"))
        assert run_crawl(good, db).returncode == 0
        before = rows(db, "SELECT * FROM articles ORDER BY id")
        hits = sum(srv.hits.values())
        for i, text in enumerate([
            good.read_text()[:-30],  # cut off mid-table
            good.read_text().replace("feeds = [", "feeds = [[", 1),
            "[sites.m]\nname = 'x'\ndomains = ['127.0.0.1']\nfeeds = ['file:///etc/passwd']\n",
            "\x00\x01 not toml at all ===",
        ]):
            bad_file = tmp_path / f"bad{i}.toml"
            bad_file.write_text(text)
            proc = run_crawl(bad_file, db)
            assert proc.returncode != 0
            assert "Error:" in proc.stderr and str(bad_file) in proc.stderr
            assert "Traceback" not in proc.stderr
        assert sum(srv.hits.values()) == hits  # nothing requested
    assert rows(db, "SELECT * FROM articles ORDER BY id") == before


# --- faults ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_sigkill_mid_crawl_then_restart_loses_nothing(tmp_path):
    r = faultlib.kill_restart(tmp_path)
    assert r["killed"] and r["returncode_after_kill"] == -9
    assert r["fully_sent_before_kill"] >= 1
    assert not faultlib.bad(r["consistency_after_kill"])
    assert r["second_returncode"] == 0
    assert r["lost"] == 0 and r["missing_after_restart"] == 0
    assert r["refetched_stored"] == 0  # what was stored before the kill is not downloaded again
    assert not faultlib.bad(r["consistency"])
    assert [s for _, s, _ in r["runs"]] == ["killed", "ok"]  # the killed pass is closed, not left 'running'


@pytest.mark.slow
def test_long_reader_writer_lock_and_datasette_lose_no_writes(tmp_path):
    r = faultlib.locked_db(tmp_path)
    assert r["returncode"] == 0, r["stderr_tail"]
    assert r["reader_during"] == r["reader_before"] == 0  # the reader kept its snapshot all along
    assert r["after"] == r["articles"] and r["lost"] == 0
    assert r["datasette_queries"] > 0 and r["datasette_errors"] == 0
    assert r["runs"]["locked"][0] == "ok"
    assert not faultlib.bad(r["consistency"])


@pytest.mark.slow
def test_timeout_and_5xx_sites_do_not_affect_others(tmp_path):
    r = faultlib.bad_sites(tmp_path)
    assert r["returncode"] == 0
    assert r["runs"]["okay"] == ("ok", None, 5)
    assert len(r["stored"]) == 5
    status, error, _ = r["runs"]["slow"]
    assert status == "failed" and "timed out" in error
    status, error, _ = r["runs"]["broken"]
    # a 503 for the whole pass is the site asking for a pause: the site backs off (issue 4)
    assert (status, "HTTP 503" in error) in {("failed", False), ("throttled", True)}, (status, error)
    assert "HTTP 500" in error or "HTTP 503" in error
    assert "okay           ok" in r["stdout"]


@pytest.mark.slow
def test_disk_full_stops_cleanly_and_next_pass_completes(tmp_path):
    r = faultlib.disk_full(tmp_path)
    assert r["first_rc"] == 0 and r["before"] == 3
    assert r["full_rc"] == 1
    assert "disk full" in r["full_stdout"]
    assert "database or disk is full" in r["full_stderr"] and "nothing is half-written" in r["full_stderr"]
    assert r["before"] <= r["stored_when_full"] < r["total"]
    assert not faultlib.bad(r["consistency_when_full"])
    assert r["runs_when_full"]["full"][0] == "disk full"
    assert r["after_rc"] == 0 and r["after"] == r["total"] and r["lost"] == 0
    assert not faultlib.bad(r["consistency"])


@pytest.mark.slow
def test_mutational_fuzz_never_crashes_a_crawl(tmp_path):
    r = faultlib.fuzz_crawls(tmp_path, rounds=1, sites_per_round=30)
    assert r["cases"] == 150
    assert r["crashed_crawls"] == 0 and r["unfinished_site_runs"] == 0 and not r["inconsistent_dbs"]


# --- hypothesis: source readers and the stage chain -------------------------------------------------

BASE = "http://127.0.0.1:8/"
VI = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐ "
text_st = st.text(alphabet=st.sampled_from(VI) | st.characters(), max_size=80)
entity_st = st.sampled_from(["&amp;", "&amp;amp;", "&lt;b&gt;", "&#273;", "&#x110;", "&nbsp;", "&bogus;", "&"])
fragment = st.one_of(text_st, entity_st, st.sampled_from(["<![CDATA[", "]]>", "<", ">", "\x00", "\ufeff"]))
tag = st.sampled_from(["p", "h1", "div", "article", "script", "style", "title", "a", "table", "td", "meta",
                       "link", "item", "loc", "url", "urlset", "rss", "channel", "feed", "entry", "br"])


@st.composite
def markup(draw: Any, depth: int = 3) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        if depth and draw(st.booleans()):
            t = draw(tag)
            attrs = draw(st.sampled_from(["", ' href="file:///etc/passwd"', ' charset="windows-1258"',
                                          ' href="http://10.0.0.1/a/1.htm"', ' lang="vi"']))
            inner = draw(markup(depth - 1))
            close = draw(st.sampled_from([f"</{t}>", "", f"</{t}"]))
            parts.append(f"<{t}{attrs}>{inner}{close}")
        else:
            parts.append(draw(fragment))
    return "".join(parts)


CASES: Counter[str] = Counter()


@pytest.mark.slow  # 200 structured documents through both source readers: seconds in process
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markup(), st.sampled_from(["rss", "urlset", "none"]), st.sampled_from(["utf-8", "cp1258", "utf-16"]))
@example(inner="<p><item></p><link><entry></entry></link>", root="rss", enc="utf-8")  # feedparser's own KeyError
def test_fuzz_source_readers_structured(inner, root, enc):
    head = {"rss": '<?xml version="1.0"?><rss version="2.0"><channel>',
            "urlset": '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">', "none": ""}[root]
    body = (head + inner).encode(enc, "replace")
    for fn in (feed_links, sitemap_links):
        CASES["source"] += 1
        try:
            links = fn(body, BASE)
        except SourceError:
            continue
        got = links if fn is feed_links else [u for u, _ in links.urls]
        assert all(isinstance(u, str) for u in got)


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Any:
    db = open_db(tmp_path_factory.mktemp("chain") / "chain.db")
    spec = SiteSpec(key="s", name="s", domains=("127.0.0.1",), feeds=("http://127.0.0.1/f",))
    sync_sites(db, [spec])
    spider = SimpleNamespace(specs={"s": spec}, stats_by_site={"s": Counter()}, db=db,
                             stop_for_db_error=lambda e: False, on_new_article=None)
    stages = faultlib.item_stages(spider)  # every stage in spiders/settings.py ITEM_PIPELINES
    assert len(stages) >= 3
    yield stages, db
    db.close()


def _run_chain(stages: list[Any], body: bytes, url: str, content_type: str | None) -> str:
    from spiders.items import PageItem

    item: Any = PageItem(url=url, fetched_url=url, site="s", body=body, status=200,
                         headers={"Content-Type": content_type} if content_type else {})
    try:
        for stage in stages:
            item = stage.process_item(item)
    except DropItem:
        return "dropped"
    return "stored"


@pytest.mark.slow  # 300 examples through every item stage: ~15 s in process
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(markup(), st.integers(0, 10**9), st.sampled_from([None, "text/html", "text/html; charset=iso-8859-1",
                                                          "text/html; charset=x-bogus", "application/xml"]),
       st.booleans())
def test_fuzz_stage_chain_never_raises(chain, html, n, content_type, with_article):
    """Random markup (optionally around a real article) through every item stage (extract, relevance,
    dedup, store): an item is stored or dropped with a reason, never an exception; the database stays
    consistent."""
    stages, db = chain
    if with_article:
        html = article_html(n).replace("<article>", "<article>" + html[:500])
    body = html.encode("utf-8", "surrogatepass") if n % 3 else html.encode("cp1258", "replace")
    CASES["chain"] += 1
    _run_chain(stages, body, f"http://127.0.0.1/a/{n}.htm", content_type)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from([None, "text/html; charset=utf-8", "text/html; charset=bogus"]))
def test_fuzz_page_text_never_raises(body, content_type):
    text = page_text(body, content_type)
    assert isinstance(text, str) and unicodedata.is_normalized("NFC", text)


def test_chain_is_consistent_after_fuzz(chain):
    stages, db = chain
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT count(*) FROM articles a LEFT JOIN pages p ON p.article_id = a.id "
                      "WHERE p.article_id IS NULL").fetchone()[0] == 0


def test_language_gate():
    title, paras = prose(7)
    assert looks_vietnamese(title + " ".join(paras))
    assert not looks_vietnamese("The provincial People's Committee received a delegation " * 20)


def test_store_stage_disk_full_drops_and_stops(tmp_path):
    """The store stage turns SQLITE_FULL into a clean stop: DropItem with the reason, spider told once,
    the failed article's transaction rolled back."""
    from pipeline.article import Article
    from spiders.items import PageItem
    from spiders.stages.s900_store import StoreStage

    db = open_db(tmp_path / "f.db")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    told: list[BaseException] = []
    spider = SimpleNamespace(db=db, stats_by_site={"s": Counter()}, on_new_article=None,
                             stop_for_db_error=lambda e: told.append(e) or True)
    item: Any = PageItem(url="http://127.0.0.1/a/1.htm", fetched_url="http://127.0.0.1/a/1.htm", site="s",
                         body=article_html(1).encode() * 20, status=200)
    item.article = Article(url=item.url, title=prose(1)[0], text="\n\n".join(prose(1)[1]) * 20, site="s")
    with pytest.raises(DropItem, match="full"):
        StoreStage(SimpleNamespace(spider=spider)).process_item(item)
    assert len(told) == 1 and isinstance(told[0], sqlite3.OperationalError)
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM urls").fetchone()[0] == 0
    db.close()


def test_fixture_prose_is_long_vietnamese():
    for n in (0, 5, 101):
        title, paras = prose(n)
        assert sum(len(p.split()) for p in paras) >= 300


@pytest.mark.slow
def test_reextract_decodes_stored_pages_like_the_crawl(bad):
    """`presswatch reextract` reads the stored raw bytes with the same decoding: the Windows-1258 and
    BOM pages keep their clean headlines and nothing changes."""
    import subprocess
    import sys

    from tests.loopback import ROOT, crawl_env

    db = bad["db"]
    before = rows(db, "SELECT url, title, text FROM articles ORDER BY id")
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "reextract", "--db", str(db), "--sites",
                           str(db.parent / "bad.toml")], cwd=ROOT, env=crawl_env(), capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "0 article(s) changed" in proc.stdout and "0 kept" in proc.stdout
    assert rows(db, "SELECT url, title, text FROM articles ORDER BY id") == before
