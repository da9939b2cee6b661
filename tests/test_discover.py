"""Discovery (pipeline/discover, pipeline/run/discover.py) over loopback sites shaped like the real CMS
families of ../shared/sites/ (SITES.md, PROVINCIAL.md): feeds linked from the head; only an RSS index
page at /rss; only a sitemap named in robots.txt; only section pages whose article links look like
``-post123456.html``, ``-20261118071502331.htm``, ``/<slug>-123456.html`` or ``?ItemID=123``.
Each must give a working configuration; a crawl of a one-line block (name + home) stores the articles
and never the listing pages. The articles are invented prose (tests/loopback.py)."""

from __future__ import annotations

import re
import sqlite3
import subprocess

import pytest

from config import parse_sites
from pipeline.discover import effective, toml_block
from pipeline.discover.pages import Anchor, section_score
from pipeline.discover.shapes import group_shapes, pattern_for, shape_of
from pipeline.normalize import fold
from pipeline.run.discover import PoliteFetcher, discover_site
from tests.loopback import LoopServer, article_html, crawl_cmd, crawl_env, prose, rss, urlset

N = 8  # articles per site

SHAPES = {
    "post": lambda slug, i: f"/the-gioi/{slug}-post{305100 + i}.html",
    "ts17": lambda slug, i: f"/thoi-su/{slug}-{20261118071502331 + i * 1000}.htm",
    "id6": lambda slug, i: f"/{slug}-{341200 + i}.html",
    "itemid": lambda slug, i: f"/tin-tuc/chi-tiet.aspx?ItemID={1200 + i}",
}


def slug(i: int) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(prose(i)[0])).strip("-")


def page(title: str, links: list[tuple[str, str]], head: str = "") -> str:
    items = "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in links)
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
            f"<body><h1>{title}</h1><ul>{items}</ul><footer>Bản quyền thuộc về tòa soạn</footer></body></html>")


NAV = [("/the-gioi", "Thế giới"), ("/chinh-tri", "Chính trị"), ("/the-thao", "Thể thao"), ("/lien-he", "Liên hệ"),
       ("/gioi-thieu", "Giới thiệu")]


