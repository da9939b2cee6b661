"""The loopback fixture server (config.samples.site) and the fixture sites of config/samples."""

from __future__ import annotations

import gzip
import html
import http.client
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import etree
from lxml import html as lhtml

import config
from config.samples.site import SAMPLES_DIR, SampleSite

BROKEN_FEED = "/thanhnien/rss/broken.rss"


def fetch(url: str, method: str = "GET", headers: dict | None = None) -> tuple[int, dict, bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        path = parts.path + ("?" + parts.query if parts.query else "")
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        body = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        conn.close()


@pytest.fixture(scope="module")
def site():
    with SampleSite() as s:
        yield s


@pytest.fixture(scope="module")
def expected(site):
    return site.expected()


@pytest.fixture(scope="module")
def specs(site):
    return config.parse_sites(site.sites_toml(), "samples/sites.toml")


# ---- the server ---------------------------------------------------------------------------------


def test_base_and_bundled_root(site):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", site.base)
    assert (SAMPLES_DIR / "www").is_dir()
    assert (SAMPLES_DIR / "__init__.py").is_file()  # package data of the "config.samples" package


def test_page_served_with_base_substituted(site, expected):
    path = next(iter(expected["articles"]))
    status, headers, body = fetch(site.url(path))
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    text = body.decode("utf-8")
    assert "{{BASE}}" not in text and "{{OTHER}}" not in text
    assert f'<link rel="canonical" href="{site.base}{path}">' in text
    assert int(headers["content-length"]) == len(body)


def test_hits_counted_per_path_without_query(site):
    before = site.hits["/robots.txt"]
    fetch(site.url("/robots.txt"))
    fetch(site.url("/robots.txt?x=1"))
    assert site.hits["/robots.txt"] == before + 2
    fetch(site.url("/no/such/page.html"))
    assert site.hits["/no/such/page.html"] >= 1


def test_unknown_path_is_404(site):
    status, headers, _ = fetch(site.url("/tienphong/khong-co-bai-nay-post9999999.tpo"))
    assert status == 404
    assert fetch(site.url("/nowhere"))[0] == 404


def test_robots_allows_everything(site):
    status, headers, body = fetch(site.url("/robots.txt"))
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert b"User-agent: *" in body and b"Disallow: /" not in body


@pytest.mark.parametrize("path, ctype", [
    ("/tienphong/rss/the-gioi-5.rss", "application/rss+xml"),
    ("/vietnamplus/sitemap.xml", "application/xml"),
    ("/vietnamplus/sitemaps/news-2026-10.xml.gz", "application/x-gzip"),
    ("/baoquocte/rss_feed/", "application/xml"),
    ("/dantri/xa-hoi.htm", "text/html"),
])
def test_content_types(site, path, ctype):
    status, headers, _ = fetch(site.url(path))
    assert status == 200
    assert headers["content-type"].split(";")[0] == ctype


def test_gzip_shard_holds_substituted_xml(site):
    status, _, body = fetch(site.url("/vietnamplus/sitemaps/news-2026-10.xml.gz"))
    assert status == 200 and body[:2] == b"\x1f\x8b"
    xml = gzip.decompress(body)
    root = etree.fromstring(xml)
    locs = root.findall(".//{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    assert locs and all(loc.text.startswith(site.base + "/vietnamplus/") for loc in locs)
    assert b"{{BASE}}" not in xml


def test_head_request(site):
    status, headers, body = fetch(site.url("/dantri/xa-hoi.htm"), method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 1000


def test_routes_toml_challenge_page(site, expected):
    path = next(p for p, why in expected["traps"]["reasons"].items() if "Cloudrity" in why)
    status, headers, body = fetch(site.url(path))
    assert status == 200
    assert headers["server"] == "Cloudrity"
    assert len(body) < 2048
    assert re.search(rb'document\.cookie="D1N=[0-9a-f]{32}"', body)
    assert b"window.location.reload(true);" in body


def test_routes_toml_redirect_and_retry_after(site):
    status, headers, _ = fetch(site.url("/baoquocte/rss_feed"))
    assert status == 301 and headers["location"] == site.base + "/baoquocte/rss_feed/"
    status, headers, _ = fetch(site.url("/kinhtedothi/rss/home.rss"))
    assert status == 503 and headers["retry-after"] == "120"


def test_default_server_header(site):
    _, headers, _ = fetch(site.url("/robots.txt"))
    assert headers["server"] != "Cloudrity"


def test_conditional_get(site):
    url = site.url("/vnexpress/rss/the-gioi.rss")
    status, headers, body = fetch(url)
    assert status == 200 and headers["etag"] and headers["last-modified"]
    status2, headers2, body2 = fetch(url, headers={"If-None-Match": headers["etag"]})
    assert status2 == 304 and body2 == b""
    assert headers2["etag"] == headers["etag"]
    status3, _, _ = fetch(url, headers={"If-Modified-Since": headers["last-modified"]})
    assert status3 == 304
    status4, _, body4 = fetch(url, headers={"If-None-Match": '"something-else"'})
    assert status4 == 200 and body4 == body


def test_set_and_remove_routes():
    with SampleSite() as s:
        feed = "/tienphong/rss/the-gioi-5.rss"
        _, h1, old = fetch(s.url(feed))
        new_item = ("<item><title>Bài mới</title><link>{{BASE}}/tienphong/bai-moi-post1879999.tpo</link>"
                    "</item></channel>")
        s.set(feed, old.decode("utf-8").replace("</channel>", new_item))
        status, h2, body = fetch(s.url(feed), headers={"If-None-Match": h1["etag"]})
        assert status == 200 and h2["etag"] != h1["etag"]
        assert f"{s.base}/tienphong/bai-moi-post1879999.tpo".encode() in body
        assert h2["content-type"].startswith("application/rss+xml")
        s.set("/tienphong/bai-moi-post1879999.tpo", "<html><body><p>{{BASE}}</p></body></html>",
              headers={"X-Test": "1"})
        status, h3, body = fetch(s.url("/tienphong/bai-moi-post1879999.tpo"))
        assert status == 200 and h3["x-test"] == "1" and s.base.encode() in body
        assert h3["content-type"] == "text/html; charset=utf-8"
        s.set("/x.json", b"{}", status=429, headers={"Retry-After": "3"}, content_type="application/json")
        status, h4, _ = fetch(s.url("/x.json"))
        assert status == 429 and h4["retry-after"] == "3"
        s.remove("/tienphong/bai-moi-post1879999.tpo")
        assert fetch(s.url("/tienphong/bai-moi-post1879999.tpo"))[0] == 404
        assert s.hits["/tienphong/bai-moi-post1879999.tpo"] == 2


def test_two_servers_have_their_own_base(site):
    with SampleSite() as other:
        assert other.base != site.base
        _, _, body = fetch(other.url("/tienphong/rss/the-gioi-5.rss"))
        assert other.base.encode() in body and site.base.encode() not in body


def test_custom_root(tmp_path: Path):
    (tmp_path / "www" / "a").mkdir(parents=True)
    (tmp_path / "www" / "a" / "index.html").write_text("<p>{{BASE}}/a/</p>", encoding="utf-8")
    (tmp_path / "www" / "a" / "f.xml.gz.tmpl").write_text("<x>{{BASE}}</x>", encoding="utf-8")
    with SampleSite(tmp_path) as s:
        assert fetch(s.url("/a/"))[2] == f"<p>{s.base}/a/</p>".encode()
        assert gzip.decompress(fetch(s.url("/a/f.xml.gz"))[2]) == f"<x>{s.base}</x>".encode()
        assert fetch(s.url("/tienphong/rss/the-gioi-5.rss"))[0] == 404


# ---- the site specs -----------------------------------------------------------------------------


def test_sites_toml_validates(site, specs):
    assert set(specs) == {"tienphong", "baotintuc", "vietnamplus", "baoquocte", "kinhtedothi",
                          "vnexpress", "dantri", "thanhnien"}
    text = site.sites_toml()
    assert "{{BASE}}" not in text
    for spec in specs.values():
        assert spec.domains == ("127.0.0.1",)
        for u in spec.feeds + spec.sitemaps + spec.sections:
            assert u.startswith(site.base + f"/{spec.key}/")
            assert not spec.is_article_url(u), u  # a source is never taken for an article
            assert fetch(u)[0] == 200, u


def test_article_patterns(site, specs, expected):
    for path, a in expected["articles"].items():
        assert specs[a["site"]].is_article_url(a["url"]), path
        others = [k for k, s in specs.items() if k != a["site"] and s.is_article_url(a["url"])]
        assert not others, (path, others)
    for path in expected["traps"]["never_fetched"]:
        key = path.split("/")[1]
        # under /video/ (excluded) or linked on another host name: not an article URL as linked
        on_other_host = "another host" in expected["traps"]["reasons"][path]
        linked = (site.other if on_other_host else site.base) + path
        assert not specs[key].is_article_url(linked), path
    assert not specs["kinhtedothi"].is_article_url(site.base + "/kinhtedothi/quoc-te/")
    assert not specs["dantri"].is_article_url(site.base + "/dantri/xa-hoi.htm")


# ---- the fixture articles -----------------------------------------------------------------------


def test_expected_is_complete(expected):
    arts = expected["articles"]
    assert len(arts) >= 16
    sites = {a["site"] for a in arts.values()}
    assert len(sites) == 8
    for site_key in sites:
        n = sum(1 for a in arts.values() if a["site"] == site_key)
        assert 2 <= n <= 4, site_key
    share = sum(a["relevant"] for a in arts.values()) / len(arts)
    assert 0.5 <= share <= 0.7
    for path, a in arts.items():
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", a["published"]), path
        assert 250 <= a["words"] <= 600, path
        assert len(a["must_contain"]) >= 2 and len(a["must_not_contain"]) >= 3, path
        assert a["sources"], path
    for group in ("duplicates", "stories"):
        for pair in expected[group]["pairs"]:
            assert len(pair) == 2 and all(p in arts for p in pair)
            assert arts[pair[0]]["site"] != arts[pair[1]]["site"]
    for p in expected["traps"]["paths"]:
        assert p not in arts


def test_articles_served_with_their_phrases(site, expected):
    for path, a in expected["articles"].items():
        status, headers, body = fetch(a["url"])
        assert status == 200, path
        text = body.decode("utf-8")
        for phrase in a["must_contain"]:
            assert phrase in text, (path, phrase)
        # boilerplate really is on the page, so that its absence from the extraction means something
        for phrase in a["must_not_contain"]:
            assert phrase in text, (path, phrase)
        tree = lhtml.fromstring(body)
        h1 = tree.xpath("//h1")
        assert len(h1) == 1 and " ".join(h1[0].text_content().split()) == a["title"], path
        assert tree.xpath('//link[@rel="canonical"]/@href') == [a["url"]]


def test_last_paragraph_phrase(site, expected):
    for path, a in expected["articles"].items():
        tree = lhtml.fromstring(fetch(a["url"])[2])
        for boiler in tree.xpath("//footer|//aside"):
            boiler.drop_tree()
        paras = [" ".join(p.text_content().split()) for p in tree.xpath("//p")]
        paras = [p for p in paras if len(p) > 120]
        assert a["must_contain"][-1] in paras[-1], path


def test_dates_as_each_outlet_gives_them(site, expected):
    for path, a in expected["articles"].items():
        text = fetch(a["url"])[2].decode("utf-8")
        iso = a["published"]
        day, hm = iso[8:10] + "/" + iso[5:7] + "/" + iso[:4], iso[11:16]
        if a["site"] in ("baotintuc", "dantri"):  # the URL timestamp
            ts = re.search(r"-(\d{17})\.htm$", path).group(1)
            assert f"{ts[:4]}-{ts[4:6]}-{ts[6:8]}T{ts[8:10]}:{ts[10:12]}:{ts[12:14]}" == iso[:19], path
        if a["site"] == "baotintuc":  # no JSON-LD, no meta date
            assert "application/ld+json" not in text and "published_time" not in text
            assert f"{day} {hm}" in text
        elif a["site"] == "kinhtedothi":
            assert re.search(rf"Thứ \w+, {hm} {day}", text), path
            assert f'<meta property="article:published_time" content="{iso}">' in text
        elif a["site"] == "vnexpress":
            assert f'<meta name="pubdate" itemprop="datePublished" content="{iso}">' in text
            assert "article:published_time" not in text
        else:
            assert iso in text, path


def test_republication_differs_but_overlaps(site, expected):
    a, b = expected["duplicates"]["pairs"][0]
    tb = lhtml.fromstring(fetch(site.url(b))[2]).text_content()
    assert expected["articles"][a]["title"] != expected["articles"][b]["title"]
    assert "(TTXVN) -" in tb
    shared = [p for p in expected["articles"][a]["must_contain"] if p in tb]
    assert shared


# ---- feeds and sitemaps -------------------------------------------------------------------------


def _sources(specs) -> list[str]:
    return [u for s in specs.values() for u in s.feeds + s.sitemaps]


def test_feeds_and_sitemaps_are_well_formed(site, specs):
    seen = 0
    todo = _sources(specs)
    while todo:
        url = todo.pop()
        status, headers, body = fetch(url)
        assert status == 200, url
        if urlsplit(url).path == BROKEN_FEED:
            with pytest.raises(etree.XMLSyntaxError):
                etree.fromstring(body)
            continue
        if url.endswith(".gz"):
            body = gzip.decompress(body)
        root = etree.fromstring(body)
        seen += 1
        if root.tag.endswith("sitemapindex"):
            todo += [loc.text for loc in root.iter("{*}loc")]
    assert seen >= 9


def test_broken_feed_still_yields_a_link(site, expected):
    body = fetch(site.url(BROKEN_FEED))[2]
    root = etree.fromstring(body, etree.XMLParser(recover=True))
    links = [e.text for e in root.iter("link") if e.text and "-185" in e.text]
    paths = [urlsplit(u).path for u in links]
    assert any(p in expected["articles"] for p in paths)


def test_thanhnien_feed_needs_decoding_twice(site):
    root = etree.fromstring(fetch(site.url("/thanhnien/rss/the-gioi.rss"))[2])
    titles = [t.text for t in root.iter("title")]
    once = [t for t in titles if "&quot;" in t]
    assert once and '"' in html.unescape(once[0])


def test_vnexpress_feed_cdata_descriptions(site):
    body = fetch(site.url("/vnexpress/rss/the-gioi.rss"))[2].decode("utf-8")
    assert re.search(r"<description><!\[CDATA\[<a href=\"[^\"]+\"><img src=\"[^\"]+\" ></a></br>", body)
    assert "+0700</pubDate>" in body


def test_feed_traps_present(site, expected):
    tp = fetch(site.url("/tienphong/rss/the-gioi-5.rss"))[2].decode("utf-8")
    assert "/tienphong/video/" in tp
    assert site.other + "/tienphong/" in tp  # an item on another host name
    dead = next(p for p, why in expected["traps"]["reasons"].items() if "404" in why)
    assert fetch(site.url(dead))[0] == 404
    assert dead in fetch(site.url("/baotintuc/the-gioi.rss"))[2].decode("utf-8")
    listing = next(p for p, why in expected["traps"]["reasons"].items() if "listing" in why)
    assert listing in fetch(site.url("/dantri/rss/the-gioi.rss"))[2].decode("utf-8")
    tree = lhtml.fromstring(fetch(site.url(listing))[2])
    assert len(tree.xpath("//a")) > 40
    assert sum(len(p.text_content()) for p in tree.xpath("//p")) < 600


def test_generated_files_in_sync_with_sources():
    from config.samples import build

    arts = build.parse_articles((SAMPLES_DIR / "articles.txt").read_text(encoding="utf-8"))
    for a in arts:
        page = (SAMPLES_DIR / "www" / a.path.lstrip("/")).read_text(encoding="utf-8")
        assert html.escape(a.title, quote=False) in page, a.key
        assert html.escape(a.paras[-1], quote=False) in page, a.key


@pytest.mark.slow
def test_command_line_serves_and_prints_base(tmp_path: Path):
    import subprocess
    import sys

    out = tmp_path / "sites.toml"
    proc = subprocess.Popen([sys.executable, "-m", "config.samples.site", "--write-sites", str(out)],
                            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    try:
        base = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
        assert fetch(base + "/robots.txt")[0] == 200
        specs = config.parse_sites(out.read_text(encoding="utf-8"))
        assert specs["dantri"].sections == (base + "/dantri/xa-hoi.htm",)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