def build(srv: LoopServer, family: str, shape: str) -> list[str]:
    """Serve a news site of one CMS family on ``srv``; returns its article URLs."""
    paths = [SHAPES[shape](slug(i), i) for i in range(N)]
    for i, p in enumerate(paths):
        srv.add(p, article_html(i))
    arts = [(p, prose(i)[0]) for i, p in enumerate(paths)]
    noise = [("/the-gioi/trang-2", "Trang 2"), ("/tag/doi-ngoai", "Đối ngoại"), ("/tac-gia/nguyen-an", "Tác giả")]
    head = ""
    if family == "head":
        head = '<link rel="alternate" type="application/rss+xml" title="Thế giới" href="/rss/the-gioi.rss">'
        srv.add("/rss/the-gioi.rss", rss([srv.url(p) for p in paths]), headers={"Content-Type": "application/rss+xml"})
    elif family == "rssindex":
        srv.add("/rss", page("RSS", [("/rss/kinh-te.rss", "Kinh tế"), ("/rss/the-gioi.rss", "Thế giới"),
                                     ("/rss/home.rss", "Trang chủ")]))
        srv.add("/rss/the-gioi.rss", rss([srv.url(p) for p in paths[:5]]))
        srv.add("/rss/home.rss", rss([srv.url(p) for p in paths]))
        srv.add("/rss/kinh-te.rss", rss([]))
    elif family == "sitemap":
        srv.add("/robots.txt", f"User-agent: *\nDisallow: /admin/\nSitemap: {srv.url('/sitemaps/index.xml')}\n",
                headers={"Content-Type": "text/plain"})
        srv.add("/sitemaps/index.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{srv.url('/sitemaps/news-2026-10.xml')}</loc><lastmod>2026-10-31</lastmod></sitemap>"
            f"<sitemap><loc>{srv.url('/sitemaps/news-2026-11.xml')}</loc><lastmod>2026-11-20</lastmod></sitemap>"
            "</sitemapindex>").encode(), headers={"Content-Type": "application/xml"})
        srv.add("/sitemaps/news-2026-11.xml", urlset([srv.url(p) for p in paths]),
                headers={"Content-Type": "application/xml"})
        srv.add("/sitemaps/news-2026-10.xml", urlset([]), headers={"Content-Type": "application/xml"})
    # section pages: every family has them; the "sections" family has nothing else
    srv.add("/the-gioi", page("Thế giới", arts[: N // 2] + noise))
    srv.add("/chinh-tri", page("Chính trị", arts[N // 2:] + noise))
    srv.add("/the-thao", page("Thể thao", noise))
    srv.add("/", page("Báo Thử nghiệm", NAV + arts[:2] + noise, head))
    return [srv.url(p) for p in paths]


CASES = [("head", "post"), ("rssindex", "ts17"), ("sitemap", "id6"),
         ("sections", "post"), ("sections", "ts17"), ("sections", "id6"), ("sections", "itemid")]


@pytest.mark.parametrize(("family", "shape"), CASES)
def test_discovery_finds_a_working_configuration(family, shape):
    with LoopServer() as srv:
        urls = build(srv, family, shape)
        found = discover_site(srv.url("/"), delay=0)
        assert found.ok, found.notes
        assert found.article_pattern
        pat = re.compile(found.article_pattern)
        assert all(pat.search(u) for u in urls), (found.article_pattern, urls[:2])
        listings = [srv.url(p) for p in ("/", "/the-gioi", "/chinh-tri", "/the-gioi/trang-2", "/tag/doi-ngoai",
                                         "/rss", "/rss/the-gioi.rss")]
        assert not [u for u in listings if pat.search(u)], found.article_pattern
        assert found.samples_ok >= 2 and found.samples_ok * 2 > found.samples_tried
        if family == "head":
            assert found.feeds == [srv.url("/rss/the-gioi.rss")]
        elif family == "rssindex":
            assert srv.url("/rss/home.rss") in found.feeds and srv.url("/rss/kinh-te.rss") not in found.feeds
            assert any("RSS index page" in n for n in found.notes)
        elif family == "sitemap":
            assert found.sitemaps and not found.feeds
            assert any("robots.txt" in n for n in found.notes)
        else:
            assert not found.feeds and not found.sitemaps
            assert set(found.sections) == {srv.url("/the-gioi"), srv.url("/chinh-tri")}
        assert srv.url("/the-thao") not in found.sections
        assert found.requests <= 40 and found.requests == len(srv.log)
        # the printed block is valid TOML for the sites file, and its spec takes the articles
        block = toml_block("thu", "Báo Thử nghiệm", found)
        spec = parse_sites(block)["thu"]
        assert not spec.needs_discovery() and all(spec.is_article_url(u) for u in urls)


def test_a_site_with_nothing_fails_clearly():
    with LoopServer() as srv:
        srv.add("/", page("Trang", [("/gioi-thieu", "Giới thiệu"), ("/lien-he", "Liên hệ")]))
        found = discover_site(srv.url("/"), delay=0)
    assert not found.ok
    assert found.error == (f"no feed, no sitemap, no article-shaped links on {srv.url('/')}; "
                           "set feeds or article_pattern by hand")


def test_discovery_is_polite():
    with LoopServer() as srv:
        build(srv, "sections", "post")
        srv.add("/robots.txt", "User-agent: *\nDisallow: /chinh-tri\n", headers={"Content-Type": "text/plain"})
        # a redirect off the site is refused, never followed
        srv.add("/the-gioi", b"", status=302, headers={"Location": "http://example.com/the-gioi"})
        found = discover_site(srv.url("/"), delay=0, budget=8)
        paths = [p for _h, p in srv.log]
    assert "/chinh-tri" not in paths  # robots.txt
    assert "/the-gioi" in paths and len(paths) == 8  # the budget
    assert any("refused" in n for n in found.notes) and any("robots.txt disallows" in n for n in found.notes)
    assert any("budget" in n for n in found.notes)


def test_fetcher_refuses_other_hosts_and_big_pages():
    from pipeline.discover import FetchError

    with LoopServer() as srv:
        srv.add("/big", b"x" * (10 * 1024 * 1024 + 10))
        f = PoliteFetcher(srv.url("/"), ("127.0.0.1",), delay=0)
        with pytest.raises(FetchError, match="not on the site"):
            f.get("http://example.com/")
        with pytest.raises(FetchError, match="download limit"):
            f.get(srv.url("/big"))


def test_shapes_and_patterns():
    assert shape_of("https://x.vn/the-gioi.htm") is None
    assert shape_of("https://x.vn/thoi-su-215.html") is None  # a category id, not an article
    links = {f"https://x.vn/{slug(i)}-post{100200 + i}.html": i < 3 for i in range(6)}
    links.update({"https://x.vn/video/a-123.html": False, "https://x.vn/gioi-thieu": False})
    best = group_shapes(links)[0]
    assert best.shape.prefix == "post" and len(best.urls) == 6
    assert pattern_for(best) == r"[/-]post\d{6,7}\.html$"
    assert section_score(Anchor("https://x.vn/doi-ngoai", "Đối ngoại")) > section_score(
        Anchor("https://x.vn/tin-tuc", "Tin tức")) > section_score(Anchor("https://x.vn/the-thao", "Thể thao")) == 0


def test_explicit_fields_win_over_discovery():
    spec = parse_sites("[sites.a]\nname = 'A'\nhome = 'https://a.vn/'\nfeeds = ['https://a.vn/rss/x.rss']\n")["a"]
    assert spec.domains == ("a.vn",) and spec.needs_discovery()
    from pipeline.discover import Discovery

    found = Discovery(home="https://a.vn/", domains=("a.vn",), feeds=["https://a.vn/rss/y.rss"],
                      sections=["https://a.vn/the-gioi"], article_pattern=r"-\d{6}\.html$")
    eff = effective(spec, found)
    assert eff.feeds == ("https://a.vn/rss/x.rss",) and eff.sections == ("https://a.vn/the-gioi",)
    assert eff.article_pattern == r"-\d{6}\.html$"
    full = parse_sites("[sites.b]\nhome = 'https://b.vn/'\nfeeds = ['https://b.vn/f.rss']\narticle_pattern = 'x'\n")
    assert not full["b"].needs_discovery()


@pytest.mark.slow
@pytest.mark.parametrize(("family", "shape"), [("head", "post"), ("sections", "itemid"), ("sitemap", "id6")])
def test_crawl_of_a_one_line_block_stores_the_articles_and_skips_listings(tmp_path, family, shape):
    with LoopServer() as srv:
        urls = build(srv, family, shape)
        sites = tmp_path / "sites.toml"
        sites.write_text(f'[sites.thu]\nname = "Báo Thử nghiệm"\nhome = "{srv.url("/")}"\n', encoding="utf-8")
        db = tmp_path / "c.db"
        proc = subprocess.run(crawl_cmd(sites, db), env=crawl_env(), capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, proc.stderr[-2000:]
        con = sqlite3.connect(db)
        stored = {r[0] for r in con.execute("SELECT url FROM articles WHERE site = 'thu'")}
        decided = dict(con.execute("SELECT url, status FROM urls"))
        disc = con.execute("SELECT status, trigger, requests FROM discoveries WHERE site = 'thu'").fetchall()
        con.close()
        assert stored == set(urls), proc.stdout
        listings = {srv.url(p) for p in ("/", "/the-gioi", "/chinh-tri", "/the-gioi/trang-2", "/tag/doi-ngoai")}
        assert not listings & (stored | set(decided))
        assert disc == [("ok", "first pass", disc[0][2])]
        # a second pass uses the stored discovery: no new discovery, nothing new
        before = len(srv.log)
        proc = subprocess.run(crawl_cmd(sites, db), env=crawl_env(), capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0
        assert "/robots.txt" not in [p for _h, p in srv.log[before:]][1:]
        con = sqlite3.connect(db)
        assert con.execute("SELECT count(*) FROM discoveries").fetchone()[0] == 1
        con.close()


def test_cli_discover_write_show_and_enable(tmp_path, cli):
    sites = tmp_path / "sites.toml"
    sites.write_text('[sites.old]\nname = "Old"\nhome = "https://old.vn/"\nenabled = false\n', encoding="utf-8")
    with LoopServer() as srv:
        urls = build(srv, "head", "post")
        res = cli("sites", "discover", srv.url("/"), "--key", "thu", "--name", "Báo Thử nghiệm", "--write",
                  "--sites", str(sites))
    assert res.exit_code == 0, res.output
    assert "# " in res.output and "sample article(s) extracted right" in res.output
    spec = parse_sites(sites.read_text(encoding="utf-8"))["thu"]
    assert spec.name == "Báo Thử nghiệm" and spec.is_article_url(urls[0]) and spec.feeds
    res = cli("sites", "enable", "old", "--sites", str(sites))
    assert res.exit_code == 0 and parse_sites(sites.read_text(encoding="utf-8"))["old"].enabled
    res = cli("sites", "--sites", str(sites))
    assert "discovers from https://old.vn/" in res.output and "2 site(s), all valid" in res.output
    res = cli("sites", "--show", "old", "--sites", str(sites), "--db", str(tmp_path / "s.db"))
    assert "not discovered yet" in res.output


def test_failed_discovery_leaves_the_site_out_with_a_clear_error_and_health_says_so(tmp_path, cli):
    from db import open_db
    from pipeline.run.crawl import crawl_once
    from pipeline.run.health import flags, format_status, site_health

    with LoopServer() as srv:
        srv.add("/", page("Trang", [("/gioi-thieu", "Giới thiệu")]))
        spec = parse_sites(f'[sites.thu]\nname = "Thu"\nhome = "{srv.url("/")}"\n')
        db_path = str(tmp_path / "f.db")
        result = crawl_once(spec, db_path)  # no Scrapy pass starts: the only site is left out
    assert [(s.site, s.status) for s in result] == [("thu", "failed")]
    assert "no feed, no sitemap, no article-shaped links" in (result[0].error or "")
    db = open_db(db_path)
    rows = site_health(db)
    assert "DISCOVERY FAILED" in flags(rows[0]) and "set feeds or article_pattern by hand" in format_status(rows)
    # a site whose passes find no article link is reported, not "ok"
    for _ in range(3):
        db.execute("INSERT INTO crawl_runs (site, started, finished, status, new, skipped) VALUES "
                   "('thu', '2099-01-01T00:00:00+00:00', '2099-01-01T00:00:00+00:00', 'ok', 0, 0)")
    assert any(f.startswith("NO ARTICLES in 3 passes") for f in flags(site_health(db)[0]))
    db.close()
